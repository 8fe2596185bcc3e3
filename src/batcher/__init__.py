"""The ``batcher`` service: batch jobs whose children are solve jobs (rollouts, calibration)."""
