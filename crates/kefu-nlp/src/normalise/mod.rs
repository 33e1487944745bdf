//! Text normalisation: width, script, case, noise, and typed placeholders for classifiers.

mod placeholders;
mod traditional;

pub use placeholders::mask_for_classification;
pub use traditional::to_simplified;

/// Normalised text: half-width, simplified, lower-case, single spaces, squeezed punctuation.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last: Option<char> = None;
    for raw in text.chars() {
        let Some(c) = fold_char(raw) else { continue };
        if c.is_whitespace() {
            if !out.is_empty() && last != Some(' ') {
                out.push(' ');
                last = Some(' ');
            }
            continue;
        }
        // Repeated punctuation ("！！！", "???", "~~~") carries emphasis, not meaning; one is enough.
        if c.is_ascii_punctuation() && last == Some(c) {
            continue;
        }
        for l in c.to_lowercase() {
            out.push(l);
        }
        last = Some(c);
    }
    while out.ends_with(' ') {
        out.pop();
    }
    out
}

/// One character folded to its canonical form, or None when it is invisible noise.
pub(crate) fn fold_char(c: char) -> Option<char> {
    let folded = match c {
        '\u{200b}'..='\u{200f}' | '\u{feff}' | '\u{2060}' | '\u{fe0f}' => return None,
        '\u{3000}' => ' ',
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        '。' | '｡' => '.',
        '、' => ',',
        '【' | '「' | '『' | '《' | '〈' => '[',
        '】' | '」' | '』' | '》' | '〉' => ']',
        '“' | '”' | '„' => '"',
        '‘' | '’' => '\'',
        '—' | '–' => '-',
        '〜' => '~',
        '…' => '.',
        c if c.is_control() => ' ',
        c => to_simplified(c),
    };
    Some(folded)
}

/// True for characters of the CJK ideograph blocks.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x4e00..=0x9fff | 0x3400..=0x4dbf | 0xf900..=0xfaff | 0x20000..=0x2a6df)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_width_case_and_noise() {
        assert_eq!(normalise("  ＡＢＣ１２３，　什麼時候發貨？？？ "), "abc123, 什么时候发货?");
        assert_eq!(normalise("Hello\u{200b}  World!!!"), "hello world!");
    }
}
