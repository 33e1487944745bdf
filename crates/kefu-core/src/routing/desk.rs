//! The per-shop desk: agent seats, the team queues and pending offers. Pure data mutated in
//! one place per shop (the inbox holds it under a lock), so two requests never race for the
//! same agent. Every choice is a plain function of this state and `now`.

use super::config::{RoutingConfig, Timings};
use crate::clock::Millis;
use crate::ids::{ConversationId, CustomerId, UserId};
use crate::shop::Presence;
use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap};

/// The queue of "every agent of the shop" (conversations no team was chosen for).
const SHOP_WIDE: &str = "";
/// How far down a team's queue a free agent looks for a conversation it can take (language,
/// earlier declines); keeps a decision bounded however long the queue.
const SCAN: usize = 32;
/// Assumed seconds per conversation before a team has served any.
const DEFAULT_SERVICE_SECS: f64 = 60.0;

/// A conversation waiting for a person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiting {
    /// The conversation.
    pub conversation_id: ConversationId,
    /// Its customer (for stickiness and the customer's lock).
    pub customer_id: CustomerId,
    /// Team; none means every agent.
    pub team: Option<String>,
    /// Higher is served first.
    pub priority: i32,
    /// Waiting since.
    pub since: Millis,
    /// Language the agent must speak, if known.
    pub language: Option<String>,
    /// The customer is VIP.
    pub vip: bool,
}

/// A decision: give `conversation` to `agent` (directly, or as an offer to accept).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// What.
    pub waiting: Waiting,
    /// To whom.
    pub agent: UserId,
    /// An offer the agent must accept before `expires`; none for a direct assignment.
    pub expires: Option<Millis>,
}

/// One agent as the desk sees them.
#[derive(Clone, Debug, PartialEq)]
pub struct Seat {
    /// Who.
    pub user: UserId,
    /// Online, busy, away or offline.
    pub presence: Presence,
    /// Conversations held, offers included.
    pub load: u32,
    /// Most conversations at once.
    pub capacity: u32,
    /// Languages spoken; empty means any.
    pub languages: Vec<String>,
    /// Since when without a new conversation (for "longest idle").
    pub idle_since: Millis,
    /// Routing gives this person conversations (接待): agents always; owners, admins and
    /// supervisors only when they switched it on.
    pub takes_chats: bool,
}

impl Seat {
    /// Online and taking chats: counts as serving the queue.
    fn serving(&self) -> bool {
        self.presence == Presence::Online && self.takes_chats
    }

    fn free(&self) -> bool {
        self.serving() && self.load < self.capacity
    }

    fn speaks(&self, language: Option<&str>) -> bool {
        language.is_none_or(|l| self.languages.is_empty() || self.languages.iter().any(|x| x == l))
    }
}

type Key = (Reverse<i32>, Millis, u64);

#[derive(Clone, Debug)]
struct Entry {
    waiting: Waiting,
    key: Key,
    queue: String,
    declined: Vec<UserId>,
}

#[derive(Clone, Debug)]
struct Offer {
    entry: Entry,
    agent: UserId,
    expires: Millis,
}

#[derive(Clone, Debug, Default)]
struct TeamSeats {
    members: Vec<usize>,
    backup: Vec<usize>,
}

/// Hot routing state of one shop.
#[derive(Debug, Default)]
pub struct Desk {
    seats: Vec<Seat>,
    by_user: HashMap<UserId, usize>,
    teams: HashMap<String, TeamSeats>,
    queues: HashMap<String, BTreeMap<Key, ConversationId>>,
    entries: HashMap<ConversationId, Entry>,
    offers: HashMap<ConversationId, Offer>,
    last_agent: HashMap<CustomerId, UserId>,
    service: HashMap<String, (Millis, Option<f64>)>,
    timings: Timings,
    capacities: HashMap<UserId, u32>,
    seq: u64,
    published: HashMap<ConversationId, (usize, u64)>,
}

impl Desk {
    /// Apply a shop's routing configuration: team membership, languages, timings. Queued
    /// conversations keep their places.
    pub fn configure(&mut self, config: &RoutingConfig) {
        self.timings = config.timings.clone();
        self.teams.clear();
        for team in &config.teams {
            let members = team.members.iter().map(|u| self.seat_index(*u)).collect();
            let backup = team.backup.iter().map(|u| self.seat_index(*u)).collect();
            self.teams.insert(team.id.clone(), TeamSeats { members, backup });
        }
        self.capacities = config.agents.iter().filter_map(|(u, p)| Some((*u, p.capacity?))).collect();
        for seat in &mut self.seats {
            let profile = config.agents.get(&seat.user);
            seat.languages = profile.map(|p| p.languages.clone()).unwrap_or_default();
            if let Some(c) = profile.and_then(|p| p.capacity) {
                seat.capacity = c;
            }
        }
    }

