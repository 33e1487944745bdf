//! One bot turn as a pure function: given the shop's brain, the conversation's dialogue state
//! and the analysed message, decide what to say, what to record and whether to hand over.

use super::brain::Brain;
use super::flow::{self, FlowRun};
use super::handoff::HandoffReason;
use super::template::Vars;
use crate::clock::Millis;
use crate::event::EventKind;
use kefu_nlp::engine::Analysis;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How much history the state keeps per list (the context card shows these).
const KEEP: usize = 20;

/// What the bot remembers about one conversation (stored sealed, per conversation).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DialogueState {
    /// Unrecognised messages in a row.
    pub unknown_streak: u32,
    /// The flow in progress.
    pub flow: Option<FlowRun>,
    /// A flow left for another topic, offered back.
    pub paused: Option<FlowRun>,
    /// FAQs last offered as suggestions (a reply "1"-"3" picks one).
    pub suggestions: Vec<String>,
    /// FAQ or flow ids the customer asked about, oldest first.
    pub intents: Vec<String>,
    /// Sentiment score of each customer message, oldest first.
    pub sentiments: Vec<f32>,
    /// Latest value of each entity kind seen in any message (fills flow slots later).
    pub seen: BTreeMap<String, String>,
    /// Slots of flows already finished, by slot name (the card shows them after the flow).
    pub finished: BTreeMap<String, String>,
    /// Why the bot handed over, once it did.
    pub handed_off: Option<String>,
    /// Bot answers by message id → FAQ, for thumbs up/down (latest last).
    pub answers: Vec<(String, String)>,
    /// Experiments this conversation was exposed to → the variant's name.
    pub variants: BTreeMap<String, String>,
    /// The unknown-streak threshold a hand-off experiment gave this customer.
    pub streak_limit: Option<u32>,
    /// The language the bot answers in (`zh`, `en`): the customer's latest one that the shop
    /// answers in; none until then (the shop's own).
    pub language: Option<String>,
    /// The language kefu's own lines to this customer use when the bot has none (a tag,
    /// `zh-CN` or `en`): the widget's browser language, else the first message's; noted when
    /// the conversation starts (`inbox/language.rs`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_language: Option<String>,
}

impl DialogueState {
    /// The language to speak in to this customer.
    pub fn speaking<'a>(&'a self, brain: &'a Brain) -> &'a str {
        self.language.as_deref().unwrap_or(brain.kb.home_language())
    }
}

/// A message with its analysis (run with the shop's models).
pub struct Turn<'a> {
    /// As written.
    pub text: &'a str,
    /// Normalised.
    pub normalised: &'a str,
    /// kefu-nlp's reading.
    pub analysis: &'a Analysis,
    /// When.
    pub now: Millis,
    /// The customer (A/B assignment).
    pub customer: &'a str,
}

/// One thing the bot says; rendered with live data by the caller.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reply {
    /// Template (plain text has no placeholders).
    pub template: String,
    /// Said when the template lacks data.
    pub fallback: Option<String>,
    /// Values known now (flow slots).
    pub vars: Vars,
    /// The product it is about (SKU), when one is.
    pub sku: Option<String>,
    /// The FAQ it answers, for feedback and extras (image, card, link, coupon).
    pub faq_id: Option<String>,
    /// Options offered as quick replies (the values of the flow slot asked for).
    pub options: Vec<String>,
}

impl Reply {
    fn text(s: impl Into<String>) -> Reply {
        Reply { template: s.into(), ..Reply::default() }
    }
}

/// What one turn decided.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Said in order.
    pub replies: Vec<Reply>,
    /// Appended to the event log.
    pub events: Vec<EventKind>,
    /// Hand over to a person (after the replies).
    pub handoff: Option<HandoffReason>,
}

fn push_capped<T>(list: &mut Vec<T>, item: T) {
    list.push(item);
    if list.len() > KEEP {
        list.remove(0);
    }
}

const CONTINUE_WORDS: &[&str] = &["继续", "好的", "好", "是的", "是", "嗯", "要", "可以", "yes", "ok", "continue"];

