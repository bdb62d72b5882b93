"""Ember: a define-by-run deep-learning framework with PyTorch's API, on NumPy (and CuPy).

Example:
    >>> import ember
    >>> x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> y = (x ** 2).sum()
    >>> y.backward()
    >>> x.grad
    tensor([2., 4., 6.])
"""

from __future__ import annotations

__version__ = "0.1.0"

from . import _dtype
from ._creation import *
from ._device import device
from ._dtype import (
    bfloat16,
    bool,
    can_cast,
    cdouble,
    cfloat,
    complex64,
    complex128,
    double,
    dtype,
    finfo,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    iinfo,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    promote_types,
    result_type,
    set_default_dtype,
    short,
    uint8,
    uint16,
    uint32,
    uint64,
)
from ._printing import get_printoptions, set_printoptions
from ._size import Size
from ._tensor import Tensor, is_tensor
from .autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .autograd.graph import bind_tensor_class as _bind

_bind(Tensor)
del _bind

from . import (  # noqa: E402
    autograd,
    backends,
    return_types,
)
from .ops import conversion as _conversion  # noqa: E402  (registers Tensor methods)
from .ops import filling as _filling  # noqa: E402
from .ops import indexing as _indexing  # noqa: E402
from .ops import nn_methods as _nn_methods  # noqa: E402
from .ops import random_methods as _random_methods  # noqa: E402  (Tensor.normal_ etc.)
from .ops.arithmetic import *  # noqa: E402
from .ops.comparison import *  # noqa: E402
from .ops.conversion import *  # noqa: E402
from .ops.filling import *  # noqa: E402
from .ops.linalg_ops import *  # noqa: E402
from .ops.pointwise import *  # noqa: E402
from .ops.reduction import *  # noqa: E402
from .ops.scan import *  # noqa: E402
from .ops.scatter import *  # noqa: E402
from .ops.shape import *  # noqa: E402
from .ops.sorting import *  # noqa: E402
from .ops.special_math import *  # noqa: E402
from .ops.spectral import *  # noqa: E402
from .ops.views import *  # noqa: E402

_LAZY_SUBMODULES = (
    "linalg",
    "fft",
    "cuda",
    "cpu",
    "random",
    "testing",
    "accelerator",
    "nn",
    "optim",
    "utils",
    "amp",
    "distributions",
    "distributed",
    "func",
    "special",
    "serialization",
)


def __getattr__(name):
    if name in _LAZY_SUBMODULES:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    from ._lazy_api import resolve  # not ``from . import``: that probes this __getattr__

    return resolve(name)
