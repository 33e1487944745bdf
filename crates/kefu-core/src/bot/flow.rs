//! Multi-turn flows as data: a flow (e.g. 库存查询) needs slots (product, size, colour); the
//! bot asks only for what is missing, fills slots from any message, and lets the customer
//! change one by saying a new value.

use super::translations::PerLanguage;
use crate::routing::ConfigProblem;
use kefu_nlp::entities::{Entity, EntityKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One flow.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct Flow {
    /// Id, e.g. `stock`.
    pub id: String,
    /// Shown name, e.g. 库存查询 (used in "您刚才咨询的库存查询问题").
    pub name: String,
    /// Sentences that start the flow (the bot learns them like FAQ questions).
    pub examples: Vec<String>,
    /// Words that start the flow when present (e.g. 有货, 库存).
    pub keywords: Vec<String>,
    /// What the flow needs, asked in this order.
    pub slots: Vec<Slot>,
    /// The answer once every slot is filled; placeholders are slot names and live data
    /// (`{product}`, `{size}`, `{stock}`, `{price}`, `{live.remaining}` …).
    pub answer: String,
    /// Said when the answer's data is missing.
    pub answer_fallback: Option<String>,
    /// Hand over to a person when done (e.g. a flow that collects a complaint).
    pub transfer_to_human: bool,
    /// The flow's name and answers in other languages (`zh`, `en`); a language without one
    /// reads the flow as written. Each slot carries its own prompt's translations.
    #[serde(skip_serializing_if = "PerLanguage::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = FlowTranslations))]
    pub translations: PerLanguage<FlowTranslation>,
}

/// A flow in another language: what a customer writing in it reads.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct FlowTranslation {
    /// The flow's name in this language (up to 32 characters; the flow's own when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The answer in this language (not blank; placeholders as in `answer`).
    #[cfg_attr(feature = "openapi", schema(required = true, pattern = r"\S", max_length = 2000))]
    pub answer: String,
    /// Said instead of `answer` when its data is missing.
    pub answer_fallback: Option<String>,
}

/// A slot's prompt in another language.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct SlotTranslation {
    /// The question that asks for the slot in this language (not blank).
    #[cfg_attr(feature = "openapi", schema(required = true, pattern = r"\S", max_length = 500))]
    pub prompt: String,
}

/// How `PerLanguage<FlowTranslation>` reads in the API document.
#[cfg(feature = "openapi")]
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub(super) struct FlowTranslations {
    /// Chinese.
    zh: Option<FlowTranslation>,
    /// English.
    en: Option<FlowTranslation>,
}

/// How `PerLanguage<SlotTranslation>` reads in the API document.
#[cfg(feature = "openapi")]
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub(super) struct SlotTranslations {
    /// Chinese.
    zh: Option<SlotTranslation>,
    /// English.
    en: Option<SlotTranslation>,
}

/// One slot of a flow.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct Slot {
    /// Name, used as the placeholder (`size`).
    pub name: String,
    /// What fills it: `product`, `size`, `colour`, `quantity`, `order_id`, `phone`, `date`,
    /// `money`, `address`, or `choice` (one of `values`).
    pub kind: String,
    /// The question that asks for it.
    pub prompt: String,
    /// Allowed values for a `choice` slot; for other kinds, the values offered as quick
    /// replies (optional: a prompt ending in "（S/M/L/XL）" offers those).
    pub values: Vec<String>,
    /// The prompt in other languages (`zh`, `en`).
    #[serde(skip_serializing_if = "PerLanguage::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = SlotTranslations))]
    pub translations: PerLanguage<SlotTranslation>,
}

impl Slot {
    /// The prompt for a customer writing in `language`: its translation, else as written.
    pub fn prompt_in(&self, language: &str) -> &str {
        self.translations.get(language).map_or(self.prompt.as_str(), |t| t.prompt.as_str())
    }
}

impl Slot {
    /// The options offered with the prompt: `values`, else the list in the prompt's closing
    /// brackets ("请问您要什么尺码？（S/M/L/XL）" → S, M, L, XL).
    pub fn options(&self) -> Vec<String> {
        if !self.values.is_empty() {
            return self.values.clone();
        }
        let prompt = self.prompt.trim_end();
        let Some(body) = prompt.strip_suffix('）').or_else(|| prompt.strip_suffix(')')) else { return Vec::new() };
        let Some(open) = body.rfind(['（', '(']) else { return Vec::new() };
        let inner = &body[open + body[open..].chars().next().map_or(1, char::len_utf8)..];
        // "（例如：A、B）" offers A and B.
        let inner = inner.rsplit(['：', ':']).next().unwrap_or(inner);
        let parts: Vec<String> = inner.split(['/', '、', '|', '，', ',']).map(str::trim).filter(|p| !p.is_empty()).map(str::to_string).collect();
        // One word in brackets is a remark ("（必填）"), not a list.
        if parts.len() < 2 || parts.iter().any(|p| p.chars().count() > 12) {
            return Vec::new();
        }
        parts
    }
}

