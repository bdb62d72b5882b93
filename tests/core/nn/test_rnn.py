"""RNN, LSTM, GRU and their cells: forward against a NumPy reference, gradients (float64,
including second order through the composite fallback), packed inputs, module API."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import ember
from ember import nn
from ember.nn.functional.rnn import _composite, recurrent_layer, steps_of
from ember.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

# -- NumPy reference ------------------------------------------------------------------------------


def _sig(x):
    return 1.0 / (1.0 + np.exp(-x))


def np_cell(mode, x, h, c, p):
    """One step of a cell; ``p`` holds w_ih, w_hh, b_ih, b_hh (or None), w_hr (or None)."""
    b_ih = 0 if p["b_ih"] is None else p["b_ih"]
    b_hh = 0 if p["b_hh"] is None else p["b_hh"]
    gi = x @ p["w_ih"].T + b_ih
    gh = h @ p["w_hh"].T + b_hh
    if mode == "LSTM":
        i, f, g, o = np.split(gi + gh, 4, axis=1)
        c = _sig(f) * c + _sig(i) * np.tanh(g)
        h = _sig(o) * np.tanh(c)
        if p["w_hr"] is not None:
            h = h @ p["w_hr"].T
        return h, c
    if mode == "GRU":
        ir, iz, in_ = np.split(gi, 3, axis=1)
        hr, hz, hn = np.split(gh, 3, axis=1)
        r, z = _sig(ir + hr), _sig(iz + hz)
        n = np.tanh(in_ + r * hn)
        return (1 - z) * n + z * h, None
    a = gi + gh
    return (np.maximum(a, 0) if mode == "RNN_RELU" else np.tanh(a)), None


def np_params(m, layer, suffix=""):
    def get(name):
        t = getattr(m, f"{name}_l{layer}{suffix}", None)
        return None if t is None else t.detach().numpy()

    return {k: get(n) for k, n in [("w_ih", "weight_ih"), ("w_hh", "weight_hh"),
                                   ("b_ih", "bias_ih"), ("b_hh", "bias_hh"),
                                   ("w_hr", "weight_hr")]}  # fmt: skip


def np_rnn(m, x, h0=None, c0=None):
    """The whole module in NumPy, time-major ``x`` (T, B, I); returns out, h_n, c_n."""
    dirs = 2 if m.bidirectional else 1
    t_len, b = x.shape[:2]
    p_size = m.proj_size or m.hidden_size
    hs, cs = [], []
    inp = x
    for layer in range(m.num_layers):
        outs = []
        for d in range(dirs):
            k = layer * dirs + d
            p = np_params(m, layer, "_reverse" if d else "")
            h = np.zeros((b, p_size)) if h0 is None else h0[k]
            c = np.zeros((b, m.hidden_size)) if c0 is None else c0[k]
            out = np.zeros((t_len, b, p_size))
            order = range(t_len - 1, -1, -1) if d else range(t_len)
            for t in order:
                h, c = np_cell(m.mode, inp[t], h, c, p)
                out[t] = h
            outs.append(out)
            hs.append(h)
            cs.append(c)
        inp = np.concatenate(outs, axis=2)
    return inp, np.stack(hs), (np.stack(cs) if m.mode == "LSTM" else None)


CONFIGS = [
    ("LSTM", {}),
    ("LSTM", {"num_layers": 2, "bidirectional": True}),
    ("LSTM", {"batch_first": True, "bias": False}),
    ("LSTM", {"proj_size": 2, "num_layers": 2, "bidirectional": True}),
    ("GRU", {}),
    ("GRU", {"num_layers": 2, "bidirectional": True, "batch_first": True}),
    ("GRU", {"bias": False}),
    ("RNN", {}),
    ("RNN", {"nonlinearity": "relu", "bidirectional": True, "num_layers": 2}),
    ("RNN", {"bias": False, "batch_first": True}),
]


def make(cls_name, kw, input_size=3, hidden=4, seed=0):
    ember.manual_seed(seed)
    return getattr(nn, cls_name)(input_size, hidden, **kw).double()


@pytest.mark.parametrize("cls_name,kw", CONFIGS)
@pytest.mark.parametrize("with_hx", [False, True])
def test_forward_matches_numpy(cls_name, kw, with_hx):
    m = make(cls_name, kw)
    rng = np.random.default_rng(1)
    t_len, b = 5, 3
    x = rng.standard_normal((t_len, b, 3))
    dirs = 2 if m.bidirectional else 1
    n = m.num_layers * dirs
    h0 = rng.standard_normal((n, b, m.proj_size or m.hidden_size)) if with_hx else None
    c0 = rng.standard_normal((n, b, m.hidden_size)) if with_hx else None
    ref_out, ref_h, ref_c = np_rnn(m, x, h0, c0)
    xin = np.swapaxes(x, 0, 1) if m.batch_first else x
    hx = None
    if with_hx:
        hx = (ember.tensor(h0), ember.tensor(c0)) if cls_name == "LSTM" else ember.tensor(h0)
    out, state = m(ember.tensor(xin), hx)
    got = out.detach().numpy()
    if m.batch_first:
        got = np.swapaxes(got, 0, 1)
    np.testing.assert_allclose(got, ref_out, atol=1e-10)
    h_n = state[0] if cls_name == "LSTM" else state
    np.testing.assert_allclose(h_n.detach().numpy(), ref_h, atol=1e-10)
    if cls_name == "LSTM":
        np.testing.assert_allclose(state[1].detach().numpy(), ref_c, atol=1e-10)


def _functional(m, names):
    """``fn(x, h0, [c0], *weights)`` running ``m`` with substitute parameters."""

    def fn(x, h0, c0, *weights):
        for name, w in zip(names, weights):
            m._parameters[name] = w
        hx = (h0, c0) if m.mode == "LSTM" else h0
        out, state = m(x, hx)
        if m.mode == "LSTM":
            return out, state[0], state[1]
        return out, state

    return fn


GRAD_CONFIGS = [
    ("LSTM", {"bidirectional": True}),
    ("LSTM", {"proj_size": 2, "num_layers": 2}),
    ("GRU", {"bidirectional": True}),
    ("GRU", {"num_layers": 2, "bias": False}),
    ("RNN", {"num_layers": 2}),
    ("RNN", {"nonlinearity": "relu", "bidirectional": True}),
]


@pytest.mark.parametrize("cls_name,kw", GRAD_CONFIGS)
def test_gradcheck_input_state_weights(cls_name, kw, gradcheck, rand):
    m = make(cls_name, kw, input_size=2, hidden=3)
    names = list(m._flat_weights_names)
    weights = [rand(*getattr(m, n).shape, seed=10 + i) for i, n in enumerate(names)]
    dirs = 2 if m.bidirectional else 1
    x = rand(3, 2, 2, seed=1)
    h0 = rand(m.num_layers * dirs, 2, m.proj_size or m.hidden_size, seed=2)
    c0 = rand(m.num_layers * dirs, 2, m.hidden_size, seed=3) if cls_name == "LSTM" else None
    if cls_name == "RNN" and kw.get("nonlinearity") == "relu":
        x = rand(3, 2, 2, seed=1, low=0.2, high=1.0)  # keep pre-activations away from the kink
        weights = [rand(*w.shape, seed=20 + i, low=0.1, high=0.6) for i, w in enumerate(weights)]
    gradcheck(_functional(m, names), x, h0, c0, *weights)


@pytest.mark.parametrize("mode", ["LSTM", "GRU", "RNN_TANH"])
def test_second_order_through_composite_fallback(mode, gradcheck, rand):
    gates = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1}[mode] * 2
    gx = rand(3 * 2, gates, seed=0)
    h0 = rand(2, 2, seed=1)
    c0 = rand(2, 2, seed=2) if mode == "LSTM" else None
    w_hh = rand(gates, 2, seed=3)
    b_hh = rand(gates, seed=4) if mode == "GRU" else None

    def fn(gx, h0, c0, w_hh, b_hh):
        out, hn, cn = recurrent_layer(mode, gx, h0, c0, w_hh, b_hh, None, [2, 2, 2], False, 2)
        return (out, hn) if cn is None else (out, hn, cn)

    gradcheck(fn, gx, h0, c0, w_hh, b_hh, second_order=True, atol=1e-4, rtol=1e-3)


@pytest.mark.parametrize("mode", ["LSTM", "GRU", "RNN_TANH", "RNN_RELU"])
@pytest.mark.parametrize("reverse", [False, True])
def test_fused_node_matches_composite_on_packed_layout(mode, reverse, rand):
    gates = {"LSTM": 4, "GRU": 3}.get(mode, 1) * 3
    sizes = [3, 3, 2, 1]
    gx = rand(sum(sizes), gates, seed=0)
    h0, c0 = rand(3, 3, seed=1), rand(3, 3, seed=2)
    w_hh, b_hh = rand(gates, 3, seed=3), rand(gates, seed=4)
    c_in = c0 if mode == "LSTM" else None
    b_in = b_hh if mode == "GRU" else None
    fused = recurrent_layer(mode, gx, h0, c_in, w_hh, b_in, None, sizes, reverse, 3)
    ref = _composite(mode, gx, h0, c_in, w_hh, b_in, None, steps_of(sizes, reverse))
    for a, b in zip(fused, ref):
        if a is not None:
            np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), atol=1e-12)
    g = [ember.tensor(np.random.default_rng(5).standard_normal(t.shape)) for t in fused[:2]]
    inputs = [t for t in (gx, h0, c_in, w_hh, b_in) if t is not None]
    got = ember.autograd.grad(fused[:2], inputs, g)
    want = ember.autograd.grad(ref[:2], inputs, g)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-10)


@pytest.mark.parametrize("cls_name,kw", [("LSTM", {"bidirectional": True, "num_layers": 2}),
                                         ("GRU", {"batch_first": True}),
                                         ("RNN", {"bidirectional": True})])  # fmt: skip
def test_packed_matches_each_sequence_alone(cls_name, kw):
    m = make(cls_name, kw)
    rng = np.random.default_rng(3)
    lengths = [4, 6, 2]
    x = rng.standard_normal((3, 6, 3) if m.batch_first else (6, 3, 3))
    packed = pack_padded_sequence(
        ember.tensor(x), lengths, batch_first=m.batch_first, enforce_sorted=False
    )
    out, state = m(packed)
    assert isinstance(out, type(packed))
    padded, lens = pad_packed_sequence(out, batch_first=m.batch_first)
    assert lens.tolist() == lengths
    h_n = state[0] if cls_name == "LSTM" else state
    for b, ln in enumerate(lengths):
        seq = x[b, :ln] if m.batch_first else x[:ln, b]
        o1, s1 = m(ember.tensor(seq))  # unbatched 2-D input
        got = padded[b, :ln] if m.batch_first else padded[:ln, b]
        np.testing.assert_allclose(got.detach().numpy(), o1.detach().numpy(), atol=1e-10)
        h1 = s1[0] if cls_name == "LSTM" else s1
        np.testing.assert_allclose(h_n[:, b].detach().numpy(), h1.detach().numpy(), atol=1e-10)
        rest = padded[b, ln:] if m.batch_first else padded[ln:, b]
        assert np.all(rest.detach().numpy() == 0)


def test_packed_gradients_match_padded_loop():
    m = make("LSTM", {"bidirectional": True})
    rng = np.random.default_rng(4)
    x = ember.tensor(rng.standard_normal((5, 2, 3)), requires_grad=True)
    out, (h, c) = m(pack_padded_sequence(x, [5, 3]))
    (pad_packed_sequence(out)[0].sum() + h.sum() + c.sum()).backward()
    g_packed = x.grad.numpy().copy()
    x.grad = None
    total = 0
    for b, ln in enumerate([5, 3]):
        o, (h1, c1) = m(x[:ln, b])
        total = total + o.sum() + h1.sum() + c1.sum()
    total.backward()
    np.testing.assert_allclose(g_packed, x.grad.numpy(), atol=1e-10)
    assert np.all(g_packed[3:, 1] == 0)


# -- cells ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls_name,mode,kw", [
    ("LSTMCell", "LSTM", {}), ("GRUCell", "GRU", {}), ("RNNCell", "RNN_TANH", {}),
    ("RNNCell", "RNN_RELU", {"nonlinearity": "relu"}), ("GRUCell", "GRU", {"bias": False}),
])  # fmt: skip
def test_cells_match_numpy_and_gradcheck(cls_name, mode, kw, gradcheck, rand):
    ember.manual_seed(0)
    cell = getattr(nn, cls_name)(3, 4, **kw).double()
    rng = np.random.default_rng(0)
    x, h, c = rng.standard_normal((2, 3)), rng.standard_normal((2, 4)), rng.standard_normal((2, 4))
    p = {
        "w_ih": cell.weight_ih.detach().numpy(),
        "w_hh": cell.weight_hh.detach().numpy(),
        "b_ih": None if cell.bias_ih is None else cell.bias_ih.detach().numpy(),
        "b_hh": None if cell.bias_hh is None else cell.bias_hh.detach().numpy(),
        "w_hr": None,
    }
    ref_h, ref_c = np_cell(mode, x, h, c, p)
    if mode == "LSTM":
        got_h, got_c = cell(ember.tensor(x), (ember.tensor(h), ember.tensor(c)))
        np.testing.assert_allclose(got_c.detach().numpy(), ref_c, atol=1e-12)
        # unbatched and hx=None
        h1, _ = cell(ember.tensor(x[0]))
        ref1 = np_cell(mode, x[:1], np.zeros((1, 4)), np.zeros((1, 4)), p)
        np.testing.assert_allclose(h1.detach().numpy(), ref1[0][0], atol=1e-12)
    else:
        got_h = cell(ember.tensor(x), ember.tensor(h))
        assert cell(ember.tensor(x[0])).shape == (4,)
    np.testing.assert_allclose(got_h.detach().numpy(), ref_h, atol=1e-12)

    names = [n for n, _ in cell.named_parameters()]

    def fn(x, h, c, *ws):
        for n, w in zip(names, ws):
            cell._parameters[n] = w
        return cell(x, (h, c)) if mode == "LSTM" else cell(x, h)

    ws = [rand(*getattr(cell, n).shape, seed=i) for i, n in enumerate(names)]
    c_in = rand(2, 4, seed=9) if mode == "LSTM" else None
    if mode == "RNN_RELU":
        gradcheck(fn, rand(2, 3, seed=7, low=0.1), rand(2, 4, seed=8, low=0.1), c_in,
                  *[rand(*w.shape, seed=30 + i, low=0.1) for i, w in enumerate(ws)])  # fmt: skip
    else:
        gradcheck(fn, rand(2, 3, seed=7), rand(2, 4, seed=8), c_in, *ws)


def test_cell_errors_and_repr():
    cell = nn.LSTMCell(10, 20)
    with pytest.raises(RuntimeError, match="input has inconsistent input_size: got 7 expected 10"):
        cell(ember.randn(3, 7))
    with pytest.raises(RuntimeError, match="Input batch size 3 doesn't match hidden0 batch size 2"):
        cell(ember.randn(3, 10), (ember.randn(2, 20), ember.randn(3, 20)))
    with pytest.raises(ValueError, match="LSTMCell: Expected input to be 1D or 2D, got 3D"):
        cell(ember.randn(3, 4, 10))
    assert repr(nn.GRUCell(3, 4)) == "GRUCell(3, 4)"
    assert repr(nn.RNNCell(3, 4, bias=False, nonlinearity="relu")) == (
        "RNNCell(3, 4, bias=False, nonlinearity=relu)"
    )
    assert [n for n, _ in nn.GRUCell(3, 4).named_parameters()] == [
        "weight_ih", "weight_hh", "bias_ih", "bias_hh"
    ]  # fmt: skip
    assert nn.GRUCell(3, 4).weight_ih.shape == (12, 3)


# -- module API ----------------------------------------------------------------------------------


def test_reprs_match_pytorch():
    assert repr(nn.LSTM(10, 20, num_layers=2, batch_first=True)) == (
        "LSTM(10, 20, num_layers=2, batch_first=True)"
    )
    assert repr(
        nn.RNN(10, 20, nonlinearity="relu", bias=False, dropout=0.5, num_layers=2,
               bidirectional=True)
    ) == "RNN(10, 20, num_layers=2, bias=False, dropout=0.5, bidirectional=True)"  # fmt: skip
    assert repr(nn.LSTM(10, 20, proj_size=5)) == "LSTM(10, 20, proj_size=5)"
    assert repr(nn.GRU(3, 4)) == "GRU(3, 4)"


def test_state_dict_keys_and_shapes():
    m = nn.LSTM(10, 20, proj_size=5, bidirectional=True, num_layers=2)
    keys = list(m.state_dict())
    assert keys[:10] == [
        "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_hr_l0",
        "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse",
        "bias_hh_l0_reverse", "weight_hr_l0_reverse",
    ]  # fmt: skip
    assert len(keys) == 20
    assert m.weight_ih_l0.shape == (80, 10)
    assert m.weight_hh_l0.shape == (80, 5)
    assert m.weight_hr_l0.shape == (5, 20)
    assert m.weight_ih_l1.shape == (80, 10)  # 2 directions x proj 5
    g = nn.GRU(3, 4, bias=False)
    assert list(g.state_dict()) == ["weight_ih_l0", "weight_hh_l0"]
    assert g.weight_ih_l0.shape == (12, 3)
    assert len(m.all_weights) == 4 and len(m.all_weights[0]) == 5
    m.flatten_parameters()  # no-op


def test_default_init_is_uniform_in_bound():
    ember.manual_seed(0)
    m = nn.GRU(8, 16, num_layers=2)
    bound = 1 / math.sqrt(16)
    values = np.concatenate([p.detach().numpy().ravel() for p in m.parameters()])
    assert values.min() >= -bound and values.max() <= bound
    assert values.std() > 0.6 * bound / math.sqrt(3)  # spread over the interval


def test_shapes_batch_first_unbatched_and_state():
    m = nn.GRU(3, 4, batch_first=True, bidirectional=True, num_layers=2)
    out, h = m(ember.randn(2, 7, 3))
    assert out.shape == (2, 7, 8) and h.shape == (4, 2, 4)
    out, h = m(ember.randn(7, 3), ember.zeros(4, 4))
    assert out.shape == (7, 8) and h.shape == (4, 4)
    lstm = nn.LSTM(3, 4, proj_size=2)
    out, (h, c) = lstm(ember.randn(5, 2, 3))
    assert out.shape == (5, 2, 2) and h.shape == (1, 2, 2) and c.shape == (1, 2, 4)
    assert out.dtype == ember.float32 and out.grad_fn is not None


def test_errors():
    m = nn.LSTM(10, 20)
    msg = r"input.size\(-1\) must be equal to input_size. Expected 10, got 7"
    with pytest.raises(RuntimeError, match=msg):
        m(ember.randn(5, 3, 7))
    with pytest.raises(ValueError, match="LSTM: Expected input to be 2D or 3D, got 4D instead"):
        m(ember.randn(5, 3, 4, 10))
    with pytest.raises(
        RuntimeError, match=r"Expected hidden\[0\] size \(1, 3, 20\), got \[2, 3, 20\]"
    ):
        m(ember.randn(5, 3, 10), (ember.randn(2, 3, 20), ember.randn(1, 3, 20)))
    with pytest.raises(RuntimeError, match="hx and cx should also be 2-D"):
        m(ember.randn(5, 10), (ember.randn(1, 3, 20), ember.randn(1, 3, 20)))
    with pytest.raises(RuntimeError, match=r"Expected hidden size \(1, 3, 20\), got \[2, 3, 20\]"):
        nn.GRU(10, 20)(ember.randn(5, 3, 10), ember.randn(2, 3, 20))
    with pytest.raises(ValueError, match="proj_size argument is only supported for LSTM"):
        nn.GRU(10, 20, proj_size=2)
    with pytest.raises(ValueError, match="proj_size has to be smaller than hidden_size"):
        nn.LSTM(10, 20, proj_size=20)
    with pytest.raises(ValueError, match="dropout should be a number in range"):
        nn.LSTM(3, 4, dropout=1.5)
    with pytest.raises(ValueError, match="Unknown nonlinearity 'gelu'"):
        nn.RNN(3, 4, nonlinearity="gelu")
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        nn.LSTM(3, 4, dropout=0.5)


def test_dropout_between_layers_only_in_training():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = make("LSTM", {"num_layers": 2, "dropout": 0.5})
    x = ember.tensor(np.random.default_rng(0).standard_normal((4, 2, 3)))
    m.eval()
    a, _ = m(x)
    b, _ = m(x)
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    ref, _, _ = np_rnn(m, x.numpy())
    np.testing.assert_allclose(a.detach().numpy(), ref, atol=1e-10)
    m.train()
    ember.manual_seed(1)
    c, _ = m(x)
    ember.manual_seed(1)
    d, _ = m(x)
    np.testing.assert_array_equal(c.detach().numpy(), d.detach().numpy())
    assert not np.allclose(c.detach().numpy(), a.detach().numpy())


def test_in_place_weight_update_before_backward_is_detected():
    m = make("GRU", {})
    out, _ = m(ember.randn(3, 2, 3, dtype=ember.float64))
    with ember.no_grad():
        m.weight_hh_l0.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.sum().backward()


def test_in_place_change_of_output_before_backward_is_detected():
    m = make("LSTM", {})
    out, _ = m(ember.randn(3, 2, 3, dtype=ember.float64))
    loss = out.sum()
    out.mul_(2.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_packed_unsorted_with_initial_state():
    m = make("GRU", {"num_layers": 2})
    rng = np.random.default_rng(6)
    x = rng.standard_normal((4, 3, 3))
    h0 = rng.standard_normal((2, 3, 4))
    lengths = [2, 4, 3]
    packed = pack_padded_sequence(ember.tensor(x), lengths, enforce_sorted=False)
    out, h_n = m(packed, ember.tensor(h0))
    padded, _ = pad_packed_sequence(out)
    for b, ln in enumerate(lengths):
        o1, h1 = m(ember.tensor(x[:ln, b]), ember.tensor(h0[:, b]))
        np.testing.assert_allclose(padded[:ln, b].detach().numpy(), o1.detach().numpy(), atol=1e-10)
        np.testing.assert_allclose(h_n[:, b].detach().numpy(), h1.detach().numpy(), atol=1e-10)
