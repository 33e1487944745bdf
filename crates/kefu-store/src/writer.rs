//! The single writer with group commit. Every change set queued while a commit runs joins
//! the next one: one transaction (one fsync) for many callers, each change set inside its
//! own savepoint so one failing set is rolled back alone. Callers are answered only after
//! the commit, which is what lets the inbox acknowledge a message once it is durable.

use crate::backend_error;
use kefu_core::seal::{SearchKey, Sealer};
use kefu_core::store::{Change, ChangeSet, StoreError};
use sqlx::{AnyConnection, Connection, Row};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// What the writer is asked to do.
pub(crate) enum Job {
    /// Apply and commit a change set, then answer.
    Apply(ChangeSet, oneshot::Sender<Result<(), StoreError>>),
    /// Finish what is queued, close the connection, then answer.
    Shutdown(oneshot::Sender<()>),
}

/// Counters of the writer, read by `/metrics` and the benchmarks.
#[derive(Debug, Default)]
pub struct WriterStats {
    /// Transactions committed.
    pub commits: AtomicU64,
    /// Change sets committed (commits × average batch size).
    pub change_sets: AtomicU64,
    /// Change sets that failed and were rolled back.
    pub failures: AtomicU64,
}

pub(crate) async fn run(
    mut conn: AnyConnection,
    mut rx: mpsc::Receiver<Job>,
    sealer: Arc<dyn Sealer>,
    index: Option<SearchKey>,
    max_batch: usize,
    stats: Arc<WriterStats>,
) {
    let w = Writing { sealer: sealer.as_ref(), index: index.as_ref() };
    let mut shutdown = None;
    while let Some(first) = rx.recv().await {
        let mut batch = Vec::new();
        match first {
            Job::Apply(cs, tx) => batch.push((cs, tx)),
            Job::Shutdown(tx) => shutdown = Some(tx),
        }
        while batch.len() < max_batch && shutdown.is_none() {
            match rx.try_recv() {
                Ok(Job::Apply(cs, tx)) => batch.push((cs, tx)),
                Ok(Job::Shutdown(tx)) => shutdown = Some(tx),
                Err(_) => break,
            }
        }
        if !batch.is_empty() {
            commit_batch(&mut conn, batch, &w, &stats).await;
        }
        if shutdown.is_some() {
            break;
        }
    }
    // Refuse what arrives from now on; callers see `Closed`.
    rx.close();
    while let Ok(job) = rx.try_recv() {
        match job {
            Job::Apply(_, tx) => {
                let _ = tx.send(Err(StoreError::Closed));
            }
            Job::Shutdown(tx) => {
                let _ = tx.send(());
            }
        }
    }
    if let Err(e) = conn.close().await {
        tracing::warn!(error = %e, "closing the writer connection failed");
    }
    if let Some(tx) = shutdown {
        let _ = tx.send(());
    }
}

type Waiting = (ChangeSet, oneshot::Sender<Result<(), StoreError>>);

/// What every change is written with: the sealer, and the search key when this process
/// keeps the search index.
struct Writing<'a> {
    sealer: &'a dyn Sealer,
    index: Option<&'a SearchKey>,
}

async fn commit_batch(conn: &mut AnyConnection, batch: Vec<Waiting>, w: &Writing<'_>, stats: &WriterStats) {
    let mut outcomes: Vec<Result<(), StoreError>> = Vec::with_capacity(batch.len());
    let result: Result<(), StoreError> = async {
        let mut tx = conn.begin().await.map_err(backend_error)?;
        for (cs, _) in &batch {
            let mut sp = tx.begin().await.map_err(backend_error)?;
            match apply_set(&mut sp, cs, w).await {
                Ok(()) => {
                    sp.commit().await.map_err(backend_error)?;
                    outcomes.push(Ok(()));
                }
                Err(e) => {
                    sp.rollback().await.map_err(backend_error)?;
                    outcomes.push(Err(e));
                }
            }
        }
        tx.commit().await.map_err(backend_error)
    }
    .await;

    match result {
        Ok(()) => {
            stats.commits.fetch_add(1, Ordering::Relaxed);
            let ok = outcomes.iter().filter(|o| o.is_ok()).count() as u64;
            stats.change_sets.fetch_add(ok, Ordering::Relaxed);
            stats.failures.fetch_add(outcomes.len() as u64 - ok, Ordering::Relaxed);
            for ((_, reply), outcome) in batch.into_iter().zip(outcomes) {
                let _ = reply.send(outcome);
            }
        }
        Err(e) => {
            // The whole transaction is gone: nobody's changes are durable.
            tracing::error!(error = %e, size = batch.len(), "group commit failed");
            stats.failures.fetch_add(batch.len() as u64, Ordering::Relaxed);
            let msg = e.to_string();
            for (_, reply) in batch {
                let _ = reply.send(Err(StoreError::Backend(msg.clone())));
            }
        }
    }
}

