"""Export the installed all-MiniLM-L6-v2 transformer to ONNX, offline.

The exported graph maps (input_ids, attention_mask, token_type_ids) to the
last hidden state; embed_bench.py adds mean pooling and L2 normalisation in
numpy and runs it with onnxruntime. The export is checked against
sentence-transformers before it is kept. Output: bench/out/onnx/minilm.onnx
(bench/out/ is gitignored). Skips the export when the file already exists.

    bench/.venv/bin/python bench/export_minilm_onnx.py
"""

import sys
from pathlib import Path

import bench_common  # noqa: F401  (sets the offline environment first)
from bench_common import REPO_ROOT, minilm_dir

import numpy as np
import torch
from transformers import AutoModel, AutoTokenizer

ONNX_PATH = REPO_ROOT / "bench" / "out" / "onnx" / "minilm.onnx"
INPUT_NAMES = ["input_ids", "attention_mask", "token_type_ids"]


class LastHiddenState(torch.nn.Module):
    """Wraps the Hugging Face BertModel so the export has one plain tensor output."""

    def __init__(self, bert: torch.nn.Module) -> None:
        super().__init__()
        self.bert = bert

    def forward(self, input_ids, attention_mask, token_type_ids):
        return self.bert(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state


def mean_pool_normalize(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    weights = mask[..., None].astype(np.float32)
    pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
    return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)


def export(path: Path) -> None:
    model_dir = minilm_dir()
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    bert = AutoModel.from_pretrained(str(model_dir)).eval()
    sample = tokenizer(["a short example", "a second, slightly longer example sentence"], padding=True, return_tensors="pt")
    args = tuple(sample[name] for name in INPUT_NAMES)
    path.parent.mkdir(parents=True, exist_ok=True)
    with torch.no_grad():
        # The TorchScript-based exporter (dynamo=False) needs no extra packages.
        torch.onnx.export(
            LastHiddenState(bert),
            args,
            str(path),
            input_names=INPUT_NAMES,
            output_names=["last_hidden_state"],
            dynamic_axes={name: {0: "batch", 1: "sequence"} for name in INPUT_NAMES + ["last_hidden_state"]},
            opset_version=17,
            do_constant_folding=True,
            dynamo=False,
        )


def check(path: Path) -> float:
    """Largest absolute difference between onnxruntime+pooling and sentence-transformers."""
    import onnxruntime
    from sentence_transformers import SentenceTransformer

    tokenizer = AutoTokenizer.from_pretrained(str(minilm_dir()))
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    reference_model = SentenceTransformer(str(minilm_dir()), device="cpu")
    worst = 0.0
    # Shapes other than the export sample's: padded batch, and a batch of one
    # without padding (the tracer must not have frozen a shape-dependent branch).
    for texts in (["How do I locate my card?", "Café 😀 中文", "word"], ["a single unpadded sentence"]):
        batch = tokenizer(texts, padding=True, truncation=True, max_length=256, return_tensors="np")
        hidden = session.run(None, {name: batch[name].astype(np.int64) for name in INPUT_NAMES})[0]
        ours = mean_pool_normalize(hidden, batch["attention_mask"])
        reference = reference_model.encode(texts, normalize_embeddings=True)
        worst = max(worst, float(np.abs(ours - reference).max()))
    return worst


def main() -> None:
    if ONNX_PATH.is_file():
        print(f"{ONNX_PATH} exists, not exporting again")
        return
    partial = ONNX_PATH.with_suffix(".partial.onnx")
    export(partial)
    difference = check(partial)
    if difference > 1e-4:
        partial.unlink()
        sys.exit(f"error: ONNX export differs from sentence-transformers by {difference:.2e}")
    partial.rename(ONNX_PATH)
    print(f"exported {ONNX_PATH} (max abs difference to sentence-transformers: {difference:.2e})")


if __name__ == "__main__":
    main()
