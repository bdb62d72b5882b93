"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` and the cells ``RNNCell``, ``LSTMCell``,
``GRUCell``.

Parameters, their names (``weight_ih_l0``, ``bias_hh_l1_reverse``, ``weight_hr_l0``...),
shapes, initialisation and gate order (LSTM: i, f, g, o; GRU: r, z, n) are PyTorch's, so
state dicts load both ways. Each layer and direction runs as one matmul for the input
projections of all time steps plus one fused recurrence node (Note [Fused recurrence] in
``ember.nn.functional.rnn``). ``PackedSequence`` inputs give ``PackedSequence`` outputs.

Example:
    >>> import ember
    >>> from ember import nn
    >>> lstm = nn.LSTM(10, 20, num_layers=2, batch_first=True)
    >>> lstm
    LSTM(10, 20, num_layers=2, batch_first=True)
    >>> out, (h, c) = lstm(ember.randn(3, 5, 10))
    >>> out.shape, h.shape, c.shape
    (ember.Size([3, 5, 20]), ember.Size([2, 3, 20]), ember.Size([2, 3, 20]))
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from ..._creation import empty
from ..._tensor import Tensor, _wrap
from .. import init
from ..functional.rnn import recurrent_layer
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


def _dropout(x: Tensor, p: float) -> Tensor:
    """Inverted dropout between layers (drawn from ember.random's default generator)."""
    from ...random import numpy_generator

    if p >= 1.0:
        return x * 0.0
    keep = numpy_generator().random(x.shape) >= p
    mask = (keep / (1.0 - p)).astype(x._data.dtype)
    m = _wrap(mask)
    if x._data.__class__ is not np.ndarray:
        m = m.to(x.device)
    return x * m


def run_layers(module, data: Tensor, batch_sizes, hx, cx, batch: int):
    """All layers and directions of ``module`` over ``data`` (packed layout ``(N, I)``)."""
    from ...ops.shape import cat, stack

    mode = module.mode
    dirs = 2 if module.bidirectional else 1
    weights = module._flat_weights
    per = len(module._flat_weights_names) // (module.num_layers * dirs)
    bias = module.bias
    hs, cs = [], []
    x = data
    for layer in range(module.num_layers):
        outs = []
        for d in range(dirs):
            idx = layer * dirs + d
            w = weights[idx * per : (idx + 1) * per]
            w_ih, w_hh = w[0], w[1]
            b_ih = w[2] if bias else None
            b_hh = w[3] if bias else None
            w_hr = w[-1] if module.proj_size > 0 else None
            gx = x.matmul(w_ih.t())
            if bias:
                gx = gx + (b_ih if mode == "GRU" else b_ih + b_hh)
            h0 = None if hx is None else hx[idx]
            c0 = None if cx is None else cx[idx]
            out, hn, cn = recurrent_layer(
                mode, gx, h0, c0, w_hh, b_hh if mode == "GRU" else None, w_hr,
                batch_sizes, d == 1, batch,
            )  # fmt: skip
            outs.append(out)
            hs.append(hn)
            cs.append(cn)
        x = outs[0] if dirs == 1 else cat(outs, 1)
        if module.dropout and module.training and layer < module.num_layers - 1:
            x = _dropout(x, module.dropout)
    h_n = stack(hs, 0)
    c_n = stack(cs, 0) if mode == "LSTM" else None
    return x, h_n, c_n


