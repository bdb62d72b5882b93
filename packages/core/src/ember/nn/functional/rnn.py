"""Recurrent kernels behind ``nn.RNN``, ``nn.LSTM``, ``nn.GRU`` and their cells.

Note [Fused recurrence]
    A layer (one direction) runs as: the input projection of all time steps with one matmul
    (an ordinary Ember op, so its gradient is Ember's), then the recurrence as ONE graph node
    (``LSTMLayerBackward0``, ``GRULayerBackward0``, ``RNNTanhLayerBackward0``,
    ``RNNReluLayerBackward0``). The node's forward loops over time on arrays, writing gate
    activations and states into preallocated arrays; its backward loops over time in reverse
    and produces the gradients of the projections (which flow on into Ember's matmul), of
    ``h0``/``c0`` and of the recurrent weights. The recurrent weights' gradient is one matmul
    over all steps at the end (``dW_hh = dA^T @ H_prev``), not one per step.

    Steps are stored in the packed layout of ``PackedSequence``: rows ``[s, s + b)`` of the
    2-D arrays hold time step ``t`` of the ``b`` sequences still running (sorted by
    decreasing length). A padded batch is the special case where every step has the full
    batch, so one code path serves padded and packed inputs; the final state of each
    sequence is taken at its own last step.

    ``create_graph=True`` through the node recomputes the layer with the composite cell
    written with Ember ops (``_composite``) and differentiates that, so higher-order
    gradients work; the composite is also the reference the tests compare against.

    LSTM gates (PyTorch's order i, f, g, o) are activated with one ``exp`` over the whole
    gate block (NumPy's ``exp`` is vectorised, its ``tanh`` several times slower):
    ``sigmoid(a) = 1 / (1 + exp(-a))`` and ``tanh(a) = 2 * sigmoid(2a) - 1``, with the factors
    -1 and -2 folded into the input projections and the recurrent weights once per call.
"""

from __future__ import annotations

import numpy as np

from ...ops._core import Node, attach_outputs, grad_state, new_tensor, saved_output, xp_of

__all__: list[str] = []


# -- the packed layout -------------------------------------------------------------------------


def steps_of(batch_sizes, reverse: bool):
    """``[(start_row, batch), ...]`` of each time step, in processing order."""
    sizes = [int(b) for b in batch_sizes]
    steps = []
    start = 0
    for b in sizes:
        steps.append((start, b))
        start += b
    return steps[::-1] if reverse else steps


def _prev(xp, states, init, steps, k):
    """The state entering step ``k``: rows of the previous step's states, completed from
    ``init`` for sequences that start here (reverse direction of a packed batch)."""
    bs = steps[k][1]
    if k == 0:
        return init[:bs]
    ps, pbs = steps[k - 1]
    if pbs >= bs:
        return states[ps : ps + bs]
    return xp.concatenate((states[ps : ps + pbs], init[pbs:bs]))


def _stack_prev(xp, states, init, steps):
    """The state entering every step, as one array in the packed layout (for dW_hh)."""
    n = states.shape[0]
    b = steps[0][1]
    if n == b * len(steps) and all(s[1] == b for s in steps):
        if steps[0][0] == 0:  # forward direction
            return xp.concatenate((init[:b], states[: n - b]))
        return xp.concatenate((states[b:], init[:b]))
    out = xp.empty((n, states.shape[1]), dtype=states.dtype)
    for k, (s, bs) in enumerate(steps):
        out[s : s + bs] = _prev(xp, states, init, steps, k)
    return out


def _finals(steps, k):
    """Rows of step ``k`` whose sequences end there: ``[next_batch, batch)``."""
    nbs = steps[k + 1][1] if k + 1 < len(steps) else 0
    return nbs, steps[k][1]