/// One bot turn for a conversation the bot holds.
pub fn respond(brain: &Brain, state: &mut DialogueState, turn: &Turn) -> Outcome {
    let a = turn.analysis;
    push_capped(&mut state.sentiments, a.sentiment_score);
    follow_language(brain, state, a);
    for e in &a.entities {
        state.seen.insert(kind_name(e), if matches!(e.kind, kefu_nlp::entities::EntityKind::Product) { e.text.clone() } else { e.value.clone() });
    }
    let mut out = Outcome::default();
    for e in brain.kb.experiments.iter().filter(|e| e.enabled && e.target == "handoff") {
        let v = &e.variants[e.assign(turn.customer)];
        state.streak_limit = v.unknown_streak;
        expose(state, &e.id, &v.name, &mut out);
    }
    if let Some(reason) = brain.kb.handoff.on_message(a.wants_human, a.strong_emotion) {
        out.handoff = Some(reason);
        return out;
    }
    if let Some(faq) = picked_suggestion(brain, state, turn.normalised) {
        answer_faq(brain, state, turn.customer, &faq, &mut out);
        return out;
    }
    state.suggestions.clear();
    if let Some(run) = state.flow.take() {
        continue_flow(brain, state, run, turn, &mut out);
        return out;
    }
    if let Some(run) = state.paused.take() {
        let f = brain.kb.flows.iter().find(|f| f.id == run.flow);
        let touches = f.is_some_and(|f| f.slots.iter().any(|s| flow::value_for(s, turn.normalised, &a.entities).is_some()));
        if touches || CONTINUE_WORDS.contains(&turn.normalised.trim()) {
            out.events.push(EventKind::BotFlowStep { flow: run.flow.clone(), step: "resumed".into() });
            continue_flow(brain, state, run, turn, &mut out);
            return out;
        }
        state.paused = Some(run);
    }
    new_topic(brain, state, turn, &mut out);
    out
}

/// Speak the language of the customer's message when the shop answers in it; a message with
/// no language of its own ("1", "XL") keeps the one in use.
fn follow_language(brain: &Brain, state: &mut DialogueState, a: &Analysis) {
    let written = serde_json::to_value(a.language).ok().and_then(|v| v.as_str().map(str::to_string));
    if let Some(language) = written.filter(|l| brain.speaks(l)) {
        state.language = Some(language);
    }
}

/// Answer a new question: a flow, an FAQ, suggestions, or "I don't know".
fn new_topic(brain: &Brain, state: &mut DialogueState, turn: &Turn, out: &mut Outcome) {
    let a = turn.analysis;
    let language = serde_json::to_value(a.language).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    let hits: Vec<_> = a.faq.as_ref().map(|f| brain.live_hits(&f.suggestions, &language, turn.now).cloned().collect()).unwrap_or_default();
    // The index decides whether its best FAQ answers (fused score, margin and a shared content
    // word); an FAQ that is not live or not in the customer's language leaves it to suggestions.
    let decided = a.faq.as_ref().and_then(|f| f.faq_id.as_deref());
    let best = hits.first().filter(|h| Some(h.faq_id.as_str()) == decided);
    if let Some((i, score)) = brain.flow_for(turn.normalised, turn.text) {
        if best.is_none_or(|b| score >= b.score) {
            let f = &brain.kb.flows[i];
            push_capped(&mut state.intents, f.id.clone());
            out.events.push(EventKind::BotFlowStep { flow: f.id.clone(), step: "started".into() });
            let mut run = FlowRun { flow: f.id.clone(), ..FlowRun::default() };
            // Slots can come from what the customer said earlier in the conversation.
            let mut earlier = Vec::new();
            for s in &f.slots {
                if let Some(v) = state.seen.get(&s.kind) {
                    run.slots.insert(s.name.clone(), v.clone());
                    earlier.push(s.name.clone());
                }
            }
            let mut filled = flow::fill(f, &mut run, turn.normalised, &a.entities);
            for name in earlier {
                if !filled.new.contains(&name) && !filled.changed.contains(&name) {
                    filled.new.push(name);
                }
            }
            advance_flow(brain, state, run, &filled, out);
            return;
        }
    }
    if let Some(reply) = product_fact(brain, state, turn.normalised) {
        state.unknown_streak = 0;
        out.replies.push(reply);
        return;
    }
    if let Some(hit) = best {
        answer_faq(brain, state, turn.customer, &hit.faq_id, out);
        return;
    }
    // Suggestions only when plausibly on topic: a shared content word (not 是什么) and a score
    // well above the shop's other FAQs.
    let suggest_lift = brain.models.faq.as_ref().map_or(f32::MAX, |f| f.config.fusion.suggest_lift);
    let offered: Vec<String> = hits.iter().filter(|h| h.on_topic && h.lift >= suggest_lift).take(3).map(|h| h.faq_id.clone()).collect();
    if !offered.is_empty() {
        // Suggestions are not an answer: they count as not understood until one is picked
        // (picking resets the streak), so ignored suggestions still lead to a person.
        state.unknown_streak += 1;
        out.handoff = streak_handoff(brain, state);
        if out.handoff.is_some() {
            return;
        }
        let speaking = state.speaking(brain);
        let mut text = brain.kb.phrases_in(speaking).suggest.clone();
        for (n, id) in offered.iter().enumerate() {
            let q = brain.kb.faq(id).map_or("", |f| f.question_in(speaking));
            text.push_str(&format!("\n{}. {q}", n + 1));
        }
        out.replies.push(Reply::text(text));
        out.events.push(EventKind::BotSuggested { faq_ids: offered.clone() });
        state.suggestions = offered;
        return;
    }
    state.unknown_streak += 1;
    out.events.push(EventKind::BotUnknown);
    out.handoff = streak_handoff(brain, state);
    if out.handoff.is_none() {
        out.replies.push(Reply::text(brain.kb.phrases_in(state.speaking(brain)).fallback.clone()));
    }
}

