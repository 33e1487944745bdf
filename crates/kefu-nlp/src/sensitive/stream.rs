//! The compact folded stream a scan matches against, with a map back to the original bytes.

use std::sync::OnceLock;

/// A folded character, or None when the character is a separator to skip.
///
/// Folding reuses `normalise` (width, traditional → simplified, invisible characters) and adds
/// lower case; anything that is not a letter or a digit afterwards is junk that people insert to
/// break a word apart (spaces, punctuation, `*`, `_`, emoji, zero-width characters), so it is
/// dropped rather than kept as a boundary.
pub(crate) fn fold(c: char) -> Option<char> {
    let code = c as u32;
    if code < 0x80 {
        // ASCII is most of chat text: no table, no Unicode lookups.
        let b = code as u8;
        return b.is_ascii_alphanumeric().then(|| b.to_ascii_lowercase() as char);
    }
    if code < 0x1_0000 {
        let folded = bmp_fold().folded[code as usize];
        return (folded != 0).then(|| char::from_u32(u32::from(folded))).flatten();
    }
    fold_slow(c)
}

/// Folding from first principles; the BMP table is filled from this once.
fn fold_slow(c: char) -> Option<char> {
    let c = crate::normalise::fold_char(c)?;
    let c = c.to_lowercase().next().unwrap_or(c);
    c.is_alphanumeric().then_some(c)
}

/// Folding of the BMP, precomputed: a bit per character that folds to itself (most CJK, 8 KiB,
/// stays in L1 cache) and the folded form of every character (0 = skip, 128 KiB) for the rest.
/// A per-character binary search in the traditional table plus Unicode property lookups would
/// cost several times more than the automaton itself.
struct BmpFold {
    unchanged: Vec<u64>,
    folded: Vec<u16>,
}

impl BmpFold {
    #[inline]
    fn is_unchanged(&self, code: u32) -> bool {
        self.unchanged[(code >> 6) as usize] & (1 << (code & 63)) != 0
    }
}

fn bmp_fold() -> &'static BmpFold {
    static TABLE: OnceLock<BmpFold> = OnceLock::new();
    TABLE.get_or_init(|| {
        let folded: Vec<u16> = (0..0x1_0000u32)
            .map(|code| {
                char::from_u32(code)
                    .and_then(fold_slow)
                    .and_then(|f| u16::try_from(u32::from(f)).ok())
                    .unwrap_or(0)
            })
            .collect();
        let mut unchanged = vec![0u64; 0x1_0000 / 64];
        for (code, &f) in folded.iter().enumerate() {
            if f != 0 && usize::from(f) == code {
                unchanged[code >> 6] |= 1 << (code & 63);
            }
        }
        BmpFold { unchanged, folded }
    })
}

/// A word folded the way scanned text is folded (the key it is matched and deduplicated by).
pub(crate) fn fold_word(word: &str) -> String {
    word.chars().filter_map(fold).collect()
}

/// Scratch space of one scan: the folded text and a sparse map back to the original.
///
/// Most characters keep their length when folded (CJK stays 3 bytes, ASCII 1), so instead of an
/// offset per byte the map keeps a breakpoint only where the alignment changes (after a dropped
/// separator or a full-width letter that became ASCII). Filling then costs a table lookup and a
/// copy per character, and only the few hits pay a binary search.
#[derive(Debug, Default)]
pub(crate) struct Stream {
    /// Folded text with separators dropped (valid UTF-8).
    pub compact: Vec<u8>,
    /// (compact offset, original offset) where the difference between the two changes.
    breaks: Vec<(u32, u32)>,
}

/// Above this many bytes the scratch of a thread is dropped after a scan instead of being kept,
/// so one huge document does not pin memory in every worker thread for ever.
pub(crate) const KEEP_SCRATCH_BYTES: usize = 1 << 21;

/// Folded ASCII bytes (0 = skip), so the commonest characters need no call at all.
const ASCII_FOLD: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { 0 };
        b += 1;
    }
    t
};