class RNNBase(Module):
    """The shared machinery of ``RNN``, ``LSTM`` and ``GRU`` (parameters, checks, layout)."""

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1
        if (
            not isinstance(dropout, numbers.Number)
            or isinstance(dropout, bool)
            or not 0 <= dropout <= 1
        ):
            raise ValueError(
                "dropout should be a number in range [0, 1] representing the probability of an "
                "element being zeroed"
            )
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero "
                f"dropout expects num_layers greater than 1, but got dropout={dropout} and "
                f"num_layers={num_layers}",
                stacklevel=2,
            )
        if not isinstance(hidden_size, int) or isinstance(hidden_size, bool):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError(
                "proj_size should be a positive integer or zero to disable projections"
            )
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        gate_size = _GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size

        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_input = input_size if layer == 0 else real_hidden * num_directions
                params = [
                    empty((gate_size, layer_input), device=device, dtype=dtype),
                    empty((gate_size, real_hidden), device=device, dtype=dtype),
                ]
                suffix = "_reverse" if direction == 1 else ""
                names = ["weight_ih_l{}{}", "weight_hh_l{}{}"]
                if bias:
                    params += [
                        empty(gate_size, device=device, dtype=dtype),
                        empty(gate_size, device=device, dtype=dtype),
                    ]
                    names += ["bias_ih_l{}{}", "bias_hh_l{}{}"]
                if proj_size > 0:
                    params.append(empty((proj_size, hidden_size), device=device, dtype=dtype))
                    names.append("weight_hr_l{}{}")
                names = [n.format(layer, suffix) for n in names]
                for name, p in zip(names, params):
                    setattr(self, name, Parameter(p))
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self) -> list:
        return [getattr(self, n) for n in self._flat_weights_names]

    @property
    def all_weights(self) -> list:
        """The parameters, one list per layer and direction."""
        return [[getattr(self, n) for n in names] for names in self._all_weights]

    def flatten_parameters(self) -> None:
        """A no-op, for compatibility with PyTorch's cuDNN weight flattening."""

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # -- forward -------------------------------------------------------------------------------
    def _name(self) -> str:
        return type(self).__name__

    def _expected_hidden(self, batch: int, cell: bool = False) -> tuple:
        dirs = 2 if self.bidirectional else 1
        size = self.hidden_size if (cell or self.proj_size == 0) else self.proj_size
        return (self.num_layers * dirs, batch, size)

    def _check_hidden(self, h: Tensor, expected: tuple, label: str) -> None:
        if tuple(h.shape) != expected:
            raise RuntimeError(f"Expected {label} size {expected}, got {list(h.shape)}")

    def forward(self, input, hx=None):
        lstm = self.mode == "LSTM"
        packed = isinstance(input, PackedSequence)
        if packed:
            data, batch_sizes_t, sorted_indices, unsorted_indices = input
            batch_sizes = batch_sizes_t._data
            batch = int(batch_sizes[0])
            batched = True
        else:
            if not isinstance(input, Tensor):
                raise TypeError(
                    f"{self._name()}: expected a Tensor or PackedSequence input, got "
                    f"{type(input).__name__}"
                )
            if input.ndim not in (2, 3):
                raise ValueError(
                    f"{self._name()}: Expected input to be 2D or 3D, got {input.ndim}D instead"
                )
            batched = input.ndim == 3
            batch_dim = 0 if self.batch_first else 1
            sorted_indices = unsorted_indices = None
            if not batched:
                input = input.unsqueeze(batch_dim)
            if self.batch_first:
                input = input.transpose(0, 1)
            steps, batch = input.shape[0], input.shape[1]
            data = input.reshape(steps * batch, input.shape[2])
            batch_sizes = np.full(steps, batch, dtype=np.int64)
        if data.shape[-1] != self.input_size:
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got "
                f"{data.shape[-1]}"
            )
        h0 = c0 = None
        if hx is not None:
            if lstm:
                if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                    raise TypeError("LSTM: hx must be a tuple (h_0, c_0) of tensors")
                h0, c0 = hx
                want = 3 if batched else 2
                if h0.ndim != want or c0.ndim != want:
                    kind = "batched 3-D" if batched else "unbatched 2-D"
                    raise RuntimeError(
                        f"For {kind} input, hx and cx should also be {want}-D but got "
                        f"({h0.ndim}-D, {c0.ndim}-D) tensors"
                    )
            else:
                h0 = hx
                want = 3 if batched else 2
                if h0.ndim != want:
                    kind = "batched 3-D" if batched else "unbatched 2-D"
                    raise RuntimeError(
                        f"For {kind} input, hx should also be {want}-D but got {h0.ndim}-D tensor"
                    )
            if not batched:
                h0 = h0.unsqueeze(1)
                c0 = None if c0 is None else c0.unsqueeze(1)
            if sorted_indices is not None:
                h0 = h0.index_select(1, sorted_indices)
                c0 = None if c0 is None else c0.index_select(1, sorted_indices)
            self._check_hidden(h0, self._expected_hidden(batch), "hidden[0]" if lstm else "hidden")
            if lstm:
                self._check_hidden(c0, self._expected_hidden(batch, cell=True), "hidden[1]")
        out, h_n, c_n = run_layers(self, data, batch_sizes, h0, c0, batch)
        if unsorted_indices is not None:
            h_n = h_n.index_select(1, unsorted_indices)
            c_n = None if c_n is None else c_n.index_select(1, unsorted_indices)
        if packed:
            output = PackedSequence(out, batch_sizes_t, sorted_indices, unsorted_indices)
        else:
            output = out.reshape(steps, batch, out.shape[-1])
            if self.batch_first:
                output = output.transpose(0, 1)
            if not batched:
                output = output.squeeze(batch_dim)
                h_n = h_n.squeeze(1)
                c_n = None if c_n is None else c_n.squeeze(1)
        return (output, (h_n, c_n)) if lstm else (output, h_n)