    fn seat_index(&mut self, user: UserId) -> usize {
        if let Some(i) = self.by_user.get(&user) {
            return *i;
        }
        // Takes chats until told otherwise (the inbox sets it with presence for other roles).
        self.seats.push(Seat { user, presence: Presence::Offline, load: 0, capacity: 0, languages: Vec::new(), idle_since: 0, takes_chats: true });
        self.by_user.insert(user, self.seats.len() - 1);
        self.seats.len() - 1
    }

    /// Record an agent's presence and capacity (the routing configuration's capacity wins);
    /// going online starts their idle time.
    pub fn set_presence(&mut self, agent: UserId, presence: Presence, capacity: u32, now: Millis) {
        let capacity = self.capacities.get(&agent).copied().unwrap_or(capacity);
        let i = self.seat_index(agent);
        let seat = &mut self.seats[i];
        if presence == Presence::Online && seat.presence != Presence::Online {
            seat.idle_since = now;
        }
        seat.presence = presence;
        seat.capacity = capacity;
    }

    /// Whether routing gives this person conversations (接待); applied before their presence
    /// so a supervisor coming online is never handed one in between.
    pub fn set_takes_chats(&mut self, agent: UserId, takes_chats: bool) {
        let i = self.seat_index(agent);
        self.seats[i].takes_chats = takes_chats;
    }

    /// An agent's seat, if the desk knows them.
    pub fn seat(&self, agent: UserId) -> Option<&Seat> {
        self.by_user.get(&agent).map(|i| &self.seats[*i])
    }

    /// Every seat.
    pub fn seats(&self) -> &[Seat] {
        &self.seats
    }

    /// An agent's presence (offline if never seen).
    pub fn presence(&self, agent: UserId) -> Presence {
        self.seat(agent).map(|s| s.presence).unwrap_or_default()
    }

    /// How many conversations `agent` holds, offers included.
    pub fn load(&self, agent: UserId) -> u32 {
        self.seat(agent).map(|s| s.load).unwrap_or(0)
    }

    /// Count a conversation held by `agent` (rebuilding, or a manual assignment).
    pub fn add_load(&mut self, agent: UserId, customer: Option<CustomerId>, now: Millis) {
        let i = self.seat_index(agent);
        self.seats[i].load += 1;
        self.seats[i].idle_since = now;
        if let Some(c) = customer {
            self.last_agent.insert(c, agent);
        }
    }

    /// A conversation left `agent` (resolved, closed, moved).
    pub fn release(&mut self, agent: UserId) {
        if let Some(i) = self.by_user.get(&agent) {
            self.seats[*i].load = self.seats[*i].load.saturating_sub(1);
        }
    }

    /// Put a conversation in its team's queue (once); it keeps `since` as its place.
    pub fn enqueue(&mut self, waiting: Waiting) {
        self.enqueue_declined(waiting, Vec::new());
    }

    fn enqueue_declined(&mut self, waiting: Waiting, declined: Vec<UserId>) {
        if self.entries.contains_key(&waiting.conversation_id) || self.offers.contains_key(&waiting.conversation_id) {
            return;
        }
        self.seq += 1;
        let key = (Reverse(waiting.priority), waiting.since, self.seq);
        let queue = waiting.team.clone().unwrap_or_default();
        self.queues.entry(queue.clone()).or_default().insert(key, waiting.conversation_id);
        self.entries.insert(waiting.conversation_id, Entry { waiting, key, queue, declined });
    }

    /// Take a conversation out of the queue, or withdraw its offer (releasing the agent).
    /// Returns whether it was waiting.
    pub fn remove(&mut self, id: ConversationId) -> bool {
        if let Some(offer) = self.offers.remove(&id) {
            self.release(offer.agent);
            return true;
        }
        let Some(e) = self.entries.remove(&id) else { return false };
        if let Some(q) = self.queues.get_mut(&e.queue) {
            q.remove(&e.key);
        }
        true
    }

    /// Whether a conversation waits (queued or offered).
    pub fn is_waiting(&self, id: ConversationId) -> bool {
        self.entries.contains_key(&id) || self.offers.contains_key(&id)
    }

    /// How many wait in the queues (offers not counted).
    pub fn queue_len(&self) -> usize {
        self.entries.len()
    }