/// A question about a product the conversation is about (named now or earlier): answered from
/// its attributes when rendered, else the fallback says so and offers a person.
fn product_fact(brain: &Brain, state: &DialogueState, normalised: &str) -> Option<Reply> {
    let topic = super::facts::topic_of(normalised)?;
    let sku = state.seen.get("product").and_then(|name| brain.skus.get(&kefu_nlp::normalise::normalise(name)))?;
    let (template, fallback) = topic.templates();
    Some(Reply { template, fallback: Some(fallback), sku: Some(sku.clone()), ..Reply::default() })
}

/// A reply "1"-"3" or a suggestion's own question picks that suggestion.
fn picked_suggestion(brain: &Brain, state: &DialogueState, normalised: &str) -> Option<String> {
    if state.suggestions.is_empty() {
        return None;
    }
    let t = normalised.trim().trim_end_matches(['.', '。']);
    if let Ok(n) = t.parse::<usize>() {
        return state.suggestions.get(n.wrapping_sub(1)).cloned();
    }
    state.suggestions.iter().find(|id| brain.kb.faq(id).is_some_and(|f| kefu_nlp::normalise::normalise(f.question_in(state.speaking(brain))) == t)).cloned()
}

fn answer_faq(brain: &Brain, state: &mut DialogueState, customer: &str, faq_id: &str, out: &mut Outcome) {
    let Some(faq) = brain.kb.faq(faq_id) else { return };
    state.unknown_streak = 0;
    state.suggestions.clear();
    push_capped(&mut state.intents, faq.id.clone());
    let speaking = state.speaking(brain).to_string();
    let (answer, fallback) = faq.answer_in(&speaking);
    let mut template = answer.to_string();
    let mut variant = None;
    let target = format!("faq:{}", faq.id);
    // Experiment variants are written in the FAQ's own language only.
    if let Some(e) = brain.kb.experiments.iter().find(|e| e.enabled && e.target == target && faq.language == speaking) {
        let v = &e.variants[e.assign(customer)];
        template = v.answer.clone().unwrap_or(template);
        variant = Some(v.name.clone());
        expose(state, &e.id, &v.name, out);
    }
    out.replies.push(Reply { template, fallback: fallback.map(str::to_string), vars: Vars::new(), sku: faq.product_sku.clone(), faq_id: Some(faq.id.clone()), options: Vec::new() });
    out.events.push(EventKind::BotAnswered { faq_id: faq.id.clone(), variant });
    out.handoff = brain.kb.handoff.after_answer(0, faq.transfer_to_human);
}

/// Record a conversation's exposure to an experiment once.
fn expose(state: &mut DialogueState, experiment: &str, variant: &str, out: &mut Outcome) {
    if !state.variants.contains_key(experiment) {
        state.variants.insert(experiment.to_string(), variant.to_string());
        out.events.push(EventKind::ExperimentExposed { experiment: experiment.to_string(), variant: variant.to_string() });
    }
}

