//! Raw feature extraction: word unigrams and bigrams, char n-grams per run, all hashed.

use serde::{Deserialize, Serialize};

use super::hash::{hash_str, FeatureHasher};
use crate::tokenise::{for_each_run, for_each_word, RunKind};

const NS_WORD: u8 = 1;
const NS_BIGRAM: u8 = 2;
const NS_LATIN_CHARS: u8 = 3;
const NS_CJK_CHARS: u8 = 4;
const NS_STEM: u8 = 5;
const SKIP_MARK: u64 = 0x5bd1_e995_0000_0001;
const BOUNDARY: &str = "\u{1}";

/// Crude English stem ("cards" → "card", "charged" → "charg", "charging" → "charg"), or None
/// when nothing is stripped; only for ASCII words long enough not to be mangled.
fn english_stem(w: &str) -> Option<&str> {
    if w.len() < 5 || !w.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    ["ing", "ed", "es", "s", "ly"].iter().find_map(|suf| w.strip_suffix(suf)).filter(|s| s.len() >= 3)
}

/// Which features a vectoriser extracts; persisted with the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureConfig {
    /// Word unigrams.
    pub words: bool,
    /// Word bigrams, including sentence boundaries.
    pub bigrams: bool,
    /// Smallest and largest char n-gram inside Latin words (padded with spaces); 0 disables.
    pub latin_chars: (u8, u8),
    /// Smallest and largest char n-gram inside Chinese runs; 0 disables.
    pub cjk_chars: (u8, u8),
    /// Replace numbers, phones, order ids and urls by typed placeholder words first.
    pub mask_numbers: bool,
    /// Also English stems (plural, -ing, -ed stripped) and skip-bigrams (w1 _ w3).
    #[serde(default)]
    pub stems_and_skips: bool,
    /// L2-normalise each block of features on its own and weigh the blocks (word unigrams,
    /// word bigrams, Latin char n-grams, Chinese char n-grams), instead of one norm over all.
    #[serde(default)]
    pub block_weights: Option<[f32; 4]>,
}

impl Default for FeatureConfig {
    fn default() -> Self {
        FeatureConfig { words: true, bigrams: true, latin_chars: (2, 5), cjk_chars: (1, 3), mask_numbers: true, stems_and_skips: false, block_weights: None }
    }
}

impl FeatureConfig {
    /// Feature hash of one word unigram.
    pub fn word_hash(&self, word: &str) -> u64 {
        hash_str(NS_WORD, word)
    }

    /// True when both extract the same hashes (they may still weigh them differently).
    pub fn same_extraction(&self, other: &FeatureConfig) -> bool {
        FeatureConfig { block_weights: None, ..self.clone() } == FeatureConfig { block_weights: None, ..other.clone() }
    }

    /// Appends the hashed features of normalised `text` to `out` (with repeats: they are counts).
    pub fn extract(&self, text: &str, out: &mut Vec<u64>) {
        self.extract_with_blocks(text, out, None);
    }

    /// [`FeatureConfig::extract`], also appending each feature's block to `blocks` when given
    /// (0 word unigrams, 1 word bigrams, 2 Latin char n-grams, 3 Chinese char n-grams).
    pub fn extract_with_blocks(&self, text: &str, out: &mut Vec<u64>, mut blocks: Option<&mut Vec<u8>>) {
        let mut mark = |out: &Vec<u64>, block: u8| {
            if let Some(b) = blocks.as_deref_mut() {
                b.resize(out.len(), block);
            }
        };
        let masked;
        let text = if self.mask_numbers {
            masked = crate::normalise::mask_for_classification(text);
            masked.as_str()
        } else {
            text
        };
        if self.words || self.bigrams {
            let mut prev: u64 = hash_str(NS_WORD, BOUNDARY);
            let mut prev2: u64 = prev;
            for_each_word(text, |w| {
                let h = hash_str(NS_WORD, w);
                if self.words {
                    out.push(h);
                    if self.stems_and_skips {
                        if let Some(stem) = english_stem(w) {
                            out.push(hash_str(NS_STEM, stem));
                        }
                    }
                    mark(out, 0);
                }
                if self.bigrams {
                    out.push(pair(prev, h));
                    if self.stems_and_skips {
                        out.push(pair(prev2, h) ^ SKIP_MARK);
                    }
                    mark(out, 1);
                }
                prev2 = prev;
                prev = h;
            });
            if self.bigrams {
                out.push(pair(prev, hash_str(NS_WORD, BOUNDARY)));
                mark(out, 1);
            }
        }
        let (llo, lhi) = self.latin_chars;
        let (clo, chi) = self.cjk_chars;
        if llo == 0 && clo == 0 {
            return;
        }
        let mut buf: Vec<char> = Vec::with_capacity(32);
        for_each_run(text, |kind, run| {
            let (lo, hi, ns, pad, block) = match kind {
                RunKind::Latin if llo > 0 => (llo, lhi, NS_LATIN_CHARS, true, 2),
                RunKind::Cjk if clo > 0 => (clo, chi, NS_CJK_CHARS, false, 3),
                _ => return,
            };
            buf.clear();
            if pad {
                buf.push(' ');
            }
            buf.extend(run.chars());
            if pad {
                buf.push(' ');
            }
            char_ngrams(&buf, lo as usize, hi as usize, ns, out);
            mark(out, block);
        });
    }
}

fn pair(a: u64, b: u64) -> u64 {
    let mut h = FeatureHasher::new(NS_BIGRAM);
    h.write(&a.to_le_bytes());
    h.write(&b.to_le_bytes());
    h.finish()
}

fn char_ngrams(chars: &[char], lo: usize, hi: usize, ns: u8, out: &mut Vec<u64>) {
    let mut utf8 = [0u8; 4];
    for start in 0..chars.len() {
        let mut h = FeatureHasher::new(ns);
        for (len, &c) in chars[start..].iter().take(hi).enumerate() {
            h.write(c.encode_utf8(&mut utf8).as_bytes());
            if len + 1 >= lo && !(len == 0 && c == ' ') {
                out.push(h.finish());
            }
        }
    }
}