    /// An agent for a newly arrived conversation when it can be served at once without
    /// passing anyone already waiting in its queue; `None` means enqueue it.
    pub fn choose_for_arrival(&self, waiting: &Waiting, now: Millis) -> Option<UserId> {
        if self.timings.offer_timeout_secs > 0 {
            return None;
        }
        let queue = waiting.team.as_deref().unwrap_or(SHOP_WIDE);
        if self.queues.get(queue).is_some_and(|q| !q.is_empty()) {
            return None;
        }
        let entry = Entry { waiting: waiting.clone(), key: (Reverse(waiting.priority), waiting.since, 0), queue: queue.into(), declined: Vec::new() };
        self.best_agent(&entry, now).map(|i| self.seats[i].user)
    }

    /// Count a direct assignment chosen by [`Desk::choose_for_arrival`].
    pub fn commit_arrival(&mut self, waiting: &Waiting, agent: UserId, now: Millis) {
        self.add_load(agent, Some(waiting.customer_id), now);
        self.note_served(waiting.team.as_deref().unwrap_or(SHOP_WIDE), now);
    }

    /// The next conversation to hand out and to whom: among every queue that has a free
    /// agent for one of its first entries, the highest priority, then longest waiting.
    pub fn next_decision(&self, now: Millis) -> Option<(ConversationId, UserId)> {
        let mut best: Option<(Key, ConversationId, usize)> = None;
        for (name, queue) in &self.queues {
            let Some((first_key, _)) = queue.first_key_value() else { continue };
            if best.as_ref().is_some_and(|(k, _, _)| k < first_key) {
                continue; // nothing in this queue can beat the best so far
            }
            for (key, id) in queue.iter().take(SCAN) {
                if best.as_ref().is_some_and(|(k, _, _)| k < key) {
                    break;
                }
                let Some(entry) = self.entries.get(id) else { continue };
                debug_assert_eq!(&entry.queue, name);
                if let Some(agent) = self.best_agent(entry, now) {
                    best = Some((*key, *id, agent));
                    break;
                }
            }
        }
        best.map(|(_, id, agent)| (id, self.seats[agent].user))
    }

    /// Carry out a decision from [`Desk::next_decision`]: the conversation leaves the queue
    /// and counts against the agent, as an assignment or (with an offer timeout) an offer.
    pub fn apply(&mut self, id: ConversationId, agent: UserId, now: Millis) -> Option<Decision> {
        let entry = self.entries.remove(&id)?;
        if let Some(q) = self.queues.get_mut(&entry.queue) {
            q.remove(&entry.key);
        }
        let i = self.seat_index(agent);
        self.seats[i].load += 1;
        let timeout = i64::from(self.timings.offer_timeout_secs) * 1000;
        let waiting = entry.waiting.clone();
        if timeout > 0 {
            let expires = now + timeout;
            self.offers.insert(id, Offer { entry, agent, expires });
            return Some(Decision { waiting, agent, expires: Some(expires) });
        }
        self.seats[i].idle_since = now;
        self.last_agent.insert(waiting.customer_id, agent);
        self.note_served(&entry.queue, now);
        Some(Decision { waiting, agent, expires: None })
    }

    /// The agent accepts an offer; the conversation becomes theirs (load already counted).
    pub fn accept(&mut self, id: ConversationId, agent: UserId, now: Millis) -> Option<Waiting> {
        if self.offers.get(&id).is_none_or(|o| o.agent != agent || o.expires < now) {
            return None;
        }
        let offer = self.offers.remove(&id)?;
        if let Some(i) = self.by_user.get(&agent) {
            self.seats[*i].idle_since = now;
        }
        self.last_agent.insert(offer.entry.waiting.customer_id, agent);
        self.note_served(&offer.entry.queue, now);
        Some(offer.entry.waiting)
    }

    /// An accepted offer could not be stored: give the conversation its place back.
    pub fn undo_accept(&mut self, waiting: Waiting, agent: UserId) {
        self.release(agent);
        self.enqueue(waiting);
    }

    /// Offers not accepted in time (or declined by `agent`) go back to their place in the
    /// queue, not to be offered to the same agent again. Returns the conversations moved.
    pub fn expire_offers(&mut self, now: Millis, declined_by: Option<(ConversationId, UserId)>) -> Vec<(ConversationId, UserId)> {
        let due: Vec<ConversationId> = self
            .offers
            .iter()
            .filter(|(id, o)| o.expires <= now || declined_by == Some((**id, o.agent)))
            .map(|(id, _)| *id)
            .collect();
        let mut moved = Vec::with_capacity(due.len());
        for id in due {
            let Some(mut offer) = self.offers.remove(&id) else { continue };
            self.release(offer.agent);
            offer.entry.declined.push(offer.agent);
            moved.push((id, offer.agent));
            self.enqueue_declined(offer.entry.waiting, offer.entry.declined);
        }
        moved
    }

