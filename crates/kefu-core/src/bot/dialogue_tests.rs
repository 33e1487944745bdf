//! Scripted dialogues against the pure bot turn.

use super::*;
use crate::bot::flow::{Flow, Slot};
use crate::bot::kb::{Faq, KnowledgeBase};

fn brain() -> Brain {
    let faq = |id: &str, q: &str, similar: &[&str], a: &str| Faq {
        id: id.into(),
        question: q.into(),
        similar: similar.iter().map(|s| s.to_string()).collect(),
        answer: a.into(),
        ..Faq::default()
    };
    let slot = |name: &str, kind: &str, prompt: &str, values: &[&str]| Slot { name: name.into(), kind: kind.into(), prompt: prompt.into(), values: values.iter().map(|v| v.to_string()).collect(), ..Slot::default() };
    let kb = KnowledgeBase {
        faqs: vec![
            faq("shipping", "什么时候发货", &["多久发货", "几天能发货", "啥时候发货"], "付款后48小时内发货"),
            faq("delivery", "用什么快递配送", &["发什么快递", "配送方式是什么"], "默认中通快递，可备注顺丰"),
            faq("returns", "怎么退货", &["如何退货", "退货流程"], "七天无理由退货"),
            faq("refund-time", "退款多久到账", &["退款什么时候到"], "原路退回，1-3个工作日"),
        ],
        flows: vec![Flow {
            id: "stock".into(),
            name: "库存".into(),
            examples: vec!["这个还有货吗".into(), "有没有库存".into()],
            keywords: vec!["有货".into(), "库存".into()],
            slots: vec![
                slot("product", "choice", "请问您想问哪款商品？", &["连衣裙", "卫衣"]),
                slot("size", "size", "请问您要什么尺码？", &[]),
                slot("colour", "colour", "请问您要什么颜色？", &[]),
            ],
            answer: "{product}{colour}{size}当前剩余{stock}件".into(),
            answer_fallback: Some("{product}{colour}{size}的库存请以下单页为准".into()),
            ..Flow::default()
        }],
        ..KnowledgeBase::default()
    };
    Brain::train(1, kb, &[])
}

fn say(brain: &Brain, state: &mut DialogueState, text: &str) -> Outcome {
    let n = kefu_nlp::normalise::normalise(text);
    let analysis = kefu_nlp::engine::analyze_with(&kefu_nlp::engine::default_models(), Some(&brain.models), text);
    respond(brain, state, &Turn { text, normalised: &n, analysis: &analysis, now: 1_000, customer: "c1" })
}

fn texts(o: &Outcome) -> Vec<String> {
    o.replies.iter().map(|r| crate::bot::template::render_or(&r.template, r.fallback.as_deref(), &r.vars).unwrap_or_else(|| r.template.clone())).collect()
}

#[test]
fn answers_a_confident_faq_and_suggests_when_unsure() {
    let b = brain();
    let mut s = DialogueState::default();
    let o = say(&b, &mut s, "亲，啥时候发货呀");
    assert_eq!(texts(&o), vec!["付款后48小时内发货"]);
    assert!(matches!(&o.events[..], [crate::event::EventKind::BotAnswered { faq_id, .. }] if faq_id == "shipping"));
    // Two FAQs fit almost equally well: neither answers, both are offered.
    let o = say(&b, &mut s, "退货退款多久");
    let shown = texts(&o).join("");
    assert!(shown.starts_with("您是想问：\n1. "), "{shown} {:?}", o.events);
    let second = s.suggestions[1].clone();
    let pick = say(&b, &mut s, "2");
    assert!(matches!(&pick.events[..], [crate::event::EventKind::BotAnswered { faq_id, .. }] if *faq_id == second), "{:?}", pick.events);
}

#[test]
fn three_unknowns_hand_over() {
    let b = brain();
    let mut s = DialogueState::default();
    for _ in 0..2 {
        let o = say(&b, &mut s, "量子力学的基本原理");
        assert!(o.handoff.is_none());
        assert_eq!(o.events, vec![crate::event::EventKind::BotUnknown]);
    }
    let o = say(&b, &mut s, "量子力学的基本原理");
    assert_eq!(o.handoff, Some(HandoffReason::UnknownStreak));
    assert_eq!(say(&b, &mut DialogueState::default(), "转人工").handoff, Some(HandoffReason::AskedForHuman));
    assert_eq!(say(&b, &mut DialogueState::default(), "不用转人工，什么时候发货").handoff, None);
}

