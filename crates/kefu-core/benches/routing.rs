//! The routing decision at scale: 1,000 online agents in 20 teams, 10,000 queued
//! conversations. Target: ≤ 50 µs per decision. The baseline, measured in the same run, is
//! the obvious implementation: walk the whole queue in order and, for each conversation,
//! every agent, until a pair fits.

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion};
use kefu_core::ids::{ConversationId, CustomerId, UserId};
use kefu_core::routing::{route, Conditions, Desk, Facts, Rule, RoutingConfig, Team, Waiting};
use kefu_core::shop::Presence;

const AGENTS: usize = 1_000;
const TEAMS: usize = 20;
const QUEUED: usize = 10_000;

struct Shop {
    config: RoutingConfig,
    agents: Vec<UserId>,
    waiting: Vec<Waiting>,
}

/// Agents are nearly full (capacity 5, load 4) so a decision has to look around.
fn shop() -> Shop {
    let agents: Vec<UserId> = (0..AGENTS).map(|_| UserId::new()).collect();
    let teams = (0..TEAMS)
        .map(|t| Team {
            id: format!("team{t}"),
            name: format!("组{t}"),
            members: agents.iter().skip(t).step_by(TEAMS).copied().collect(),
            backup: agents.iter().skip((t + 1) % TEAMS).step_by(TEAMS).take(5).copied().collect(),
            ..Team::default()
        })
        .collect();
    let rules = (0..50)
        .map(|i| Rule {
            name: format!("rule{i}"),
            enabled: true,
            when: Conditions { keywords: vec![format!("关键词{i}"), format!("词{i}")], ..Default::default() },
            team: Some(format!("team{}", i % TEAMS)),
            priority: (i % 3) as i32,
        })
        .collect();
    let waiting = (0..QUEUED)
        .map(|i| Waiting {
            conversation_id: ConversationId::new(),
            customer_id: CustomerId::new(),
            team: Some(format!("team{}", i % TEAMS)),
            priority: (i % 7 == 0) as i32 * 10,
            since: i as i64,
            language: None,
            vip: i % 7 == 0,
        })
        .collect();
    Shop { config: RoutingConfig { teams, rules, ..Default::default() }, agents, waiting }
}

fn desk(shop: &Shop) -> Desk {
    let mut d = Desk::default();
    d.configure(&shop.config);
    for (i, a) in shop.agents.iter().enumerate() {
        d.set_presence(*a, Presence::Online, 5, i as i64);
        for _ in 0..4 {
            d.add_load(*a, None, i as i64);
        }
    }
    for w in &shop.waiting {
        d.enqueue(w.clone());
    }
    d
}

/// The baseline: every queued conversation in order × every agent.
struct Naive {
    agents: Vec<(Vec<usize>, u32, u32, i64)>,
    queue: Vec<(i32, i64, usize)>,
}

impl Naive {
    fn new(shop: &Shop) -> Self {
        let teams_of = |a: &UserId| -> Vec<usize> { shop.config.teams.iter().enumerate().filter(|(_, t)| t.members.contains(a)).map(|(i, _)| i).collect() };
        let agents = shop.agents.iter().enumerate().map(|(i, a)| (teams_of(a), 4, 5, i as i64)).collect();
        let mut queue: Vec<(i32, i64, usize)> = shop.waiting.iter().enumerate().map(|(i, w)| (w.priority, w.since, i % TEAMS)).collect();
        queue.sort_by_key(|q| (std::cmp::Reverse(q.0), q.1));
        Naive { agents, queue }
    }

    fn decide(&self) -> Option<(usize, usize)> {
        for (qi, (_, _, team)) in self.queue.iter().enumerate() {
            let best = self.agents.iter().enumerate().filter(|(_, a)| a.0.contains(team) && a.1 < a.2).min_by_key(|(_, a)| (a.1, a.3));
            if let Some((ai, _)) = best {
                return Some((qi, ai));
            }
        }
        None
    }
}

fn bench(c: &mut Criterion) {
    let shop = shop();
    let mut group = c.benchmark_group("routing");
    // One decision and carrying it out, then undoing it so every iteration sees the same desk.
    let mut d = desk(&shop);
    group.bench_function("decision_1k_agents_10k_queued", |b| {
        b.iter(|| {
            let (conv, agent) = d.next_decision(1_000_000).expect("a decision");
            let decision = d.apply(conv, agent, 1_000_000).expect("applied");
            d.release(agent);
            d.enqueue(decision.waiting);
            black_box(agent)
        })
    });
    let naive = Naive::new(&shop);
    group.bench_function("baseline_naive_scan", |b| b.iter(|| black_box(naive.decide())));
    // An arrival: 50 rules evaluated, then an agent chosen (or the queue).
    let arrival = Waiting { team: Some("team3".into()), ..shop.waiting[3].clone() };
    let facts = Facts { text: "亲，我想问下关键词49怎么弄".into(), ..Default::default() };
    group.bench_function("arrival_rules_and_choice", |b| {
        b.iter(|| {
            let r = route(&shop.config, black_box(&facts), 0);
            black_box((r, d.choose_for_arrival(&arrival, 1_000_000)))
        })
    });
    // Draining: every free seat taken from the queue, from a fresh desk each time.
    group.sample_size(10);
    group.bench_function("drain_1000_free_seats", |b| {
        b.iter_batched(
            || desk(&shop),
            |mut d| {
                let mut n = 0;
                while let Some((c, a)) = d.next_decision(1_000_000) {
                    d.apply(c, a, 1_000_000);
                    n += 1;
                }
                assert_eq!(n, AGENTS);
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
