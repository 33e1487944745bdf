//! One area of a catalogue as the browser's `t(key, args)` reads it: a JSON object of message
//! id → text with `{name}` placeholders. Fluent stays the one source; a selector (plural forms)
//! shows its default variant in the browser, so browser areas keep to plain messages.

use crate::Lang;
use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, OnceLock};

/// The area's messages as JSON bytes, `None` when no language has the area. Ids missing in
/// `lang` are filled from zh-CN (the catalogue tests keep that from happening).
pub fn area_json(lang: Lang, area: &str) -> Option<Vec<u8>> {
    static CACHE: OnceLock<Mutex<HashMap<(Lang, String), Vec<u8>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(hit) = cache.lock().ok().and_then(|c| c.get(&(lang, area.to_string())).cloned()) {
        return Some(hit);
    }
    let mut table = area_messages(Lang::ZhCn, area).unwrap_or_default();
    let own = area_messages(lang, area);
    if own.is_none() && table.is_empty() {
        return None;
    }
    table.extend(own.unwrap_or_default());
    let bytes = serde_json::to_vec(&table).ok()?;
    if let Ok(mut c) = cache.lock() {
        c.insert((lang, area.to_string()), bytes.clone());
    }
    Some(bytes)
}

/// Message id → browser text of one area of one language.
pub fn area_messages(lang: Lang, area: &str) -> Option<BTreeMap<String, String>> {
    let source = crate::source(lang, area)?;
    let resource = match fluent_syntax::parser::parse(source.as_str()) {
        Ok(r) => r,
        Err((partial, _errors)) => partial,
    };
    let terms: HashMap<&str, &Pattern<&str>> = resource
        .body
        .iter()
        .filter_map(|e| match e {
            Entry::Term(t) => Some((t.id.name, &t.value)),
            _ => None,
        })
        .collect();
    let messages: HashMap<&str, &Pattern<&str>> = resource
        .body
        .iter()
        .filter_map(|e| match e {
            Entry::Message(m) => m.value.as_ref().map(|v| (m.id.name, v)),
            _ => None,
        })
        .collect();
    let refs = References { terms: &terms, messages: &messages };
    Some(messages.iter().map(|(id, pattern)| (id.to_string(), refs.flatten(pattern, 0))).collect())
}

/// Terms and messages of one file, for inlining `{ -brand }` and `{ other-message }`.
struct References<'a, 's> {
    terms: &'a HashMap<&'s str, &'a Pattern<&'s str>>,
    messages: &'a HashMap<&'s str, &'a Pattern<&'s str>>,
}

impl References<'_, '_> {
    fn flatten(&self, pattern: &Pattern<&str>, depth: u8) -> String {
        let mut out = String::new();
        for element in &pattern.elements {
            match element {
                PatternElement::TextElement { value } => out.push_str(value),
                PatternElement::Placeable { expression } => out.push_str(&self.expression(expression, depth)),
            }
        }
        out
    }

    fn expression(&self, expression: &Expression<&str>, depth: u8) -> String {
        match expression {
            Expression::Inline(inline) => self.inline(inline, depth),
            Expression::Select { variants, .. } => variants
                .iter()
                .find(|v| v.default)
                .map(|v| self.flatten(&v.value, depth))
                .unwrap_or_default(),
        }
    }

    fn inline(&self, inline: &InlineExpression<&str>, depth: u8) -> String {
        // References nest at most a few levels in practice; the cap stops a cycle.
        if depth > 8 {
            return String::new();
        }
        match inline {
            InlineExpression::VariableReference { id } => format!("{{{}}}", id.name),
            InlineExpression::StringLiteral { value } => value.to_string(),
            InlineExpression::NumberLiteral { value } => value.to_string(),
            InlineExpression::TermReference { id, .. } => {
                self.terms.get(id.name).map(|p| self.flatten(p, depth + 1)).unwrap_or_default()
            }
            InlineExpression::MessageReference { id, .. } => {
                self.messages.get(id.name).map(|p| self.flatten(p, depth + 1)).unwrap_or_default()
            }
            InlineExpression::Placeable { expression } => self.expression(expression, depth + 1),
            InlineExpression::FunctionReference { arguments, .. } => arguments
                .positional
                .first()
                .map(|a| self.inline(a, depth + 1))
                .unwrap_or_default(),
        }
    }
}
