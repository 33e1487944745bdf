//! The embedded catalogues and one Fluent bundle per language, built once.

use crate::{Arg, Lang};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use rust_embed::Embed;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Embed)]
#[folder = "locales/"]
struct Locales;

/// The areas (`<area>.ftl` files) of a language, sorted.
pub fn area_names(lang: Lang) -> Vec<String> {
    let prefix = format!("{}/", lang.tag());
    let mut names: Vec<String> = Locales::iter()
        .filter_map(|path| path.strip_prefix(&prefix).and_then(|p| p.strip_suffix(".ftl")).map(str::to_string))
        .collect();
    names.sort();
    names
}

/// The Fluent source of one area, if the language has it.
pub fn source(lang: Lang, area: &str) -> Option<String> {
    let file = Locales::get(&format!("{}/{area}.ftl", lang.tag()))?;
    String::from_utf8(file.data.into_owned()).ok()
}

fn bundles() -> &'static HashMap<Lang, FluentBundle<FluentResource>> {
    static BUNDLES: OnceLock<HashMap<Lang, FluentBundle<FluentResource>>> = OnceLock::new();
    BUNDLES.get_or_init(|| Lang::ALL.into_iter().map(|lang| (lang, build_bundle(lang))).collect())
}

/// Every area of a language in one bundle. A file that does not parse, or an id defined twice,
/// is logged and skipped message by message: the catalogue tests fail on both, so this only
/// matters for a hand-edited catalogue in a running debug build.
fn build_bundle(lang: Lang) -> FluentBundle<FluentResource> {
    let langid = lang.tag().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![langid]);
    // Isolation marks around placeables would show as stray characters in plain-text channels.
    bundle.set_use_isolating(false);
    for area in area_names(lang) {
        let Some(text) = source(lang, &area) else { continue };
        let resource = FluentResource::try_new(text).unwrap_or_else(|(partial, errors)| {
            tracing::error!(lang = lang.tag(), area, ?errors, "catalogue does not parse");
            partial
        });
        if let Err(errors) = bundle.add_resource(resource) {
            tracing::error!(lang = lang.tag(), area, ?errors, "catalogue has duplicate ids");
        }
    }
    bundle
}

/// Whether a language's catalogue has `key`.
pub fn has_message(lang: Lang, key: &str) -> bool {
    bundles().get(&lang).is_some_and(|b| b.has_message(key))
}

/// The message `key` in `lang` without arguments.
pub fn render(lang: Lang, key: &str) -> String {
    render_args(lang, key, &[])
}

/// The message `key` in `lang`. A key missing in `lang` falls back to zh-CN, then to the key
/// itself, so a gap reads as an id on screen rather than as nothing (the tests forbid gaps).
pub fn render_args(lang: Lang, key: &str, args: &[(Cow<'static, str>, Arg)]) -> String {
    let all = bundles();
    let found = all
        .get(&lang)
        .and_then(|b| b.get_message(key).map(|m| (b, m)))
        .or_else(|| all.get(&Lang::ZhCn).and_then(|b| b.get_message(key).map(|m| (b, m))));
    let Some((bundle, message)) = found else {
        tracing::warn!(lang = lang.tag(), key, "message missing from the catalogue");
        return key.to_string();
    };
    let Some(pattern) = message.value() else { return key.to_string() };
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        let value = match value {
            Arg::Text(s) => FluentValue::from(s.clone()),
            Arg::Number(n) => FluentValue::from(*n),
        };
        fluent_args.set(name.clone(), value);
    }
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
    if !errors.is_empty() {
        tracing::warn!(lang = lang.tag(), key, ?errors, "message rendered with errors");
    }
    text.into_owned()
}
