"""View ops and indexing: shared memory, version counters, in-place autograd through views,
gradients (first and second order) and errors."""

from __future__ import annotations

import numpy as np
import pytest

import ember


def test_view_ops_forward():
    x = np.arange(24.0).reshape(2, 3, 4)
    t = ember.tensor(x)
    np.testing.assert_array_equal(t.view(6, 4).numpy(), x.reshape(6, 4))
    np.testing.assert_array_equal(t.reshape(-1, 2).numpy(), x.reshape(-1, 2))
    np.testing.assert_array_equal(t.transpose(0, 2).numpy(), x.transpose(2, 1, 0))
    np.testing.assert_array_equal(t.permute(2, 0, 1).numpy(), x.transpose(2, 0, 1))
    np.testing.assert_array_equal(
        t[:, :1].expand(2, 3, 4).numpy(), np.broadcast_to(x[:, :1], (2, 3, 4))
    )
    np.testing.assert_array_equal(t.unsqueeze(1).numpy(), x[:, None])
    np.testing.assert_array_equal(t[:, :1].squeeze(1).numpy(), x[:, 0])
    np.testing.assert_array_equal(t.flatten(1).numpy(), x.reshape(2, 12))
    np.testing.assert_array_equal(t.unflatten(2, (2, 2)).numpy(), x.reshape(2, 3, 2, 2))
    np.testing.assert_array_equal(t.narrow(2, 1, 2).numpy(), x[:, :, 1:3])
    np.testing.assert_array_equal(t.select(1, -1).numpy(), x[:, -1])
    np.testing.assert_array_equal(t.movedim(0, -1).numpy(), np.moveaxis(x, 0, -1))
    np.testing.assert_array_equal(t.diagonal(1, 1, 2).numpy(), np.diagonal(x, 1, 1, 2))
    np.testing.assert_array_equal(
        ember.arange(6).as_strided((2, 2), (1, 2)).numpy(), np.array([[0, 2], [1, 3]])
    )
    np.testing.assert_array_equal(
        ember.arange(6).unfold(0, 3, 2).numpy(),
        np.lib.stride_tricks.sliding_window_view(np.arange(6), 3)[::2],
    )
    assert ember.swapaxes(t, 0, 1).shape == (3, 2, 4)


def test_views_share_memory_both_ways():
    base = ember.zeros(3, 4)
    views = [
        base[1],
        base[:, 1:3],
        base.view(12),
        base.reshape(4, 3),
        base.transpose(0, 1),
        base.permute(1, 0),
        base.unsqueeze(0),
        base.narrow(1, 2, 2),
        base.select(1, 3),
        base.diagonal(),
        base.t(),
        base[None, ..., 0],
    ]
    for v in views:
        assert v._base is base
    base[1, 2] = 5.0
    assert views[0][2].item() == 5.0
    assert views[1][1, 1].item() == 5.0
    assert views[2][6].item() == 5.0
    assert views[4][2, 1].item() == 5.0
    views[9][0] = 7.0  # write through a diagonal view
    assert base[0, 0].item() == 7.0
    views[8][2] = -1.0
    assert base[2, 3].item() == -1.0
    views[11][0, 1] = 3.0
    assert base[1, 0].item() == 3.0


def test_version_counter_shared_and_bumped():
    base = ember.zeros(3)
    v = base[1:]
    assert base._version == v._version == 0
    v.add_(1.0) if hasattr(v, "add_") else v.__setitem__(0, 1.0)
    assert base._version == v._version == 1
    base[0] = 2.0
    assert base._version == v._version == 2
    base.masked_fill_(ember.tensor([True, False, False]), 3.0)
    assert v._version == 3


def test_advanced_indexing_copies():
    base = ember.arange(6.0)
    c = base[ember.tensor([0, 1])]
    c[0] = 100.0
    assert base[0].item() == 0.0
    m = base[base.detach().numpy() > 2]
    assert m._base is None


def test_inplace_on_view_of_non_leaf_copy_slices(gradcheck, rand):
    def f(a, s):
        b = a * 2.0
        b[1:, :2] = s[:2, :2] * s[:2, :2]  # setitem on a view region
        v = b[:, 1]
        v.mul_(3.0) if hasattr(v, "mul_") else v.masked_fill_(v.detach() > 100, 0.0)
        return b * a

    gradcheck(f, rand(3, 3, seed=1), rand(3, 3, seed=2))