/// Too many unknowns in a row? (A hand-off experiment may set this customer's threshold.)
fn streak_handoff(brain: &Brain, state: &DialogueState) -> Option<HandoffReason> {
    let mut policy = brain.kb.handoff.clone();
    if let Some(limit) = state.streak_limit {
        policy.unknown_streak = limit;
    }
    policy.after_answer(state.unknown_streak, false)
}

/// A message while a flow runs: fill slots, or switch topic and offer to come back.
fn continue_flow(brain: &Brain, state: &mut DialogueState, mut run: FlowRun, turn: &Turn, out: &mut Outcome) {
    let Some(f) = brain.kb.flows.iter().find(|f| f.id == run.flow) else { return new_topic(brain, state, turn, out) };
    let filled = flow::fill(f, &mut run, turn.normalised, &turn.analysis.entities);
    if filled.any() {
        return advance_flow(brain, state, run, &filled, out);
    }
    // Nothing for the flow: another topic? Answer it and offer to return.
    let mut side = DialogueState { unknown_streak: 0, ..state.clone() };
    let mut trial = Outcome::default();
    new_topic(brain, &mut side, turn, &mut trial);
    let switched = trial.events.iter().any(|e| matches!(e, EventKind::BotAnswered { .. } | EventKind::BotSuggested { .. }))
        || (side.flow.is_some() && side.flow.as_ref().is_some_and(|r| r.flow != run.flow));
    if switched {
        *state = DialogueState { unknown_streak: state.unknown_streak, ..side };
        out.events.push(EventKind::BotFlowStep { flow: run.flow.clone(), step: "paused".into() });
        out.replies.extend(trial.replies);
        out.events.extend(trial.events);
        out.handoff = trial.handoff;
        if state.flow.is_none() {
            out.replies.push(Reply::text(brain.kb.phrases_in(state.speaking(brain)).offer_return.replace("{flow}", f.name_in(state.speaking(brain)))));
        }
        state.paused = Some(run);
        return;
    }
    // Neither a slot nor a new topic: ask again, and count it as not understood.
    state.unknown_streak += 1;
    out.events.push(EventKind::BotUnknown);
    out.handoff = streak_handoff(brain, state);
    if out.handoff.is_none() {
        advance_flow(brain, state, run, &flow::Filled::default(), out);
    }
}

/// Ask for the next missing slot, or finish.
fn advance_flow(brain: &Brain, state: &mut DialogueState, mut run: FlowRun, filled: &flow::Filled, out: &mut Outcome) {
    let Some(f) = brain.kb.flows.iter().find(|f| f.id == run.flow) else { return };
    if filled.any() {
        state.unknown_streak = 0;
    }
    for s in &filled.new {
        out.events.push(EventKind::BotFlowStep { flow: f.id.clone(), step: format!("filled:{s}") });
    }
    for s in &filled.changed {
        out.events.push(EventKind::BotFlowStep { flow: f.id.clone(), step: format!("changed:{s}") });
    }
    if let Some(slot) = f.missing(&run) {
        out.events.push(EventKind::BotFlowStep { flow: f.id.clone(), step: format!("asked:{}", slot.name) });
        out.replies.push(Reply { options: slot.options(), ..Reply::text(slot.prompt_in(state.speaking(brain))) });
        run.asking = Some(slot.name.clone());
        state.flow = Some(run);
        return;
    }
    let sku = f.slots.iter().find(|s| s.kind == "product").and_then(|s| run.slots.get(&s.name)).and_then(|name| brain.skus.get(&kefu_nlp::normalise::normalise(name)).cloned());
    let (answer, fallback) = f.answer_in(state.speaking(brain));
    out.replies.push(Reply { template: answer.into(), fallback: fallback.map(str::to_string), vars: run.slots.clone(), sku, faq_id: None, options: Vec::new() });
    out.events.push(EventKind::BotFlowStep { flow: f.id.clone(), step: "done".into() });
    state.finished.extend(run.slots);
    state.flow = None;
    if f.transfer_to_human {
        out.handoff = brain.kb.handoff.after_answer(0, true);
    }
}

/// The entity kind's slot-kind name.
fn kind_name(e: &kefu_nlp::entities::Entity) -> String {
    serde_json::to_value(e.kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}
