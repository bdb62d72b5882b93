"""``ember.backends.cudnn``: PyTorch's cuDNN flags, accepted so that scripts setting them run.

Ember's GPU backend does not use cuDNN; ``deterministic`` is honoured through
``ember.use_deterministic_algorithms``, and ``benchmark`` has no effect.
"""

benchmark = False
deterministic = False
enabled = True
allow_tf32 = True


def is_available() -> bool:
    """cuDNN is never used by Ember, so this is False."""
    return False


def version():
    return None
