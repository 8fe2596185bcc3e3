"""Arena as a live RL environment for TRL's ``GRPOTrainer(environment_factory=...)``.

    from arena_rl import ArenaEnvironment, dataset
    trainer = GRPOTrainer(model, train_dataset=dataset(["example:ball_to_goal:0"]),
                          environment_factory=ArenaEnvironment, ...)

Each rollout is one benchmark: ``reset`` brings the brief, the model designs with the
``simulate`` tool (a free preview) and ends with ``submit`` (scored), both run by the
simrunner workers on the bus; ``get_reward`` is the simrunner's graded reward.
"""

from arena_rl.dataset import dataset
from arena_rl.environment import ArenaEnvironment, EnvironmentNotReady

__all__ = ["ArenaEnvironment", "EnvironmentNotReady", "dataset"]
