#!/usr/bin/env bash
# Creates the Python benchmark environment at bench/.venv (gitignored).
#
# Used only by the comparison benchmarks (bench/run.sh) and for regenerating
# the reference files under crates/airlock-inference/tests/data/; the Rust
# test suite never needs it. Idempotent: each step is skipped when its
# result is already there. Needs PyPI (and Debian for /usr/bin/time).
#
# Every package is pinned in bench/requirements.txt and installed with
# --no-deps, so the set is exactly that file:
#  - PyPI has no CPU-only torch for Linux x86_64: its wheel links the CUDA
#    libraries, and `import torch` fails without them. The file therefore
#    lists the nvidia-* runtime libraries torch loads, but leaves out triton
#    and cuda-bindings (about 1 GB, not needed to run on the CPU).
#  - llama-cpp-python has no prebuilt wheel here: it is built from source
#    (about 6.5 minutes on 2 cores) with -DGGML_NATIVE=ON, under nice.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${BENCH_VENV:-$repo/bench/.venv}"  # override only to test this script
requirements="$repo/bench/requirements.txt"
python="${PYTHON:-python3}"

say() { printf '[bench-env] %s\n' "$*"; }

if [[ ! -x /usr/bin/time ]]; then
    say "installing Debian's 'time' (for /usr/bin/time -v peak RSS)"
    apt-get update -qq && apt-get install -y -qq time
else
    say "/usr/bin/time present"
fi

if [[ ! -x "$venv/bin/python" ]]; then
    say "creating venv $venv with $("$python" --version)"
    "$python" -m venv "$venv"
else
    say "venv $venv exists"
fi
vpython="$venv/bin/python"

# A cheap check first, so a complete environment costs no pip run at all.
if "$vpython" - "$requirements" <<'EOF' 2>/dev/null; then
import sys
from importlib.metadata import version, PackageNotFoundError
wanted = {}
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if line:
        name, pinned = line.split("==")
        wanted[name] = pinned
missing = []
for name, pinned in wanted.items():
    try:
        have = version(name)
    except PackageNotFoundError:
        have = None
    if have is None or have.split("+")[0] != pinned:
        missing.append(f"{name}=={pinned} (have {have})")
if missing:
    print("[bench-env] to install: " + ", ".join(missing), file=sys.stderr)
    sys.exit(1)
EOF
    say "all pinned packages already installed"
else
    say "installing pinned packages (llama-cpp-python builds from source if not cached: minutes)"
    "$vpython" -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
    CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=ON}" nice -n 10 \
        "$vpython" -m pip install --disable-pip-version-check --no-deps \
        --no-binary llama-cpp-python -r "$requirements"
fi

say "checking imports"
HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 "$vpython" -c '
import torch, sentence_transformers, onnxruntime, llama_cpp
print(f"[bench-env] torch {torch.__version__} (cuda available: {torch.cuda.is_available()}), "
      f"sentence-transformers {sentence_transformers.__version__}, "
      f"onnxruntime {onnxruntime.__version__}, llama-cpp-python {llama_cpp.__version__}")
'

say "ONNX export of all-MiniLM-L6-v2 (skipped if present)"
PYTHONWARNINGS=ignore "$vpython" "$repo/bench/export_minilm_onnx.py"

say "done: activate with 'source bench/.venv/bin/activate', run benchmarks with bench/run.sh"
