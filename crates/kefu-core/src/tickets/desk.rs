//! The ticket desk: async glue that loads a ticket, applies a pure move, commits it with its
//! events, tells the customer through their channel, and runs the SLA sweep.

use kefu_i18n::{Lang, Message};
use super::moves::{self, Mover, NewTicket};
use super::sla::{Calendar, SlaOutcome, SlaStatus};
use super::workflow::{CustomerAnswer, Notify, Workflow};
use super::{defaults, transcript_text, Author, Department, Priority, Ticket, TicketFilter};
use crate::error::CoreError;
use crate::event::{Event, EventKind};
use crate::ids::{ConversationId, CustomerId, DepartmentId, EventId, MessageId, ShopId, TicketId, UserId};
use crate::inbox::{Actor, Inbox};
use crate::store::{Change, ChangeSet, Store};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use tokio::sync::Mutex as AsyncMutex;

const STRIPES: usize = 256;

/// What a caller supplies to open a ticket.
#[derive(Clone, Debug, Default)]
pub struct TicketRequest {
    /// Type key (workflow).
    pub ticket_type: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Priority (default normal).
    pub priority: Option<Priority>,
    /// Tags.
    pub tags: Vec<String>,
    /// The conversation it comes from (its customer and transcript are copied).
    pub conversation_id: Option<ConversationId>,
    /// The customer, when not from a conversation.
    pub customer_id: Option<CustomerId>,
    /// Copy the conversation's internal notes into the transcript too (off unless asked:
    /// notes are colleagues' words, and a ticket travels to other departments).
    pub include_notes: bool,
    /// Attach only these messages of the conversation (in dialogue order); internal notes
    /// among them are attached because they were chosen. None: the whole transcript (the
    /// first 50 messages).
    pub message_ids: Option<Vec<MessageId>>,
    /// Tell the customer the ticket number in the conversation now.
    pub notify_customer: bool,
}

/// How many messages of a conversation a ticket can attach by choice.
pub const MAX_ATTACHED: u32 = 500;

/// A bulk action over many tickets.
#[derive(Clone, Debug, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum BulkAction {
    /// Move each to a state.
    Transition {
        /// Target state.
        to: String,
    },
    /// Assign each.
    Assign {
        /// Department key.
        department: Option<String>,
        /// Person.
        assignee_id: Option<UserId>,
    },
    /// Set each one's priority.
    Priority {
        /// New priority.
        to: Priority,
    },
}

/// Tickets of all shops.
pub struct TicketDesk<S: Store> {
    inbox: Arc<Inbox<S>>,
    numbers: AsyncMutex<HashMap<ShopId, i64>>,
    locks: Vec<AsyncMutex<()>>,
    /// Customers with a ticket waiting for their yes/no, so ordinary messages cost no query.
    awaiting: Mutex<HashSet<(ShopId, CustomerId)>>,
}

impl<S: Store> TicketDesk<S> {
    /// A desk over the inbox (for the store, clock, bus and system messages).
    pub fn new(inbox: Arc<Inbox<S>>) -> Self {
        Self {
            inbox,
            numbers: AsyncMutex::new(HashMap::new()),
            locks: (0..STRIPES).map(|_| AsyncMutex::new(())).collect(),
            awaiting: Mutex::new(HashSet::new()),
        }
    }

    fn store(&self) -> &S {
        self.inbox.store()
    }

    /// Rebuild which customers have tickets awaiting their confirmation; call at start.
    pub async fn rebuild(&self) -> Result<usize, CoreError> {
        let open = self.store().open_tickets().await?;
        let mut rules = HashMap::new();
        let mut n = 0;
        for t in &open {
            let (wf, _) = self.rules(&mut rules, t).await?;
            if let (Some(c), true) = (t.customer_id, wf.state(&t.state).is_some_and(|s| s.awaits_customer)) {
                self.awaiting_set().insert((t.shop_id, c));
                n += 1;
            }
        }
        Ok(n)
    }

