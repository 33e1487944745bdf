//! The dictionary: folded words in an Aho–Corasick automaton, in shareable layers.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use super::stream::{fold, fold_word, Stream};
use super::{Action, Hit, WordEntry};
use crate::Error;

/// A set of sensitive words, matched leftmost-longest over folded text.
///
/// A dictionary is a stack of immutable layers behind `Arc`: `merged` adds a shop's words as a
/// small layer on top of the global one instead of rebuilding (a 500k-word global automaton
/// takes ~2 s and ~65 MB, which every shop would otherwise pay again). Cloning is cheap; the
/// type is `Send + Sync`.
#[derive(Clone, Default)]
pub struct Dictionary {
    layers: Vec<Arc<Layer>>,
}

/// One automaton and the words behind its pattern ids.
struct Layer {
    entries: Vec<Entry>,
    /// How many of `entries` also sit in a lower layer (a shop making a global word stricter).
    shadowing: usize,
    categories: Vec<Box<str>>,
    matcher: AhoCorasick,
}

/// A word as stored: its listed form, interned category, action and Latin edges.
struct Entry {
    word: Box<str>,
    category: u32,
    action: Action,
    /// The folded word starts with an ASCII letter or digit, so a hit must not start inside a
    /// Latin word or number ("ma" is listed; "make" and "i am a" must not hit it).
    latin_start: bool,
    /// Same at the end ("av" must not hit "avocado", "64" must not hit "1648").
    latin_end: bool,
}

/// A raw match before it becomes a `Hit`: layer, pattern, original byte span.
#[derive(Clone, Copy)]
struct Found {
    layer: u32,
    pattern: u32,
    start: usize,
    end: usize,
}

/// Up to this many words a layer is compiled to a DFA (see `Layer::build`).
const DFA_MAX_WORDS: usize = 500;

thread_local! {
    /// Per-thread scratch (folded text, position map, raw matches). A scan takes `&self` so one
    /// dictionary serves every thread behind an `Arc`; a thread-local keeps the hot path free of
    /// allocations without a `Scanner` object that each caller would have to carry around.
    static SCRATCH: RefCell<(Stream, Vec<Found>)> = RefCell::default();
}

impl std::fmt::Debug for Dictionary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dictionary").field("words", &self.len()).field("layers", &self.layers.len()).finish()
    }
}

impl Dictionary {
    /// Builds a dictionary: words are folded and deduplicated, empty ones skipped, and a word
    /// listed more than once keeps its strictest action (with that entry's category).
    pub fn build(entries: impl IntoIterator<Item = WordEntry>) -> Result<Dictionary, Error> {
        let layer = Layer::build(entries, |_| None)?;
        Ok(Dictionary { layers: layer.into_iter().map(Arc::new).collect() })
    }

    /// Our own built-in list: advertising-law superlatives (warn) and off-platform diversion
    /// and fraud (block).
    pub fn builtin() -> Dictionary {
        // The list is a constant of this crate; if it failed to build, every test would say so.
        Dictionary::build(super::builtin::entries()).expect("the built-in list builds")
    }

    /// The global dictionary plus a shop's words. The global layers are shared, not copied; a
    /// shop word that the global list already has is kept only if its action is stricter.
    pub fn merged(global: &Dictionary, shop: &[WordEntry]) -> Result<Dictionary, Error> {
        let shop_layer = Layer::build(shop.iter().cloned(), |key| global.known_action(key))?;
        let mut layers = global.layers.clone();
        layers.extend(shop_layer.map(Arc::new));
        Ok(Dictionary { layers })
    }

    /// Number of distinct (folded) words.
    pub fn len(&self) -> usize {
        self.layers.iter().map(|l| l.entries.len() - l.shadowing).sum()
    }

