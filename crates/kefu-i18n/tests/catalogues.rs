//! The catalogue check (issue 21 item 5): every language has every area and every message of
//! the others, with the same placeholders, and every file parses with unique ids.

use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};
use kefu_i18n::{area_names, source, Lang};
use std::collections::{BTreeMap, BTreeSet};

/// Message id → the variables it uses, for one area of one language.
fn messages(lang: Lang, area: &str) -> BTreeMap<String, BTreeSet<String>> {
    let text = source(lang, area).unwrap_or_default();
    let resource = match fluent_syntax::parser::parse(text.as_str()) {
        Ok(r) => r,
        Err((_, errors)) => panic!("{}/{area}.ftl does not parse: {errors:?}", lang.tag()),
    };
    let mut out = BTreeMap::new();
    for entry in &resource.body {
        if let Entry::Message(m) = entry {
            let mut vars = BTreeSet::new();
            if let Some(value) = &m.value {
                variables(value, &mut vars);
            }
            assert!(out.insert(m.id.name.to_string(), vars).is_none(), "{}/{area}.ftl defines {} twice", lang.tag(), m.id.name);
        }
    }
    out
}

fn variables(pattern: &Pattern<&str>, out: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let PatternElement::Placeable { expression } = element {
            expression_variables(expression, out);
        }
    }
}

fn expression_variables(expression: &Expression<&str>, out: &mut BTreeSet<String>) {
    match expression {
        Expression::Inline(inline) => inline_variables(inline, out),
        Expression::Select { selector, variants } => {
            inline_variables(selector, out);
            for v in variants {
                variables(&v.value, out);
            }
        }
    }
}

fn inline_variables(inline: &InlineExpression<&str>, out: &mut BTreeSet<String>) {
    match inline {
        InlineExpression::VariableReference { id } => {
            out.insert(id.name.to_string());
        }
        InlineExpression::Placeable { expression } => expression_variables(expression, out),
        InlineExpression::FunctionReference { arguments, .. } => {
            for a in &arguments.positional {
                inline_variables(a, out);
            }
        }
        _ => {}
    }
}

#[test]
fn every_language_has_the_same_areas() {
    let reference = area_names(Lang::ZhCn);
    assert!(!reference.is_empty(), "no zh-CN catalogue is embedded");
    for lang in Lang::ALL {
        assert_eq!(area_names(lang), reference, "{} has other areas than zh-CN", lang.tag());
    }
}

#[test]
fn every_message_exists_in_every_language_with_the_same_placeholders() {
    let mut problems = Vec::new();
    for area in area_names(Lang::ZhCn) {
        let per_lang: Vec<(Lang, BTreeMap<String, BTreeSet<String>>)> =
            Lang::ALL.into_iter().map(|l| (l, messages(l, &area))).collect();
        let all_ids: BTreeSet<&String> = per_lang.iter().flat_map(|(_, m)| m.keys()).collect();
        for id in all_ids {
            let present: Vec<(Lang, &BTreeSet<String>)> = per_lang.iter().filter_map(|(l, m)| m.get(id).map(|v| (*l, v))).collect();
            for (lang, _) in per_lang.iter().filter(|(_, m)| !m.contains_key(id)) {
                problems.push(format!("{}/{area}.ftl lacks {id}", lang.tag()));
            }
            if let Some((first_lang, first)) = present.first() {
                for (lang, vars) in &present[1..] {
                    if vars != first {
                        problems.push(format!(
                            "{area}.ftl {id}: {} uses {:?}, {} uses {:?}",
                            first_lang.tag(),
                            first,
                            lang.tag(),
                            vars
                        ));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "catalogue problems:\n{}", problems.join("\n"));
}

#[test]
fn ids_are_unique_across_areas_so_one_bundle_holds_a_language() {
    for lang in Lang::ALL {
        let mut seen = BTreeMap::new();
        for area in area_names(lang) {
            for id in messages(lang, &area).into_keys() {
                if let Some(other) = seen.insert(id.clone(), area.clone()) {
                    panic!("{}: {id} is in both {other}.ftl and {area}.ftl", lang.tag());
                }
            }
        }
    }
}

#[test]
fn every_area_reaches_the_browser_without_fluent_syntax() {
    let area = area_names(Lang::ZhCn).into_iter().next().unwrap_or_default();
    let json = kefu_i18n::browser::area_json(Lang::En, &area).expect("an area as JSON");
    let table: BTreeMap<String, String> = serde_json::from_slice(&json).expect("JSON object");
    assert!(!table.is_empty());
    assert!(table.values().all(|v| !v.contains('$')), "a `{{ $x }}` placeable leaked into the browser JSON");
    assert!(kefu_i18n::browser::area_json(Lang::En, "no-such-area").is_none());
}

#[test]
fn a_message_renders_its_arguments_in_each_language_and_in_the_browser_form() {
    let message = kefu_i18n::Message::new("handover-now_with").arg("name", "小帅");
    assert_eq!(message.render(Lang::ZhCn), "此会话已由 小帅 接待，您无法再回复");
    assert!(message.render(Lang::En).contains("小帅"));
    let json = kefu_i18n::browser::area_json(Lang::ZhCn, "handover").expect("the handover area");
    let table: BTreeMap<String, String> = serde_json::from_slice(&json).expect("a JSON object");
    assert_eq!(table["handover-now_with"], "此会话已由 {name} 接待，您无法再回复");
    assert_eq!(kefu_i18n::render(Lang::En, "no-such-message"), "no-such-message");
}
