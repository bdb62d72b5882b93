"""The computational graph of a model as a TensorBoard ``GraphDef``, from Ember's autograd.

TensorBoard shows graphs stored as ``GraphDef`` protocol buffers. Ember records the graph of
a forward pass anyway (for backward), so one forward with gradients on gives it: each
autograd node is an op (named like ``AddmmBackward0``), its ``next_functions`` are its
inputs, and the leaves are the model's parameters (named by their path, ``fc1.weight``) and
the example input. Ops are placed in the scope of the innermost module whose ``forward``
created them (``Net/fc1/AddmmBackward0_3``), which TensorBoard draws as collapsible boxes.
"""

from __future__ import annotations

from itertools import count

__all__ = ["build_graph_def"]


def _flatten_tensors(value) -> list:
    import ember

    if isinstance(value, ember.Tensor):
        return [value]
    if isinstance(value, (list, tuple)):
        return [t for item in value for t in _flatten_tensors(item)]
    if isinstance(value, dict):
        return [t for item in value.values() for t in _flatten_tensors(item)]
    return []


def _module_scopes(model, run):
    """Run ``run()`` while recording, per module, the range of node sequence numbers it made."""
    from ember.autograd import graph as autograd_graph

    ranges: list[tuple[int, int, str]] = []
    handles = []
    root = type(model).__name__
    for path, module in model.named_modules():
        scope = root if not path else f"{root}/{path.replace('.', '/')}"
        starts: list[int] = []

        def pre_hook(_module, _args, starts=starts):
            starts.append(next(autograd_graph._seq_counter))

        def post_hook(_module, _args, _output, starts=starts, scope=scope):
            ranges.append((starts.pop(), next(autograd_graph._seq_counter), scope))

        handles.append(module.register_forward_pre_hook(pre_hook))
        handles.append(module.register_forward_hook(post_hook))
    try:
        output = run()
    finally:
        for handle in handles:
            handle.remove()
    return output, ranges


def build_graph_def(model, input_array):
    """The ``GraphDef`` of ``model(input_array)`` (a tensor or a tuple of positional args).

    Raises:
        RuntimeError: the forward produced no tensor that is part of an autograd graph.
    """
    from tensorboardX.proto.attr_value_pb2 import AttrValue
    from tensorboardX.proto.graph_pb2 import GraphDef
    from tensorboardX.proto.node_def_pb2 import NodeDef
    from tensorboardX.proto.versions_pb2 import VersionDef

    import ember
    from ember.autograd.graph import AccumulateGrad

    args = input_array if isinstance(input_array, tuple) else (input_array,)
    inputs = [t.detach().requires_grad_(t.is_floating_point()) for t in _flatten_tensors(args)]
    detached = iter(inputs)

    def replace(value):
        if isinstance(value, ember.Tensor):
            return next(detached)
        if isinstance(value, (list, tuple)):
            return type(value)(replace(item) for item in value)
        if isinstance(value, dict):
            return {key: replace(item) for key, item in value.items()}
        return value

    args = replace(args)
    was_training = model.training
    model.eval()
    try:
        with ember.enable_grad():
            output, ranges = _module_scopes(model, lambda: model(*args))
    finally:
        model.train(was_training)

    param_names = {id(p): name for name, p in model.named_parameters()}
    input_names = {id(t): f"input/{i}" for i, t in enumerate(inputs)}
    root = type(model).__name__

    def scope_of(seq: int) -> str:
        best = None
        for start, end, scope in ranges:
            inside = start <= seq < end
            if inside and (best is None or end - start < best[1] - best[0]):
                best = (start, end, scope)
        return best[2] if best else root

    outputs = [t for t in _flatten_tensors(output) if t.grad_fn is not None]
    if not outputs:
        raise RuntimeError(
            f"log_graph: the forward of {type(model).__name__} returned no tensor with a "
            "grad_fn, so there is no graph to record (are all parameters frozen?)"
        )

    # every node reachable from the outputs (a loop, not recursion: graphs can be deep)
    reachable: dict[int, object] = {}
    stack = [t.grad_fn for t in outputs]
    while stack:
        node = stack.pop()
        if id(node) in reachable:
            continue
        reachable[id(node)] = node
        stack.extend(parent for parent, _ in node.next_functions if parent is not None)

    # names: leaves by what they are, ops numbered in the order the forward created them
    names: dict[int, str] = {}
    constants = count()
    leaves = [n for n in reachable.values() if isinstance(n, AccumulateGrad)]
    ops = sorted((n for n in reachable.values() if not isinstance(n, AccumulateGrad)),
                 key=lambda n: n._seq)  # fmt: skip
    for node in leaves:
        variable = node.variable
        if id(variable) in param_names:
            names[id(node)] = f"{root}/{param_names[id(variable)].replace('.', '/')}"
        else:
            names[id(node)] = input_names.get(id(variable), f"{root}/constant_{next(constants)}")
    for index, node in enumerate(ops):
        names[id(node)] = f"{scope_of(node._seq)}/{node.name()}_{index}"

    graph_nodes = []
    for node in leaves:
        variable = node.variable
        if id(variable) in param_names:
            op = "Parameter"
        else:
            op = "IO Node" if id(variable) in input_names else "Constant"
        shape = ", ".join(str(size) for size in variable.shape)
        graph_nodes.append(
            NodeDef(
                name=names[id(node)],
                op=op,
                attr={"_output_shapes": AttrValue(s=f"[{shape}]".encode())},
            )
        )
    for node in ops:
        inputs_of = [names[id(p)] for p, _ in node.next_functions if p is not None]
        graph_nodes.append(NodeDef(name=names[id(node)], op=node.name(), input=inputs_of))
    for i, tensor in enumerate(outputs):
        graph_nodes.append(
            NodeDef(name=f"output/{i}", op="IO Node", input=[names[id(tensor.grad_fn)]])
        )
    return GraphDef(node=graph_nodes, versions=VersionDef(producer=22))