    /// True when the dictionary has no words.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// All non-overlapping leftmost-longest hits in `text`, in order, with original byte offsets.
    pub fn scan(&self, text: &str) -> Vec<Hit> {
        if self.layers.is_empty() || text.is_empty() {
            return Vec::new();
        }
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => {
                let (stream, found) = &mut *scratch;
                let hits = self.scan_with(text, stream, found);
                if stream.is_oversized() {
                    *scratch = Default::default();
                }
                hits
            }
            // Only reachable if a scan ever ran inside another on the same thread.
            Err(_) => self.scan_with(text, &mut Stream::default(), &mut Vec::new()),
        })
    }

    /// The strictest action among `hits`, if any.
    pub fn strictest(hits: &[Hit]) -> Option<Action> {
        hits.iter().map(|h| h.action).max_by_key(|a| a.severity())
    }

    fn scan_with(&self, text: &str, stream: &mut Stream, found: &mut Vec<Found>) -> Vec<Hit> {
        found.clear();
        // The position map holds u32 offsets (half the memory traffic of usize); text beyond
        // 4 GiB is scanned in pieces and a word straddling two pieces is missed.
        let mut base = 0;
        while base < text.len() {
            let mut cut = base.saturating_add(u32::MAX as usize).min(text.len());
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            let piece = &text[base..cut];
            stream.fill(piece);
            for (li, layer) in self.layers.iter().enumerate() {
                let mut cursor = 0;
                for m in layer.matcher.find_iter(stream.compact.as_slice()) {
                    let (start, end) = stream.original_span(piece, m.start(), m.end(), &mut cursor);
                    let entry = &layer.entries[m.pattern().as_usize()];
                    if (entry.latin_start && latin_before(piece, start)) || (entry.latin_end && latin_after(piece, end)) {
                        continue;
                    }
                    found.push(Found { layer: li as u32, pattern: m.pattern().as_u32(), start: base + start, end: base + end });
                }
            }
            base = cut;
        }
        if self.layers.len() > 1 {
            // Each layer is leftmost-longest on its own; across layers keep the earliest, then
            // the longest, then the strictest of hits on the same span.
            found.sort_unstable_by_key(|f| (f.start, std::cmp::Reverse(f.end), std::cmp::Reverse(self.entry(f).action.severity())));
            let mut last_end = 0;
            found.retain(|f| {
                let keep = f.start >= last_end;
                if keep {
                    last_end = f.end;
                }
                keep
            });
        }
        found
            .iter()
            .map(|f| {
                let layer = &self.layers[f.layer as usize];
                let entry = &layer.entries[f.pattern as usize];
                Hit {
                    word: entry.word.to_string(),
                    category: layer.categories[entry.category as usize].to_string(),
                    action: entry.action,
                    start: f.start,
                    end: f.end,
                }
            })
            .collect()
    }

    fn entry(&self, f: &Found) -> &Entry {
        &self.layers[f.layer as usize].entries[f.pattern as usize]
    }

    /// The strictest action any layer has for the folded word `key`, if one has it.
    fn known_action(&self, key: &str) -> Option<Action> {
        self.layers
            .iter()
            .filter_map(|layer| {
                // Leftmost-longest over the word itself: if the layer has the word, the leftmost
                // match starts at 0 and the longest one there is the whole word.
                let m = layer.matcher.find(key)?;
                (m.start() == 0 && m.end() == key.len()).then(|| layer.entries[m.pattern().as_usize()].action)
            })
            .max_by_key(|a| a.severity())
    }
}

/// Whether the character before byte `at` folds to an ASCII letter or digit.
fn latin_before(text: &str, at: usize) -> bool {
    text[..at].chars().next_back().and_then(fold).is_some_and(|c| c.is_ascii_alphanumeric())
}

/// Whether the character at byte `at` folds to an ASCII letter or digit.
fn latin_after(text: &str, at: usize) -> bool {
    text[at..].chars().next().and_then(fold).is_some_and(|c| c.is_ascii_alphanumeric())
}

impl Layer {
    /// Folds, deduplicates and compiles `entries`; `below` gives the action lower layers already
    /// have for a folded word, and a word they have at least as strictly is left out. None when
    /// no word is left.
    fn build(entries: impl IntoIterator<Item = WordEntry>, below: impl Fn(&str) -> Option<Action>) -> Result<Option<Layer>, Error> {
        let mut by_key: HashMap<String, u32> = HashMap::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut words: Vec<Entry> = Vec::new();
        let mut category_ids: HashMap<String, u32> = HashMap::new();
        let mut categories: Vec<Box<str>> = Vec::new();
        let mut shadowing = 0;
        for e in entries {
            let key = fold_word(&e.word);
            if key.is_empty() {
                continue;
            }
            let lower = below(&key);
            if lower.is_some_and(|a| a.severity() >= e.action.severity()) {
                continue;
            }
            let category = match category_ids.get(&e.category) {
                Some(&id) => id,
                None => {
                    let id = categories.len() as u32;
                    categories.push(e.category.as_str().into());
                    category_ids.insert(e.category, id);
                    id
                }
            };
            if let Some(&id) = by_key.get(&key) {
                let known = &mut words[id as usize];
                if e.action.severity() > known.action.severity() {
                    known.action = e.action;
                    known.category = category;
                }
                continue;
            }
            let ascii_edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
            words.push(Entry {
                word: e.word.into_boxed_str(),
                category,
                action: e.action,
                latin_start: ascii_edge(key.chars().next()),
                latin_end: ascii_edge(key.chars().next_back()),
            });
            shadowing += usize::from(lower.is_some());
            by_key.insert(key.clone(), patterns.len() as u32);
            patterns.push(key);
        }
        drop(by_key);
        if patterns.is_empty() {
            return Ok(None);
        }
        // Inserting words in sorted order lets the trie be built along shared prefixes with
        // warm caches: 500k words build in about half the time.
        let mut pairs: Vec<(String, Entry)> = patterns.into_iter().zip(words).collect();
        pairs.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let (patterns, words): (Vec<String>, Vec<Entry>) = pairs.into_iter().unzip();
        // Small lists (the built-in one, a shop's words) get a DFA: one table lookup per byte,
        // ~1 MB per 100 CJK words, so at most a few MB. Large ones get a contiguous NFA: a DFA over hundreds of thousands
        // of CJK words would need gigabytes of transitions and minutes to build, while the
        // contiguous NFA keeps dense rows near the root (where a scan spends most bytes) and
        // compact rows deeper, at ~65 MB for 500k words and within a small factor of DFA speed.
        let kind = if patterns.len() <= DFA_MAX_WORDS { AhoCorasickKind::DFA } else { AhoCorasickKind::ContiguousNFA };
        let matcher = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(kind))
            .build(&patterns)
            .map_err(|e| Error::Dictionary(e.to_string()))?;
        Ok(Some(Layer { entries: words, shadowing, categories, matcher }))
    }
}

#[cfg(test)]
#[path = "dictionary_tests.rs"]
mod tests;
