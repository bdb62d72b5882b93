#!/usr/bin/env bash
# One command for a machine with an NVIDIA GPU, CuPy, NumPy, pytest and PyTorch installed (no
# network needed): runs every test marked `cuda`, then the GPU benchmarks. Nothing is
# installed: the five packages are imported from their source folders through PYTHONPATH.
#
#   scripts/gpu-check.sh            # from anywhere; PYTHON=python3.12 to pick an interpreter
#
# Exits non-zero, with a message, when no GPU is visible or a test fails. Budget: 5 minutes.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python}"
if ! command -v "$PY" >/dev/null 2>&1; then
    PY=python3
fi

SRC=""
for pkg in core vision audio text lightning; do
    SRC="${SRC:+$SRC:}$ROOT/packages/$pkg/src"
done
export PYTHONPATH="$SRC${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1

echo "== gpu-check: $("$PY" --version 2>&1), workspace $ROOT"
if ! "$PY" - <<'PYEOF'
import sys
try:
    import cupy
    n = cupy.cuda.runtime.getDeviceCount()
except Exception as exc:  # CuPy missing, or no driver / device
    print(f"gpu-check: no CUDA GPU is visible ({type(exc).__name__}: {exc}).", file=sys.stderr)
    sys.exit(1)
if n < 1:
    print("gpu-check: CuPy sees no CUDA device.", file=sys.stderr)
    sys.exit(1)
props = cupy.cuda.runtime.getDeviceProperties(0)
name = props["name"].decode() if isinstance(props["name"], bytes) else props["name"]
print(f"gpu-check: {n} GPU(s); device 0: {name}, CuPy {cupy.__version__}")
import ember
assert ember.cuda.is_available(), "ember.cuda.is_available() is False although CuPy sees a GPU"
PYEOF
then
    echo "gpu-check: FAILED: this check needs an NVIDIA GPU with CuPy installed." >&2
    exit 2
fi

echo "== cuda tests"
# `-m cuda` over tests/ selects the tests in the files that mark some; collecting only those
# files keeps test modules that import optional packages (scipy, Pillow...) out of the run.
mapfile -t CUDA_FILES < <(grep -rlE "mark\.cuda\b" tests --include='test_*.py' | sort)
if [ "${#CUDA_FILES[@]}" -eq 0 ]; then
    echo "gpu-check: FAILED: no test file marks tests with @pytest.mark.cuda" >&2
    exit 1
fi
echo "gpu-check: ${#CUDA_FILES[@]} test files mark cuda tests"
timeout 180 "$PY" -m pytest -m cuda -p no:cacheprovider -q -rs "${CUDA_FILES[@]}"

echo "== GPU benchmarks"
timeout 150 "$PY" benchmarks/gpu.py

echo "== gpu-check: passed"