    /// The agent a conversation is offered to, and until when.
    pub fn offer_of(&self, id: ConversationId) -> Option<(UserId, Millis)> {
        self.offers.get(&id).map(|o| (o.agent, o.expires))
    }

    /// The best free agent for an entry: the customer's last agent when sticky and free,
    /// else least load, then longest idle. Team members first; the backup pool once the
    /// entry has waited past the overflow threshold.
    fn best_agent(&self, entry: &Entry, now: Millis) -> Option<usize> {
        if entry.queue == SHOP_WIDE {
            return self.pick(entry, 0..self.seats.len());
        }
        let team = self.teams.get(&entry.queue)?;
        if let Some(i) = self.pick(entry, team.members.iter().copied()) {
            return Some(i);
        }
        let overflowed = now - entry.waiting.since >= i64::from(self.timings.overflow_after_secs) * 1000;
        if overflowed && !team.backup.is_empty() {
            return self.pick(entry, team.backup.iter().copied());
        }
        None
    }

    fn pick(&self, entry: &Entry, candidates: impl Iterator<Item = usize> + Clone) -> Option<usize> {
        let w = &entry.waiting;
        let ok = |i: &usize| {
            let s = &self.seats[*i];
            s.free() && s.speaks(w.language.as_deref()) && !entry.declined.contains(&s.user)
        };
        if self.timings.sticky {
            let last = self.last_agent.get(&w.customer_id).and_then(|u| self.by_user.get(u));
            if let Some(i) = last.and_then(|l| candidates.clone().find(|i| i == l)).filter(ok) {
                return Some(i);
            }
        }
        candidates.filter(ok).min_by_key(|i| (self.seats[*i].load, self.seats[*i].idle_since, self.seats[*i].user))
    }

    fn note_served(&mut self, queue: &str, now: Millis) {
        let slot = self.service.entry(queue.to_string()).or_insert((now, None));
        if slot.0 < now {
            let gap = (now - slot.0) as f64 / 1000.0;
            slot.1 = Some(slot.1.map_or(gap, |avg| 0.3 * gap + 0.7 * avg));
        }
        slot.0 = now;
    }

    /// Every waiting conversation with its 1-based place in its team's queue and the
    /// expected wait in seconds (from how fast the queue has been moving lately).
    pub fn positions(&self) -> Vec<(ConversationId, usize, u64)> {
        let mut out = Vec::with_capacity(self.entries.len());
        for (name, queue) in &self.queues {
            let per = self.seconds_per_place(name);
            for (n, id) in queue.values().enumerate() {
                out.push((*id, n + 1, ((n + 1) as f64 * per).round() as u64));
            }
        }
        out
    }

    /// Places that changed since the last call, with their customers, for live updates.
    pub fn position_updates(&mut self) -> Vec<(CustomerId, ConversationId, usize, u64)> {
        let mut out = Vec::new();
        let mut next = HashMap::with_capacity(self.entries.len());
        for (id, place, wait) in self.positions() {
            if self.published.get(&id) != Some(&(place, wait)) {
                if let Some(e) = self.entries.get(&id) {
                    out.push((e.waiting.customer_id, id, place, wait));
                }
            }
            next.insert(id, (place, wait));
        }
        self.published = next;
        out
    }

    /// One conversation's place and expected wait.
    pub fn position(&self, id: ConversationId) -> Option<(usize, u64)> {
        let e = self.entries.get(&id)?;
        let n = self.queues.get(&e.queue)?.range(..e.key).count() + 1;
        Some((n, (n as f64 * self.seconds_per_place(&e.queue)).round() as u64))
    }

    fn seconds_per_place(&self, queue: &str) -> f64 {
        if let Some((_, Some(avg))) = self.service.get(queue) {
            return avg.clamp(1.0, 3600.0);
        }
        let online = match self.teams.get(queue) {
            Some(t) => t.members.iter().filter(|i| self.seats[**i].serving()).count(),
            None => self.seats.iter().filter(|s| s.serving()).count(),
        };
        DEFAULT_SERVICE_SECS / online.max(1) as f64
    }

    /// Waiting conversations, highest priority then longest waiting (then arrival) first.
    pub fn waiting(&self) -> Vec<&Waiting> {
        let mut out: Vec<&Entry> = self.entries.values().collect();
        out.sort_by_key(|e| e.key);
        out.into_iter().map(|e| &e.waiting).collect()
    }

    /// The teams an agent belongs to.
    pub fn teams_of(&self, agent: UserId) -> Vec<String> {
        let Some(i) = self.by_user.get(&agent) else { return Vec::new() };
        let mut out: Vec<String> = self.teams.iter().filter(|(_, t)| t.members.contains(i)).map(|(k, _)| k.clone()).collect();
        out.sort();
        out
    }
}
