use super::config::{RoutingConfig, Team, Timings};
use super::desk::{Desk, Waiting};
use crate::ids::{ConversationId, CustomerId, UserId};
use crate::shop::Presence;

fn waiting(team: Option<&str>, priority: i32, since: i64) -> Waiting {
    Waiting {
        conversation_id: ConversationId::new(),
        customer_id: CustomerId::new(),
        team: team.map(str::to_string),
        priority,
        since,
        language: None,
        vip: false,
    }
}

/// Hand out everything the desk can at `now`, as the inbox's dispatcher does.
fn drain(d: &mut Desk, now: i64) -> Vec<(ConversationId, UserId)> {
    let mut out = Vec::new();
    while let Some((c, a)) = d.next_decision(now) {
        d.apply(c, a, now);
        out.push((c, a));
    }
    out
}

fn desk_with(teams: Vec<Team>, timings: Timings) -> Desk {
    let mut d = Desk::default();
    d.configure(&RoutingConfig { teams, timings, ..Default::default() });
    d
}

#[test]
fn capacity_is_never_exceeded_and_the_rest_waits() {
    let mut d = Desk::default();
    let (a, b) = (UserId::new(), UserId::new());
    d.set_presence(a, Presence::Online, 2, 0);
    d.set_presence(b, Presence::Online, 1, 0);
    let ws: Vec<_> = (0..5).map(|i| waiting(None, 0, i)).collect();
    for w in &ws {
        d.enqueue(w.clone());
    }
    let served = drain(&mut d, 10);
    assert_eq!(served.len(), 3);
    assert_eq!((d.load(a), d.load(b)), (2, 1));
    assert_eq!(d.queue_len(), 2);
    // The two left are the latest arrivals, in order.
    assert_eq!(d.position(ws[3].conversation_id).map(|p| p.0), Some(1));
    assert_eq!(d.position(ws[4].conversation_id).map(|p| p.0), Some(2));
    d.release(b);
    assert_eq!(drain(&mut d, 11), vec![(ws[3].conversation_id, b)]);
    assert_eq!(d.position(ws[4].conversation_id).map(|p| p.0), Some(1));
}

#[test]
fn priority_first_then_longest_waiting() {
    let mut d = Desk::default();
    let a = UserId::new();
    let old = waiting(None, 0, 1);
    let vip = waiting(None, 10, 5);
    let older_low = waiting(None, -1, 0);
    for w in [&old, &vip, &older_low] {
        d.enqueue(w.clone());
    }
    d.set_presence(a, Presence::Online, 1, 0);
    let order: Vec<ConversationId> = (0..3)
        .map(|t| {
            let (c, agent) = drain(&mut d, 10 + t)[0];
            d.release(agent);
            c
        })
        .collect();
    assert_eq!(order, vec![vip.conversation_id, old.conversation_id, older_low.conversation_id]);
}

#[test]
fn least_load_then_longest_idle() {
    let mut d = Desk::default();
    let (a, b, c) = (UserId::new(), UserId::new(), UserId::new());
    d.set_presence(a, Presence::Online, 5, 100);
    d.set_presence(b, Presence::Online, 5, 50); // idle longest
    d.set_presence(c, Presence::Online, 5, 75);
    d.add_load(a, None, 100);
    let w = waiting(None, 0, 200);
    assert_eq!(d.choose_for_arrival(&w, 200), Some(b));
    d.commit_arrival(&w, b, 200);
    // b now has one and a fresh idle time: c (0 load, idle since 75) is next.
    assert_eq!(d.choose_for_arrival(&waiting(None, 0, 201), 201), Some(c));
    // Busy and away agents take nothing.
    d.set_presence(c, Presence::Busy, 5, 202);
    d.set_presence(a, Presence::Away, 5, 202);
    assert_eq!(d.choose_for_arrival(&waiting(None, 0, 203), 203), Some(b));
}

#[test]
fn sticky_to_the_last_agent_when_free() {
    let mut d = Desk::default();
    let (a, b) = (UserId::new(), UserId::new());
    d.set_presence(a, Presence::Online, 5, 0);
    d.set_presence(b, Presence::Online, 5, 0);
    let mut w = waiting(None, 0, 1);
    d.add_load(a, Some(w.customer_id), 1);
    d.add_load(a, None, 1);
    w.since = 5;
    assert_eq!(d.choose_for_arrival(&w, 5), Some(a), "the customer's last agent, though busier");
    d.set_presence(a, Presence::Away, 5, 6);
    assert_eq!(d.choose_for_arrival(&w, 6), Some(b));
}

#[test]
fn an_offer_not_accepted_moves_on_and_keeps_the_place() {
    let timings = Timings { offer_timeout_secs: 15, ..Timings::default() };
    let mut d = desk_with(Vec::new(), timings);
    let (a, b) = (UserId::new(), UserId::new());
    d.set_presence(a, Presence::Online, 1, 0);
    let first = waiting(None, 0, 0);
    let second = waiting(None, 0, 1);
    d.enqueue(first.clone());
    d.enqueue(second.clone());
    assert_eq!(d.choose_for_arrival(&first, 0), None, "offers never skip the queue");
    let (c, agent) = d.next_decision(2).expect("a decision");
    let decision = d.apply(c, agent, 2).expect("applied");
    assert_eq!((c, agent, decision.expires), (first.conversation_id, a, Some(15_002)));
    assert_eq!(d.load(a), 1, "the offer reserves a seat");
    assert_eq!(d.next_decision(3), None);
    // 15 s pass: back in the queue, ahead of the second, and not for a again.
    assert!(d.expire_offers(10_000, None).is_empty());
    assert_eq!(d.expire_offers(15_002, None), vec![(first.conversation_id, a)]);
    assert_eq!(d.load(a), 0);
    assert_eq!(d.position(first.conversation_id).map(|p| p.0), Some(1));
    assert_eq!(d.next_decision(15_003), Some((second.conversation_id, a)));
    d.set_presence(b, Presence::Online, 1, 15_003);
    assert_eq!(d.next_decision(15_003), Some((first.conversation_id, b)));
    d.apply(first.conversation_id, b, 15_003);
    assert_eq!(d.accept(first.conversation_id, a, 15_004), None, "not a's offer");
    assert!(d.accept(first.conversation_id, b, 15_004).is_some());
    assert_eq!(d.load(b), 1);
}

