//! Key rotation: re-seal rows written under older keys with the current key, online and in
//! small batches. Resumable by construction: a row is done when its key id is the current
//! one, so a run that stops (or crashes) half-way simply continues where rows still differ.

use super::KeyRing;
use crate::{backend_error, SqlStore};
use kefu_core::seal::Sealer;
use kefu_core::store::StoreError;
use sqlx::Row;

/// Every sealed column: (table, key-id column, bytes column, primary key column).
pub const SEALED_COLUMNS: &[(&str, &str, &str, &str)] = &[
    ("message", "content_key_id", "content", "id"),
    ("customer", "name_key_id", "name", "id"),
    ("ticket", "doc_key_id", "doc", "id"),
    ("channel_instance", "secret_key_id", "secret", "id"),
    ("webhook_subscription", "secret_key_id", "secret", "id"),
    ("outbox", "payload_key_id", "payload", "id"),
    ("email_message", "header_key_id", "header", "id"),
    ("email_attachment", "name_key_id", "name", "id"),
    ("email_attachment", "data_key_id", "data", "id"),
    ("bot_state", "doc_key_id", "doc", "conversation_id"),
    ("customer_prechat", "doc_key_id", "doc", "customer_id"),
    // The key is a hash of the text and may repeat across shops; the conditional update
    // also matches the sealed bytes, which never repeat (random nonces).
    ("bot_question", "text_key_id", "text", "key"),
    // Email identities only (other channels' key id is NULL: nothing sealed); the key column
    // is the address's hash, unique within a shop and channel.
    ("identity", "address_key_id", "address", "external_id"),
    ("channel_route", "recipient_key_id", "recipient", "customer_id"),
];

/// How many rows of one table are sealed with one key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyUsage {
    /// Table.
    pub table: &'static str,
    /// Key id.
    pub key_id: String,
    /// Rows.
    pub rows: i64,
}

/// Progress of one re-seal batch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ResealProgress {
    /// Rows re-sealed in this batch.
    pub resealed: u64,
    /// Rows that changed under us (a concurrent update); they are picked up by the next batch.
    pub skipped: u64,
}

impl SqlStore {
    /// Rows per table and key id.
    pub async fn key_usage(&self) -> Result<Vec<KeyUsage>, StoreError> {
        let mut out = Vec::new();
        for (table, key_col, _, _) in SEALED_COLUMNS {
            let q = format!("SELECT {key_col} AS k, COUNT(*) AS n FROM {table} WHERE {key_col} IS NOT NULL GROUP BY {key_col} ORDER BY {key_col}");
            for row in sqlx::query(&q).fetch_all(&self.read).await.map_err(backend_error)? {
                out.push(KeyUsage {
                    table,
                    key_id: row.try_get("k").map_err(backend_error)?,
                    rows: row.try_get("n").map_err(backend_error)?,
                });
            }
        }
        Ok(out)
    }

    /// Rows of every table not yet under the ring's current key.
    pub async fn rows_to_reseal(&self, ring: &KeyRing) -> Result<i64, StoreError> {
        let mut total = 0;
        for (table, key_col, _, _) in SEALED_COLUMNS {
            let q = format!("SELECT COUNT(*) AS n FROM {table} WHERE {key_col} <> $1");
            let n: i64 = sqlx::query(&q)
                .bind(ring.current_id())
                .fetch_one(&self.read)
                .await
                .map_err(backend_error)?
                .try_get("n")
                .map_err(backend_error)?;
            total += n;
        }
        Ok(total)
    }

