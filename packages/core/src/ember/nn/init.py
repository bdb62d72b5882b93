"""``ember.nn.init``: parameter initialisation with PyTorch's schemes and defaults."""

__all__ = []
