"""Helpers of the trainer: seeding, exceptions, ``AttributeDict``."""

from .exceptions import MisconfigurationException
from .parsing import AttributeDict
from .seed import reset_seed, seed_everything

__all__ = ["AttributeDict", "MisconfigurationException", "reset_seed", "seed_everything"]
