//! Service-level agreements of tickets: targets per type and priority, due times in business
//! hours, pauses, warnings, breaches and escalations, as pure functions of the ticket and now.

pub mod calendar;

use crate::clock::Millis;
use serde::{Deserialize, Serialize};

pub use calendar::{Calendar, CalendarError, Hours};

/// Which promise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SlaTarget {
    /// First answer from the service side.
    FirstResponse,
    /// Answer to the customer's latest public comment.
    NextResponse,
    /// Closed.
    Resolution,
}

/// What to do when a target is breached.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum EscalationAction {
    /// Tell supervisors and above.
    NotifyManager,
    /// One priority step up.
    RaisePriority,
    /// Hand the ticket to another department's queue.
    Reassign {
        /// Department key.
        department: String,
    },
}

/// An escalation rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Escalation {
    /// The breached target that triggers it.
    pub on: SlaTarget,
    /// Business minutes after the breach (0: at the breach).
    #[serde(default)]
    pub after_minutes: i64,
    /// What happens.
    #[serde(flatten)]
    pub action: EscalationAction,
}

/// Targets of one ticket type and priority, in business minutes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlaTargets {
    /// First response.
    pub first_response_minutes: i64,
    /// Next response after a customer comment.
    #[serde(default)]
    pub next_response_minutes: Option<i64>,
    /// Resolution.
    pub resolution_minutes: i64,
    /// Warn this long before a due time.
    #[serde(default)]
    pub warn_before_minutes: i64,
    /// Escalations.
    #[serde(default)]
    pub escalations: Vec<Escalation>,
}

/// The SLA state carried by a ticket.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlaClock {
    /// First response due.
    pub first_response_due: Option<Millis>,
    /// When the first response happened.
    pub first_responded_at: Option<Millis>,
    /// Next response due (while a customer comment waits).
    pub next_response_due: Option<Millis>,
    /// Resolution due.
    pub resolution_due: Option<Millis>,
    /// Paused since (waiting for the customer).
    pub paused_since: Option<Millis>,
    /// Targets already warned about.
    pub warned: Vec<SlaTarget>,
    /// Targets already breached.
    pub breached: Vec<SlaTarget>,
    /// Escalation rules already fired (index into the targets' list).
    pub escalated: Vec<usize>,
}

/// Overall SLA standing, for filters and boards.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SlaStatus {
    /// Within targets.
    Ok,
    /// A target is near.
    Warning,
    /// A target was missed.
    Breached,
    /// Clocks stopped (waiting for the customer).
    Paused,
    /// Closed.
    Done,
}

impl SlaStatus {
    /// Parse the API name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "ok" => SlaStatus::Ok,
            "warning" => SlaStatus::Warning,
            "breached" => SlaStatus::Breached,
            "paused" => SlaStatus::Paused,
            "done" => SlaStatus::Done,
            _ => return None,
        })
    }
}

/// Something the SLA sweep found.
#[derive(Clone, Debug, PartialEq)]
pub enum SlaOutcome {
    /// A target is within its warning window.
    Warning(SlaTarget),
    /// A target was missed.
    Breached(SlaTarget),
    /// An escalation rule is due (index into `escalations`).
    Escalate(usize, Escalation),
}

/// The time calculator of one ticket: the calendar, or wall time for round-the-clock types.
pub struct SlaTime<'a> {
    /// The shop calendar.
    pub calendar: &'a Calendar,
    /// Count business hours (false: wall time).
    pub business_hours: bool,
}

impl SlaTime<'_> {
    /// `start` plus `ms` of counted time.
    pub fn add(&self, start: Millis, ms: i64) -> Millis {
        if self.business_hours { self.calendar.add_business_millis(start, ms) } else { start + ms.max(0) }
    }

    /// Counted time between two instants.
    pub fn between(&self, from: Millis, to: Millis) -> i64 {
        if self.business_hours { self.calendar.business_millis_between(from, to) } else { (to - from).max(0) }
    }
}

impl SlaClock {
    /// Start the clocks of a new ticket.
    pub fn start(targets: Option<&SlaTargets>, time: &SlaTime<'_>, now: Millis) -> SlaClock {
        let Some(t) = targets else { return SlaClock::default() };
        SlaClock {
            first_response_due: Some(time.add(now, t.first_response_minutes * 60_000)),
            resolution_due: Some(time.add(now, t.resolution_minutes * 60_000)),
            ..Default::default()
        }
    }

    /// Stop the clocks (entering a state that waits for the customer).
    pub fn pause(&mut self, now: Millis) {
        self.paused_since.get_or_insert(now);
    }

    /// Restart the clocks; every pending due time moves by the counted time paused.
    pub fn resume(&mut self, time: &SlaTime<'_>, now: Millis) {
        let Some(since) = self.paused_since.take() else { return };
        let paused = time.between(since, now);
        for due in [&mut self.first_response_due, &mut self.next_response_due, &mut self.resolution_due].into_iter().flatten() {
            *due = time.add(*due, paused);
        }
    }

    /// Record a response from the service side.
    pub fn responded(&mut self, now: Millis) {
        self.first_responded_at.get_or_insert(now);
        self.next_response_due = None;
        self.warned.retain(|t| *t != SlaTarget::NextResponse);
        self.breached.retain(|t| *t != SlaTarget::NextResponse);
    }

