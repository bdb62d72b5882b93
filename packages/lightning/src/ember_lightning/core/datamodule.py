"""``LightningDataModule``: the data side of an experiment in one reusable object."""

from __future__ import annotations

from typing import Any

from .hooks import DataHooks
from .saving import load_from_checkpoint

__all__ = ["LightningDataModule"]


class LightningDataModule(DataHooks):
    """Groups the download (``prepare_data``), the splits (``setup(stage)``) and the
    DataLoaders (``train_dataloader``, ``val_dataloader``, ``test_dataloader``,
    ``predict_dataloader``) of a dataset. Pass it as ``trainer.fit(model, datamodule=dm)``.

    ``state_dict`` / ``load_state_dict`` put its state in checkpoints (under its class name);
    ``save_hyperparameters`` records its ``__init__`` arguments.

    Example:
        >>> import ember
        >>> from ember.utils.data import DataLoader, TensorDataset
        >>> class RandomData(LightningDataModule):
        ...     def __init__(self, batch_size=4):
        ...         super().__init__()
        ...         self.save_hyperparameters()
        ...     def setup(self, stage):
        ...         self.data = TensorDataset(ember.randn(16, 3), ember.randn(16, 1))
        ...     def train_dataloader(self):
        ...         return DataLoader(self.data, batch_size=self.hparams.batch_size)
        >>> dm = RandomData(batch_size=8)
        >>> dm.setup("fit")
        >>> len(dm.train_dataloader())
        2
    """

    name: str | None = None

    def __init__(self) -> None:
        self.trainer = None

    def state_dict(self) -> dict[str, Any]:
        """The datamodule's state for checkpoints (empty by default)."""
        return {}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the state returned by :meth:`state_dict`."""

    @property
    def hparams(self):
        """The hyperparameters saved by :meth:`save_hyperparameters`."""
        from ..utilities.parsing import AttributeDict

        if "_hparams" not in self.__dict__:
            self._hparams = AttributeDict()
        return self._hparams

    @property
    def hparams_initial(self):
        """The hyperparameters as they were saved."""
        from ..utilities.parsing import AttributeDict

        return AttributeDict(self.__dict__.get("_hparams_initial", {}))

    def save_hyperparameters(self, *args: Any, ignore=None, frame=None, logger: bool = True):
        """Record ``__init__``'s arguments in ``self.hparams`` (see LightningModule's)."""
        import inspect

        from .module import LightningModule

        if frame is None:
            frame = inspect.currentframe().f_back
        LightningModule.save_hyperparameters(self, *args, ignore=ignore, frame=frame, logger=logger)

    load_from_checkpoint = classmethod(load_from_checkpoint)

    @classmethod
    def from_datasets(
        cls,
        train_dataset=None,
        val_dataset=None,
        test_dataset=None,
        predict_dataset=None,
        batch_size: int = 1,
        num_workers: int = 0,
        **datamodule_kwargs: Any,
    ) -> LightningDataModule:
        """A datamodule whose loaders wrap the given datasets (lists make several loaders).

        The training loader shuffles; the others keep the order.
        """
        from ember.utils.data import DataLoader

        def loaders(ds, shuffle):
            if isinstance(ds, (list, tuple)):
                return [loaders(d, shuffle) for d in ds]
            return DataLoader(ds, batch_size=batch_size, shuffle=shuffle, num_workers=num_workers)

        datamodule = cls(**datamodule_kwargs)
        if train_dataset is not None:
            datamodule.train_dataloader = lambda: loaders(train_dataset, True)
        if val_dataset is not None:
            datamodule.val_dataloader = lambda: loaders(val_dataset, False)
        if test_dataset is not None:
            datamodule.test_dataloader = lambda: loaders(test_dataset, False)
        if predict_dataset is not None:
            datamodule.predict_dataloader = lambda: loaders(predict_dataset, False)
        return datamodule
