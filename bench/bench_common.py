"""Shared helpers for the Python reference and benchmark scripts.

Finds the repository root, the installed models directory and the BANKING77
data, forces the Hugging Face libraries offline (the network only reaches
package registries), and reports peak RSS.
"""

import csv
import os
import resource
import sys
from pathlib import Path

# Must be set before transformers / sentence-transformers / huggingface_hub
# are imported: nothing may try to reach a model hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO_ROOT = Path(__file__).resolve().parent.parent
BANKING77_DIR = Path(
    os.environ.get("AIRLOCK_BANKING77_DIR", str(REPO_ROOT.parent / "shared" / "data" / "banking77"))
)
# The shared data lives beside the checkout (/work/shared next to /work/main);
# fall back to the absolute location used on the project machines.
if not BANKING77_DIR.is_dir():
    BANKING77_DIR = Path("/work/shared/data/banking77")


def models_dir() -> Path:
    """The installed models directory: $AIRLOCK_MODELS_DIR or <repo>/airlock-data/models."""
    return Path(os.environ.get("AIRLOCK_MODELS_DIR", str(REPO_ROOT / "airlock-data" / "models")))


def minilm_dir() -> Path:
    path = models_dir() / "all-minilm-l6-v2"
    if not (path / "model.safetensors").is_file():
        sys.exit(f"error: {path}/model.safetensors not found; run `airlock models fetch` or set AIRLOCK_MODELS_DIR")
    return path


def smollm_gguf() -> Path:
    path = models_dir() / "smollm2-135m-instruct" / "SmolLM2-135M-Instruct.Q4_1.gguf"
    if not path.is_file():
        sys.exit(f"error: {path} not found; run `airlock models fetch` or set AIRLOCK_MODELS_DIR")
    return path


def banking77_texts(split: str = "test", limit: int | None = None) -> list[str]:
    """The `text` column of BANKING77 `<split>.csv`, in file order."""
    path = BANKING77_DIR / f"{split}.csv"
    if not path.is_file():
        sys.exit(f"error: {path} not found; set AIRLOCK_BANKING77_DIR to the folder holding {split}.csv")
    with path.open(newline="", encoding="utf-8") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)]
    return texts if limit is None else texts[:limit]


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
