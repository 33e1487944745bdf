//! Answer templates with live data: `当前剩余{stock}件`. A template renders only when every
//! placeholder has a value; otherwise the caller says the fallback text, so a customer never
//! sees a raw `{placeholder}`.

use std::collections::BTreeMap;

/// Values for placeholders, by name (`stock`, `price`, `product`, `live.viewers`, a slot name …).
pub type Vars = BTreeMap<String, String>;

/// The placeholder names in a template, in order; an error for `{` without `}` or `{}`.
pub fn placeholders(template: &str) -> Result<Vec<&str>, ()> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or(())?;
        let name = after[..close].trim();
        if name.is_empty() || name.contains('{') {
            return Err(());
        }
        out.push(name);
        rest = &after[close + 1..];
    }
    Ok(out)
}

/// The template with every placeholder filled, or None when one has no value (or the
/// template is malformed).
pub fn render(template: &str, vars: &Vars) -> Option<String> {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}')?;
        out.push_str(vars.get(after[..close].trim())?);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// The template rendered, else the fallback rendered, else None (the caller then says
/// something generic).
pub fn render_or(template: &str, fallback: Option<&str>, vars: &Vars) -> Option<String> {
    render(template, vars).or_else(|| fallback.and_then(|f| render(f, vars)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vars {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn fills_every_placeholder() {
        let v = vars(&[("stock", "12"), ("product", "连衣裙")]);
        assert_eq!(render("{product}当前剩余{stock}件", &v).as_deref(), Some("连衣裙当前剩余12件"));
        assert_eq!(render("没有占位符", &v).as_deref(), Some("没有占位符"));
    }

    #[test]
    fn a_missing_value_never_shows_a_raw_placeholder() {
        let v = vars(&[("product", "连衣裙")]);
        assert_eq!(render("当前剩余{stock}件", &v), None);
        assert_eq!(render_or("当前剩余{stock}件", Some("库存以下单页为准"), &v).as_deref(), Some("库存以下单页为准"));
        assert_eq!(render_or("当前剩余{stock}件", Some("{missing}"), &v), None);
    }

    #[test]
    fn malformed_templates() {
        assert!(placeholders("剩余{stock件").is_err());
        assert!(placeholders("剩余{}件").is_err());
        assert_eq!(placeholders("{a}和{ b }").unwrap(), vec!["a", "b"]);
        assert_eq!(render("剩余{stock件", &vars(&[("stock", "1")])), None);
    }
}