def _route_back(dprev, carry, dinit, steps, k):
    """Send the gradient of the state entering step ``k`` to the previous step's carry and,
    for rows that came from the initial state, to ``dinit``. ``dprev`` may already be a view
    of ``carry`` (then only the rows from the initial state move)."""
    bs = steps[k][1]
    if k == 0:
        dinit[:bs] = dprev
        return
    pbs = steps[k - 1][1]
    if dprev.base is not carry:
        m = min(pbs, bs)
        carry[:m] = dprev[:m]
    if bs > pbs:
        dinit[pbs:bs] = dprev[pbs:bs]


def _lstm_scale(xp, h, dtype):
    """Per-column factors that turn the gate pre-activations into the arguments of one
    ``exp``: ``-1`` for the sigmoid gates, ``-2`` for g (``tanh(a) = 2 * sigmoid(2a) - 1``)."""
    scale = xp.full(4 * h, -1.0, dtype=dtype)
    scale[2 * h : 3 * h] = -2.0
    return scale


# -- LSTM ------------------------------------------------------------------------------------


def _lstm_forward(xp, gx, h0, c0, w_hh, w_hr, steps):
    n, g4 = gx.shape
    h = g4 // 4
    b, p = h0.shape
    dt = gx.dtype
    scale = _lstm_scale(xp, h, dt)
    gxs = gx * scale
    whT = xp.ascontiguousarray((w_hh * scale[:, None]).T)
    gates = xp.empty((n, g4), dtype=dt)
    cs = xp.empty((n, h), dtype=dt)
    tcs = xp.empty((n, h), dtype=dt)
    out = xp.empty((n, p), dtype=dt)
    hu = out if w_hr is None else xp.empty((n, h), dtype=dt)
    whrT = None if w_hr is None else xp.ascontiguousarray(w_hr.T)
    hn = xp.empty((b, p), dtype=dt)
    cn = xp.empty((b, h), dtype=dt)
    tmp = xp.empty((b, h), dtype=dt)
    h2, h3 = 2 * h, 3 * h
    matmul, multiply, tanh, exp, reciprocal = (
        xp.matmul, xp.multiply, xp.tanh, xp.exp, xp.reciprocal
    )  # fmt: skip
    with np.errstate(over="ignore"):  # exp(large) = inf gives sigmoid 0, as it should
        for k, (s, bs) in enumerate(steps):
            e = s + bs
            g = gates[s:e]
            matmul(_prev(xp, out, h0, steps, k), whT, out=g)
            g += gxs[s:e]
            exp(g, out=g)
            g += 1.0
            reciprocal(g, out=g)  # sigmoid of every gate (of 2a for g)
            gg = g[:, h2:h3]
            gg *= 2.0
            gg -= 1.0
            c = cs[s:e]
            multiply(g[:, h:h2], _prev(xp, cs, c0, steps, k), out=c)
            t = tmp[:bs]
            multiply(g[:, :h], gg, out=t)
            c += t
            tc = tcs[s:e]
            tanh(c, out=tc)
            multiply(g[:, h3:], tc, out=hu[s:e])
            if whrT is not None:
                matmul(hu[s:e], whrT, out=out[s:e])
            lo, hi = _finals(steps, k)
            if lo < hi:
                hn[lo:hi] = out[s + lo : e]
                cn[lo:hi] = c[lo:]
    return out, hn, cn, (gates, cs, tcs, hu, out)


