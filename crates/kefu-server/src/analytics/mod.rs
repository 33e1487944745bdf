//! Analytics in the server: keeping rollups current, evaluating alert rules, and the
//! dashboard and hotspot views and pages.

pub mod charts;
pub mod pages;
pub mod reading;
pub mod views;

use crate::realtime::Hub;
use kefu_core::analytics::alerts::{decide, AlertKind, AlertRules, Decision, SETTING_KEY};
use kefu_core::analytics::store::AnalyticsStore;
use kefu_core::analytics::{consumer, watch};
use kefu_core::event::{Event, EventKind};
use kefu_core::ids::{EventId, ShopId};
use kefu_core::inbox::Inbox;
use kefu_core::shop::Role;
use kefu_core::store::Store;
use kefu_core::CoreError;
use kefu_store::SqlStore;
use std::sync::Arc;
use tokio::sync::Mutex;

/// Events folded per consumer batch.
const BATCH: u32 = 2_000;

/// The analytics service of one process.
pub struct Analytics {
    inbox: Arc<Inbox<SqlStore>>,
    hub: Arc<Hub>,
    /// One consumer per process at a time (the cursor's compare-and-set guards across
    /// processes); readers wait here so a dashboard sees every committed event.
    consuming: Mutex<()>,
    /// One evaluation at a time: two would both see an alert closed and both raise it.
    evaluating: Mutex<()>,
}

impl Analytics {
    /// The service over the inbox's store and the realtime hub.
    pub fn new(inbox: Arc<Inbox<SqlStore>>, hub: Arc<Hub>) -> Self {
        Analytics { inbox, hub, consuming: Mutex::new(()), evaluating: Mutex::new(()) }
    }

    /// The store.
    pub fn store(&self) -> &SqlStore {
        self.inbox.store()
    }

    /// Fold what is pending before a read; returns how many events. Bounded (20 batches)
    /// so a large backlog (a first start over an old log) is left to the worker instead of
    /// holding up a request.
    pub async fn refresh(&self) -> Result<usize, CoreError> {
        let _one = self.consuming.lock().await;
        let mut total = 0;
        for _ in 0..20 {
            match consumer::step(self.store(), BATCH).await? {
                0 => break,
                n => total += n,
            }
        }
        Ok(total)
    }

    /// Fold every event committed so far.
    async fn catch_up(&self) -> Result<usize, CoreError> {
        let _one = self.consuming.lock().await;
        Ok(consumer::catch_up(self.store(), BATCH).await?)
    }

    /// The shop's alert rules (the defaults until the shop saves its own).
    pub async fn rules(&self, shop: ShopId) -> Result<AlertRules, CoreError> {
        match self.store().setting(shop, SETTING_KEY).await? {
            Some(doc) => serde_json::from_str(&doc).map_err(|e| CoreError::Invalid(crate::error::msg("error-alert-stored").arg("reason", e.to_string()))),
            None => Ok(AlertRules::default()),
        }
    }

    /// Bring rollups up to date, then evaluate every shop's rules once: each firing and
    /// resolving is committed as an event (so outgoing webhooks see it) and sent to the
    /// workspaces of the shop's supervisors. Returns how many alerts changed.
    pub async fn evaluate(&self) -> Result<usize, CoreError> {
        let _one = self.evaluating.lock().await;
        self.catch_up().await?;
        let now = self.inbox.now();
        let mut changed = 0;
        for shop in self.store().shops().await? {
            let rules = self.rules(shop.id).await?;
            let readings = watch::readings(self.store(), shop.id, &rules, now).await?;
            let states = self.store().alert_states(shop.id).await?;
            let decisions = decide(&rules, &readings, &states, now);
            if decisions.is_empty() {
                continue;
            }
            let events: Vec<Event> = decisions.iter().map(|d| event(shop.id, now, &rules, d)).collect();
            self.inbox.commit_events(shop.id, events.clone()).await?;
            let supervisors: Vec<_> = self.store().users(shop.id).await?.into_iter().filter(|u| u.role <= Role::Supervisor).map(|u| u.id).collect();
            for e in &events {
                self.hub.to_users(shop.id, &supervisors, &frame(e));
            }
            changed += decisions.len();
        }
        // Fold the alert events now, so the next evaluation sees them open.
        self.catch_up().await?;
        Ok(changed)
    }
}

fn event(shop: ShopId, now: i64, rules: &AlertRules, d: &Decision) -> Event {
    let kind = match d {
        Decision::Raise { rule, subject, value, threshold } => {
            let alert = rules.rules.iter().find(|r| &r.id == rule).map(|r| kind_name(r.kind)).unwrap_or("unknown");
            EventKind::AlertRaised { rule: rule.clone(), alert: alert.into(), subject: subject.clone(), value: *value, threshold: *threshold }
        }
        Decision::Resolve { rule, subject, value } => EventKind::AlertResolved { rule: rule.clone(), subject: subject.clone(), value: *value },
    };
    Event { id: EventId::new(), shop_id: shop, conversation_id: None, customer_id: None, at: now, kind }
}

/// The stored name of an alert kind.
pub fn kind_name(k: AlertKind) -> &'static str {
    match k {
        AlertKind::ResponseTime => "response_time",
        AlertKind::BadReviewShare => "bad_review_share",
        AlertKind::NegativeCommentShare => "negative_comment_share",
        AlertKind::CategoryBotResolution => "category_bot_resolution",
        AlertKind::CategorySurge => "category_surge",
        AlertKind::CustomerComplaints => "customer_complaints",
    }
}

/// The workspace frame of an alert event: `{"type":"alert","state":"raised"|"resolved",…}`;
/// a low bot resolution in a category carries a knowledge-base task for the supervisor.
fn frame(e: &Event) -> serde_json::Value {
    match &e.kind {
        EventKind::AlertRaised { rule, alert, subject, value, threshold } => {
            let task = (alert == "category_bot_resolution").then(|| {
                let l2 = subject.split_once('/').map(|(_, b)| b).unwrap_or(subject);
                serde_json::json!({ "kind": "kb_update", "href": format!("/kb?draft={}", views::url_encode(l2)) })
            });
            serde_json::json!({ "type": "alert", "state": "raised", "rule": rule, "alert": alert, "subject": subject, "value": value, "threshold": threshold, "at": e.at, "task": task })
        }
        EventKind::AlertResolved { rule, subject, value } => {
            serde_json::json!({ "type": "alert", "state": "resolved", "rule": rule, "subject": subject, "value": value, "at": e.at })
        }
        _ => serde_json::Value::Null,
    }
}