impl Stream {
    /// Fills the stream from `piece`, whose length must fit in a u32.
    pub fn fill(&mut self, piece: &str) {
        self.compact.clear();
        self.breaks.clear();
        self.compact.reserve(piece.len());
        let bytes = piece.as_bytes();
        let table = bmp_fold();
        // Offset difference (original − compact) that the last breakpoint established.
        let mut delta = 0usize;
        self.breaks.push((0, 0));
        let mut at = 0;
        while at < bytes.len() {
            let lead = bytes[at];
            if lead < 0x80 {
                let f = ASCII_FOLD[lead as usize];
                if f != 0 {
                    self.mark(at, &mut delta);
                    self.compact.push(f);
                }
                at += 1;
                continue;
            }
            let len = if lead < 0xe0 { 2 } else if lead < 0xf0 { 3 } else { 4 };
            let Some(seq) = bytes.get(at..at + len) else { break };
            // Decoding by hand: the text is valid UTF-8, so the sequence is well formed, and
            // this is the hottest line of a scan.
            let tail = |i: usize| u32::from(seq[i] & 0x3f);
            let code = match len {
                2 => (u32::from(lead & 0x1f) << 6) | tail(1),
                3 => (u32::from(lead & 0x0f) << 12) | (tail(1) << 6) | tail(2),
                _ => (u32::from(lead & 0x07) << 18) | (tail(1) << 12) | (tail(2) << 6) | tail(3),
            };
            let folded = if code < 0x1_0000 {
                if table.is_unchanged(code) {
                    self.mark(at, &mut delta);
                    // A fixed-size copy for the common 3-byte case is inlined; a slice of
                    // run-time length costs a call to memcpy per character.
                    if let [a, b, c] = *seq {
                        self.compact.extend_from_slice(&[a, b, c]);
                    } else {
                        self.compact.extend_from_slice(seq);
                    }
                    at += len;
                    continue;
                }
                u32::from(table.folded[code as usize])
            } else {
                char::from_u32(code).and_then(fold_slow).map_or(0, u32::from)
            };
            if folded != 0 {
                self.mark(at, &mut delta);
                if folded == code {
                    self.compact.extend_from_slice(seq);
                } else if let Some(f) = char::from_u32(folded) {
                    let mut buf = [0u8; 4];
                    self.compact.extend_from_slice(f.encode_utf8(&mut buf).as_bytes());
                }
            }
            at += len;
        }
    }

    /// Records a breakpoint if the character at original offset `at`, about to be written at
    /// the end of `compact`, is not where the current alignment puts it.
    #[inline]
    fn mark(&mut self, at: usize, delta: &mut usize) {
        let here = self.compact.len();
        // Wrapping: a folded character can be longer than the original (Ⱥ → ⱥ), and only
        // equality of the difference matters here.
        let d = at.wrapping_sub(here);
        if d != *delta {
            *delta = d;
            self.breaks.push((here as u32, at as u32));
        }
    }

    /// Original offset of the character starting at compact offset `c`. `cursor` is the index
    /// of a breakpoint at or before `c`: matches come in increasing order, so walking forward
    /// from the previous one is cheaper than a binary search that misses the cache on a long
    /// text (start each pass over the matches at 0).
    fn original(&self, c: usize, cursor: &mut usize) -> usize {
        let mut i = (*cursor).min(self.breaks.len() - 1);
        if self.breaks[i].0 as usize > c {
            i = self.breaks.partition_point(|&(k, _)| k as usize <= c).saturating_sub(1);
        }
        while i + 1 < self.breaks.len() && self.breaks[i + 1].0 as usize <= c {
            i += 1;
        }
        *cursor = i;
        let (k, o) = self.breaks[i];
        o as usize + (c - k as usize)
    }

    /// Original byte range of the compact range `start..end` (which lies on char boundaries);
    /// `cursor` as for `original`.
    pub fn original_span(&self, piece: &str, start: usize, end: usize, cursor: &mut usize) -> (usize, usize) {
        let mut last = end.saturating_sub(1).max(start);
        while last > start && (self.compact[last] & 0xc0) == 0x80 {
            last -= 1;
        }
        let first = self.original(start, cursor);
        let last = self.original(last, cursor);
        let last_len = piece[last..].chars().next().map_or(1, char::len_utf8);
        (first, last + last_len)
    }

    /// Whether the scratch grew past what is worth keeping between scans.
    pub fn is_oversized(&self) -> bool {
        self.compact.capacity() > KEEP_SCRATCH_BYTES
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_width_script_case_and_drops_junk() {
        assert_eq!(fold_word("微 信"), "微信");
        assert_eq!(fold_word("微.信*_-\u{200b}\u{3000}信"), "微信信");
        assert_eq!(fold_word("ＶＸ號碼"), "vx号码");
        assert_eq!(fold_word("加😀V"), "加v");
        assert_eq!(fold_word("100%有效"), "100有效");
        assert_eq!(fold_word("&"), "");
    }

    #[test]
    fn maps_back_to_original_bytes() {
        let text = "😀微 .信ok";
        let mut s = Stream::default();
        s.fill(text);
        assert_eq!(s.compact, "微信ok".as_bytes());
        let (a, b) = s.original_span(text, 0, "微信".len(), &mut 0);
        assert_eq!(&text[a..b], "微 .信");
        let (a, b) = s.original_span(text, "微信".len(), s.compact.len(), &mut 0);
        assert_eq!(&text[a..b], "ok");
        let text = "ＡＢ微 信c";
        s.fill(text);
        assert_eq!(s.compact, "ab微信c".as_bytes());
        for (from, to, written) in [(0, 1, "Ａ"), (1, 2, "Ｂ"), (0, 5, "ＡＢ微"), (2, 8, "微 信"), (8, 9, "c")] {
            let (a, b) = s.original_span(text, from, to, &mut 0);
            assert_eq!(&text[a..b], written);
        }
    }

    #[test]
    fn table_matches_first_principles() {
        for c in ['體', 'Ａ', 'Ｚ', '，', '　', 'É', '①', 'ㄅ', '\u{feff}', '中'] {
            assert_eq!(fold(c), fold_slow(c), "{c}");
        }
    }
}
