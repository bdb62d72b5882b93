"""``functional_call``: swap tensors into a module, run it, swap the originals back."""

from __future__ import annotations

from collections.abc import Mapping

from .._tensor import Tensor

__all__ = ["functional_call"]


def _tied_names(module) -> dict:
    """``{name: [all names of the same tensor]}`` for parameters and buffers shared under
    several names."""
    by_id: dict = {}
    for name, t in module.named_parameters(remove_duplicate=False):
        by_id.setdefault(id(t), []).append(name)
    for name, t in module.named_buffers(remove_duplicate=False):
        by_id.setdefault(id(t), []).append(name)
    out = {}
    for names in by_id.values():
        if len(names) > 1:
            for n in names:
                out[n] = names
    return out


def _merge(parameter_and_buffer_dicts) -> dict:
    if isinstance(parameter_and_buffer_dicts, Mapping):
        return dict(parameter_and_buffer_dicts)
    if not isinstance(parameter_and_buffer_dicts, (tuple, list)):
        raise ValueError(
            "Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of dicts, but got "
            f"{type(parameter_and_buffer_dicts)}"
        )
    merged: dict = {}
    seen_in: dict = {}
    for i, d in enumerate(parameter_and_buffer_dicts):
        for k, v in d.items():
            if k in merged:
                raise ValueError(
                    f"{k} appeared in multiple dictionaries; behavior of functional call is "
                    "ambiguous"
                )
            merged[k] = v
            seen_in[k] = i
    return merged


def _split(module, name: str):
    path, _, attr = name.rpartition(".")
    return module.get_submodule(path), attr


def _swap(sub, attr: str, value):
    """Put ``value`` in place of ``sub.attr``; returns how to restore it."""
    d = sub.__dict__
    for table in ("_parameters", "_buffers"):
        entries = d[table]
        if attr in entries:
            old = entries[attr]
            entries[attr] = value
            return (table, old)
    if attr in d:
        old = d[attr]
        d[attr] = value
        return ("__dict__", old)
    object.__setattr__(sub, attr, value)
    return ("__dict__", _MISSING)


_MISSING = object()


def _restore(sub, attr: str, how) -> None:
    table, old = how
    d = sub.__dict__
    if table == "__dict__":
        if old is _MISSING:
            d.pop(attr, None)
        else:
            d[attr] = old
    else:
        d[table][attr] = old


def functional_call(
    module,
    parameter_and_buffer_dicts,
    args=None,
    kwargs=None,
    *,
    tie_weights: bool = True,
    strict: bool = False,
):
    """Call ``module(*args, **kwargs)`` with some of its parameters and buffers replaced by
    the given tensors; the module is left unchanged afterwards (even when the call raises).

    Args:
        module: the module to call.
        parameter_and_buffer_dicts: ``{dotted name: tensor}``, or a tuple of such dicts
            (their keys must not overlap).
        args: the positional arguments (a single non-tuple value is one argument).
        kwargs: the keyword arguments.
        tie_weights: a tensor shared under several names in the module (tied weights) is
            replaced under all of them when one is given.
        strict: require the dicts to replace exactly every parameter and buffer.

    Returns:
        what ``module`` returns. Gradients flow to the substitute tensors.
    """
    values = _merge(parameter_and_buffer_dicts)
    for k, v in values.items():
        if not isinstance(k, str):
            raise TypeError(f"functional_call: keys must be strings, got {type(k).__name__}")
        if v is not None and not isinstance(v, Tensor):
            raise TypeError(f"functional_call: expected a Tensor for '{k}', got {type(v).__name__}")
    if tie_weights:
        tied = _tied_names(module)
        extra = {}
        for k, v in values.items():
            for other in tied.get(k, ()):
                if other == k:
                    continue
                if other in values and values[other] is not v:
                    names = sorted(n for n in tied[k] if n in values)
                    raise ValueError(
                        f"functional_call got multiple values for keys {names}, which are tied. "
                        "Consider using tie_weights=False"
                    )
                extra[other] = v
        values.update(extra)
    if strict:
        expected = [n for n, _ in module.named_parameters(remove_duplicate=False)]
        expected += [n for n, _ in module.named_buffers(remove_duplicate=False)]
        missing = [n for n in expected if n not in values]
        unexpected = [n for n in values if n not in set(expected)]
        errors = []
        if unexpected:
            errors.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
        if missing:
            errors.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
        if errors:
            raise RuntimeError(
                f"Error(s) in reparametrizing for {module._get_name()}:\n\t" + "\n\t".join(errors)
            )
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    if kwargs is None:
        kwargs = {}
    swapped = []
    try:
        for name, value in values.items():
            sub, attr = _split(module, name)
            swapped.append((sub, attr, _swap(sub, attr, value)))
        return module(*args, **kwargs)
    finally:
        for sub, attr, how in reversed(swapped):
            _restore(sub, attr, how)
