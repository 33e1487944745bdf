//! Analytics tables: rollup counters, conversation states, tag drill-down, the consumer
//! cursor and the alert projection (migration 0009).
//!
//! A consumed batch is written in its own transaction on the pool, beside the group-commit
//! writer: these tables are derived and have a single writer (the consumer), and the first
//! statement is the cursor's compare-and-set, so a second consumer (another process, or a
//! rebuild running beside a server) writes nothing twice.

use crate::{backend_error, rows, SqlStore};
use kefu_core::analytics::alerts::AlertState;
use kefu_core::analytics::fold::ConvState;
use kefu_core::analytics::store::{AlertOp, AnalyticsStore, RollupBatch};
use kefu_core::analytics::{Dim, Grain, RollupKey, Source, DAY_MS};
use std::collections::BTreeMap;
use kefu_core::clock::Millis;
use kefu_core::event::Event;
use kefu_core::ids::ShopId;
use kefu_core::store::StoreError;
use sqlx::any::AnyRow;
use sqlx::Row;

fn table(grain: Grain) -> &'static str {
    match grain {
        Grain::Hour => "analytics_hour",
        Grain::Minute => "analytics_minute",
        Grain::Day => "analytics_day",
    }
}

fn get<'r, T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>>(row: &'r AnyRow, col: &str) -> Result<T, StoreError> {
    row.try_get(col).map_err(backend_error)
}

