//! Pure changes to a ticket: create, move along the workflow (with permission), comment,
//! assign, apply SLA outcomes, and read a customer's yes/no.

use super::sla::{Calendar, EscalationAction, SlaClock, SlaOutcome, SlaTime};
use super::workflow::{CustomerAnswer, Notify, TransitionDef, Workflow};
use super::{Attachment, Author, Comment, HistoryEntry, Priority, Ticket, TicketChange};
use crate::clock::Millis;
use crate::error::CoreError;
use crate::ids::{CommentId, ConversationId, CustomerId, ShopId, TicketId, UserId};
use crate::shop::Role;

/// Who is moving a ticket.
#[derive(Clone, Copy, Debug)]
pub enum Mover<'a> {
    /// A back-office user with their role and department keys.
    User {
        /// Who.
        id: UserId,
        /// Role.
        role: Role,
        /// Departments they belong to.
        departments: &'a [String],
    },
    /// The customer answering a confirmation.
    Customer(CustomerAnswer),
}

impl Mover<'_> {
    fn author(&self) -> Author {
        match self {
            Mover::User { id, .. } => Author::User { id: *id },
            Mover::Customer(_) => Author::Customer,
        }
    }
}

/// What a new ticket needs.
#[derive(Clone, Debug)]
pub struct NewTicket {
    /// Shop.
    pub shop_id: ShopId,
    /// Number.
    pub number: i64,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Customer.
    pub customer_id: Option<CustomerId>,
    /// Linked conversations.
    pub conversation_ids: Vec<ConversationId>,
    /// Priority.
    pub priority: Priority,
    /// Tags.
    pub tags: Vec<String>,
    /// Creator.
    pub by: UserId,
}

fn sla_time<'a>(wf: &Workflow, calendar: &'a Calendar) -> SlaTime<'a> {
    SlaTime { calendar, business_hours: wf.business_hours }
}

/// A new ticket in the workflow's initial state with its SLA clocks started.
pub fn create(new: NewTicket, wf: &Workflow, calendar: &Calendar, now: Millis) -> Result<Ticket, CoreError> {
    let title = new.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(CoreError::Invalid(crate::error::msg("error-ticket-title")));
    }
    if new.description.len() > 64 * 1024 {
        return Err(CoreError::Invalid(crate::error::msg("error-ticket-description")));
    }
    let initial = wf.state(&wf.initial).ok_or_else(|| CoreError::Invalid(crate::error::msg("error-workflow-no-initial")))?;
    Ok(Ticket {
        id: TicketId::new(),
        shop_id: new.shop_id,
        number: new.number,
        ticket_type: wf.ticket_type.clone(),
        title: title.to_string(),
        description: new.description,
        customer_id: new.customer_id,
        conversation_ids: new.conversation_ids,
        priority: new.priority,
        department: initial.department.clone(),
        assignee_id: None,
        state: initial.key.clone(),
        tags: clean_tags(new.tags),
        attachments: vec![],
        comments: vec![],
        history: vec![HistoryEntry { at: now, by: Author::User { id: new.by }, change: TicketChange::Created { state: initial.key.clone() } }],
        sla: SlaClock::start(wf.sla.get(&new.priority), &sla_time(wf, calendar), now),
        created_at: now,
        updated_at: now,
        closed_at: None,
    })
}

fn clean_tags(tags: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = tags.into_iter().map(|t| t.trim().to_string()).filter(|t| !t.is_empty() && t.chars().count() <= 32).collect();
    out.sort();
    out.dedup();
    out
}

fn allowed(t: &TransitionDef, mover: &Mover<'_>) -> bool {
    match mover {
        Mover::Customer(answer) => t.by_customer == Some(*answer),
        Mover::User { role, departments, .. } => {
            role.administers()
                || (t.departments.is_empty() && t.roles.is_empty())
                || t.roles.iter().any(|r| r == role || (r == &Role::Supervisor && role.oversees_all()))
                || t.departments.iter().any(|d| departments.contains(d))
        }
    }
}

