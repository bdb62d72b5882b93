"""GPU-only code: custom CUDA kernels (``kernels``) and the memory accounting (``memory``).

Every kernel function in ``ember.backends.cuda.kernels`` has a NumPy counterpart of the same
name and signature in ``ember.backends.cpu.kernels``; the ``cuda`` tests check that the two
agree. Kernels are compiled by CuPy on first use; importing this package imports no CuPy.
"""
