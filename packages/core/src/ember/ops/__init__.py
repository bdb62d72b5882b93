"""Every differentiable operation, grouped by family; each module registers its Tensor
methods. ``ember/__init__.py`` re-exports their public functions."""