#[test]
fn a_flow_fills_out_of_order_corrects_and_returns_after_a_topic_switch() {
    let b = brain();
    let mut s = DialogueState::default();
    // Size given before the flow starts; the flow picks it up.
    say(&b, &mut s, "我平时穿XL");
    let o = say(&b, &mut s, "这个还有货吗");
    assert_eq!(texts(&o), vec!["请问您想问哪款商品？"]);
    let o = say(&b, &mut s, "红色的连衣裙");
    assert_eq!(s.flow, None, "{:?}", o.events);
    assert_eq!(texts(&o), vec!["连衣裙红色XL的库存请以下单页为准"]);
    // Earlier answers still fill slots: a second question is answered at once.
    let o = say(&b, &mut s, "卫衣有货吗");
    assert_eq!(texts(&o), vec!["卫衣红色XL的库存请以下单页为准"]);
    // A new conversation: correction and a topic switch in the middle.
    let mut s = DialogueState::default();
    let o = say(&b, &mut s, "卫衣有货吗");
    assert_eq!(texts(&o), vec!["请问您要什么尺码？"], "{:?}", o.events);
    let o = say(&b, &mut s, "要红色的");
    assert_eq!(texts(&o), vec!["请问您要什么尺码？"]);
    let o = say(&b, &mut s, "不对，要黑色的");
    assert_eq!(texts(&o), vec!["请问您要什么尺码？"]);
    assert_eq!(s.flow.as_ref().map(|r| r.slots["colour"].clone()), Some("黑色".into()));
    let o = say(&b, &mut s, "用什么快递配送");
    assert_eq!(texts(&o), vec!["默认中通快递，可备注顺丰".to_string(), "了解您刚才咨询的库存问题，还需要继续吗？回复“继续”即可。".to_string()]);
    assert!(s.flow.is_none() && s.paused.is_some());
    let o = say(&b, &mut s, "继续");
    assert_eq!(texts(&o), vec!["请问您要什么尺码？"]);
    let o = say(&b, &mut s, "L码");
    assert_eq!(texts(&o), vec!["卫衣黑色L的库存请以下单页为准"]);
}


#[test]
fn ignored_suggestions_count_toward_the_unknown_streak() {
    let b = brain();
    let mut s = DialogueState::default();
    for _ in 0..2 {
        let o = say(&b, &mut s, "退货退款多久");
        assert!(matches!(&o.events[..], [crate::event::EventKind::BotSuggested { .. }]), "{:?}", o.events);
        assert!(o.handoff.is_none());
    }
    // The third question the bot could only guess at hands over instead of guessing again.
    let o = say(&b, &mut s, "退货退款多久");
    assert_eq!(o.handoff, Some(HandoffReason::UnknownStreak), "{:?}", o.events);
    // Picking a suggestion is an answer: the streak starts again.
    let mut s = DialogueState::default();
    say(&b, &mut s, "退货退款多久");
    say(&b, &mut s, "1");
    assert_eq!(s.unknown_streak, 0);
}

#[test]
fn small_talk_is_not_answered_with_the_nearest_faq() {
    let b = brain();
    for q in ["量子力学的基本原理是什么", "今天天气怎么样"] {
        let o = say(&b, &mut DialogueState::default(), q);
        assert_eq!(o.events, vec![crate::event::EventKind::BotUnknown], "{q}");
    }
}

/// The test brain with English translations of two FAQs.
fn bilingual() -> Brain {
    let mut kb = brain().kb;
    let en = |q: &str, similar: &[&str], a: &str| crate::bot::FaqTranslation {
        question: q.into(),
        similar: similar.iter().map(|s| s.to_string()).collect(),
        answer: a.into(),
        answer_fallback: None,
    };
    kb.faqs[0].translations.insert("en", en("When will my order ship?", &["how soon do you ship", "when do you send it"], "Within 48 hours of payment."));
    kb.faqs[2].translations.insert("en", en("How do I return an item?", &["return policy", "can I send it back"], "Returns are free within 7 days."));
    Brain::train(2, kb, &[])
}

#[test]
fn answers_in_the_language_the_customer_writes() {
    let b = bilingual();
    let mut s = DialogueState::default();
    assert_eq!(texts(&say(&b, &mut s, "When will my order ship?")), vec!["Within 48 hours of payment."]);
    assert_eq!(s.language.as_deref(), Some("en"));
    // The same FAQ asked in Chinese is answered in Chinese.
    let mut zh = DialogueState::default();
    assert_eq!(texts(&say(&b, &mut zh, "亲，啥时候发货呀")), vec!["付款后48小时内发货"]);
    // What the bot cannot place is said in English to an English speaker.
    let o = say(&b, &mut s, "what is the meaning of life");
    assert!(texts(&o).join("").starts_with("Sorry"), "{:?}", texts(&o));
    // A Chinese-only shop still answers an English speaker in its own language.
    let mut plain = DialogueState::default();
    let o = say(&brain(), &mut plain, "what is the meaning of life");
    assert!(texts(&o).join("").starts_with("抱歉"), "{:?}", texts(&o));
    assert_eq!(plain.language, None);
}