def _lstm_backward(xp, dout, dhn, dcn, h0, c0, w_hh, w_hr, steps, saved, need):
    gates, cs, tcs, hu, out = saved
    n, g4 = gates.shape
    h = g4 // 4
    b, p = h0.shape
    dt = gates.dtype
    h2, h3 = 2 * h, 3 * h
    # derivative of each activation from its value: a(1 - a) for sigmoids, 1 - a^2 for tanh
    m1 = xp.ones(g4, dtype=dt)
    m1[h2:h3] = 0
    deriv = gates * m1
    deriv[:, h2:h3] += 1
    deriv -= gates * gates
    od = 1 - tcs * tcs
    od *= gates[:, h3:]
    dA = xp.empty((n, g4), dtype=dt)
    dH = xp.empty((n, p), dtype=dt) if w_hr is not None else None
    dh_c = xp.zeros((b, p), dtype=dt)
    dc_c = xp.zeros((b, h), dtype=dt)
    dh0 = xp.zeros((b, p), dtype=dt)
    dc0 = xp.zeros((b, h), dtype=dt)
    tmp = xp.empty((b, h), dtype=dt)
    matmul, multiply = xp.matmul, xp.multiply
    for k in range(len(steps) - 1, -1, -1):
        s, bs = steps[k]
        e = s + bs
        lo, hi = _finals(steps, k)
        if lo < hi:
            dh_c[lo:hi] = 0 if dhn is None else dhn[lo:hi]
            dc_c[lo:hi] = 0 if dcn is None else dcn[lo:hi]
        dh = dh_c[:bs]
        if dout is not None:
            dh += dout[s:e]
        if w_hr is not None:
            dH[s:e] = dh
            dhu = matmul(dh, w_hr)
        else:
            dhu = dh
        g = gates[s:e]
        da = dA[s:e]
        multiply(dhu, tcs[s:e], out=da[:, h3:])
        dc = dc_c[:bs]
        t = tmp[:bs]
        multiply(dhu, od[s:e], out=t)
        dc += t
        multiply(dc, g[:, h2:h3], out=da[:, :h])
        multiply(dc, _prev(xp, cs, c0, steps, k), out=da[:, h:h2])
        multiply(dc, g[:, :h], out=da[:, h2:h3])
        da *= deriv[s:e]
        dc *= g[:, h:h2]
        _route_back(dc, dc_c, dc0, steps, k)
        _route_back(matmul(da, w_hh), dh_c, dh0, steps, k)
    dw_hh = matmul(dA.T, _stack_prev(xp, out, h0, steps)) if need[3] else None
    dw_hr = matmul(dH.T, hu) if (w_hr is not None and need[4]) else None
    return dA, dh0, dc0, dw_hh, dw_hr


# -- GRU -------------------------------------------------------------------------------------


def _sigmoid_(xp, x):
    """In-place logistic sigmoid (one ``exp``, which is much cheaper than ``tanh`` here)."""
    xp.negative(x, out=x)
    with np.errstate(over="ignore"):
        xp.exp(x, out=x)
    x += 1.0
    xp.reciprocal(x, out=x)


def _gru_forward(xp, gx, h0, w_hh, b_hh, steps):
    n, g3 = gx.shape
    h = g3 // 3
    b = h0.shape[0]
    dt = gx.dtype
    h2 = 2 * h
    whT = xp.ascontiguousarray(w_hh.T)
    gates = xp.empty((n, g3), dtype=dt)
    ghn = xp.empty((n, h), dtype=dt)
    out = xp.empty((n, h), dtype=dt)
    hn = xp.empty((b, h), dtype=dt)
    gh = xp.empty((b, g3), dtype=dt)
    matmul, multiply = xp.matmul, xp.multiply
    for k, (s, bs) in enumerate(steps):
        e = s + bs
        hp = _prev(xp, out, h0, steps, k)
        ghk = gh[:bs]
        matmul(hp, whT, out=ghk)
        if b_hh is not None:
            ghk += b_hh
        g = gates[s:e]
        rz = g[:, :h2]
        xp.add(gx[s:e, :h2], ghk[:, :h2], out=rz)
        _sigmoid_(xp, rz)
        ghn[s:e] = ghk[:, h2:]
        nn = g[:, h2:]
        multiply(g[:, :h], ghk[:, h2:], out=nn)
        nn += gx[s:e, h2:]
        xp.tanh(nn, out=nn)
        o = out[s:e]
        xp.subtract(hp, nn, out=o)
        o *= g[:, h:h2]
        o += nn
        lo, hi = _finals(steps, k)
        if lo < hi:
            hn[lo:hi] = o[lo:]
    return out, hn, None, (gates, ghn, out)