class RNN(RNNBase):
    """An Elman RNN: ``h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)``, ``act`` tanh
    or relu.

    Args:
        input_size, hidden_size: feature sizes of the input and the hidden state.
        num_layers: stacked layers (default 1).
        nonlinearity: ``'tanh'`` (default) or ``'relu'``.
        bias: use ``b_ih`` and ``b_hh`` (default True).
        batch_first: inputs and outputs are ``(batch, seq, feature)`` (default False).
        dropout: dropout on the outputs of each layer but the last, in training (default 0).
        bidirectional: run a second direction over the reversed sequence (default False).

    Returns ``(output, h_n)``.

    Example:
        >>> import ember
        >>> rnn = ember.nn.RNN(4, 6, nonlinearity="relu")
        >>> out, h = rnn(ember.randn(7, 2, 4))
        >>> out.shape, h.shape
        (ember.Size([7, 2, 6]), ember.Size([1, 2, 6]))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device=None,
        dtype=None,
    ) -> None:
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(
                f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        self.nonlinearity = nonlinearity
        super().__init__(
            mode, input_size, hidden_size, num_layers, bias, batch_first, dropout,
            bidirectional, 0, device, dtype,
        )  # fmt: skip


class LSTM(RNNBase):
    """Long short-term memory, PyTorch's gates (i, f, g, o) and optional projection of the
    hidden state (``proj_size``, weight ``weight_hr_l{k}``).

    Args:
        input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional: as
            for :class:`RNN`.
        proj_size: if > 0, ``h_t`` is projected to this size (default 0).

    Returns ``(output, (h_n, c_n))``.

    Example:
        >>> import ember
        >>> lstm = ember.nn.LSTM(4, 6, proj_size=3)
        >>> out, (h, c) = lstm(ember.randn(7, 2, 4))
        >>> out.shape, h.shape, c.shape
        (ember.Size([7, 2, 3]), ember.Size([1, 2, 3]), ember.Size([1, 2, 6]))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__(
            "LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout,
            bidirectional, proj_size, device, dtype,
        )  # fmt: skip


