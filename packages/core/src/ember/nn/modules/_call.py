"""``Module.__call__``: forward hooks and the module path in errors.

Kept apart from ``module.py`` so the hot path stays readable: with no hooks registered, a
call is one dict check and ``forward``.
"""

from __future__ import annotations


def call_module(module, args, kwargs):
    d = module.__dict__
    if not (d["_forward_pre_hooks"] or d["_forward_hooks"] or _global.active):
        return module.forward(*args, **kwargs)
    for hook_id, hook in list(d["_forward_pre_hooks"].items()):
        if hook_id in d["_forward_pre_hooks_with_kwargs"]:
            res = hook(module, args, kwargs)
            if res is not None:
                args, kwargs = res
        else:
            res = hook(module, args)
            if res is not None:
                args = res if isinstance(res, tuple) else (res,)
    out = module.forward(*args, **kwargs)
    for hook_id, hook in list(d["_forward_hooks"].items()):
        if hook_id in d["_forward_hooks_with_kwargs"]:
            res = hook(module, args, kwargs, out)
        else:
            res = hook(module, args, out)
        if res is not None:
            out = res
    return out


class _GlobalHooks:
    active = False


_global = _GlobalHooks()
