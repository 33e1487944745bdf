//! Trimming quoted history from an email body: everything from the first attribution line
//! ("On … wrote:", "在 … 写道：", "-----原始邮件-----", "-----Original Message-----", an
//! Outlook "From:/Sent:" block) on, every "> " line, and a "-- " signature. Customers reply
//! above the quote, so what is left is what they wrote now.

/// The body without quoted history. When trimming would leave nothing (a reply written
/// inside the quote, or a forward), the original text is kept, so nothing is lost.
pub fn trim_quoted(text: &str) -> String {
    let normalised = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = normalised.split('\n').collect();
    let mut kept: Vec<&str> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        if starts_history(t, lines.get(i + 1).map(|l| l.trim()), &lines[i + 1..]) || *line == "-- " {
            break;
        }
        if t.starts_with('>') {
            continue;
        }
        kept.push(line.trim_end());
    }
    let out = collapse_blank(&kept);
    if out.trim().is_empty() {
        collapse_blank(&lines.iter().map(|l| l.trim_end()).collect::<Vec<_>>())
    } else {
        out
    }
}

/// Whether this line begins the quoted history.
fn starts_history(t: &str, next: Option<&str>, rest: &[&str]) -> bool {
    let lower = t.to_lowercase();
    let dashed = t.starts_with("---") && t.ends_with("---");
    if dashed && (t.contains("原始邮件") || lower.contains("original message") || t.contains("转发邮件") || lower.contains("forwarded message")) {
        return true;
    }
    // "On Tue, 3 Mar 2026 at 10:00, Li Lei <li@example.com> wrote:" — clients wrap it.
    if lower.starts_with("on ") && (lower.ends_with("wrote:") || next.is_some_and(|n| n.to_lowercase().ends_with("wrote:"))) {
        return true;
    }
    // "在 2026年3月3日 10:00，李雷 <li@example.com> 写道：" (and wrapped).
    let writes = |s: &str| s.ends_with("写道：") || s.ends_with("写道:");
    if t.starts_with('在') && (writes(t) || next.is_some_and(writes)) {
        return true;
    }
    // Outlook and Foxmail: a header block "From: … / Sent: …" or "发件人: … / 发送时间: …".
    let is_from = ["from:", "发件人:", "发件人："].iter().any(|p| lower.starts_with(p));
    if is_from {
        let sent = |s: &&str| {
            let l = s.trim().to_lowercase();
            ["sent:", "date:", "发送时间:", "发送时间：", "时间:", "时间："].iter().any(|p| l.starts_with(p))
        };
        return rest.iter().take(3).any(sent);
    }
    // Outlook's rule above the header block.
    t.len() >= 10 && t.chars().all(|c| c == '_') && rest.iter().take(2).any(|l| {
        let l = l.trim().to_lowercase();
        l.starts_with("from:") || l.starts_with("发件人")
    })
}

/// Join lines, dropping leading/trailing blank lines and runs of more than one blank line.
fn collapse_blank(lines: &[&str]) -> String {
    let mut out: Vec<&str> = Vec::new();
    for l in lines {
        if l.trim().is_empty() && out.last().is_none_or(|p: &&str| p.trim().is_empty()) {
            continue;
        }
        out.push(l);
    }
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn english_attribution_and_quote_lines() {
        let body = "Still not arrived.\r\n\r\nOn Tue, 3 Mar 2026 at 10:00, Shop <help@shop.example> wrote:\r\n> It shipped yesterday.\r\n> Tracking SF123\r\n";
        assert_eq!(trim_quoted(body), "Still not arrived.");
        let wrapped = "Thanks!\nOn Tue, 3 Mar 2026 at 10:00, Shop Support\n<help@shop.example> wrote:\n> hi";
        assert_eq!(trim_quoted(wrapped), "Thanks!");
    }

    #[test]
    fn chinese_clients() {
        let foxmail = "好的，谢谢\n\n-----原始邮件-----\n发件人: 客服 <help@shop.example>\n发送时间: 2026年3月3日\n主题: 订单\n\n已发货";
        assert_eq!(trim_quoted(foxmail), "好的，谢谢");
        let gmail_zh = "收到了\n\n在 2026年3月3日 10:00，客服 <help@shop.example> 写道：\n> 已发货";
        assert_eq!(trim_quoted(gmail_zh), "收到了");
        let outlook = "请尽快处理\n\n________________________________\nFrom: Shop <help@shop.example>\nSent: Tuesday\nSubject: x\n\nold";
        assert_eq!(trim_quoted(outlook), "请尽快处理");
    }

    #[test]
    fn inline_quotes_signatures_and_all_quote() {
        assert_eq!(trim_quoted("> 问题一\n回答一\n> 问题二\n回答二"), "回答一\n回答二");
        assert_eq!(trim_quoted("正文\n\n-- \n张三\n138 0000 0000"), "正文");
        // Nothing of their own: keep it all rather than store an empty message.
        assert_eq!(trim_quoted("> only a quote"), "> only a quote");
        // A line that merely mentions "from:" is not a header block.
        assert_eq!(trim_quoted("from: my phone\nhello"), "from: my phone\nhello");
    }

    proptest! {
        #[test]
        fn never_panics_and_never_grows(s in "\\PC{0,400}") {
            let out = trim_quoted(&s);
            prop_assert!(out.len() <= s.replace("\r\n", "\n").len() + 1);
        }

        #[test]
        fn text_without_markers_is_kept(words in proptest::collection::vec("[a-z0-9 ]{1,20}", 1..8)) {
            let text = words.iter().map(|w| format!("x{w}")).collect::<Vec<_>>().join("\n");
            prop_assert_eq!(trim_quoted(&text), collapse_blank(&text.lines().map(str::trim_end).collect::<Vec<_>>()));
        }
    }
}
