"""Training strategies: how the trainer spreads work over processes.

- :class:`SingleDeviceStrategy`: one process (the default, ``strategy="auto"`` or
  ``"single_device"``);
- :class:`DDPStrategy`: data-parallel over the processes of an MPI job (``strategy="ddp"``);
- :class:`Strategy`: their base class, the interface the trainer uses.

Example:
    >>> from ember_lightning.strategies import DDPStrategy
    >>> DDPStrategy().strategy_name
    'ddp'
"""

from .ddp import DDPStrategy
from .single_device import SingleDeviceStrategy
from .strategy import Strategy

__all__ = ["DDPStrategy", "SingleDeviceStrategy", "Strategy"]