const KINDS: &[&str] = &["product", "size", "colour", "quantity", "order_id", "phone", "date", "money", "address", "choice"];

impl Flow {
    /// Problems, with paths relative to the flow.
    pub fn problems(&self) -> Vec<ConfigProblem> {
        use super::kb::problem;
        let mut out = Vec::new();
        if !super::valid_id(&self.id) {
            out.push(problem("id".into(), "must be 1-64 characters of letters, digits, - or _"));
        }
        if self.name.trim().is_empty() || self.name.chars().count() > 32 {
            out.push(problem("name".into(), "must be 1-32 characters"));
        }
        if self.examples.is_empty() && self.keywords.is_empty() {
            out.push(problem("examples".into(), "a flow needs examples or keywords to start"));
        }
        if self.slots.is_empty() || self.slots.len() > 10 {
            out.push(problem("slots".into(), "must have 1-10 slots"));
        }
        for (i, s) in self.slots.iter().enumerate() {
            if !super::valid_id(&s.name) || self.slots[..i].iter().any(|o| o.name == s.name) {
                out.push(problem(format!("slots[{i}].name"), "must be a unique id"));
            }
            if !KINDS.contains(&s.kind.as_str()) {
                out.push(problem(format!("slots[{i}].kind"), "must be one of product, size, colour, quantity, order_id, phone, date, money, address, choice"));
            }
            if s.kind == "choice" && s.values.is_empty() {
                out.push(problem(format!("slots[{i}].values"), "a choice slot needs values"));
            }
            if s.prompt.trim().is_empty() {
                out.push(problem(format!("slots[{i}].prompt"), "must not be empty"));
            }
        }
        if self.answer.trim().is_empty() || super::template::placeholders(&self.answer).is_err() {
            out.push(problem("answer".into(), "must be a non-empty template with well-formed {placeholders}"));
        }
        out.extend(self.translation_problems());
        out
    }

    /// Problems of the flow's and its slots' translations.
    fn translation_problems(&self) -> Vec<ConfigProblem> {
        use super::kb::problem;
        let mut out = Vec::new();
        let template_ok = |t: &str| !t.trim().is_empty() && super::template::placeholders(t).is_ok();
        for (language, t) in self.translations.iter() {
            if t.name.as_ref().is_some_and(|n| n.trim().is_empty() || n.chars().count() > 32) {
                out.push(problem(format!("translations.{language}.name"), "must be 1-32 characters"));
            }
            if !template_ok(&t.answer) {
                out.push(problem(format!("translations.{language}.answer"), "must be a non-empty template with well-formed {placeholders}"));
            }
            if t.answer_fallback.as_deref().is_some_and(|f| !template_ok(f)) {
                out.push(problem(format!("translations.{language}.answer_fallback"), "must be a non-empty template with well-formed {placeholders}"));
            }
        }
        for (i, s) in self.slots.iter().enumerate() {
            for (language, t) in s.translations.iter() {
                if t.prompt.trim().is_empty() {
                    out.push(problem(format!("slots[{i}].translations.{language}.prompt"), "must not be empty"));
                }
            }
        }
        out
    }

    /// The flow's name for a customer writing in `language`.
    pub fn name_in(&self, language: &str) -> &str {
        self.translations.get(language).and_then(|t| t.name.as_deref()).unwrap_or(&self.name)
    }

    /// The answer and its fallback for a customer writing in `language`.
    pub fn answer_in(&self, language: &str) -> (&str, Option<&str>) {
        match self.translations.get(language) {
            Some(t) => (&t.answer, t.answer_fallback.as_deref()),
            None => (&self.answer, self.answer_fallback.as_deref()),
        }
    }

    /// The first slot still empty.
    pub fn missing<'a>(&'a self, run: &FlowRun) -> Option<&'a Slot> {
        self.slots.iter().find(|s| !run.slots.contains_key(&s.name))
    }
}

/// A flow in progress in one conversation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FlowRun {
    /// The flow's id.
    pub flow: String,
    /// Filled slots.
    pub slots: BTreeMap<String, String>,
    /// The slot last asked for.
    pub asking: Option<String>,
}

/// What one message did to a run's slots.
#[derive(Debug, Default, PartialEq)]
pub struct Filled {
    /// Slots filled for the first time.
    pub new: Vec<String>,
    /// Slots the customer changed.
    pub changed: Vec<String>,
}

