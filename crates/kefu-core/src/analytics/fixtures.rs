//! A known event history (four conversations) with hand-computed figures, shared by the
//! unit tests, the server's API tests and the benchmark's sanity check.
//!
//! At `t0`: A human-only (team `pre`, agent x): FRT 30 s, replies 30 s and 100 s, resolved
//! after 400 s with 200 s active, 5★. B bot-only (物流问题/物流查询, tag 顺丰): the bot answers,
//! the conversation closes. C bot → human (售后问题/退货退款, tags 顺丰 破损; team `after`, agent
//! y): hand-off "asked_for_human", FRT 60 s, reply 65 s, resolved 300 s after creation with
//! 165 s active, 2★, a complaint ticket closed. D human-only (售后问题/退货退款): never
//! answered; a fault ticket left open. Shop figures: 4 conversations, response rate 0.75,
//! FRT 45 s, reply 65 s, handle 350 s, active 182.5 s, CSAT 0.5, 4–5★ 0.5, rating response
//! 1.0, bot resolution 0.5, transfer 0.5, ticket closure 0.5.

use crate::clock::Millis;
use crate::customer::Channel;
use crate::event::{Event, EventKind as K};
use crate::ids::{ConversationId, CustomerId, MessageId, ShopId, TicketId, UserId};
use crate::message::SenderKind;

/// 2026-11-21 02:00 UTC (10:00 in China).
pub const T0: Millis = 1_795_226_400_000;

/// The history: A human-only (team pre, agent X), B bot-only, C bot → human (team after,
/// agent Y), D never answered; a complaint ticket closed and one left open.
pub fn history(shop: ShopId, x: UserId, y: UserId, t0: Millis) -> (Vec<Event>, [ConversationId; 4]) {
    let ids = [ConversationId::new(), ConversationId::new(), ConversationId::new(), ConversationId::new()];
    let cust = CustomerId::new();
    let mut v = Vec::new();
    let mut e = |c: usize, secs: i64, kind: K| v.push(Event::conversation(shop, ids[c], cust, t0 + secs * 1000, kind));
    let inn = || K::MessageReceived { message_id: MessageId::new() };
    let out = |k| K::MessageSent { message_id: MessageId::new(), sender_kind: k };
    let cat = |l1: &str, l2: &str, tags: &[&str]| K::ConversationCategorised { l1: l1.into(), l2: l2.into(), tags: tags.iter().map(|t| t.to_string()).collect() };
    // A: FRT 30 s; replies 30 s and 100 s; resolved after 400 s, 200 s active; 5★.
    e(0, 0, K::ConversationCreated { channel: Channel::Widget });
    e(0, 0, inn());
    e(0, 0, K::ConversationRouted { team: Some("pre".into()), priority: 0, rule: None, vip: false });
    e(0, 5, K::ConversationAssigned { agent_id: x, by: None });
    e(0, 30, out(SenderKind::Agent));
    e(0, 100, inn());
    e(0, 160, inn());
    e(0, 200, out(SenderKind::Agent));
    e(0, 400, K::ConversationResolved { by: Some(x) });
    e(0, 410, K::ConversationRated { stars: 5, scale: 5, comment_id: None, agent_id: Some(x) });
    // B: the bot answers twice and the conversation closes: resolved by the bot.
    e(1, 1000, K::ConversationCreated { channel: Channel::Dm });
    e(1, 1000, cat("物流问题", "物流查询", &["顺丰"]));
    e(1, 1000, inn());
    e(1, 1002, out(SenderKind::Bot));
    e(1, 1002, K::BotAnswered { faq_id: "f1".into(), variant: None });
    e(1, 1100, inn());
    e(1, 1101, out(SenderKind::Bot));
    e(1, 2000, K::ConversationClosed { by: None, reason: "inactivity".into() });
    // C: the bot does not understand, the customer asks for a person; FRT 60 s from the
    // hand-off, the reply answers a message of 65 s before; resolved 300 s after creation
    // (165 s active); 2★.
    e(2, 1200, K::ConversationCreated { channel: Channel::Dm });
    e(2, 1200, cat("售后问题", "退货退款", &["顺丰", "破损", "顺丰"]));
    e(2, 1200, inn());
    e(2, 1201, out(SenderKind::Bot));
    e(2, 1201, K::BotUnknown);
    e(2, 1300, inn());
    e(2, 1305, K::HandedOff { reason: "asked_for_human".into() });
    e(2, 1305, K::ConversationRouted { team: Some("after".into()), priority: 1, rule: None, vip: false });
    e(2, 1306, out(SenderKind::System));
    e(2, 1310, K::ConversationAssigned { agent_id: y, by: None });
    e(2, 1365, out(SenderKind::Agent));
    e(2, 1500, K::ConversationResolved { by: Some(y) });
    e(2, 1520, K::ConversationRated { stars: 2, scale: 5, comment_id: None, agent_id: Some(y) });
    e(2, 1600, K::TicketCreated { ticket_id: TicketId::new(), ticket_type: "complaint".into() });
    e(2, 1700, K::TicketMoved { ticket_id: TicketId::new(), from: "open".into(), to: "done".into(), closed: true });
    // D: nobody answers.
    e(3, 1400, K::ConversationCreated { channel: Channel::Widget });
    e(3, 1400, cat("售后问题", "退货退款", &[]));
    e(3, 1400, inn());
    e(3, 1800, K::TicketCreated { ticket_id: TicketId::new(), ticket_type: "fault".into() });
    (v, ids)
}