    /// The customer wrote publicly: the next response is due.
    pub fn customer_wrote(&mut self, targets: Option<&SlaTargets>, time: &SlaTime<'_>, now: Millis) {
        if let Some(mins) = targets.and_then(|t| t.next_response_minutes) {
            if self.next_response_due.is_none() {
                self.next_response_due = Some(time.add(now, mins * 60_000));
            }
        }
    }

    fn pending(&self) -> [(SlaTarget, Option<Millis>); 3] {
        [
            (SlaTarget::FirstResponse, self.first_responded_at.map_or(self.first_response_due, |_| None)),
            (SlaTarget::NextResponse, self.next_response_due),
            (SlaTarget::Resolution, self.resolution_due),
        ]
    }

    /// What is due at `now` that has not happened yet: warnings, breaches, escalations. Each
    /// is returned once; the caller records it with [`SlaClock::record`].
    pub fn evaluate(&self, targets: &SlaTargets, time: &SlaTime<'_>, now: Millis, closed: bool) -> Vec<SlaOutcome> {
        if closed || self.paused_since.is_some() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (target, due) in self.pending() {
            let Some(due) = due else { continue };
            let warn_at = due - targets.warn_before_minutes * 60_000;
            if now >= due {
                if !self.breached.contains(&target) {
                    out.push(SlaOutcome::Breached(target));
                }
            } else if now >= warn_at && targets.warn_before_minutes > 0 && !self.warned.contains(&target) {
                out.push(SlaOutcome::Warning(target));
            }
            for (i, rule) in targets.escalations.iter().enumerate() {
                if rule.on == target && !self.escalated.contains(&i) && now >= time.add(due, rule.after_minutes * 60_000) {
                    out.push(SlaOutcome::Escalate(i, rule.clone()));
                }
            }
        }
        out
    }

    /// Remember an outcome so it never fires twice.
    pub fn record(&mut self, outcome: &SlaOutcome) {
        match outcome {
            SlaOutcome::Warning(t) => self.warned.push(*t),
            SlaOutcome::Breached(t) => self.breached.push(*t),
            SlaOutcome::Escalate(i, _) => self.escalated.push(*i),
        }
    }

    /// Standing at `now`.
    pub fn status(&self, targets: Option<&SlaTargets>, now: Millis, closed: bool) -> SlaStatus {
        if closed {
            return SlaStatus::Done;
        }
        if self.paused_since.is_some() {
            return SlaStatus::Paused;
        }
        let warn = targets.map_or(0, |t| t.warn_before_minutes) * 60_000;
        let dues: Vec<Millis> = self.pending().iter().filter_map(|(_, d)| *d).collect();
        if !self.breached.is_empty() || dues.iter().any(|d| now >= *d) {
            SlaStatus::Breached
        } else if dues.iter().any(|d| now >= d - warn) && warn > 0 {
            SlaStatus::Warning
        } else {
            SlaStatus::Ok
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets() -> SlaTargets {
        SlaTargets {
            first_response_minutes: 60,
            next_response_minutes: Some(30),
            resolution_minutes: 240,
            warn_before_minutes: 10,
            escalations: vec![Escalation { on: SlaTarget::Resolution, after_minutes: 0, action: EscalationAction::RaisePriority }],
        }
    }

    const MIN: i64 = 60_000;

    #[test]
    fn warn_breach_escalate_once_and_pause() {
        let cal = Calendar::always_open();
        let time = SlaTime { calendar: &cal, business_hours: false };
        let t = targets();
        let mut c = SlaClock::start(Some(&t), &time, 0);
        assert_eq!(c.first_response_due, Some(60 * MIN));
        assert!(c.evaluate(&t, &time, 49 * MIN, false).is_empty());
        let out = c.evaluate(&t, &time, 50 * MIN, false);
        assert_eq!(out, vec![SlaOutcome::Warning(SlaTarget::FirstResponse)]);
        out.iter().for_each(|o| c.record(o));
        assert!(c.evaluate(&t, &time, 55 * MIN, false).is_empty(), "a warning fires once");
        c.responded(55 * MIN);
        assert!(c.evaluate(&t, &time, 61 * MIN, false).is_empty(), "answered in time");

        c.pause(100 * MIN);
        assert!(c.evaluate(&t, &time, 500 * MIN, false).is_empty(), "paused clocks never breach");
        c.resume(&time, 160 * MIN);
        assert_eq!(c.resolution_due, Some(300 * MIN), "60 paused minutes move the due time");
        let out = c.evaluate(&t, &time, 300 * MIN, false);
        assert!(out.contains(&SlaOutcome::Breached(SlaTarget::Resolution)));
        assert!(out.iter().any(|o| matches!(o, SlaOutcome::Escalate(0, _))));
        out.iter().for_each(|o| c.record(o));
        assert!(c.evaluate(&t, &time, 400 * MIN, false).is_empty(), "breach and escalation fire once");
        assert_eq!(c.status(Some(&t), 400 * MIN, false), SlaStatus::Breached);
        assert_eq!(c.status(Some(&t), 400 * MIN, true), SlaStatus::Done);
    }

    #[test]
    fn next_response_follows_customer_comments() {
        let cal = Calendar::always_open();
        let time = SlaTime { calendar: &cal, business_hours: false };
        let t = targets();
        let mut c = SlaClock::start(Some(&t), &time, 0);
        c.responded(5 * MIN);
        c.customer_wrote(Some(&t), &time, 10 * MIN);
        assert_eq!(c.next_response_due, Some(40 * MIN));
        c.responded(20 * MIN);
        assert_eq!(c.next_response_due, None);
    }
}
