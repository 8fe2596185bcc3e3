"""The profile registry: immutable, versioned genomes of the agent roles.

    from arena_core.profiles import prod_profile, new_profile

    profile = prod_profile(engine, "engineer")      # what a run of the role uses
    event = new_profile("engineer", "1.1.0", sections, settings=..., parent_ids=(profile.id,))
    await bus.publish(Envelope.new(event))          # the recorder folds it into ``profiles``

Every change (a version, a stage move, a regression verdict, an approval) is an event
(``arena_core.events.profiles``); the tables are a projection of them.
"""

from arena_core.profiles.model import (
    PROD,
    InvalidProfile,
    NotApprovable,
    Profile,
    ProfileError,
    UnknownProfile,
    bump,
    check_role,
    genome_key,
    join_sections,
    new_profile,
    packaged_profile,
    packaged_profile_event,
    profile_id,
    split_template,
)
from arena_core.profiles.queries import evaluations, get_profile, list_profiles, prod_profile

__all__ = [
    "PROD",
    "InvalidProfile",
    "NotApprovable",
    "Profile",
    "ProfileError",
    "UnknownProfile",
    "bump",
    "check_role",
    "evaluations",
    "genome_key",
    "get_profile",
    "join_sections",
    "list_profiles",
    "new_profile",
    "packaged_profile",
    "packaged_profile_event",
    "prod_profile",
    "profile_id",
    "split_template",
]