    /// Re-seal up to `batch` rows of one table (index into [`SEALED_COLUMNS`]) in one
    /// transaction. Each update is conditional on the bytes it read, so a row the server
    /// changed meanwhile is never overwritten with stale content.
    pub async fn reseal_batch(&self, ring: &KeyRing, table_index: usize, batch: i64) -> Result<ResealProgress, StoreError> {
        let (table, key_col, bytes_col, pk) = SEALED_COLUMNS
            .get(table_index)
            .copied()
            .ok_or_else(|| StoreError::Backend(format!("no sealed table {table_index}")))?;
        let current = ring.current_id().to_string();
        let select = format!("SELECT {pk} AS pk, {key_col} AS k, {bytes_col} AS b FROM {table} WHERE {key_col} <> $1 ORDER BY {pk} LIMIT $2");
        let update = format!("UPDATE {table} SET {key_col} = $1, {bytes_col} = $2 WHERE {pk} = $3 AND {key_col} = $4 AND {bytes_col} = $5");
        let mut tx = self.read.begin().await.map_err(backend_error)?;
        let rows = sqlx::query(&select).bind(&current).bind(batch).fetch_all(&mut *tx).await.map_err(backend_error)?;
        let mut progress = ResealProgress::default();
        for row in rows {
            let pk_value: String = row.try_get("pk").map_err(backend_error)?;
            let old_key: String = row.try_get("k").map_err(backend_error)?;
            let old_bytes: Vec<u8> = row.try_get("b").map_err(backend_error)?;
            let plain = ring
                .open(&old_key, &old_bytes)
                .map_err(|e| StoreError::Corrupt(format!("{table} {pk_value}: {e}")))?;
            let sealed = ring.seal(&plain).map_err(|e| StoreError::Backend(e.to_string()))?;
            let done = sqlx::query(&update)
                .bind(&sealed.key_id)
                .bind(sealed.bytes)
                .bind(&pk_value)
                .bind(&old_key)
                .bind(old_bytes)
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?;
            if done.rows_affected() == 1 {
                progress.resealed += 1;
            } else {
                progress.skipped += 1;
            }
        }
        tx.commit().await.map_err(backend_error)?;
        Ok(progress)
    }

    /// Record that the ring's current key seals rows from now on, then check that every key
    /// recorded as in use can be opened: starting with a key file that lacks an old key would
    /// otherwise fail later, row by row.
    pub async fn check_keys(&self, ring: &KeyRing, now: i64) -> Result<(), StoreError> {
        let register = "INSERT INTO seal_key (id, cipher, first_used) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET retired_at = NULL";
        sqlx::query(register)
            .bind(ring.current_id())
            .bind(ring.current_cipher().as_str())
            .bind(now)
            .execute(&self.read)
            .await
            .map_err(backend_error)?;
        let rows = sqlx::query("SELECT id FROM seal_key WHERE retired_at IS NULL ORDER BY id")
            .fetch_all(&self.read)
            .await
            .map_err(backend_error)?;
        let mut missing = Vec::new();
        for row in rows {
            let id: String = row.try_get("id").map_err(backend_error)?;
            if !ring.can_open(&id) {
                missing.push(id);
            }
        }
        if missing.is_empty() {
            Ok(())
        } else {
            Err(StoreError::Backend(format!(
                "the database holds rows sealed with key(s) {} that the configured keys lack; restore the key file (or KEFU_KEYS) that has them",
                missing.join(", ")
            )))
        }
    }

    /// After a complete re-seal: mark keys no row uses any more as retired, so they may be
    /// removed from the key file. Returns their ids.
    pub async fn retire_unused_keys(&self, ring: &KeyRing, now: i64) -> Result<Vec<String>, StoreError> {
        let in_use: std::collections::HashSet<String> = self.key_usage().await?.into_iter().map(|u| u.key_id).collect();
        let rows = sqlx::query("SELECT id FROM seal_key WHERE retired_at IS NULL").fetch_all(&self.read).await.map_err(backend_error)?;
        let mut retired = Vec::new();
        for row in rows {
            let id: String = row.try_get("id").map_err(backend_error)?;
            if id != ring.current_id() && !in_use.contains(&id) {
                sqlx::query("UPDATE seal_key SET retired_at = $1 WHERE id = $2").bind(now).bind(&id).execute(&self.read).await.map_err(backend_error)?;
                retired.push(id);
            }
        }
        Ok(retired)
    }
}
