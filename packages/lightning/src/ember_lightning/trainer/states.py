"""What the trainer is doing: the function called, its status and the running stage."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

__all__ = ["TrainerFn", "TrainerStatus", "RunningStage", "TrainerState"]


class TrainerFn(str, Enum):
    """The Trainer method being run."""

    FITTING = "fit"
    VALIDATING = "validate"
    TESTING = "test"
    PREDICTING = "predict"


class TrainerStatus(str, Enum):
    """Whether the Trainer is set up, running, finished or was interrupted."""

    INITIALIZING = "initializing"
    RUNNING = "running"
    FINISHED = "finished"
    INTERRUPTED = "interrupted"

    @property
    def stopped(self) -> bool:
        return self in (TrainerStatus.FINISHED, TrainerStatus.INTERRUPTED)


class RunningStage(str, Enum):
    """The loop running now (the sanity check is a validation loop run before training)."""

    TRAINING = "train"
    SANITY_CHECKING = "sanity_check"
    VALIDATING = "validate"
    TESTING = "test"
    PREDICTING = "predict"


@dataclass
class TrainerState:
    """``fn``: the Trainer method; ``status``; ``stage``: the loop running now (or None)."""

    status: TrainerStatus = TrainerStatus.INITIALIZING
    fn: TrainerFn | None = None
    stage: RunningStage | None = None

    @property
    def finished(self) -> bool:
        return self.status == TrainerStatus.FINISHED

    @property
    def stopped(self) -> bool:
        return self.status.stopped
