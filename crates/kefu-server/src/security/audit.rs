//! Appending to the hash-chained audit log from request handlers.

use crate::app::AppState;
use crate::auth::Principal;
use crate::error::ApiError;
use kefu_core::audit::AuditEntry;
use kefu_core::store::{Change, ChangeSet, Store};

/// The entry for an action by the caller; tokens are named as such so a reader can tell an
/// integration from a person.
pub fn entry(state: &AppState, who: &Principal, action: &str, target: Option<String>, detail: serde_json::Value) -> AuditEntry {
    let mut e = AuditEntry::by_user(who.user.shop_id, who.user.id, state.inbox.now(), action, target, detail);
    if who.via == crate::auth::Via::Token {
        e.actor = format!("token-of-user:{}", who.user.id);
    }
    e
}

/// Append one entry; the action is reported as failed if its audit record cannot be kept.
pub async fn record(state: &AppState, entry: AuditEntry) -> Result<(), ApiError> {
    let mut cs = ChangeSet::default();
    cs.push(Change::AppendAudit(entry));
    state.inbox.store().apply(cs).await?;
    Ok(())
}
