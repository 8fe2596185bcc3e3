"""The team's offline policies: each role's algorithm as an ``arena_core.llm`` decider.

They answer through the same ``Conversation`` and tools as a model would, so offline,
anthropic and replay runs produce the same kinds of events.
"""

from arena_core.llm import Decider
from engineer.policies.critic import critic_decider
from engineer.policies.engineer import engineer_decider
from engineer.policies.planner import planner_decider

TEAM_DECIDERS: dict[str, Decider] = {
    "planner": planner_decider,
    "engineer": engineer_decider,
    "critic": critic_decider,
}

__all__ = ["TEAM_DECIDERS", "critic_decider", "engineer_decider", "planner_decider"]