def _gru_backward(xp, dout, dhn, h0, w_hh, steps, saved, need):
    gates, ghn, out = saved
    n, g3 = gates.shape
    h = g3 // 3
    b = h0.shape[0]
    dt = gates.dtype
    h2 = 2 * h
    drz = gates[:, :h2] * (1 - gates[:, :h2])
    dnn = 1 - gates[:, h2:] * gates[:, h2:]
    dGx = xp.empty((n, g3), dtype=dt)
    dGh = xp.empty((n, g3), dtype=dt)
    dh_c = xp.zeros((b, h), dtype=dt)
    dh0 = xp.zeros((b, h), dtype=dt)
    matmul, multiply = xp.matmul, xp.multiply
    for k in range(len(steps) - 1, -1, -1):
        s, bs = steps[k]
        e = s + bs
        lo, hi = _finals(steps, k)
        if lo < hi:
            dh_c[lo:hi] = 0 if dhn is None else dhn[lo:hi]
        dh = dh_c[:bs]
        if dout is not None:
            dh += dout[s:e]
        g = gates[s:e]
        r, z, nn = g[:, :h], g[:, h:h2], g[:, h2:]
        hp = _prev(xp, out, h0, steps, k)
        dx = dGx[s:e]
        dg = dGh[s:e]
        # n-gate: dn = dh * (1 - z); through tanh
        an = dx[:, h2:]
        multiply(dh, 1 - z, out=an)
        an *= dnn[s:e]
        multiply(an, r, out=dg[:, h2:])
        # r-gate: dr = an * ghn
        ar = dx[:, :h]
        multiply(an, ghn[s:e], out=ar)
        ar *= drz[s:e, :h]
        # z-gate: dz = dh * (h_prev - n)
        az = dx[:, h:h2]
        xp.subtract(hp, nn, out=az)
        az *= dh
        az *= drz[s:e, h:]
        dg[:, :h2] = dx[:, :h2]
        dprev = matmul(dg, w_hh)
        dprev += dh * z
        _route_back(dprev, dh_c, dh0, steps, k)
    dw_hh = matmul(dGh.T, _stack_prev(xp, out, h0, steps)) if need[2] else None
    db_hh = dGh.sum(axis=0) if need[3] else None
    return dGx, dh0, dw_hh, db_hh


# -- Elman RNN -------------------------------------------------------------------------------


def _rnn_forward(xp, gx, h0, w_hh, steps, relu):
    n, h = gx.shape
    b = h0.shape[0]
    whT = xp.ascontiguousarray(w_hh.T)
    out = xp.empty((n, h), dtype=gx.dtype)
    hn = xp.empty((b, h), dtype=gx.dtype)
    for k, (s, bs) in enumerate(steps):
        e = s + bs
        o = out[s:e]
        xp.matmul(_prev(xp, out, h0, steps, k), whT, out=o)
        o += gx[s:e]
        if relu:
            xp.maximum(o, 0, out=o)
        else:
            xp.tanh(o, out=o)
        lo, hi = _finals(steps, k)
        if lo < hi:
            hn[lo:hi] = o[lo:]
    return out, hn, None, (out,)


def _rnn_backward(xp, dout, dhn, h0, w_hh, steps, saved, need, relu):
    (out,) = saved
    n, h = out.shape
    b = h0.shape[0]
    deriv = (out > 0).astype(out.dtype) if relu else 1 - out * out
    dA = xp.empty((n, h), dtype=out.dtype)
    dh_c = xp.zeros((b, h), dtype=out.dtype)
    dh0 = xp.zeros((b, h), dtype=out.dtype)
    for k in range(len(steps) - 1, -1, -1):
        s, bs = steps[k]
        e = s + bs
        lo, hi = _finals(steps, k)
        if lo < hi:
            dh_c[lo:hi] = 0 if dhn is None else dhn[lo:hi]
        dh = dh_c[:bs]
        if dout is not None:
            dh += dout[s:e]
        da = dA[s:e]
        xp.multiply(dh, deriv[s:e], out=da)
        _route_back(xp.matmul(da, w_hh), dh_c, dh0, steps, k)
    dw_hh = xp.matmul(dA.T, _stack_prev(xp, out, h0, steps)) if need[2] else None
    return dA, dh0, dw_hh


