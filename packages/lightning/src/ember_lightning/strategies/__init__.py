"""Training strategies: how the trainer spreads work over processes.

Example:
    >>> from ember_lightning.strategies import DDPStrategy
    >>> DDPStrategy().strategy_name
    'ddp'
"""

from .ddp import DDPStrategy

__all__ = ["DDPStrategy"]
