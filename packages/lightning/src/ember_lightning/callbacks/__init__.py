"""Callbacks: plug-ins that act at the trainer's hooks (loaded lazily)."""

_LAZY_NAMES = {
    "Callback": "ember_lightning.callbacks.callback",
    "ModelCheckpoint": "ember_lightning.callbacks.model_checkpoint",
    "EarlyStopping": "ember_lightning.callbacks.early_stopping",
    "LearningRateMonitor": "ember_lightning.callbacks.lr_monitor",
    "Timer": "ember_lightning.callbacks.timer",
    "GradientAccumulationScheduler": "ember_lightning.callbacks.gradient_accumulation_scheduler",
    "StochasticWeightAveraging": "ember_lightning.callbacks.stochastic_weight_avg",
    "LambdaCallback": "ember_lightning.callbacks.lambda_function",
    "ProgressBar": "ember_lightning.callbacks.progress",
    "TQDMProgressBar": "ember_lightning.callbacks.progress",
    "RichProgressBar": "ember_lightning.callbacks.progress",
    "RichProgressBarTheme": "ember_lightning.callbacks.progress",
    "ModelSummary": "ember_lightning.callbacks.model_summary",
}

__all__ = sorted(_LAZY_NAMES)


def __getattr__(name):
    if name in _LAZY_NAMES:
        import importlib

        value = getattr(importlib.import_module(_LAZY_NAMES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY_NAMES))