/// Move a ticket to state `to`. Returns whom to notify. Refuses moves the workflow does not
/// allow and movers without permission; the ticket is unchanged on error.
pub fn transition(
    ticket: &mut Ticket,
    wf: &Workflow,
    calendar: &Calendar,
    mover: Mover<'_>,
    to: &str,
    note: Option<String>,
    now: Millis,
) -> Result<Vec<Notify>, CoreError> {
    let current = ticket.state.clone();
    let t = wf
        .transitions_from(&current)
        .find(|t| t.to == to)
        .ok_or_else(|| CoreError::Conflict(crate::error::msg("error-workflow-no-move").arg("workflow", wf.name.as_str()).arg("from", current.to_string()).arg("to", to.to_string())))?;
    if !allowed(t, &mover) {
        return Err(CoreError::Forbidden(crate::error::msg("error-workflow-move-forbidden").arg("move", t.name.as_str())));
    }
    let from_state = wf.state(&ticket.state).cloned();
    let to_state = wf.state(to).ok_or(CoreError::NotFound("state"))?;
    let time = sla_time(wf, calendar);
    if from_state.as_ref().is_some_and(|s| s.pauses_sla) && !to_state.pauses_sla {
        ticket.sla.resume(&time, now);
    }
    if to_state.pauses_sla {
        ticket.sla.pause(now);
    }
    if matches!(mover, Mover::User { .. }) {
        ticket.sla.responded(now);
    }
    ticket.history.push(HistoryEntry {
        at: now,
        by: mover.author(),
        change: TicketChange::Moved { from: ticket.state.clone(), to: to.to_string(), transition: t.name.clone(), note: note.filter(|n| !n.trim().is_empty()) },
    });
    if to_state.department.is_some() && to_state.department != ticket.department {
        ticket.history.push(HistoryEntry {
            at: now,
            by: mover.author(),
            change: TicketChange::Assigned {
                from_department: ticket.department.clone(),
                to_department: to_state.department.clone(),
                from_assignee: ticket.assignee_id,
                to_assignee: None,
            },
        });
        ticket.department = to_state.department.clone();
        ticket.assignee_id = None;
    }
    ticket.state = to.to_string();
    ticket.closed_at = to_state.terminal.then_some(now);
    ticket.updated_at = now;
    Ok(t.notify.clone())
}

/// Add a comment. Public comments by users count as responses; by the customer, they start
/// the next-response clock.
pub fn comment(ticket: &mut Ticket, wf: &Workflow, calendar: &Calendar, by: Author, body: &str, public: bool, now: Millis) -> Result<Comment, CoreError> {
    let body = body.trim();
    if body.is_empty() || body.len() > 16 * 1024 {
        return Err(CoreError::Invalid(crate::error::msg("error-ticket-comment")));
    }
    let c = Comment { id: CommentId::new(), author: by.clone(), body: body.to_string(), public, at: now };
    match (&by, public) {
        (Author::User { .. }, true) => ticket.sla.responded(now),
        (Author::Customer, _) => ticket.sla.customer_wrote(wf.sla.get(&ticket.priority), &sla_time(wf, calendar), now),
        _ => {}
    }
    ticket.history.push(HistoryEntry { at: now, by, change: TicketChange::Commented { comment: c.id, public } });
    ticket.comments.push(c.clone());
    ticket.updated_at = now;
    Ok(c)
}

/// Give the ticket to a department and/or person. What is not given stays, except that a new
/// department without a named person clears the assignee (they may not work there).
pub fn assign(ticket: &mut Ticket, by: Author, department: Option<String>, assignee: Option<UserId>, now: Millis) {
    let to_department = department.or_else(|| ticket.department.clone());
    let assignee = match assignee {
        Some(a) => Some(a),
        None if to_department != ticket.department => None,
        None => ticket.assignee_id,
    };
    if to_department == ticket.department && assignee == ticket.assignee_id {
        return;
    }
    ticket.history.push(HistoryEntry {
        at: now,
        by,
        change: TicketChange::Assigned {
            from_department: ticket.department.clone(),
            to_department: to_department.clone(),
            from_assignee: ticket.assignee_id,
            to_assignee: assignee,
        },
    });
    ticket.department = to_department;
    ticket.assignee_id = assignee;
    ticket.updated_at = now;
}

/// Replace the tags.
pub fn set_tags(ticket: &mut Ticket, by: Author, tags: Vec<String>, now: Millis) {
    let tags = clean_tags(tags);
    if tags != ticket.tags {
        ticket.history.push(HistoryEntry { at: now, by, change: TicketChange::Tagged { from: ticket.tags.clone(), to: tags.clone() } });
        ticket.tags = tags;
        ticket.updated_at = now;
    }
}

