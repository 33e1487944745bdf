//! E-mail addresses: local@domain.tld, ASCII only (what customers type into a chat).

use super::{PiiKind, PiiSpan};

fn is_local(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

fn is_domain(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-')
}

/// Finds e-mail addresses in `text`.
pub(super) fn scan(text: &str, out: &mut Vec<PiiSpan>) {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(offset) = text[from..].find('@') {
        let at = from + offset;
        from = at + 1;
        let mut start = at;
        while start > 0 && is_local(bytes[start - 1]) {
            start -= 1;
        }
        // A local part does not start with a dot ("见.abc@x.com" is "abc@x.com").
        while start < at && bytes[start] == b'.' {
            start += 1;
        }
        let mut end = at + 1;
        while end < bytes.len() && is_domain(bytes[end]) {
            end += 1;
        }
        // A sentence's full stop or a dash after the address is not part of the domain.
        while end > at + 1 && matches!(bytes[end - 1], b'.' | b'-') {
            end -= 1;
        }
        if start < at && valid_domain(&text[at + 1..end]) {
            out.push(PiiSpan { kind: PiiKind::Email, start, end });
            from = end.max(from);
        }
    }
}

/// At least two labels, none empty or edged with a dash, and an alphabetic TLD of 2+ letters.
fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let Some(tld) = labels.last() else { return false };
    labels.len() >= 2
        && labels.iter().all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'))
        && tld.len() >= 2
        && tld.bytes().all(|b| b.is_ascii_alphabetic())
}

/// `a***@example.com`: the first character of the local part, then the domain.
pub(super) fn mask(value: &str) -> String {
    match value.rsplit_once('@') {
        Some((local, domain)) => {
            let first = local.chars().next().map(String::from).unwrap_or_default();
            format!("{first}***@{domain}")
        }
        None => "***".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        scan(text, &mut out);
        out.iter().map(|s| &text[s.start..s.end]).collect()
    }

    #[test]
    fn finds_addresses_in_chinese_text() {
        assert_eq!(found("邮箱是zhang.san+shop@example.com.cn。谢谢"), ["zhang.san+shop@example.com.cn"]);
        assert_eq!(found("发到 a@b.co 或 13812345678@163.com."), ["a@b.co", "13812345678@163.com"]);
    }

    #[test]
    fn rejects_things_that_are_not_addresses() {
        assert!(found("@客服 在吗").is_empty());
        assert!(found("me@localhost").is_empty());
        assert!(found("a@b.c1").is_empty());
        assert!(found("@@").is_empty());
        assert!(found("价格@100.5").is_empty());
    }

    #[test]
    fn masks_keeping_the_first_character_and_domain() {
        assert_eq!(mask("alice@example.com"), "a***@example.com");
        assert_eq!(mask("nonsense"), "***");
    }
}
