"""The exception raised for a wrong setting of the trainer, a module or a callback."""

__all__ = ["MisconfigurationException"]


class MisconfigurationException(Exception):
    """A setting of the Trainer, a LightningModule or a callback cannot work as given.

    The message names the setting, the value received and what is expected.
    """
