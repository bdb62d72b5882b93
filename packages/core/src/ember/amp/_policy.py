"""Which ops autocast changes, and how: PyTorch's op lists, per device type.

* ``lower``: floating inputs (other than float64) are cast to the autocast dtype (matmul,
  linear, convolutions, attention...).
* ``fp32``: lower-precision floating inputs are cast to float32 (losses, norms, exp/log...).
* ``fp32_opt``: like ``fp32`` for ops that take a ``dtype`` argument (softmax, sum, cumsum...);
  an explicit ``dtype`` wins (the op checks it before calling ``cast``).
* ``promote``: floating inputs are cast to the widest floating dtype among them (cat, stack...).
* ``banned``: the op raises under autocast (``binary_cross_entropy`` on CUDA, as PyTorch does:
  use ``binary_cross_entropy_with_logits``).

The CPU lists are shorter than CUDA's, as in PyTorch: on CPU, softmax, layer norm and the
elementwise math keep the dtype of their input.

One difference from PyTorch: ``batch_norm`` runs in float32 (its result too). PyTorch keeps a
float16 batch norm in float16 but accumulates its statistics in float32 inside the kernel;
Ember's batch norm computes in its input's dtype, where the squares of activations of a few
hundred overflow float16.
"""

from __future__ import annotations

_LOWER_COMMON = (
    "matmul mm bmm addmm baddbmm addbmm linear conv1d conv2d conv3d conv_transpose1d "
    "conv_transpose2d conv_transpose3d prelu scaled_dot_product_attention einsum"
)
_LOWER_CUDA = "addmv addr mv chain_matmul multi_dot"

_FP32_LOSSES = (
    "mse_loss l1_loss smooth_l1_loss huber_loss nll_loss cross_entropy kl_div poisson_nll_loss "
    "cosine_embedding_loss hinge_embedding_loss margin_ranking_loss soft_margin_loss "
    "triplet_margin_loss multi_margin_loss multilabel_margin_loss "
    "binary_cross_entropy_with_logits batch_norm"
)
_FP32_CUDA = (
    "acos asin cosh erfinv exp expm1 log log10 log2 log1p reciprocal rsqrt sinh tan pow "
    "softplus layer_norm group_norm rms_norm norm cosine_similarity dist pdist cdist renorm "
    "logsumexp"
)
_FP32_CPU = "binary_cross_entropy prod cdist trace inverse pinverse cholesky"
_FP32_OPT_CUDA = "softmax log_softmax sum prod cumsum cumprod"

_PROMOTE_CUDA = "addcdiv addcmul atan2 bilinear cross dot tensordot cat stack"
_PROMOTE_CPU = "cat stack"


def _table(**groups) -> dict:
    table = {}
    for policy, names in groups.items():
        for name in " ".join(names).split():
            table[name] = policy
    return table


POLICIES = {
    "cpu": _table(
        lower=(_LOWER_COMMON,),
        fp32=(_FP32_LOSSES, _FP32_CPU),
        promote=(_PROMOTE_CPU,),
    ),
    "cuda": _table(
        lower=(_LOWER_COMMON, _LOWER_CUDA),
        fp32=(_FP32_LOSSES, _FP32_CUDA),
        fp32_opt=(_FP32_OPT_CUDA,),
        promote=(_PROMOTE_CUDA,),
        banned=("binary_cross_entropy",),
    ),
}


def ops_with_policy(device_type: str, policy: str) -> list:
    """The names of the ops that ``policy`` applies to on ``device_type`` (sorted)."""
    return sorted(name for name, p in POLICIES[device_type].items() if p == policy)