impl Filled {
    /// The message touched a slot.
    pub fn any(&self) -> bool {
        !self.new.is_empty() || !self.changed.is_empty()
    }
}

fn entity_kind(kind: &str) -> Option<EntityKind> {
    Some(match kind {
        "product" => EntityKind::Product,
        "size" => EntityKind::Size,
        "colour" => EntityKind::Colour,
        "quantity" => EntityKind::Quantity,
        "order_id" => EntityKind::OrderId,
        "phone" => EntityKind::Phone,
        "date" => EntityKind::Date,
        "money" => EntityKind::Money,
        "address" => EntityKind::Address,
        _ => return None,
    })
}

/// The value a message gives for a slot, if any.
pub fn value_for(slot: &Slot, normalised: &str, entities: &[Entity]) -> Option<String> {
    if slot.kind == "choice" {
        return slot.values.iter().filter(|v| normalised.contains(&kefu_nlp::normalise::normalise(v))).max_by_key(|v| v.len()).cloned();
    }
    let kind = entity_kind(&slot.kind)?;
    entities.iter().find(|e| e.kind == kind).map(|e| if kind == EntityKind::Product { e.text.clone() } else { e.value.clone() })
}

/// Filler customers put around a bare choice ("要L的", "黑色吧", "就2").
const AROUND: &[&str] = &["我要", "要", "选", "就", "来个", "的吧", "的", "吧", "呀", "啊", "哦", "就行", "好了", "码", "号", "please"];

/// A bare reply to the slot being asked for that names one of its options: the option itself
/// ("L", "黑色", "“大号”", "L码"), or its number in the list ("2") when no option is a number.
pub fn bare_option(slot: &Slot, normalised: &str) -> Option<String> {
    let options = slot.options();
    let strip = |s: &str| -> String {
        let mut t = s.trim_matches(|c: char| !c.is_alphanumeric()).to_string();
        loop {
            let before = t.len();
            for w in AROUND {
                if let Some(r) = t.strip_prefix(w).filter(|r| !r.is_empty()) {
                    t = r.to_string();
                }
                if let Some(r) = t.strip_suffix(w).filter(|r| !r.is_empty()) {
                    t = r.to_string();
                }
            }
            t = t.trim_matches(|c: char| !c.is_alphanumeric()).to_string();
            if t.len() == before {
                return t;
            }
        }
    };
    let said = normalised.trim().trim_matches(|c: char| !c.is_alphanumeric());
    let core = strip(said);
    let norm = |o: &str| kefu_nlp::normalise::normalise(o);
    if let Some(o) = options.iter().find(|o| norm(o) == said || norm(o) == core || strip(&norm(o)) == core) {
        return Some(o.clone());
    }
    let n: usize = core.parse().ok()?;
    let numbered = options.iter().any(|o| o.trim().parse::<f64>().is_ok());
    (!numbered && (1..=options.len()).contains(&n)).then(|| options[n - 1].clone())
}

