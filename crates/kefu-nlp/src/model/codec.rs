//! Compact binary encoding of classifiers: sorted hash deltas as varints, IDF and weights as 16-bit.

use std::collections::HashMap;

use crate::features::{FeatureConfig, Vectoriser};
use crate::intent::TextClassifier;
use crate::linear::LinearModel;
use crate::Error;

/// Byte sink with the few primitives the format needs.
#[derive(Default)]
pub struct Writer(pub Vec<u8>);

impl Writer {
    /// One byte.
    pub fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    /// LEB128 unsigned integer.
    pub fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }
    /// Little-endian f32.
    pub fn f32(&mut self, v: f32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    /// Little-endian u16.
    pub fn u16(&mut self, v: u16) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    /// Length-prefixed UTF-8.
    pub fn str(&mut self, s: &str) {
        self.varint(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }
}

/// Cursor over encoded bytes; every read checks bounds.
pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

fn damaged(what: &str) -> Error {
    Error::Model(format!("damaged or truncated ({what})"))
}

impl<'a> Reader<'a> {
    /// Starts reading at the beginning.
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, pos: 0 }
    }
    /// Next `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len()).ok_or_else(|| damaged("bytes"))?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    /// One byte.
    pub fn u8(&mut self) -> Result<u8, Error> {
        Ok(self.take(1)?[0])
    }
    /// LEB128 unsigned integer.
    pub fn varint(&mut self) -> Result<u64, Error> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.u8()?;
            v |= ((b & 0x7f) as u64) << shift;
            if b < 0x80 {
                return Ok(v);
            }
        }
        Err(damaged("varint"))
    }
    /// Little-endian u16.
    pub fn u16(&mut self) -> Result<u16, Error> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    /// Little-endian f32.
    pub fn f32(&mut self) -> Result<f32, Error> {
        let b = self.take(4)?;
        Ok(f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    /// Length-prefixed UTF-8.
    pub fn str(&mut self) -> Result<String, Error> {
        let n = self.varint()? as usize;
        String::from_utf8(self.take(n)?.to_vec()).map_err(|_| damaged("utf-8"))
    }
    /// A count that must fit in what is left (guards allocations against damaged files).
    pub fn count(&mut self, min_bytes_each: usize) -> Result<usize, Error> {
        let n = self.varint()? as usize;
        if n.saturating_mul(min_bytes_each.max(1)) > self.bytes.len() - self.pos {
            return Err(damaged("count"));
        }
        Ok(n)
    }
}

/// Encodes a classifier, dropping features whose weights all quantise to zero.
pub fn write_classifier(w: &mut Writer, c: &TextClassifier) {
    let f = &c.vectoriser.config;
    // Byte 0 holds flags: bit 0 words, bit 1 stems and skip-bigrams, bit 2 block weights
    // (four f32 after the seven bytes).
    let flags = f.words as u8 | (f.stems_and_skips as u8) << 1 | (f.block_weights.is_some() as u8) << 2;
    for b in [flags, f.bigrams as u8, f.latin_chars.0, f.latin_chars.1, f.cjk_chars.0, f.cjk_chars.1, f.mask_numbers as u8] {
        w.u8(b);
    }
    for x in f.block_weights.iter().flatten() {
        w.f32(*x);
    }
    w.varint(c.labels.len() as u64);
    for l in &c.labels {
        w.str(l);
    }
    w.f32(c.reject_below);
    w.f32(c.dense_weight);
    let m = &c.model;
    w.f32(m.temperature);
    for &b in &m.bias {
        w.f32(b);
    }
    let k = m.classes;
    let max = m.weights.iter().fold(0.0f32, |a, &x| a.max(x.abs()));
    let scale = if max > 0.0 { max / 32767.0 } else { 1.0 };
    w.f32(scale);
    let q = |x: f32| (x / scale).round().clamp(-32767.0, 32767.0) as i16;
    let sparse = c.vectoriser.dim().min(m.dim);
    // Every column stays (its IDF shapes the vector's norm); only all-zero weight rows are skipped.
    w.varint(sparse as u64);
    let mut prev = 0u64;
    for j in 0..sparse {
        let h = c.vectoriser.hashes[j];
        w.varint(h - prev);
        prev = h;
        w.u16((c.vectoriser.idf[j] * 1000.0).round().clamp(0.0, 65535.0) as u16);
        if f.block_weights.is_some() {
            w.u8(c.vectoriser.blocks.get(j).copied().unwrap_or(0));
        }
        let row = &m.weights[j * k..(j + 1) * k];
        let live = row.iter().any(|&x| q(x) != 0);
        w.u8(live as u8);
        if live {
            row.iter().for_each(|&x| w.u16(q(x) as u16));
        }
    }
    // Word-vector columns follow the TF-IDF columns.
    w.varint((m.dim - sparse) as u64);
    for &x in &m.weights[sparse * k..m.dim * k] {
        w.u16(q(x) as u16);
    }
}

/// Decodes a classifier written by [`write_classifier`].
pub fn read_classifier(r: &mut Reader) -> Result<TextClassifier, Error> {
    let b: Vec<u8> = (0..7).map(|_| r.u8()).collect::<Result<_, _>>()?;
    let config = FeatureConfig {
        words: b[0] & 1 != 0,
        bigrams: b[1] != 0,
        latin_chars: (b[2], b[3]),
        cjk_chars: (b[4], b[5]),
        mask_numbers: b[6] != 0,
        stems_and_skips: b[0] & 2 != 0,
        block_weights: if b[0] & 4 != 0 { Some([r.f32()?, r.f32()?, r.f32()?, r.f32()?]) } else { None },
    };
    let n_labels = r.count(1)?;
    let labels = (0..n_labels).map(|_| r.str()).collect::<Result<Vec<_>, _>>()?;
    let reject_below = r.f32()?;
    let dense_weight = r.f32()?;
    let temperature = r.f32()?;
    let k = labels.len();
    let bias = (0..k).map(|_| r.f32()).collect::<Result<Vec<_>, _>>()?;
    let scale = r.f32()?;
    let dim = r.count(4)?;
    let (mut hashes, mut idf, mut weights) = (Vec::with_capacity(dim), Vec::with_capacity(dim), Vec::with_capacity(dim * k));
    let mut blocks = Vec::new();
    let mut prev = 0u64;
    for _ in 0..dim {
        prev = prev.wrapping_add(r.varint()?);
        hashes.push(prev);
        idf.push(r.u16()? as f32 / 1000.0);
        if config.block_weights.is_some() {
            blocks.push(r.u8()?);
        }
        if r.u8()? != 0 {
            for _ in 0..k {
                weights.push(r.u16()? as i16 as f32 * scale);
            }
        } else {
            weights.extend(std::iter::repeat_n(0.0, k));
        }
    }
    let dense = r.count(2 * k)?;
    for _ in 0..dense * k {
        weights.push(r.u16()? as i16 as f32 * scale);
    }
    let mut vectoriser = Vectoriser::empty();
    vectoriser.config = config;
    vectoriser.hashes = hashes;
    vectoriser.idf = idf;
    vectoriser.blocks = blocks;
    vectoriser.rebuild_index();
    let model = LinearModel { dim: dim + dense, classes: k, weights, bias, temperature };
    Ok(TextClassifier { labels, vectoriser, model, reject_below, dense_weight, dense_idf_power: 0.0, max_pool_weight: 0.0 })
}

/// Encodes a string map.
pub fn write_map(w: &mut Writer, m: &HashMap<String, (String, String)>) {
    let mut items: Vec<_> = m.iter().collect();
    items.sort();
    w.varint(items.len() as u64);
    for (k, (a, b)) in items {
        w.str(k);
        w.str(a);
        w.str(b);
    }
}

/// Decodes a string map written by [`write_map`].
pub fn read_map(r: &mut Reader) -> Result<HashMap<String, (String, String)>, Error> {
    let n = r.count(3)?;
    (0..n).map(|_| Ok((r.str()?, (r.str()?, r.str()?)))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intent::{recommended_config, TextClassifier};

    #[test]
    fn block_weighted_classifier_round_trips() {
        let rows = [("where is my card", "card"), ("my card has not arrived", "card"), ("top up failed", "top_up"), ("why did my top up fail", "top_up"), ("什么时候发货", "ship"), ("多久能发货", "ship")];
        let mut cfg = recommended_config();
        cfg.features.block_weights = Some([1.0, 0.5, 1.0, 2.0]);
        let c = TextClassifier::train(&rows, &cfg).unwrap();
        assert_eq!(c.vectoriser.blocks.len(), c.vectoriser.dim());
        let mut w = Writer::default();
        write_classifier(&mut w, &c);
        let back = read_classifier(&mut Reader::new(&w.0)).unwrap();
        assert_eq!(back.vectoriser.config, c.vectoriser.config);
        assert_eq!(back.vectoriser.blocks, c.vectoriser.blocks);
        for q in ["card not here", "top up did not work", "啥时候发货"] {
            assert_eq!(back.predict(q, 1).top[0].0, c.predict(q, 1).top[0].0, "{q}");
        }
    }
}