async fn apply_set(conn: &mut AnyConnection, cs: &ChangeSet, w: &Writing<'_>) -> Result<(), StoreError> {
    for change in &cs.changes {
        apply_change(conn, change, w.sealer).await?;
        if let (Change::InsertMessage { message, .. }, Some(key)) = (change, w.index) {
            crate::search::index_message(conn, key, message).await?;
        }
    }
    for ev in &cs.events {
        let payload = serde_json::to_string(&ev.kind).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        sqlx::query(
            "INSERT INTO event (id, shop_id, kind, conversation_id, customer_id, payload, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(ev.id.to_string())
        .bind(ev.shop_id.to_string())
        .bind(ev.kind.name())
        .bind(ev.conversation_id.map(|i| i.to_string()))
        .bind(ev.customer_id.map(|i| i.to_string()))
        .bind(payload)
        .bind(ev.at)
        .execute(&mut *conn)
        .await
        .map_err(backend_error)?;
    }
    Ok(())
}

async fn apply_change(conn: &mut AnyConnection, change: &Change, sealer: &dyn Sealer) -> Result<(), StoreError> {
    let q = match change {
        Change::InsertShop(s) => sqlx::query("INSERT INTO shop (id, name, widget_key, created_at) VALUES ($1, $2, $3, $4)")
            .bind(s.id.to_string())
            .bind(s.name.clone())
            .bind(s.widget_key.clone())
            .bind(s.created_at),
        Change::InsertUser(c) => sqlx::query(
            "INSERT INTO app_user (id, shop_id, email, display_name, role, capacity, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(c.user.id.to_string())
        .bind(c.user.shop_id.to_string())
        .bind(c.user.email.clone())
        .bind(c.user.display_name.clone())
        .bind(c.user.role.as_str())
        .bind(c.user.capacity as i64)
        .bind(c.password_hash.clone())
        .bind(c.user.created_at),
        Change::InsertCustomer(c) => {
            let sealed = seal(sealer, &c.display_name)?;
            sqlx::query("INSERT INTO customer (id, shop_id, name_key_id, name, last_seq, tags, merged_into, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(c.id.to_string())
                .bind(c.shop_id.to_string())
                .bind(sealed.key_id)
                .bind(sealed.bytes)
                .bind(c.last_seq)
                .bind(tags_json(&c.tags))
                .bind(c.merged_into.map(|i| i.to_string()))
                .bind(c.created_at)
        }
        Change::PutCustomerKey { shop_id, kind, value_hash, customer_id, at } => sqlx::query(
            "INSERT INTO customer_key (shop_id, kind, value_hash, customer_id, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (shop_id, kind, value_hash) DO NOTHING",
        )
        .bind(shop_id.to_string())
        .bind(kind.clone())
        .bind(value_hash.clone())
        .bind(customer_id.to_string())
        .bind(*at),
        Change::SetMergedInto { shop_id, from, into } => {
            if let Some(into) = into {
                // Whatever was merged into `from` follows it, so a lookup is never two hops.
                sqlx::query("UPDATE customer SET merged_into = $1 WHERE shop_id = $2 AND merged_into = $3")
                    .bind(into.to_string())
                    .bind(shop_id.to_string())
                    .bind(from.to_string())
                    .execute(&mut *conn)
                    .await
                    .map_err(backend_error)?;
            }
            sqlx::query("UPDATE customer SET merged_into = $1 WHERE shop_id = $2 AND id = $3")
                .bind(into.map(|i| i.to_string()))
                .bind(shop_id.to_string())
                .bind(from.to_string())
        }
        Change::DeleteCustomerKeys { shop_id, customer_id } => sqlx::query("DELETE FROM customer_key WHERE shop_id = $1 AND customer_id = $2")
            .bind(shop_id.to_string())
            .bind(customer_id.to_string()),
        Change::SetCustomerName { shop_id, customer_id, name } => {
            let sealed = seal(sealer, name)?;
            sqlx::query("UPDATE customer SET name_key_id = $1, name = $2 WHERE shop_id = $3 AND id = $4")
                .bind(sealed.key_id)
                .bind(sealed.bytes)
                .bind(shop_id.to_string())
                .bind(customer_id.to_string())
        }
        Change::SetCustomerTags { shop_id, customer_id, tags } => sqlx::query("UPDATE customer SET tags = $1 WHERE shop_id = $2 AND id = $3")
            .bind(tags_json(&tags))
            .bind(shop_id.to_string())
            .bind(customer_id.to_string()),
        Change::AppendAudit(entry) => return append_audit(conn, entry).await,
        Change::PutOrder(o) => crate::channel_writes::put_order(o)?,
        Change::PutProduct(p) => crate::channel_writes::put_product(p)?,
        Change::PutChannel(c) => crate::channel_writes::put_channel(c, seal(sealer, &c.secret)?),
        Change::PutRoute(r) => crate::channel_writes::put_route(r, seal(sealer, &r.external_id)?),
        Change::PutWebhook(w) => crate::channel_writes::put_webhook(w, seal(sealer, &w.secret)?),
        Change::EnqueueDelivery(d) => crate::channel_writes::enqueue(d, seal(sealer, &d.payload)?),
        Change::PutEmailRecord(r) => crate::email::put_record(r, seal(sealer, &crate::email::header_text(r)?)?),
        Change::PutAttachment(a) => crate::email::put_attachment(a, seal(sealer, &a.filename)?, seal(sealer, &crate::email::attachment_text(a))?),
        Change::PruneDelivered { before } => crate::email::prune_delivered(*before),
        Change::SetDeliveryState { shop_id, id, state, attempts, next_attempt_at, last_error, at } => {
            crate::channel_writes::set_delivery(*shop_id, *id, *state, *attempts, *next_attempt_at, last_error.clone(), *at)
        }
        Change::PutKbVersion(v) => crate::bot::put_kb_version(v),
        Change::PutSettingVersion(v) => crate::settings_version::put(v),
        Change::PutCustomerPrechat { shop_id, customer_id, doc, at } => crate::settings_version::put_prechat(*shop_id, *customer_id, seal(sealer, doc)?, *at),
        Change::NoteBotQuestion(q) => crate::bot::note_bot_question(q, seal(sealer, &q.text)?),
        Change::SetBotQuestionStatus { shop_id, key, status } => crate::bot::set_bot_question_status(*shop_id, key, status),
        Change::PutBotState { shop_id, conversation_id, doc, at } => crate::bot::put_bot_state(*shop_id, *conversation_id, seal(sealer, doc)?, *at),
        Change::PutSetting { shop_id, key, doc, at } => sqlx::query(
            "INSERT INTO shop_setting (shop_id, key, doc, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (shop_id, key) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at",
        )
        .bind(shop_id.to_string())
        .bind(key.clone())
        .bind(doc.clone())
        .bind(*at),
        Change::SetUserRole { shop_id, user_id, role } => sqlx::query("UPDATE app_user SET role = $1 WHERE shop_id = $2 AND id = $3")
            .bind(role.as_str())
            .bind(shop_id.to_string())
            .bind(user_id.to_string()),
        Change::SetPasswordHash { shop_id, user_id, password_hash } => {
            sqlx::query("UPDATE app_user SET password_hash = $1 WHERE shop_id = $2 AND id = $3")
                .bind(password_hash.clone())
                .bind(shop_id.to_string())
                .bind(user_id.to_string())
        }
        Change::InsertIdentity(i) => {
            let address = if crate::addresses::seals_address(i.channel) { Some(seal(sealer, &i.external_id)?) } else { None };
            sqlx::query(
                "INSERT INTO identity (shop_id, channel, external_id, customer_id, created_at, address_key_id, address) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(i.shop_id.to_string())
            .bind(i.channel.as_str())
            .bind(crate::addresses::stored_external_id(i.channel, &i.external_id))
            .bind(i.customer_id.to_string())
            .bind(i.created_at)
            .bind(address.as_ref().map(|a| a.key_id.clone()))
            .bind(address.map(|a| a.bytes))
        }
        Change::SetCustomerLastSeq { shop_id, customer_id, last_seq } => {
            sqlx::query("UPDATE customer SET last_seq = $1 WHERE shop_id = $2 AND id = $3")
                .bind(*last_seq)
                .bind(shop_id.to_string())
                .bind(customer_id.to_string())
        }
        Change::PutConversation(c) => sqlx::query(
            "INSERT INTO conversation (id, shop_id, customer_id, channel, status, source, team_id, agent_id, priority, created_at, updated_at, handed_off_at, resolved_at, last_message_at, last_message_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
             ON CONFLICT (id) DO UPDATE SET status = excluded.status, source = excluded.source, team_id = excluded.team_id, \
             agent_id = excluded.agent_id, priority = excluded.priority, updated_at = excluded.updated_at, \
             handed_off_at = excluded.handed_off_at, resolved_at = excluded.resolved_at, \
             last_message_at = excluded.last_message_at, last_message_id = excluded.last_message_id",
        )
        .bind(c.id.to_string())
        .bind(c.shop_id.to_string())
        .bind(c.customer_id.to_string())
        .bind(c.channel.as_str())
        .bind(c.status.as_str())
        .bind(c.source.as_str())
        .bind(c.team_id.clone())
        .bind(c.agent_id.map(|i| i.to_string()))
        .bind(c.priority as i64)
        .bind(c.created_at)
        .bind(c.updated_at)
        .bind(c.handed_off_at)
        .bind(c.resolved_at)
        .bind(c.last_message_at)
        .bind(c.last_message_id.map(|i| i.to_string())),
        Change::InsertMessage { message: m, dedupe_key } => {
            let sealed = seal(sealer, &m.content)?;
            sqlx::query(
                "INSERT INTO message (id, shop_id, conversation_id, customer_id, seq, direction, sender_kind, sender_id, channel, content_key_id, content, client_id, dedupe_key, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            )
            .bind(m.id.to_string())
            .bind(m.shop_id.to_string())
            .bind(m.conversation_id.to_string())
            .bind(m.customer_id.to_string())
            .bind(m.seq)
            .bind(m.direction.as_str())
            .bind(m.sender_kind.as_str())
            .bind(m.sender_id.map(|i| i.to_string()))
            .bind(m.channel.as_str())
            .bind(sealed.key_id)
            .bind(sealed.bytes)
            .bind(m.client_id.clone())
            .bind(dedupe_key.clone())
            .bind(m.created_at)
        }
        Change::InsertSession(s) => sqlx::query(
            "INSERT INTO session (id, shop_id, user_id, secret_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(s.id.to_string())
        .bind(s.shop_id.to_string())
        .bind(s.user_id.to_string())
        .bind(s.secret_hash.clone())
        .bind(s.created_at)
        .bind(s.expires_at),
        Change::DeleteSession { secret_hash } => {
            sqlx::query("DELETE FROM session WHERE secret_hash = $1").bind(secret_hash.clone())
        }
        Change::InsertApiToken(t) => sqlx::query(
            "INSERT INTO api_token (id, shop_id, user_id, name, scopes, secret_hash, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(t.id.to_string())
        .bind(t.shop_id.to_string())
        .bind(t.user_id.to_string())
        .bind(t.name.clone())
        .bind(t.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" "))
        .bind(t.secret_hash.clone())
        .bind(t.created_at)
        .bind(t.revoked_at),
        Change::PutTicket(t) => {
            let doc = serde_json::to_string(t).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let sealed = seal(sealer, &doc)?;
            sqlx::query(
                "INSERT INTO ticket (id, shop_id, number, ticket_type, state, department, assignee_id, customer_id, priority, closed, created_at, updated_at, doc_key_id, doc) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
                 ON CONFLICT (id) DO UPDATE SET ticket_type = excluded.ticket_type, state = excluded.state, department = excluded.department, \
                 assignee_id = excluded.assignee_id, customer_id = excluded.customer_id, priority = excluded.priority, closed = excluded.closed, \
                 updated_at = excluded.updated_at, doc_key_id = excluded.doc_key_id, doc = excluded.doc",
            )
            .bind(t.id.to_string())
            .bind(t.shop_id.to_string())
            .bind(t.number)
            .bind(t.ticket_type.clone())
            .bind(t.state.clone())
            .bind(t.department.clone())
            .bind(t.assignee_id.map(|i| i.to_string()))
            .bind(t.customer_id.map(|i| i.to_string()))
            .bind(t.priority.as_str())
            .bind(i64::from(t.closed_at.is_some()))
            .bind(t.created_at)
            .bind(t.updated_at)
            .bind(sealed.key_id)
            .bind(sealed.bytes)
        }
        Change::PutWorkflow { shop_id, workflow, at } => {
            let doc = serde_json::to_string(workflow).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            sqlx::query(
                "INSERT INTO ticket_workflow (shop_id, ticket_type, doc, updated_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (shop_id, ticket_type) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at",
            )
            .bind(shop_id.to_string())
            .bind(workflow.ticket_type.clone())
            .bind(doc)
            .bind(*at)
        }
        Change::PutDepartment(d) => {
            let members = serde_json::to_string(&d.members).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            sqlx::query(
                "INSERT INTO department (id, shop_id, key, name, members) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (shop_id, key) DO UPDATE SET name = excluded.name, members = excluded.members",
            )
            .bind(d.id.to_string())
            .bind(d.shop_id.to_string())
            .bind(d.key.clone())
            .bind(d.name.clone())
            .bind(members)
        }
        Change::PutCalendar { shop_id, calendar } => {
            let doc = serde_json::to_string(calendar).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            sqlx::query("INSERT INTO shop_calendar (shop_id, doc) VALUES ($1, $2) ON CONFLICT (shop_id) DO UPDATE SET doc = excluded.doc")
                .bind(shop_id.to_string())
                .bind(doc)
        }
        Change::PutQuickPhrase(p) => sqlx::query(
            "INSERT INTO quick_phrase (id, shop_id, owner_user_id, title, text, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (id) DO UPDATE SET title = excluded.title, text = excluded.text, updated_at = excluded.updated_at \
             WHERE quick_phrase.shop_id = excluded.shop_id",
        )
        .bind(p.id.to_string())
        .bind(p.shop_id.to_string())
        .bind(p.owner_user_id.map(|u| u.to_string()))
        .bind(p.title.clone())
        .bind(p.text.clone())
        .bind(p.created_at)
        .bind(p.updated_at),
        Change::DeleteQuickPhrase { shop_id, id } => sqlx::query("DELETE FROM quick_phrase WHERE shop_id = $1 AND id = $2")
            .bind(shop_id.to_string())
            .bind(id.to_string()),
        c @ (Change::PutOnboardToken(_)
        | Change::UseOnboardToken { .. }
        | Change::RevokeOnboardTokens { .. }
        | Change::RenameShop { .. }
        | Change::SetShopProfile { .. }
        | Change::SetShopSuspended { .. }
        | Change::SetUserDeactivated { .. }
        | Change::RenameUser { .. }
        | Change::SetUserLanguage { .. }
        | Change::EndUserCredentials { .. }
        | Change::TouchUser { .. }
        | Change::InsertPlatformToken(_)) => return crate::onboarding::apply(conn, c).await,
        Change::RevokeApiToken { shop_id, id, at } => sqlx::query(
            "UPDATE api_token SET revoked_at = $1 WHERE shop_id = $2 AND id = $3 AND revoked_at IS NULL",
        )
        .bind(*at)
        .bind(shop_id.to_string())
        .bind(id.to_string()),
    };
    q.execute(&mut *conn).await.map_err(backend_error)?;
    Ok(())
}

fn tags_json(tags: &[String]) -> String {
    serde_json::Value::from(tags.to_vec()).to_string()
}

fn seal(sealer: &dyn Sealer, text: &str) -> Result<kefu_core::seal::Sealed, StoreError> {
    sealer.seal(text).map_err(|e| StoreError::Backend(e.to_string()))
}

/// Link the entry to the newest one inside the writer's transaction, so the chain follows
/// commit order. The unique `prev_hash` turns a concurrent append from another process into
/// a failed change set rather than a fork.
async fn append_audit(conn: &mut AnyConnection, entry: &kefu_core::audit::AuditEntry) -> Result<(), StoreError> {
    let prev: Option<String> = sqlx::query("SELECT hash FROM audit ORDER BY pos DESC LIMIT 1")
        .fetch_optional(&mut *conn)
        .await
        .map_err(backend_error)?
        .map(|r| r.try_get::<String, _>("hash"))
        .transpose()
        .map_err(backend_error)?;
    let prev = prev.unwrap_or_else(|| kefu_core::audit::GENESIS.to_string());
    let hash = entry.chain_hash(&prev);
    sqlx::query(
        "INSERT INTO audit (id, shop_id, at, actor, action, target, detail, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(entry.id.to_string())
    .bind(entry.shop_id.map(|s| s.to_string()))
    .bind(entry.at)
    .bind(entry.actor.clone())
    .bind(entry.action.clone())
    .bind(entry.target.clone())
    .bind(entry.detail.to_string())
    .bind(prev)
    .bind(hash)
    .execute(&mut *conn)
    .await
    .map_err(backend_error)?;
    Ok(())
}