/// `$n, $n+1, …` for an IN list starting at placeholder `start`.
fn placeholders(start: usize, n: usize) -> String {
    (start..start + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

impl AnalyticsStore for SqlStore {
    async fn analytics_cursor(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT pos FROM analytics_cursor WHERE id = 1").fetch_optional(&self.read).await.map_err(backend_error)?;
        row.map(|r| get::<i64>(&r, "pos")).transpose().map(|p| p.unwrap_or(0))
    }

    async fn events_after(&self, after_pos: i64, limit: u32) -> Result<(Vec<(i64, Event)>, i64), StoreError> {
        let rows = sqlx::query("SELECT * FROM event WHERE pos > $1 ORDER BY pos LIMIT $2")
            .bind(after_pos)
            .bind(limit.clamp(1, 10_000) as i64)
            .fetch_all(&self.read)
            .await
            .map_err(backend_error)?;
        let mut out = Vec::with_capacity(rows.len());
        let mut last = after_pos;
        for r in &rows {
            last = last.max(get::<i64>(r, "pos")?);
            match rows::event(r) {
                Ok(e) => out.push(e),
                // A kind this build does not know (a newer writer) must not stop the
                // consumer forever: it is skipped, and a rebuild by a newer build counts it.
                Err(e) => tracing::warn!(pos = last, error = %e, "analytics skips an event it cannot read"),
            }
        }
        Ok((out, last))
    }

    async fn conv_states(&self, ids: &[String]) -> Result<Vec<ConvState>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let sql = format!("SELECT doc FROM analytics_conv WHERE conversation_id IN ({})", placeholders(1, chunk.len()));
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(id.clone());
            }
            for r in q.fetch_all(&self.read).await.map_err(backend_error)? {
                out.push(rows::json::<ConvState>(&get::<String>(&r, "doc")?, "analytics state")?);
            }
        }
        Ok(out)
    }

    async fn apply_rollups(&self, b: &RollupBatch) -> Result<bool, StoreError> {
        let mut tx = self.read.begin().await.map_err(backend_error)?;
        let moved = sqlx::query("UPDATE analytics_cursor SET pos = $1 WHERE id = 1 AND pos = $2")
            .bind(b.to_pos)
            .bind(b.from_pos)
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
        if moved.rows_affected() != 1 {
            tx.rollback().await.map_err(backend_error)?;
            return Ok(false);
        }
        // Whole days are kept beside hours: the same deltas, summed per UTC day.
        let mut days: BTreeMap<RollupKey, i64> = BTreeMap::new();
        for (k, v) in b.deltas.iter().filter(|(k, _)| k.grain == Grain::Hour) {
            let day = RollupKey { grain: Grain::Day, bucket: k.bucket.div_euclid(DAY_MS) * DAY_MS, ..k.clone() };
            *days.entry(day).or_insert(0) += v;
        }
        for (k, v) in b.deltas.iter().map(|(k, v)| (k, v)).chain(days.iter()) {
            let sql = format!(
                "INSERT INTO {t} (shop_id, dim, bucket, key, metric, value) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (shop_id, dim, bucket, key, metric) DO UPDATE SET value = {t}.value + excluded.value",
                t = table(k.grain)
            );
            sqlx::query(&sql)
                .bind(k.shop_id.clone())
                .bind(k.dim.as_str())
                .bind(k.bucket)
                .bind(k.key.clone())
                .bind(k.metric.clone())
                .bind(*v)
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?;
        }
        for s in &b.states {
            let doc = serde_json::to_string(s).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            sqlx::query(
                "INSERT INTO analytics_conv (conversation_id, shop_id, created_at, source, l1, l2, doc) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (conversation_id) DO UPDATE SET created_at = excluded.created_at, source = excluded.source, l1 = excluded.l1, l2 = excluded.l2, doc = excluded.doc",
            )
            .bind(s.conversation_id.clone())
            .bind(s.shop_id.clone())
            .bind(s.created_at)
            .bind(s.source_or_default().as_str())
            .bind(s.l1.clone())
            .bind(s.l2.clone())
            .bind(doc)
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
        }
        for (shop, tag, conv, at) in &b.tag_rows {
            sqlx::query("INSERT INTO analytics_tag (shop_id, tag, conversation_id, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (shop_id, tag, conversation_id) DO NOTHING")
                .bind(shop.clone())
                .bind(tag.clone())
                .bind(conv.clone())
                .bind(*at)
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?;
        }
        for op in &b.alerts {
            let q = match op {
                AlertOp::Raised { shop_id, state } => sqlx::query(
                    "INSERT INTO analytics_alert (shop_id, rule, subject, raised_at, resolved_at, value) VALUES ($1, $2, $3, $4, NULL, $5) \
                     ON CONFLICT (shop_id, rule, subject) DO UPDATE SET raised_at = excluded.raised_at, resolved_at = NULL, value = excluded.value",
                )
                .bind(shop_id.clone())
                .bind(state.rule.clone())
                .bind(state.subject.clone())
                .bind(state.raised_at)
                .bind(state.value),
                AlertOp::Resolved { shop_id, rule, subject, at } => sqlx::query(
                    "UPDATE analytics_alert SET resolved_at = $4 WHERE shop_id = $1 AND rule = $2 AND subject = $3 AND resolved_at IS NULL",
                )
                .bind(shop_id.clone())
                .bind(rule.clone())
                .bind(subject.clone())
                .bind(*at),
            };
            q.execute(&mut *tx).await.map_err(backend_error)?;
        }
        tx.commit().await.map_err(backend_error)?;
        Ok(true)
    }

    async fn reset_analytics(&self) -> Result<(), StoreError> {
        let mut tx = self.read.begin().await.map_err(backend_error)?;
        // The cursor first: it takes the write lock before anything is read.
        for sql in [
            "UPDATE analytics_cursor SET pos = 0 WHERE id = 1",
            "DELETE FROM analytics_hour",
            "DELETE FROM analytics_minute",
            "DELETE FROM analytics_day",
            "DELETE FROM analytics_conv",
            "DELETE FROM analytics_tag",
            "DELETE FROM analytics_alert",
        ] {
            sqlx::query(sql).execute(&mut *tx).await.map_err(backend_error)?;
        }
        tx.commit().await.map_err(backend_error)
    }

    async fn rollup_sums(&self, shop: ShopId, grain: Grain, dim: Dim, from: Millis, to: Millis, metrics: &[String]) -> Result<Vec<(String, String, i64)>, StoreError> {
        let (day_from, day_to) = (from.div_euclid(DAY_MS) * DAY_MS + if from.rem_euclid(DAY_MS) == 0 { 0 } else { DAY_MS }, to.div_euclid(DAY_MS) * DAY_MS);
        // An hourly read of a long period takes its whole days from the day table: the
        // edges before the first and after the last whole day come from hours.
        let split = grain == Grain::Hour && day_to > day_from;
        let bounds: Vec<Millis> = if split { vec![from, day_from, day_to, to] } else { vec![from, to] };
        let filter = if metrics.is_empty() { String::new() } else { format!(" AND metric IN ({})", placeholders(3 + bounds.len(), metrics.len())) };
        let part = |t: &str, a: usize| format!("SELECT key, metric, value FROM {t} WHERE shop_id = $1 AND dim = $2 AND bucket >= ${a} AND bucket < ${}{filter}", a + 1);
        let inner = if split {
            format!("{} UNION ALL {} UNION ALL {}", part("analytics_hour", 3), part("analytics_day", 4), part("analytics_hour", 5))
        } else {
            part(table(grain), 3)
        };
        let sql = format!("SELECT key, metric, CAST(SUM(value) AS BIGINT) AS total FROM ({inner}) parts GROUP BY key, metric");
        let mut q = sqlx::query(&sql).bind(shop.to_string()).bind(dim.as_str());
        for b in bounds {
            q = q.bind(b);
        }
        for m in metrics {
            q = q.bind(m.clone());
        }
        let rows = q.fetch_all(&self.read).await.map_err(backend_error)?;
        rows.iter().map(|r| Ok((get(r, "key")?, get(r, "metric")?, sum(r)?))).collect()
    }

    async fn rollup_series(&self, shop: ShopId, grain: Grain, dim: Dim, key: Option<&str>, from: Millis, to: Millis, metrics: &[String]) -> Result<Vec<(Millis, String, i64)>, StoreError> {
        let key_filter = if key.is_some() { " AND key = $5" } else { "" };
        let first = if key.is_some() { 6 } else { 5 };
        let filter = if metrics.is_empty() { String::new() } else { format!(" AND metric IN ({})", placeholders(first, metrics.len())) };
        let sql = format!(
            "SELECT bucket, key, CAST(SUM(value) AS BIGINT) AS total FROM {} WHERE shop_id = $1 AND dim = $2 AND bucket >= $3 AND bucket < $4{key_filter}{filter} GROUP BY bucket, key ORDER BY bucket",
            table(grain)
        );
        let mut q = sqlx::query(&sql).bind(shop.to_string()).bind(dim.as_str()).bind(from).bind(to);
        if let Some(k) = key {
            q = q.bind(k.to_string());
        }
        for m in metrics {
            q = q.bind(m.clone());
        }
        let rows = q.fetch_all(&self.read).await.map_err(backend_error)?;
        rows.iter().map(|r| Ok((get(r, "bucket")?, get(r, "key")?, sum(r)?))).collect()
    }

    async fn tag_conversations(&self, shop: ShopId, tag: &str, from: Millis, to: Millis, source: Option<Source>, limit: u32) -> Result<Vec<(String, Millis)>, StoreError> {
        let src = if source.is_some() { " AND c.source = $6" } else { "" };
        let sql = format!(
            "SELECT t.conversation_id, t.created_at FROM analytics_tag t JOIN analytics_conv c ON c.conversation_id = t.conversation_id \
             WHERE t.shop_id = $1 AND t.tag = $2 AND t.created_at >= $3 AND t.created_at < $4{src} ORDER BY t.created_at DESC, t.conversation_id LIMIT $5"
        );
        let mut q = sqlx::query(&sql).bind(shop.to_string()).bind(tag.to_string()).bind(from).bind(to).bind(i64::from(limit.clamp(1, 1000)));
        if let Some(s) = source {
            q = q.bind(s.as_str());
        }
        let rows = q.fetch_all(&self.read).await.map_err(backend_error)?;
        rows.iter().map(|r| Ok((get(r, "conversation_id")?, get(r, "created_at")?))).collect()
    }

    async fn category_conversations(&self, shop: ShopId, l1: &str, l2: Option<&str>, from: Millis, to: Millis, source: Option<Source>, limit: u32) -> Result<Vec<(String, Millis)>, StoreError> {
        let mut sql = "SELECT conversation_id, created_at FROM analytics_conv WHERE shop_id = $1 AND l1 = $2 AND created_at >= $3 AND created_at < $4".to_string();
        let mut n = 6;
        if l2.is_some() {
            sql.push_str(&format!(" AND l2 = ${n}"));
            n += 1;
        }
        if source.is_some() {
            sql.push_str(&format!(" AND source = ${n}"));
        }
        sql.push_str(" ORDER BY created_at DESC, conversation_id LIMIT $5");
        let mut q = sqlx::query(&sql).bind(shop.to_string()).bind(l1.to_string()).bind(from).bind(to).bind(i64::from(limit.clamp(1, 1000)));
        if let Some(l2) = l2 {
            q = q.bind(l2.to_string());
        }
        if let Some(s) = source {
            q = q.bind(s.as_str());
        }
        let rows = q.fetch_all(&self.read).await.map_err(backend_error)?;
        rows.iter().map(|r| Ok((get(r, "conversation_id")?, get(r, "created_at")?))).collect()
    }

    async fn alert_states(&self, shop: ShopId) -> Result<Vec<AlertState>, StoreError> {
        let rows = sqlx::query("SELECT * FROM analytics_alert WHERE shop_id = $1 ORDER BY raised_at DESC, rule, subject")
            .bind(shop.to_string())
            .fetch_all(&self.read)
            .await
            .map_err(backend_error)?;
        rows.iter()
            .map(|r| Ok(AlertState { rule: get(r, "rule")?, subject: get(r, "subject")?, raised_at: get(r, "raised_at")?, resolved_at: get(r, "resolved_at")?, value: get(r, "value")? }))
            .collect()
    }

    async fn rollup_rows(&self, shop: ShopId) -> Result<Vec<(RollupKey, i64)>, StoreError> {
        let mut out = Vec::new();
        for grain in [Grain::Hour, Grain::Minute, Grain::Day] {
            let sql = format!("SELECT * FROM {} WHERE shop_id = $1 AND value <> 0 ORDER BY dim, bucket, key, metric", table(grain));
            for r in sqlx::query(&sql).bind(shop.to_string()).fetch_all(&self.read).await.map_err(backend_error)? {
                let dim: String = get(&r, "dim")?;
                let dim = Dim::parse(&dim).ok_or_else(|| StoreError::Corrupt(format!("unknown dimension {dim:?}")))?;
                let key = RollupKey { grain, shop_id: get(&r, "shop_id")?, bucket: get(&r, "bucket")?, dim, key: get(&r, "key")?, metric: get(&r, "metric")? };
                out.push((key, get(&r, "value")?));
            }
        }
        out.sort();
        Ok(out)
    }
}

/// The sum column (cast to BIGINT in SQL: PostgreSQL's SUM of BIGINT is NUMERIC, which the
/// `Any` driver cannot decode).
fn sum(r: &AnyRow) -> Result<i64, StoreError> {
    get(r, "total")
}