class GRU(RNNBase):
    """Gated recurrent unit, PyTorch's gates (r, z, n) with
    ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``.

    Args: as for :class:`RNN` (no ``nonlinearity``). Returns ``(output, h_n)``.

    Example:
        >>> import ember
        >>> gru = ember.nn.GRU(4, 6, bidirectional=True)
        >>> out, h = gru(ember.randn(7, 2, 4))
        >>> out.shape, h.shape
        (ember.Size([7, 2, 12]), ember.Size([2, 2, 6]))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device=None,
        dtype=None,
        proj_size: int = 0,
    ) -> None:
        if proj_size:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__(
            "GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
            bidirectional, 0, device, dtype,
        )  # fmt: skip


# -- cells -----------------------------------------------------------------------------------


class RNNCellBase(Module):
    """The shared parameters of the cells: ``weight_ih``, ``weight_hh``, ``bias_ih``,
    ``bias_hh``, initialised from ``U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))``."""

    _mode = ""

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool, num_chunks: int, device=None,
        dtype=None,
    ) -> None:  # fmt: skip
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(
            empty((num_chunks * hidden_size, input_size), device=device, dtype=dtype)
        )
        self.weight_hh = Parameter(
            empty((num_chunks * hidden_size, hidden_size), device=device, dtype=dtype)
        )
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, device=device, dtype=dtype))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, device=device, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        nonlinearity = getattr(self, "nonlinearity", "tanh")
        if nonlinearity != "tanh":
            s += f", nonlinearity={nonlinearity}"
        return s

    def _check_state(self, input: Tensor, h: Tensor, label: str) -> None:
        if input.shape[0] != h.shape[0]:
            raise RuntimeError(
                f"Input batch size {input.shape[0]} doesn't match {label} batch size {h.shape[0]}"
            )
        if h.shape[1] != self.hidden_size:
            raise RuntimeError(
                f"{label} has inconsistent hidden_size: got {h.shape[1]}, expected "
                f"{self.hidden_size}"
            )

    def _run(self, input, hx, cx):
        """One step; returns ``(h', c')`` (``c'`` None but for LSTMCell)."""
        name = type(self).__name__
        if not isinstance(input, Tensor) or input.ndim not in (1, 2):
            dim = input.ndim if isinstance(input, Tensor) else "non-tensor"
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {dim}D instead")
        batched = input.ndim == 2
        if hx is not None and hx.ndim != input.ndim:
            raise ValueError(f"{name}: Expected hidden to be {input.ndim}D, got {hx.ndim}D instead")
        if not batched:
            input = input.unsqueeze(0)
            hx = None if hx is None else hx.unsqueeze(0)
            cx = None if cx is None else cx.unsqueeze(0)
        if input.shape[1] != self.input_size:
            raise RuntimeError(
                f"input has inconsistent input_size: got {input.shape[1]} expected "
                f"{self.input_size}"
            )
        if hx is not None:
            self._check_state(input, hx, "hidden0")
        if cx is not None:
            self._check_state(input, cx, "hidden1")
        mode = self._mode
        gx = input.matmul(self.weight_ih.t())
        if self.bias:
            gx = gx + (self.bias_ih if mode == "GRU" else self.bias_ih + self.bias_hh)
        batch = input.shape[0]
        out, _, cn = recurrent_layer(
            mode, gx, hx, cx, self.weight_hh, self.bias_hh if mode == "GRU" else None, None,
            (batch,), False, batch,
        )  # fmt: skip
        if not batched:
            out = out.squeeze(0)
            cn = None if cn is None else cn.squeeze(0)
        return out, cn


class RNNCell(RNNCellBase):
    """One step of an Elman RNN: ``h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh)``.

    Example:
        >>> import ember
        >>> cell = ember.nn.RNNCell(4, 6)
        >>> cell(ember.randn(3, 4)).shape
        ember.Size([3, 6])
    """

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
        device=None, dtype=None,
    ) -> None:  # fmt: skip
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity: {nonlinearity}")
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self._mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        return self._run(input, hx, None)[0]


class LSTMCell(RNNCellBase):
    """One LSTM step; ``forward(input, (h, c))`` returns ``(h', c')``.

    Example:
        >>> import ember
        >>> cell = ember.nn.LSTMCell(4, 6)
        >>> h, c = cell(ember.randn(3, 4))
        >>> h.shape, c.shape
        (ember.Size([3, 6]), ember.Size([3, 6]))
    """

    _mode = "LSTM"

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input: Tensor, hx=None):
        h = c = None
        if hx is not None:
            h, c = hx
        return self._run(input, h, c)


class GRUCell(RNNCellBase):
    """One GRU step; ``forward(input, h)`` returns ``h'``.

    Example:
        >>> import ember
        >>> cell = ember.nn.GRUCell(4, 6)
        >>> cell(ember.randn(3, 4), ember.zeros(3, 6)).shape
        ember.Size([3, 6])
    """

    _mode = "GRU"

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        return self._run(input, hx, None)[0]