# -- the composite reference (Ember ops) ---------------------------------------------------------


def _composite(mode, gx, h0, c0, w_hh, b_hh, w_hr, steps):
    """The same layer written with Ember ops, one cell step at a time (differentiable to any
    order). Returns ``(output, h_n, c_n)`` in the packed layout (``c_n`` None but for LSTM)."""
    import ember

    outs = {}
    couts = {}
    hfin = {}
    cfin = {}

    def prev(states, init, k):
        bs = steps[k][1]
        if k == 0:
            return init[:bs]
        ps, pbs = steps[k - 1]
        if pbs >= bs:
            return states[ps][:bs]
        return ember.cat([states[ps], init[pbs:bs]], 0)

    for k, (s, bs) in enumerate(steps):
        x = gx[s : s + bs]
        hp = prev(outs, h0, k)
        if mode == "LSTM":
            g = x + hp.matmul(w_hh.t())
            i, f, gg, o = g.chunk(4, 1)
            c = f.sigmoid() * prev(couts, c0, k) + i.sigmoid() * gg.tanh()
            hnew = o.sigmoid() * c.tanh()
            if w_hr is not None:
                hnew = hnew.matmul(w_hr.t())
            couts[s] = c
        elif mode == "GRU":
            gh = hp.matmul(w_hh.t())
            if b_hh is not None:
                gh = gh + b_hh
            xr, xz, xn = x.chunk(3, 1)
            hr, hz, hn_ = gh.chunk(3, 1)
            r = (xr + hr).sigmoid()
            z = (xz + hz).sigmoid()
            nn = (xn + r * hn_).tanh()
            hnew = (1 - z) * nn + z * hp
        else:
            a = x + hp.matmul(w_hh.t())
            hnew = a.relu() if mode == "RNN_RELU" else a.tanh()
        outs[s] = hnew
        lo, hi = _finals(steps, k)
        if lo < hi:
            hfin[lo] = hnew[lo:hi]
            if mode == "LSTM":
                cfin[lo] = couts[s][lo:hi]
    out = ember.cat([outs[s] for s in sorted(outs)], 0)
    hn = ember.cat([hfin[r] for r in sorted(hfin)], 0)
    cn = ember.cat([cfin[r] for r in sorted(cfin)], 0) if mode == "LSTM" else None
    return out, hn, cn


# -- the node ----------------------------------------------------------------------------------