def test_copy_slices_gradient_values():
    a = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    s = ember.tensor(10.0, requires_grad=True)
    b = a * 1.0
    b[1:].masked_fill_(ember.tensor([True, False]), s)
    assert type(b.grad_fn).__name__ == "CopySlices"
    (b * ember.tensor([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [1.0, 0.0, 3.0])
    assert s.grad.item() == 2.0
    np.testing.assert_array_equal(b.detach().numpy(), [1.0, 10.0, 3.0])


def test_inplace_on_leaf_requiring_grad_raises():
    a = ember.ones(3, requires_grad=True)
    with pytest.raises(
        RuntimeError,
        match="a leaf Variable that requires grad is being used in an in-place operation",
    ):
        a[0] = 2.0
    with pytest.raises(RuntimeError, match="view of a leaf Variable that requires grad"):
        a[1:].index_fill_(0, ember.tensor([0]), 0.0)
    with ember.no_grad():
        a[0] = 2.0  # allowed without grad mode
    assert a[0].item() == 2.0


def test_modified_saved_tensor_raises():
    a = ember.tensor([1.0, 2.0], requires_grad=True)
    b = a * 1.0
    c = b * b
    b[0] = 5.0
    with pytest.raises(
        RuntimeError,
        match=r"modified by an inplace operation.*MulBackward0.*version 1; expected version 0",
    ):
        c.sum().backward()
    d = a * 1.0
    g = ember.gather(d, 0, ember.tensor([1]))
    e = g * d  # saves d
    d.index_fill_(0, ember.tensor([0]), 0.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        e.sum().backward()


SECOND_ORDER = {
    "getitem_basic": lambda a: (a * a)[1:, None, ::2],
    "getitem_int": lambda a: (a * a)[-1, 1] * a[0, 0],
    "getitem_ellipsis": lambda a: (a * a)[..., 1:],
    "getitem_advanced": lambda a: (a * a)[ember.tensor([0, 2, 2]), ember.tensor([1, 1, 0])],
    "getitem_mixed": lambda a: (a * a)[[2, 0, 2], 1:],
    "getitem_mask": lambda a: (a * a)[ember.tensor([[True, False, True]] * 3)],
    "permute": lambda a: (a * a).permute(1, 0) * a,
    "transpose": lambda a: (a * a).transpose(0, 1) * a,
    "expand": lambda a: (a * a)[:1].expand(2, 3, 3),
    "reshape": lambda a: (a * a).reshape(9) * a.t().reshape(-1),
    "view": lambda a: (a * a).view(3, 3, 1),
    "diagonal": lambda a: (a * a).diagonal(1) * a.diagonal(-1),
    "squeeze_unsqueeze": lambda a: (a * a).unsqueeze(0).squeeze(0) * a,
    "narrow_select": lambda a: (a * a).narrow(1, 1, 2).select(0, 2),
    "movedim_flatten": lambda a: (a * a).unsqueeze(2).movedim(2, 0).flatten(),
    "unfold": lambda a: (a * a).unfold(1, 2, 1),
    "as_strided": lambda a: (a * a).as_strided((2, 2), (1, 3), 1),
}


@pytest.mark.parametrize("name", sorted(SECOND_ORDER))
def test_second_order(name, gradcheck, rand):
    gradcheck(SECOND_ORDER[name], rand(3, 3, seed=3), second_order=True)


def test_setitem_gradients(gradcheck, rand):
    def f(a, v):
        b = a * 1.0
        b[ember.tensor([0, 2]), 1] = v[0, :2]
        b[1] = v[1] * 2.0
        return b * a

    gradcheck(f, rand(3, 3, seed=4), rand(3, 3, seed=5))


def test_indexing_errors():
    x = ember.zeros(3, 4)
    with pytest.raises(IndexError, match="out of bounds"):
        x[5]
    with pytest.raises(IndexError, match="tensors used as indices must be long, int, byte or bool"):
        x[ember.tensor([0.0])]
    with pytest.raises(RuntimeError, match="shape mismatch"):
        x[0] = ember.ones(3)
    with pytest.raises(RuntimeError, match="invalid for input of size 12"):
        x.view(5, -1)
    with pytest.raises(RuntimeError, match="view size is not compatible"):
        x.t().view(12)
    with pytest.raises(RuntimeError, match="expanded size of the tensor"):
        x.expand(2, 5, 4)
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.transpose(0, 2)
    with pytest.raises(RuntimeError, match="exceeds dimension size"):
        x.narrow(1, 3, 2)