    /// The workflow and calendar that govern `ticket`, loaded once per shop per pass over many
    /// tickets (start-up rebuild, SLA sweep) instead of once per ticket.
    async fn rules<'c>(&self, cache: &'c mut HashMap<ShopId, (Vec<Workflow>, Calendar)>, ticket: &Ticket) -> Result<(&'c Workflow, &'c Calendar), CoreError> {
        if !cache.contains_key(&ticket.shop_id) {
            let loaded = (self.workflows(ticket.shop_id).await?, self.calendar(ticket.shop_id).await?);
            cache.insert(ticket.shop_id, loaded);
        }
        let (flows, calendar) = cache.get(&ticket.shop_id).ok_or(CoreError::NotFound("shop"))?;
        let wf = flows.iter().find(|w| w.ticket_type == ticket.ticket_type).ok_or(CoreError::NotFound("ticket type"))?;
        Ok((wf, calendar))
    }

    fn awaiting_set(&self) -> std::sync::MutexGuard<'_, HashSet<(ShopId, CustomerId)>> {
        self.awaiting.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The shop's workflows: stored ones, and the defaults for types it has not edited.
    pub async fn workflows(&self, shop: ShopId) -> Result<Vec<Workflow>, CoreError> {
        let mut stored = self.store().workflows(shop).await?;
        for d in defaults::workflows() {
            if !stored.iter().any(|w| w.ticket_type == d.ticket_type) {
                stored.push(d);
            }
        }
        Ok(stored)
    }

    /// One workflow.
    pub async fn workflow(&self, shop: ShopId, ticket_type: &str) -> Result<Workflow, CoreError> {
        self.workflows(shop).await?.into_iter().find(|w| w.ticket_type == ticket_type).ok_or(CoreError::NotFound("ticket type"))
    }

    /// Save a workflow (owners and admins). Refused when invalid, or when open tickets stand in
    /// a state it removes.
    pub async fn put_workflow(&self, actor: Actor, wf: Workflow) -> Result<Workflow, CoreError> {
        if !actor.role.administers() {
            return Err(CoreError::Forbidden(crate::error::msg("error-workflow-edit-forbidden")));
        }
        wf.validate().map_err(|e| CoreError::Invalid(crate::error::verbatim(e.to_string())))?;
        let filter = TicketFilter { ticket_type: Some(wf.ticket_type.clone()), open_only: true, limit: 10_000, ..Default::default() };
        if let Some(t) = self.store().tickets(actor.shop_id, &filter).await?.iter().find(|t| wf.state(&t.state).is_none()) {
            return Err(CoreError::Conflict(crate::error::msg("error-workflow-state-in-use").arg("number", t.number.to_string()).arg("state", t.state.to_string())));
        }
        let mut cs = ChangeSet::default();
        cs.push(Change::PutWorkflow { shop_id: actor.shop_id, workflow: wf.clone(), at: self.inbox.now() });
        self.store().apply(cs).await?;
        Ok(wf)
    }

    /// The shop's departments (the defaults, without members, until it sets its own).
    pub async fn departments(&self, shop: ShopId) -> Result<Vec<Department>, CoreError> {
        let stored = self.store().departments(shop).await?;
        Ok(if stored.is_empty() { defaults::departments(shop) } else { stored })
    }

    /// Create or update a department by key (owners and admins).
    pub async fn put_department(&self, actor: Actor, key: &str, name: &str, members: Vec<UserId>) -> Result<Department, CoreError> {
        if !actor.role.administers() {
            return Err(CoreError::Forbidden(crate::error::msg("error-department-forbidden")));
        }
        if key.is_empty() || key.len() > 64 || !key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
            return Err(CoreError::Invalid(crate::error::msg("error-department-key")));
        }
        for m in &members {
            self.store().user(actor.shop_id, *m).await?.ok_or(CoreError::NotFound("user"))?;
        }
        let mut all = self.departments(actor.shop_id).await?;
        let existing = all.iter().find(|d| d.key == key).cloned();
        let dept = Department {
            id: existing.as_ref().map(|d| d.id).unwrap_or_else(DepartmentId::new),
            shop_id: actor.shop_id,
            key: key.into(),
            name: if name.trim().is_empty() { existing.map(|d| d.name).unwrap_or_else(|| key.into()) } else { name.trim().into() },
            members,
        };
        all.retain(|d| d.key != key);
        all.push(dept.clone());
        // Persist the whole set the first time, so the defaults become the shop's own.
        let mut cs = ChangeSet::default();
        for d in all {
            cs.push(Change::PutDepartment(d));
        }
        self.store().apply(cs).await?;
        Ok(dept)
    }

    /// The shop's calendar (Mon–Fri 09:00–18:00 Beijing time until set).
    pub async fn calendar(&self, shop: ShopId) -> Result<Calendar, CoreError> {
        Ok(self.store().calendar(shop).await?.unwrap_or_default())
    }

    /// Set the shop's calendar (owners and admins).
    pub async fn put_calendar(&self, actor: Actor, calendar: Calendar) -> Result<Calendar, CoreError> {
        if !actor.role.administers() {
            return Err(CoreError::Forbidden(crate::error::msg("error-calendar-forbidden")));
        }
        calendar.validate().map_err(|e| CoreError::Invalid(crate::error::verbatim(e.to_string())))?;
        let mut cs = ChangeSet::default();
        cs.push(Change::PutCalendar { shop_id: actor.shop_id, calendar: calendar.clone() });
        self.store().apply(cs).await?;
        Ok(calendar)
    }

    async fn member_departments(&self, actor: Actor) -> Result<Vec<String>, CoreError> {
        Ok(self.departments(actor.shop_id).await?.into_iter().filter(|d| d.members.contains(&actor.user_id)).map(|d| d.key).collect())
    }

    async fn next_number(&self, shop: ShopId) -> Result<i64, CoreError> {
        let mut numbers = self.numbers.lock().await;
        let n = match numbers.get(&shop) {
            Some(n) => *n,
            None => self.store().max_ticket_number(shop).await?,
        } + 1;
        numbers.insert(shop, n);
        Ok(n)
    }

    fn lock(&self, id: TicketId) -> &AsyncMutex<()> {
        &self.locks[(id.0.as_u128() % STRIPES as u128) as usize]
    }

    /// One ticket of the shop.
    pub async fn get(&self, shop: ShopId, id: TicketId) -> Result<Ticket, CoreError> {
        self.store().ticket(shop, id).await?.ok_or(CoreError::NotFound("ticket"))
    }

    /// Tickets by filter, each with its SLA standing now; optionally only one standing.
    pub async fn list(&self, shop: ShopId, filter: &TicketFilter, sla: Option<SlaStatus>) -> Result<Vec<(Ticket, SlaStatus)>, CoreError> {
        let now = self.inbox.now();
        let flows = self.workflows(shop).await?;
        let mut out = Vec::new();
        for t in self.store().tickets(shop, filter).await? {
            let targets = flows.iter().find(|w| w.ticket_type == t.ticket_type).and_then(|w| w.sla.get(&t.priority));
            let status = t.sla.status(targets, now, t.closed_at.is_some());
            if sla.is_none_or(|s| s == status) {
                out.push((t, status));
            }
        }
        Ok(out)
    }

    /// Open a ticket; from a conversation, its customer and transcript are copied and the
    /// customer is told the ticket number there.
    pub async fn create(&self, actor: Actor, req: TicketRequest) -> Result<Ticket, CoreError> {
        let wf = self.workflow(actor.shop_id, &req.ticket_type).await?;
        let calendar = self.calendar(actor.shop_id).await?;
        let mut description = req.description.trim().to_string();
        let mut customer_id = req.customer_id;
        let mut conversation_ids = Vec::new();
        if let Some(cid) = req.conversation_id {
            let c = self.store().conversation(actor.shop_id, cid).await?.ok_or(CoreError::NotFound("conversation"))?;
            customer_id = Some(c.customer_id);
            conversation_ids.push(c.id);
            match &req.message_ids {
                None => {
                    let transcript = self.store().messages_of_conversation(actor.shop_id, cid, 0, 50).await?;
                    description.push_str(&transcript_text(&transcript, req.include_notes));
                }
                Some(ids) => {
                    let all = self.store().messages_of_conversation(actor.shop_id, cid, 0, MAX_ATTACHED).await?;
                    let chosen = super::chosen_messages(all, ids)?;
                    description.push_str(&transcript_text(&chosen, true));
                }
            }
        }
        if let Some(c) = customer_id {
            self.store().customer(actor.shop_id, c).await?.ok_or(CoreError::NotFound("customer"))?;
        }
        let number = self.next_number(actor.shop_id).await?;
        let new = NewTicket {
            shop_id: actor.shop_id,
            number,
            title: req.title,
            description,
            customer_id,
            conversation_ids,
            priority: req.priority.unwrap_or(Priority::Normal),
            tags: req.tags,
            by: actor.user_id,
        };
        let now = self.inbox.now();
        let ticket = moves::create(new, &wf, &calendar, now)?;
        let event = ticket_event(&ticket, now, EventKind::TicketCreated { ticket_id: ticket.id, ticket_type: ticket.ticket_type.clone() });
        let notify = if wf.fast_lane { vec![Notify::Supervisors, Notify::Department] } else { vec![Notify::Department] };
        self.save(ticket.clone(), vec![event], notify).await?;
        if req.notify_customer {
            self.tell_customer(&ticket, |lang| Message::new("customer-ticket-created").arg("number", ticket.number.to_string()).arg("title", &ticket.title).render(lang)).await;
        }
        Ok(ticket)
    }

    async fn save(&self, ticket: Ticket, events: Vec<Event>, notify: Vec<Notify>) -> Result<(), CoreError> {
        let mut cs = ChangeSet { events, ..Default::default() };
        cs.push(Change::PutTicket(ticket.clone()));
        self.inbox.commit_ticket(cs, ticket, notify).await
    }

    /// Tell the customer through the ticket's latest conversation; a failure is logged, not
    /// fatal (the ticket change is already durable).
    async fn tell_customer(&self, ticket: &Ticket, text: impl FnOnce(Lang) -> String) {
        if let Some(cid) = ticket.conversation_ids.last() {
            if let Err(e) = self.inbox.system_message_in(ticket.shop_id, *cid, text).await {
                tracing::warn!(error = %e, ticket = %ticket.id, "could not tell the customer about their ticket");
            }
        }
    }

    /// Move a ticket along its workflow.
    pub async fn transition(&self, actor: Actor, id: TicketId, to: &str, note: Option<String>) -> Result<Ticket, CoreError> {
        let departments = self.member_departments(actor).await?;
        self.apply_move(actor.shop_id, id, Mover::User { id: actor.user_id, role: actor.role, departments: &departments }, to, note).await
    }

    async fn apply_move(&self, shop: ShopId, id: TicketId, mover: Mover<'_>, to: &str, note: Option<String>) -> Result<Ticket, CoreError> {
        let _guard = self.lock(id).lock().await;
        let mut ticket = self.get(shop, id).await?;
        let wf = self.workflow(shop, &ticket.ticket_type).await?;
        let calendar = self.calendar(shop).await?;
        let now = self.inbox.now();
        let from = ticket.state.clone();
        let notify = moves::transition(&mut ticket, &wf, &calendar, mover, to, note, now)?;
        let closed = ticket.closed_at.is_some();
        let event = ticket_event(&ticket, now, EventKind::TicketMoved { ticket_id: id, from, to: to.into(), closed });
        self.save(ticket.clone(), vec![event], notify.clone()).await?;
        let state = wf.state(to).cloned();
        if let Some(c) = ticket.customer_id {
            if state.as_ref().is_some_and(|s| s.awaits_customer) {
                self.awaiting_set().insert((shop, c));
            } else {
                self.awaiting_set().remove(&(shop, c));
            }
        }
        if let Some(s) = state {
            if s.awaits_customer {
                self.tell_customer(&ticket, |lang| Message::new("customer-ticket-awaiting").arg("number", ticket.number.to_string()).arg("title", &ticket.title).render(lang)).await;
            } else if notify.contains(&Notify::Customer) {
                let number = ticket.number.to_string();
                let text = |lang| match s.terminal {
                    true => Message::new("customer-ticket-closed").arg("number", &number).render(lang),
                    false => Message::new("customer-ticket-progress").arg("number", &number).arg("status", s.name_in(lang)).render(lang),
                };
                self.tell_customer(&ticket, text).await;
            }
        }
        Ok(ticket)
    }

    /// A comment; public ones are also sent to the customer.
    pub async fn comment(&self, actor: Actor, id: TicketId, body: &str, public: bool) -> Result<Ticket, CoreError> {
        let _guard = self.lock(id).lock().await;
        let mut ticket = self.get(actor.shop_id, id).await?;
        let wf = self.workflow(actor.shop_id, &ticket.ticket_type).await?;
        let calendar = self.calendar(actor.shop_id).await?;
        let c = moves::comment(&mut ticket, &wf, &calendar, Author::User { id: actor.user_id }, body, public, self.inbox.now())?;
        self.save(ticket.clone(), vec![], vec![Notify::Assignee]).await?;
        if public {
            self.tell_customer(&ticket, |lang| Message::new("customer-ticket-reply").arg("number", ticket.number.to_string()).arg("body", &c.body).render(lang)).await;
        }
        Ok(ticket)
    }

    /// Give a ticket to a department and/or person of the shop.
    pub async fn assign(&self, actor: Actor, id: TicketId, department: Option<String>, assignee: Option<UserId>) -> Result<Ticket, CoreError> {
        if let Some(d) = &department {
            if !self.departments(actor.shop_id).await?.iter().any(|x| &x.key == d) {
                return Err(CoreError::NotFound("department"));
            }
        }
        if let Some(u) = assignee {
            self.store().user(actor.shop_id, u).await?.ok_or(CoreError::NotFound("user"))?;
        }
        let _guard = self.lock(id).lock().await;
        let mut ticket = self.get(actor.shop_id, id).await?;
        moves::assign(&mut ticket, Author::User { id: actor.user_id }, department, assignee, self.inbox.now());
        self.save(ticket.clone(), vec![], vec![Notify::Assignee, Notify::Department]).await?;
        Ok(ticket)
    }

    /// Set a ticket's priority.
    pub async fn set_priority(&self, actor: Actor, id: TicketId, to: Priority) -> Result<Ticket, CoreError> {
        self.edit(actor, id, |t, now| {
            moves::set_priority(t, Author::User { id: actor.user_id }, to, now);
            Ok(())
        })
        .await
    }

    /// Replace a ticket's tags.
    pub async fn set_tags(&self, actor: Actor, id: TicketId, tags: Vec<String>) -> Result<Ticket, CoreError> {
        self.edit(actor, id, |t, now| {
            moves::set_tags(t, Author::User { id: actor.user_id }, tags, now);
            Ok(())
        })
        .await
    }

    /// Attach a file by reference.
    pub async fn attach(&self, actor: Actor, id: TicketId, file: super::Attachment) -> Result<Ticket, CoreError> {
        self.edit(actor, id, |t, now| moves::attach(t, Author::User { id: actor.user_id }, file, now)).await
    }

    /// Load, change and save one ticket under its lock.
    async fn edit(&self, actor: Actor, id: TicketId, change: impl FnOnce(&mut Ticket, i64) -> Result<(), CoreError>) -> Result<Ticket, CoreError> {
        let _guard = self.lock(id).lock().await;
        let mut ticket = self.get(actor.shop_id, id).await?;
        change(&mut ticket, self.inbox.now())?;
        self.save(ticket.clone(), vec![], vec![Notify::Assignee]).await?;
        Ok(ticket)
    }

    /// Apply one action to many tickets; each succeeds or fails on its own.
    pub async fn bulk(&self, actor: Actor, ids: &[TicketId], action: &BulkAction) -> Vec<Result<Ticket, CoreError>> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(match action {
                BulkAction::Transition { to } => self.transition(actor, *id, to, None).await,
                BulkAction::Assign { department, assignee_id } => self.assign(actor, *id, department.clone(), *assignee_id).await,
                BulkAction::Priority { to } => self.set_priority(actor, *id, *to).await,
            });
        }
        out
    }

    /// The customer wrote: if a ticket of theirs waits for a yes/no and this is one, move it.
    pub async fn on_customer_message(&self, shop: ShopId, customer: CustomerId, text: &str) -> Result<Option<Ticket>, CoreError> {
        if !self.awaiting_set().contains(&(shop, customer)) {
            return Ok(None);
        }
        let Some(answer) = moves::read_answer(text) else { return Ok(None) };
        let filter = TicketFilter { customer_id: Some(customer), open_only: true, limit: 50, ..Default::default() };
        for t in self.store().tickets(shop, &filter).await? {
            let wf = self.workflow(shop, &t.ticket_type).await?;
            if !wf.state(&t.state).is_some_and(|s| s.awaits_customer) {
                continue;
            }
            let Some(to) = wf.transitions_from(&t.state).find(|tr| tr.by_customer == Some(answer)).map(|tr| tr.to.clone()) else {
                continue;
            };
            let moved = self.apply_move(shop, t.id, Mover::Customer(answer), &to, None).await?;
            if answer == CustomerAnswer::Rejects {
                self.tell_customer(&moved, |lang| Message::new("customer-ticket-reopened").arg("number", moved.number.to_string()).render(lang)).await;
            }
            return Ok(Some(moved));
        }
        Ok(None)
    }

    /// Evaluate SLAs of every open ticket: warnings, breaches and escalations fire once each.
    /// Returns how many outcomes fired.
    pub async fn sweep(&self) -> Result<usize, CoreError> {
        let mut fired = 0;
        let mut rules = HashMap::new();
        for t in self.store().open_tickets().await? {
            let _guard = self.lock(t.id).lock().await;
            // Re-read under the lock: the list above may be stale by now.
            let Some(mut ticket) = self.store().ticket(t.shop_id, t.id).await? else { continue };
            let (wf, calendar) = self.rules(&mut rules, &ticket).await?;
            let now = self.inbox.now();
            let outcomes = moves::sweep(&mut ticket, wf, calendar, now);
            if outcomes.is_empty() {
                continue;
            }
            fired += outcomes.len();
            let mut notify = vec![Notify::Assignee, Notify::Department];
            let events = outcomes
                .iter()
                .map(|o| {
                    let (outcome, target) = match o {
                        SlaOutcome::Warning(t) => ("warning", *t),
                        SlaOutcome::Breached(t) => ("breached", *t),
                        SlaOutcome::Escalate(_, rule) => {
                            notify.push(Notify::Supervisors);
                            ("escalated", rule.on)
                        }
                    };
                    let target = serde_json::to_value(target).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
                    ticket_event(&ticket, now, EventKind::TicketSla { ticket_id: ticket.id, outcome: outcome.into(), target })
                })
                .collect();
            self.save(ticket, events, notify).await?;
        }
        Ok(fired)
    }
}

fn ticket_event(t: &Ticket, at: i64, kind: EventKind) -> Event {
    Event { id: EventId::new(), shop_id: t.shop_id, conversation_id: t.conversation_ids.last().copied(), customer_id: t.customer_id, at, kind }
}