class _LayerNode(Node):
    """One recurrent layer (one direction); inputs ``(gx, h0, c0, w_hh, b_hh, w_hr)``."""

    __slots__ = ()
    mode = ""

    def backward(self, F, grad, gx, h0, c0, w_hh, b_hh, w_hr, steps, inner, zero_h0, zero_c0, _o):
        dout, dhn, dcn = grad
        if F.is_graph():
            return self._graph_backward(grad, gx, h0, c0, w_hh, b_hh, w_hr, steps)
        xp = F.xp
        need = tuple(e is not None for e in self._next)
        h0a = zero_h0 if h0 is None else h0
        if self.mode == "LSTM":
            c0a = zero_c0 if c0 is None else c0
            dgx, dh0, dc0, dw_hh, dw_hr = _lstm_backward(
                xp, dout, dhn, dcn, h0a, c0a, w_hh, w_hr, steps, inner,
                (need[0], need[1], need[2], need[3], need[5]),
            )  # fmt: skip
            return dgx, dh0, dc0, dw_hh, None, dw_hr
        if self.mode == "GRU":
            dgx, dh0, dw_hh, db_hh = _gru_backward(
                xp, dout, dhn, h0a, w_hh, steps, inner, (need[0], need[1], need[3], need[4])
            )
            return dgx, dh0, None, dw_hh, db_hh, None
        dgx, dh0, dw_hh = _rnn_backward(
            xp, dout, dhn, h0a, w_hh, steps, inner, (need[0], need[1], need[3]),
            self.mode == "RNN_RELU",
        )  # fmt: skip
        return dgx, dh0, None, dw_hh, None, None

    def _graph_backward(self, grad, gx, h0, c0, w_hh, b_hh, w_hr, steps):
        import ember

        b = steps[0][1] if steps[0][0] == 0 else steps[-1][1]
        if h0 is None:
            h0 = ember.zeros((b, w_hh.shape[1]), dtype=gx.dtype, device=gx.device)
        if c0 is None and self.mode == "LSTM":
            c0 = ember.zeros((b, w_hh.shape[0] // 4), dtype=gx.dtype, device=gx.device)
        inputs = (gx, h0, c0, w_hh, b_hh, w_hr)
        outs = _composite(self.mode, gx, h0, c0, w_hh, b_hh, w_hr, steps)
        pairs = [(o, g) for o, g in zip(outs, grad) if o is not None and g is not None]
        wanted = [i for i, e in enumerate(self._next) if e is not None]
        grads = ember.autograd.grad(
            [o for o, _ in pairs],
            [inputs[i] for i in wanted],
            grad_outputs=[g for _, g in pairs],
            create_graph=True,
            allow_unused=True,
        )
        result = [None] * 6
        for i, g in zip(wanted, grads):
            result[i] = g
        return tuple(result)


class LSTMLayerBackward0(_LayerNode):
    __slots__ = ()
    mode = "LSTM"


class GRULayerBackward0(_LayerNode):
    __slots__ = ()
    mode = "GRU"


class RNNTanhLayerBackward0(_LayerNode):
    __slots__ = ()
    mode = "RNN_TANH"


class RNNReluLayerBackward0(_LayerNode):
    __slots__ = ()
    mode = "RNN_RELU"


_NODES = {
    "LSTM": LSTMLayerBackward0,
    "GRU": GRULayerBackward0,
    "RNN_TANH": RNNTanhLayerBackward0,
    "RNN_RELU": RNNReluLayerBackward0,
}


def recurrent_layer(mode, gx, h0, c0, w_hh, b_hh, w_hr, batch_sizes, reverse, batch):
    """Run one layer's recurrence over the projected inputs ``gx`` (packed layout, see
    Note [Fused recurrence]); returns ``(output, h_n, c_n)`` Tensors (``c_n`` None but for
    LSTM). ``h0``/``c0`` may be None (zeros). ``b_hh`` is used by GRU only (the other modes
    fold it into ``gx``)."""
    xp = xp_of(gx)
    dt = gx._data.dtype
    steps = steps_of(batch_sizes, reverse)
    hsize = w_hh._data.shape[1]
    h0a = xp.zeros((batch, hsize), dtype=dt) if h0 is None else h0._data
    c0a = None
    if mode == "LSTM":
        c0a = xp.zeros((batch, w_hh._data.shape[0] // 4), dtype=dt) if c0 is None else c0._data
        out, hn, cn, inner = _lstm_forward(
            xp, gx._data, h0a, c0a, w_hh._data, None if w_hr is None else w_hr._data, steps
        )
    elif mode == "GRU":
        out, hn, cn, inner = _gru_forward(
            xp, gx._data, h0a, w_hh._data, None if b_hh is None else b_hh._data, steps
        )
    else:
        out, hn, cn, inner = _rnn_forward(xp, gx._data, h0a, w_hh._data, steps, mode == "RNN_RELU")
    outs = (new_tensor(out), new_tensor(hn), None if cn is None else new_tensor(cn))
    tensors = (gx, h0, c0, w_hh, b_hh, w_hr)
    if grad_state.enabled and any(t is not None and t._requires_grad for t in tensors):
        node = _NODES[mode]()
        attach_outputs(outs, node, *tensors)
        # the output's array is part of ``inner``: saving it as an output too makes an
        # in-place change of the output before backward an error, as for any op
        h0_zero = h0a if h0 is None else None
        c0_zero = c0a if c0 is None else None
        node.save(*tensors, steps, inner, h0_zero, c0_zero, saved_output(outs[0]))
    return outs