/// Attach a file by reference (name, URL, size).
pub fn attach(ticket: &mut Ticket, by: Author, file: Attachment, now: Millis) -> Result<(), CoreError> {
    let name_ok = !file.name.trim().is_empty() && file.name.chars().count() <= 200;
    let url_ok = file.url.len() <= 2048 && (file.url.starts_with("https://") || file.url.starts_with("http://") || file.url.starts_with('/'));
    if !name_ok || !url_ok {
        return Err(CoreError::Invalid(crate::error::msg("error-ticket-attachment")));
    }
    if ticket.attachments.len() >= 100 {
        return Err(CoreError::Invalid(crate::error::msg("error-ticket-attachments-max")));
    }
    ticket.history.push(HistoryEntry { at: now, by, change: TicketChange::Attached { name: file.name.clone() } });
    ticket.attachments.push(file);
    ticket.updated_at = now;
    Ok(())
}

/// Change the priority.
pub fn set_priority(ticket: &mut Ticket, by: Author, to: Priority, now: Millis) {
    if ticket.priority != to {
        ticket.history.push(HistoryEntry { at: now, by, change: TicketChange::Priority { from: ticket.priority, to } });
        ticket.priority = to;
        ticket.updated_at = now;
    }
}

/// Run the SLA sweep on one ticket; returns what fired (already recorded and applied).
pub fn sweep(ticket: &mut Ticket, wf: &Workflow, calendar: &Calendar, now: Millis) -> Vec<SlaOutcome> {
    let Some(targets) = wf.sla.get(&ticket.priority).cloned() else { return vec![] };
    let outcomes = ticket.sla.evaluate(&targets, &sla_time(wf, calendar), now, ticket.closed_at.is_some());
    for o in &outcomes {
        ticket.sla.record(o);
        let change = match o {
            SlaOutcome::Warning(t) => TicketChange::SlaWarning { target: *t },
            SlaOutcome::Breached(t) => TicketChange::SlaBreached { target: *t },
            SlaOutcome::Escalate(_, rule) => {
                match &rule.action {
                    EscalationAction::RaisePriority => set_priority(ticket, Author::System, ticket.priority.raised(), now),
                    EscalationAction::Reassign { department } => assign(ticket, Author::System, Some(department.clone()), None, now),
                    EscalationAction::NotifyManager => {}
                }
                TicketChange::Escalated { action: rule.action.clone() }
            }
        };
        ticket.history.push(HistoryEntry { at: now, by: Author::System, change });
        ticket.updated_at = now;
    }
    outcomes
}