#[test]
fn overflow_to_the_backup_pool_after_the_threshold() {
    let (member, backup) = (UserId::new(), UserId::new());
    let teams = vec![Team { id: "presale".into(), name: "售前".into(), members: vec![member], backup: vec![backup], ..Team::default() }];
    let mut d = desk_with(teams, Timings { overflow_after_secs: 60, ..Timings::default() });
    d.set_presence(member, Presence::Online, 1, 0);
    d.set_presence(backup, Presence::Online, 3, 0);
    d.add_load(member, None, 0);
    let w = waiting(Some("presale"), 0, 1_000);
    d.enqueue(w.clone());
    assert_eq!(d.next_decision(30_000), None, "only the team before the threshold");
    assert_eq!(d.next_decision(60_999), None);
    assert_eq!(d.next_decision(61_000), Some((w.conversation_id, backup)));
}

#[test]
fn teams_and_languages_limit_who_serves() {
    let (zh, en) = (UserId::new(), UserId::new());
    let teams = vec![Team { id: "aftersale".into(), name: "售后".into(), members: vec![zh, en], ..Team::default() }];
    let mut d = Desk::default();
    d.set_presence(zh, Presence::Online, 3, 0);
    d.set_presence(en, Presence::Online, 3, 5);
    let mut profiles = std::collections::BTreeMap::new();
    profiles.insert(en, super::AgentProfile { languages: vec!["en".into()], ..Default::default() });
    profiles.insert(zh, super::AgentProfile { languages: vec!["zh".into()], ..Default::default() });
    d.configure(&RoutingConfig { teams, agents: profiles, ..Default::default() });
    let mut w = waiting(Some("aftersale"), 0, 10);
    w.language = Some("en".into());
    assert_eq!(d.choose_for_arrival(&w, 10), Some(en));
    let other_team = waiting(Some("nobody"), 0, 10);
    assert_eq!(d.choose_for_arrival(&other_team, 10), None);
}

#[test]
fn positions_and_expected_wait_follow_the_queue() {
    let mut d = Desk::default();
    let a = UserId::new();
    d.set_presence(a, Presence::Online, 1, 0);
    d.add_load(a, None, 0);
    let ws: Vec<_> = (0..3).map(|i| waiting(None, 0, i)).collect();
    for w in &ws {
        d.enqueue(w.clone());
    }
    let mut p = d.positions();
    p.sort_by_key(|x| x.1);
    assert_eq!(p.iter().map(|x| x.0).collect::<Vec<_>>(), ws.iter().map(|w| w.conversation_id).collect::<Vec<_>>());
    // With no history, one online agent: 60 s per place.
    assert_eq!(p.iter().map(|x| x.2).collect::<Vec<_>>(), vec![60, 120, 180]);
    // The queue moves every 20 s: expected waits follow.
    for t in [20_000, 40_000] {
        d.release(a);
        drain(&mut d, t);
    }
    assert_eq!(d.position(ws[2].conversation_id), Some((1, 20)));
}

#[test]
fn concurrent_style_arrivals_never_double_assign() {
    let mut d = Desk::default();
    let agents: Vec<UserId> = (0..3).map(|_| UserId::new()).collect();
    for a in &agents {
        d.set_presence(*a, Presence::Online, 2, 0);
    }
    let mut assigned = std::collections::HashMap::new();
    for i in 0..20 {
        let w = waiting(None, 0, i);
        match d.choose_for_arrival(&w, i) {
            Some(a) => {
                d.commit_arrival(&w, a, i);
                assert!(assigned.insert(w.conversation_id, a).is_none());
            }
            None => d.enqueue(w),
        }
        for (c, a) in drain(&mut d, i) {
            assert!(assigned.insert(c, a).is_none(), "a conversation assigned twice");
        }
    }
    assert_eq!(assigned.len(), 6);
    assert!(agents.iter().all(|a| d.load(*a) == 2));
}

#[test]
fn a_seat_that_does_not_take_chats_is_never_given_one() {
    let mut d = Desk::default();
    let (lead, agent) = (UserId::new(), UserId::new());
    d.set_takes_chats(lead, false);
    d.set_presence(lead, Presence::Online, 10, 0);
    let shop_wide = waiting(None, 0, 1);
    assert_eq!(d.choose_for_arrival(&shop_wide, 1), None, "nobody serves: it waits");
    d.enqueue(shop_wide.clone());
    assert!(drain(&mut d, 2).is_empty());
    // The expected wait counts only people who serve: none yet, so one assumed server.
    let alone = d.position(shop_wide.conversation_id).map(|p| p.1);
    d.set_presence(agent, Presence::Online, 10, 3);
    assert_eq!(drain(&mut d, 4), vec![(shop_wide.conversation_id, agent)]);
    // Switching 接待 on makes the lead a seat like any other.
    d.set_takes_chats(lead, true);
    let next = waiting(None, 0, 5);
    assert_eq!(d.choose_for_arrival(&next, 5), Some(lead), "least load: the lead holds none");
    assert_eq!(alone, Some(60));
}