/// Fill the run's slots from one message; a slot already filled with another value is a
/// correction ("不对，要L码"). The slot being asked for also takes a bare option ("L", "2").
pub fn fill(flow: &Flow, run: &mut FlowRun, normalised: &str, entities: &[Entity]) -> Filled {
    let mut out = Filled::default();
    for slot in &flow.slots {
        let asked = run.asking.as_deref() == Some(slot.name.as_str());
        let value = value_for(slot, normalised, entities).or_else(|| asked.then(|| bare_option(slot, normalised)).flatten());
        let Some(value) = value else { continue };
        match run.slots.insert(slot.name.clone(), value.clone()) {
            None => out.new.push(slot.name.clone()),
            Some(old) if old != value => out.changed.push(slot.name.clone()),
            Some(_) => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stock_flow() -> Flow {
        let slot = |name: &str, kind: &str, values: &[&str]| Slot {
            name: name.into(),
            kind: kind.into(),
            prompt: format!("请问{name}？"),
            values: values.iter().map(|v| v.to_string()).collect(),
            ..Slot::default()
        };
        Flow {
            id: "stock".into(),
            name: "库存查询".into(),
            keywords: vec!["有货".into()],
            slots: vec![slot("product", "choice", &["连衣裙", "卫衣"]), slot("size", "size", &[]), slot("colour", "colour", &[])],
            answer: "{product}{colour}{size}当前剩余{stock}件".into(),
            ..Flow::default()
        }
    }

    fn turn(flow: &Flow, run: &mut FlowRun, text: &str) -> Filled {
        let n = kefu_nlp::normalise::normalise(text);
        let entities = kefu_nlp::entities::extract(&n, None);
        fill(flow, run, &n, &entities)
    }

    #[test]
    fn fills_out_of_order_and_corrects() {
        let flow = stock_flow();
        assert!(flow.problems().is_empty(), "{:?}", flow.problems());
        let mut run = FlowRun { flow: "stock".into(), ..FlowRun::default() };
        let f = turn(&flow, &mut run, "红色的XL有货吗");
        assert_eq!(f.new, vec!["size".to_string(), "colour".to_string()]);
        assert_eq!(flow.missing(&run).map(|s| s.name.as_str()), Some("product"));
        turn(&flow, &mut run, "连衣裙");
        assert_eq!(flow.missing(&run), None);
        let f = turn(&flow, &mut run, "不对，要黑色的");
        assert_eq!(f.changed, vec!["colour".to_string()]);
        assert_eq!(run.slots["colour"], "黑色");
    }

    #[test]
    fn a_flow_speaks_each_language_it_is_translated_into() {
        let mut flow = stock_flow();
        flow.slots[1].translations.insert("en", SlotTranslation { prompt: "Which size would you like?".into() });
        flow.translations.insert("en", FlowTranslation { name: Some("Stock".into()), answer: "{stock} left of {product}".into(), answer_fallback: None });
        assert!(flow.problems().is_empty(), "{:?}", flow.problems());
        assert_eq!((flow.slots[1].prompt_in("en"), flow.slots[1].prompt_in("zh")), ("Which size would you like?", "请问size？"));
        assert_eq!(flow.slots[0].prompt_in("en"), "请问product？", "an untranslated prompt reads as written");
        assert_eq!((flow.name_in("en"), flow.name_in("zh")), ("Stock", "库存查询"));
        assert_eq!(flow.answer_in("en"), ("{stock} left of {product}", None));
        assert_eq!(flow.answer_in("zh").0, "{product}{colour}{size}当前剩余{stock}件");
        flow.translations.insert("en", FlowTranslation { name: Some(" ".into()), answer: "{stock".into(), answer_fallback: Some(" ".into()) });
        flow.slots[0].translations.insert("en", SlotTranslation { prompt: "".into() });
        let paths: Vec<String> = flow.problems().into_iter().map(|p| p.path).collect();
        for p in ["translations.en.name", "translations.en.answer", "translations.en.answer_fallback", "slots[0].translations.en.prompt"] {
            assert!(paths.contains(&p.to_string()), "{p} in {paths:?}");
        }
    }

    #[test]
    fn a_bare_option_fills_the_slot_asked_for() {
        let mut flow = stock_flow();
        flow.slots[1].prompt = "请问您要什么尺码？（S/M/L/XL）".into();
        flow.slots[2].values = vec!["黑色".into(), "白色".into(), "大号".into()];
        assert_eq!(flow.slots[1].options(), ["S", "M", "L", "XL"]);
        assert!(Slot { prompt: "请留下手机号（必填）".into(), ..Slot::default() }.options().is_empty());
        assert_eq!(Slot { prompt: "哪款呢？（例如：碎花连衣裙、加绒卫衣）".into(), ..Slot::default() }.options(), ["碎花连衣裙", "加绒卫衣"]);
        let mut run = FlowRun { flow: "stock".into(), asking: Some("size".into()), ..FlowRun::default() };
        run.slots.insert("product".into(), "卫衣".into());
        // Not asked for: a bare "L" means nothing.
        let mut other = FlowRun { asking: Some("colour".into()), ..run.clone() };
        assert!(!turn(&flow, &mut other, "L").any());
        assert_eq!(turn(&flow, &mut run, "L").new, ["size"]);
        assert_eq!(run.slots["size"], "L");
        for (said, want) in [("2", "M"), ("xl", "XL"), ("要S的", "S"), ("5", "")] {
            let mut r = FlowRun { asking: Some("size".into()), ..FlowRun::default() };
            turn(&flow, &mut r, said);
            assert_eq!(r.slots.get("size").map_or("", String::as_str), want, "{said}");
        }
        for (said, want) in [("“大号”", "大号"), ("2", "白色"), ("黑色吧", "黑色")] {
            let mut r = FlowRun { asking: Some("colour".into()), ..FlowRun::default() };
            turn(&flow, &mut r, said);
            assert_eq!(r.slots.get("colour").map_or("", String::as_str), want, "{said}");
        }
    }

    #[test]
    fn a_flow_without_slots_or_triggers_is_refused() {
        let paths: Vec<String> = Flow { id: "x".into(), name: "x".into(), answer: "好".into(), ..Flow::default() }.problems().into_iter().map(|p| p.path).collect();
        assert!(paths.contains(&"examples".to_string()) && paths.contains(&"slots".to_string()), "{paths:?}");
    }
}