/// Read a customer's reply to "请回复 1 确认 / 2 未解决": yes, no, or not an answer.
pub fn read_answer(text: &str) -> Option<CustomerAnswer> {
    let t: String = text.trim().trim_matches(|c: char| c.is_ascii_punctuation() || "。！!，,～~ ".contains(c)).to_lowercase();
    const YES: [&str; 9] = ["1", "已解决", "解决了", "确认", "确认解决", "是", "好的", "yes", "y"];
    const NO: [&str; 8] = ["2", "未解决", "没解决", "没有解决", "不满意", "否", "no", "n"];
    if YES.contains(&t.as_str()) {
        Some(CustomerAnswer::Confirms)
    } else if NO.contains(&t.as_str()) {
        Some(CustomerAnswer::Rejects)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tickets::defaults;

    fn new_ticket(wf: &Workflow) -> Ticket {
        let n = NewTicket {
            shop_id: ShopId::new(),
            number: 1,
            title: "商品质量投诉".into(),
            description: "收到的杯子有裂缝".into(),
            customer_id: None,
            conversation_ids: vec![],
            priority: Priority::Normal,
            tags: vec!["质量".into(), " 质量 ".into()],
            by: UserId::new(),
        };
        create(n, wf, &Calendar::always_open(), 0).unwrap()
    }

    fn wf(key: &str) -> Workflow {
        defaults::workflows().into_iter().find(|w| w.ticket_type == key).unwrap()
    }

    #[test]
    fn complaint_walk_with_a_loop_and_rejections() {
        let wf = wf("complaint");
        let cal = Calendar::always_open();
        let mut t = new_ticket(&wf);
        assert_eq!((t.state.as_str(), t.department.as_deref()), ("record", Some("service")));
        assert_eq!(t.tags, vec!["质量"]);
        let service = ["service".to_string()];
        let legal = ["legal".to_string()];
        let agent = Mover::User { id: UserId::new(), role: Role::Agent, departments: &service };
        let lawyer = Mover::User { id: UserId::new(), role: Role::Agent, departments: &legal };

        // Illegal jump and wrong department are refused without change.
        let before = t.clone();
        assert!(matches!(transition(&mut t, &wf, &cal, agent, "closed", None, 1), Err(CoreError::Conflict(_))));
        transition(&mut t, &wf, &cal, agent, "legal_review", None, 1).unwrap();
        assert!(matches!(transition(&mut t, &wf, &cal, agent, "solution_feedback", None, 2), Err(CoreError::Forbidden(_))));
        assert_ne!(before, t);
        transition(&mut t, &wf, &cal, lawyer, "record", Some("请补充照片".into()), 2).unwrap();
        transition(&mut t, &wf, &cal, agent, "legal_review", None, 3).unwrap();
        transition(&mut t, &wf, &cal, lawyer, "solution_feedback", None, 4).unwrap();
        let notify = transition(&mut t, &wf, &cal, agent, "customer_confirmation", None, 5).unwrap();
        assert_eq!(notify, vec![Notify::Customer]);
        assert!(t.sla.paused_since.is_some());
        // The customer cannot make a move the workflow gives to staff, and "no" loops back.
        assert!(transition(&mut t, &wf, &cal, Mover::Customer(CustomerAnswer::Confirms), "legal_review", None, 6).is_err());
        transition(&mut t, &wf, &cal, Mover::Customer(CustomerAnswer::Rejects), "legal_review", None, 6).unwrap();
        assert!(t.sla.paused_since.is_none());
        transition(&mut t, &wf, &cal, lawyer, "solution_feedback", None, 7).unwrap();
        transition(&mut t, &wf, &cal, agent, "customer_confirmation", None, 8).unwrap();
        transition(&mut t, &wf, &cal, Mover::Customer(CustomerAnswer::Confirms), "closed", None, 9).unwrap();
        assert_eq!(t.closed_at, Some(9));
        let moves = t.history.iter().filter(|h| matches!(h.change, TicketChange::Moved { .. })).count();
        assert_eq!(moves, 9);
        assert!(transition(&mut t, &wf, &cal, agent, "record", None, 10).is_err(), "closed is final");
    }

    #[test]
    fn emergency_needs_management_or_supervisors() {
        let wf = wf("emergency");
        let cal = Calendar::always_open();
        let mut t = new_ticket(&wf);
        let nobody: [String; 0] = [];
        let agent = Mover::User { id: UserId::new(), role: Role::Agent, departments: &nobody };
        let supervisor = Mover::User { id: UserId::new(), role: Role::Supervisor, departments: &nobody };
        assert!(matches!(transition(&mut t, &wf, &cal, agent, "contingency", None, 1), Err(CoreError::Forbidden(_))));
        for s in ["contingency", "all_hands", "review", "closed"] {
            transition(&mut t, &wf, &cal, supervisor, s, None, 2).unwrap();
        }
        assert!(t.closed_at.is_some());
    }

    #[test]
    fn assigning_keeps_what_is_not_given() {
        let wf = wf("complaint");
        let mut t = new_ticket(&wf);
        let (a, b) = (UserId::new(), UserId::new());
        assign(&mut t, Author::System, None, Some(a), 1);
        assign(&mut t, Author::System, None, None, 2);
        assert_eq!((t.department.as_deref(), t.assignee_id), (Some("service"), Some(a)));
        assign(&mut t, Author::System, Some("legal".into()), None, 3);
        assert_eq!((t.department.as_deref(), t.assignee_id), (Some("legal"), None));
        assign(&mut t, Author::System, Some("tech".into()), Some(b), 4);
        assert_eq!((t.department.as_deref(), t.assignee_id), (Some("tech"), Some(b)));
        assert_eq!(t.history.iter().filter(|h| matches!(h.change, TicketChange::Assigned { .. })).count(), 3);
    }

    #[test]
    fn answers() {
        assert_eq!(read_answer(" 1 "), Some(CustomerAnswer::Confirms));
        assert_eq!(read_answer("已解决！"), Some(CustomerAnswer::Confirms));
        assert_eq!(read_answer("2"), Some(CustomerAnswer::Rejects));
        assert_eq!(read_answer("还没解决，杯子还是裂的"), None);
    }

    #[test]
    fn sweep_escalates_once() {
        let wf = wf("complaint");
        let cal = Calendar::always_open();
        let mut wf24 = wf.clone();
        wf24.business_hours = false;
        let mut t = new_ticket(&wf24);
        let due = t.sla.resolution_due.unwrap();
        let fired = sweep(&mut t, &wf24, &cal, due + 61 * 60_000);
        assert!(fired.iter().filter(|o| matches!(o, SlaOutcome::Escalate(..))).count() == 2);
        assert_eq!(t.priority, Priority::High);
        assert!(sweep(&mut t, &wf24, &cal, due + 600 * 60_000).is_empty());
    }
}
