//! Ticket workflows are data: states, allowed transitions, who may make each, whom each
//! notifies, and the SLA targets per priority. One workflow per ticket type, editable by an
//! admin and validated before it is saved.

use super::sla::SlaTargets;
use super::Priority;
use crate::shop::Role;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet, VecDeque};

/// One state of a workflow.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StateDef {
    /// Stable key, e.g. `legal_review`.
    pub key: String,
    /// Display name, e.g. 法务审核.
    pub name: String,
    /// The ticket is finished here.
    #[serde(default)]
    pub terminal: bool,
    /// SLA clocks stop while the ticket is here (waiting for the customer).
    #[serde(default)]
    pub pauses_sla: bool,
    /// The customer is asked to confirm here; their yes/no moves the ticket.
    #[serde(default)]
    pub awaits_customer: bool,
    /// The department that owns the ticket in this state (key), if any.
    #[serde(default)]
    pub department: Option<String>,
}

impl StateDef {
    /// The status as a customer reading `lang` is told it: a built-in status the shop never
    /// renamed in kefu's words for that language (the tickets page does the same), else the
    /// shop's own word as written.
    pub fn name_in(&self, lang: kefu_i18n::Lang) -> String {
        let id = format!("tickets-page-state-{}", self.key);
        let builtin = kefu_i18n::has_message(kefu_i18n::Lang::ZhCn, &id) && kefu_i18n::render(kefu_i18n::Lang::ZhCn, &id) == self.name;
        if builtin {
            kefu_i18n::render(lang, &id)
        } else {
            self.name.clone()
        }
    }
}

/// Who hears about a transition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Notify {
    /// The customer, through their channel.
    Customer,
    /// The assignee.
    Assignee,
    /// The owning department's members.
    Department,
    /// Supervisors and above.
    Supervisors,
}

/// An allowed move between two states.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransitionDef {
    /// From state key.
    pub from: String,
    /// To state key.
    pub to: String,
    /// Action name shown on the button, e.g. 提交法务.
    pub name: String,
    /// Members of these departments may make it (any when both lists are empty).
    #[serde(default)]
    pub departments: Vec<String>,
    /// Users with these roles may make it.
    #[serde(default)]
    pub roles: Vec<Role>,
    /// The customer makes it by answering a confirmation (yes → this transition, if `confirms`).
    #[serde(default)]
    pub by_customer: Option<CustomerAnswer>,
    /// Who is told.
    #[serde(default)]
    pub notify: Vec<Notify>,
}

/// The customer's answer that triggers a transition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CustomerAnswer {
    /// Solved.
    Confirms,
    /// Not solved.
    Rejects,
}

/// The workflow of one ticket type.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Workflow {
    /// Ticket type key, e.g. `complaint`.
    pub ticket_type: String,
    /// Display name, e.g. 投诉.
    pub name: String,
    /// The state new tickets start in.
    pub initial: String,
    /// States.
    pub states: Vec<StateDef>,
    /// Allowed transitions.
    pub transitions: Vec<TransitionDef>,
    /// Notify supervisors the moment a ticket is created (emergencies).
    #[serde(default)]
    pub fast_lane: bool,
    /// SLA targets per priority.
    #[serde(default)]
    pub sla: BTreeMap<Priority, SlaTargets>,
    /// Count SLA time on the shop calendar (false: around the clock).
    #[serde(default = "yes")]
    pub business_hours: bool,
}

fn yes() -> bool {
    true
}

/// Why a workflow definition is refused.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum WorkflowError {
    /// Something structural, in words.
    #[error("{0}")]
    Invalid(String),
}

impl Workflow {
    /// A state by key.
    pub fn state(&self, key: &str) -> Option<&StateDef> {
        self.states.iter().find(|s| s.key == key)
    }

    /// Transitions leaving a state.
    pub fn transitions_from<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a TransitionDef> + 'a {
        self.transitions.iter().filter(move |t| t.from == key)
    }

    /// Refuse duplicates, dangling references, unreachable states, states from which no
    /// terminal state can be reached, and workflows without a terminal state.
    pub fn validate(&self) -> Result<(), WorkflowError> {
        let bad = |m: String| Err(WorkflowError::Invalid(m));
        let key_ok = |k: &str| !k.is_empty() && k.len() <= 64 && k.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !key_ok(&self.ticket_type) {
            return bad(format!("ticket type {:?} must be 1-64 characters of a-z, 0-9 and _", self.ticket_type));
        }
        let mut seen = HashSet::new();
        for s in &self.states {
            if !key_ok(&s.key) {
                return bad(format!("state key {:?} must be 1-64 characters of a-z, 0-9 and _", s.key));
            }
            if !seen.insert(s.key.as_str()) {
                return bad(format!("state {:?} is defined twice", s.key));
            }
        }
        if self.state(&self.initial).is_none() {
            return bad(format!("initial state {:?} is not defined", self.initial));
        }
        if !self.states.iter().any(|s| s.terminal) {
            return bad("the workflow has no terminal state".into());
        }
        for t in &self.transitions {
            for end in [&t.from, &t.to] {
                if self.state(end).is_none() {
                    return bad(format!("transition {:?} names unknown state {end:?}", t.name));
                }
            }
            if self.state(&t.from).is_some_and(|s| s.terminal) {
                return bad(format!("transition {:?} leaves terminal state {:?}", t.name, t.from));
            }
            if t.by_customer.is_some() && !self.state(&t.from).is_some_and(|s| s.awaits_customer) {
                return bad(format!("transition {:?} is made by the customer but {:?} does not ask them", t.name, t.from));
            }
        }
        let reachable = self.reach(&self.initial);
        if let Some(s) = self.states.iter().find(|s| !reachable.contains(s.key.as_str())) {
            return bad(format!("state {:?} cannot be reached from {:?}", s.key, self.initial));
        }
        for s in self.states.iter().filter(|s| !s.terminal) {
            let onward = self.reach(&s.key);
            if !self.states.iter().any(|t| t.terminal && onward.contains(t.key.as_str())) {
                return bad(format!("no terminal state can be reached from {:?}", s.key));
            }
        }
        Ok(())
    }

    fn reach<'a>(&'a self, from: &'a str) -> HashSet<&'a str> {
        let mut seen = HashSet::from([from]);
        let mut queue = VecDeque::from([from]);
        while let Some(s) = queue.pop_front() {
            for t in self.transitions_from(s) {
                if seen.insert(t.to.as_str()) {
                    queue.push_back(t.to.as_str());
                }
            }
        }
        seen
    }
}
