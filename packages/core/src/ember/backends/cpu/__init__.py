"""NumPy counterparts of the GPU kernels in ``ember.backends.cuda``.

Each function in ``ember.backends.cpu.kernels`` has the signature of the CUDA kernel function
of the same name and computes the same function on NumPy arrays; the ``cuda`` tests compare
the two. The ops themselves keep their own (blocked, in-place) NumPy code on the CPU; these
counterparts are the specification the kernels are checked against.
"""
