//! The pages speak only through the catalogue (issue 21 item 5): every id a page names exists,
//! no Chinese is written into a script or page outside comments, and no page holds literal
//! text (static text is marked `data-t` and filled from the catalogue).

use std::path::{Path, PathBuf};

/// A line may keep literal text when it says why, e.g. a language's own name in the menu.
const EXEMPT: &str = "i18n-exempt";

fn web_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if matches!(path.extension().and_then(|e| e.to_str()), Some("js" | "html")) {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("web"), &mut out);
    out.sort();
    assert!(out.len() > 20, "the web folder was not found");
    out
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{3000}'..='\u{303f}' | '\u{ff00}'..='\u{ffef}')
}

/// The file without comments (`/* */`, `//` to the end of the line, `<!-- -->`), lines kept.
fn without_comments(text: &str, html: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let (open, close) = if html { ("<!--", "-->") } else { ("/*", "*/") };
    while let Some(start) = rest.find(open) {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let end = after.find(close).map_or(after.len(), |e| e + close.len());
        out.extend(after[..end].chars().filter(|c| *c == '\n'));
        rest = &after[end..];
    }
    out.push_str(rest);
    if html {
        return out;
    }
    out.lines()
        .map(|line| match line.find("//") {
            // `//` inside a string (a URL) keeps the line; a comment has a space or starts the line.
            Some(i) if line[..i].trim().is_empty() || line[i..].starts_with("// ") => &line[..i],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn relative(path: &Path) -> String {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(path).display().to_string()
}

#[test]
fn no_chinese_is_written_into_a_page_or_script() {
    let mut found = Vec::new();
    for path in web_files() {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let html = path.extension().is_some_and(|e| e == "html");
        for (n, line) in without_comments(&text, html).lines().enumerate() {
            if line.chars().any(is_cjk) && !text.lines().nth(n).is_some_and(|l| l.contains(EXEMPT)) {
                found.push(format!("{}:{}: {}", relative(&path), n + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "literal Chinese outside the catalogue ({}):\n{}", found.len(), found.join("\n"));
}

/// Text between tags of an HTML page, outside `<script>`/`<style>`.
fn text_nodes(html: &str) -> Vec<String> {
    let mut nodes = Vec::new();
    let mut rest = html;
    while let Some(close) = rest.find('>') {
        let after = &rest[close + 1..];
        let tag = &rest[..close];
        let end = after.find('<').unwrap_or(after.len());
        let inside_code = tag.trim_start_matches('<').starts_with("script") || tag.trim_start_matches('<').starts_with("style");
        let text = after[..end].trim();
        if !inside_code && !text.is_empty() {
            nodes.push(text.to_string());
        }
        rest = &after[end..];
    }
    nodes
}

#[test]
fn pages_hold_no_literal_text() {
    let mut found = Vec::new();
    for path in web_files().into_iter().filter(|p| p.extension().is_some_and(|e| e == "html")) {
        let text = without_comments(&std::fs::read_to_string(&path).unwrap_or_default(), true);
        for node in text_nodes(&text) {
            if node.chars().any(|c| c.is_alphabetic()) && !node.contains(EXEMPT) {
                found.push(format!("{}: {node}", relative(&path)));
            }
        }
    }
    assert!(found.is_empty(), "page text not from the catalogue ({}):\n{}", found.len(), found.join("\n"));
}

/// Ids named literally: `t('id'`, `t("id"`, `data-t="id"`, `data-t-<attr>="id"`.
fn named_ids(text: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for pattern in ["t('", "t(\"", "data-t=\"", "-placeholder=\"", "-title=\"", "-aria-label=\"", "-alt=\"", "-value=\""] {
        let mut rest = text;
        while let Some(i) = rest.find(pattern) {
            let before = rest[..i].chars().last();
            rest = &rest[i + pattern.len()..];
            // `t(` must be the function, not the end of another name (`split(`, `get(`).
            if pattern.starts_with("t(") && before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
                continue;
            }
            if pattern.starts_with('-') && !text_before_is_data_t(text, rest, pattern) {
                continue;
            }
            let id: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
            let closed = rest[id.len()..].starts_with(['\'', '"']);
            // An id ending in `-` or `_` is the prefix of a name made at run time.
            if !id.is_empty() && closed && !id.ends_with(['-', '_']) {
                ids.push(id);
            }
        }
    }
    ids
}

fn text_before_is_data_t(text: &str, rest: &str, pattern: &str) -> bool {
    let at = text.len() - rest.len() - pattern.len();
    text[..at].ends_with("data-t")
}

#[test]
fn every_id_a_page_names_is_in_the_catalogue() {
    let mut missing = Vec::new();
    for path in web_files() {
        let html = path.extension().is_some_and(|e| e == "html");
        let text = without_comments(&std::fs::read_to_string(&path).unwrap_or_default(), html);
        for id in named_ids(&text) {
            for lang in kefu_i18n::Lang::ALL {
                if !kefu_i18n::has_message(lang, &id) {
                    missing.push(format!("{}: {id} ({})", relative(&path), lang.tag()));
                }
            }
        }
    }
    missing.dedup();
    assert!(missing.is_empty(), "ids missing from the catalogue ({}):\n{}", missing.len(), missing.join("\n"));
}
