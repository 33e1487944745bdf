//! The blind search index: keyed hashes of the terms of every message (see
//! `kefu_core::search` for the terms), written with the message, queried as the AND of a
//! query's term hashes, candidates confirmed by opening their text. Plain terms never reach
//! the database; the key comes from the key ring (`Sealer::search_key`).

use crate::rows::{self, CONVERSATION_SELECT};
use crate::{backend_error, SqlStore};
use hmac::{Hmac, KeyInit, Mac};
use kefu_core::conversation::Conversation;
use kefu_core::message::Message;
use kefu_core::seal::SearchKey;
use kefu_core::store::StoreError;
use sha2::Sha256;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// Rows per INSERT statement (well under SQLite's bind limit).
const ROWS_PER_INSERT: usize = 100;

/// The stored form of each term of `text` in `shop`: the first 8 bytes of
/// HMAC-SHA256(key, shop ‖ 0x1f ‖ term). The shop is inside the MAC, so equal words of two
/// shops do not look equal.
pub fn term_hashes(key: &SearchKey, shop: &str, terms: &[String]) -> Vec<i64> {
    let Ok(base) = <Hmac<Sha256> as KeyInit>::new_from_slice(&key.secret) else { return Vec::new() };
    let mut out: Vec<i64> = terms
        .iter()
        .map(|t| {
            let mut mac = base.clone();
            mac.update(shop.as_bytes());
            mac.update(&[0x1f]);
            mac.update(t.as_bytes());
            let tag = mac.finalize().into_bytes();
            let mut first = [0u8; 8];
            first.copy_from_slice(&tag[..8]);
            i64::from_be_bytes(first)
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Index one message inside the caller's transaction.
pub(crate) async fn index_message(conn: &mut AnyConnection, key: &SearchKey, m: &Message) -> Result<(), StoreError> {
    let shop = m.shop_id.to_string();
    let hashes = term_hashes(key, &shop, &kefu_core::search::index_terms(&m.content));
    insert_terms(conn, &shop, m.created_at, &m.id.to_string(), &hashes).await
}

async fn insert_terms(conn: &mut AnyConnection, shop: &str, at: i64, message_id: &str, hashes: &[i64]) -> Result<(), StoreError> {
    for chunk in hashes.chunks(ROWS_PER_INSERT) {
        let values: Vec<String> = (0..chunk.len()).map(|i| format!("($1, $2, $3, ${})", i + 4)).collect();
        let sql = format!(
            "INSERT INTO search_term (shop_id, created_at, message_id, term) VALUES {} ON CONFLICT DO NOTHING",
            values.join(", ")
        );
        let mut q = sqlx::query(&sql).bind(shop.to_string()).bind(at).bind(message_id.to_string());
        for h in chunk {
            q = q.bind(*h);
        }
        q.execute(&mut *conn).await.map_err(backend_error)?;
    }
    Ok(())
}

/// Make the stored index agree with the key: a different key id empties it and resets the
/// rebuild cursor. Returns whether new messages are indexed by this process (a tool opened
/// without keys leaves an index made with real keys alone).
pub(crate) async fn reconcile_key(conn: &mut AnyConnection, key: &SearchKey) -> Result<bool, StoreError> {
    let stored: String = sqlx::query("SELECT key_id FROM search_index WHERE id = 1")
        .fetch_one(&mut *conn)
        .await
        .map_err(backend_error)?
        .try_get("key_id")
        .map_err(backend_error)?;
    if stored == key.key_id {
        return Ok(true);
    }
    if key.key_id == crate::keys::LEGACY_PLAIN && !stored.is_empty() {
        return Ok(false);
    }
    tracing::info!(from = %stored, to = %key.key_id, "search key changed: the search index is rebuilt");
    for sql in ["DELETE FROM search_term", "UPDATE search_index SET cursor_at = -1, cursor_id = ''"] {
        sqlx::query(sql).execute(&mut *conn).await.map_err(backend_error)?;
    }
    sqlx::query("UPDATE search_index SET key_id = $1 WHERE id = 1").bind(key.key_id.clone()).execute(&mut *conn).await.map_err(backend_error)?;
    Ok(true)
}

/// Progress of a rebuild.
#[derive(Clone, Copy, Debug, Default)]
pub struct ReindexProgress {
    /// Messages indexed so far by this run.
    pub done: u64,
    /// Messages after the cursor when the run began.
    pub total: u64,
}

/// A search over conversations: every field narrows it; `q` is matched against message text.
#[derive(Clone, Debug, Default)]
pub struct SearchQuery {
    /// Words to find (all of them) in a message; empty lists conversations only.
    pub q: String,
    /// Conversation status (`resolved`, …).
    pub status: Option<String>,
    /// Channel name.
    pub channel: Option<String>,
    /// Agent user id.
    pub agent_id: Option<String>,
    /// Team id.
    pub team_id: Option<String>,
    /// Customer id (customers merged into it count as it).
    pub customer_id: Option<String>,
    /// A customer tag or a hotspot tag of the conversation.
    pub tag: Option<String>,
    /// Hotspot category: `l1` or `l1/l2`.
    pub category: Option<String>,
    /// Active at or after (ms).
    pub from: Option<i64>,
    /// Started before (ms).
    pub to: Option<i64>,
    /// Stars of the conversation's rating.
    pub rating: Option<u8>,
    /// Continue after this (time, id) position.
    pub after: Option<(i64, String)>,
    /// Page size.
    pub limit: u32,
}

/// One found conversation, with the message that matched when `q` was given.
#[derive(Clone, Debug)]
pub struct SearchHit {
    /// The conversation (customer name and preview opened).
    pub conversation: Conversation,
    /// The matching message's id, time and text (unmasked: the API masks it).
    pub hit: Option<(String, i64, String)>,
}

/// A page of results and where the next one starts.
#[derive(Clone, Debug, Default)]
pub struct SearchPage {
    /// Newest first.
    pub hits: Vec<SearchHit>,
    /// Position to pass as `after` for the next page.
    pub next: Option<(i64, String)>,
}

enum Arg {
    Text(String),
    Int(i64),
}

/// Candidate batches read for one page before answering with a cursor instead.
const MAX_BATCHES: usize = 20;

impl SqlStore {
    /// Search the shop's conversations (see [`SearchQuery`]).
    pub async fn search(&self, shop: &str, query: &SearchQuery) -> Result<SearchPage, StoreError> {
        let limit = query.limit.clamp(1, 100) as usize;
        let terms = kefu_core::search::query_terms(&query.q);
        if query.q.trim().is_empty() || terms.is_empty() {
            return self.list_conversations(shop, query, limit).await;
        }
        let key = self.sealer.search_key();
        let mut hashes = term_hashes(&key, shop, &terms);
        self.rarest_first(shop, &mut hashes).await?;
        let mut page = SearchPage::default();
        let mut after = query.after.clone();
        for _ in 0..MAX_BATCHES {
            let rows = self.candidates(shop, query, &hashes, after.as_ref(), limit * 2).await?;
            let exhausted = rows.len() < limit * 2;
            for row in &rows {
                let hit_id: String = rows::get(row, "hit_id")?;
                let hit_at: i64 = rows::get(row, "hit_at")?;
                after = Some((hit_at, hit_id.clone()));
                let text = rows::open_content(row, "hit_key_id", "hit_content", self.sealer.as_ref())?.unwrap_or_default();
                if !kefu_core::search::text_matches(&text, &query.q) {
                    continue;
                }
                let conversation = rows::conversation(row, self.sealer.as_ref())?;
                if page.hits.iter().any(|h| h.conversation.id == conversation.id) {
                    continue;
                }
                page.hits.push(SearchHit { conversation, hit: Some((hit_id, hit_at, text)) });
                if page.hits.len() == limit {
                    page.next = after;
                    return Ok(page);
                }
            }
            if exhausted {
                return Ok(page);
            }
        }
        page.next = after;
        Ok(page)
    }

    /// Order term hashes so the join is driven by the rarest (counted up to a cap).
    async fn rarest_first(&self, shop: &str, hashes: &mut [i64]) -> Result<(), StoreError> {
        if hashes.len() < 2 {
            return Ok(());
        }
        let mut counted = Vec::with_capacity(hashes.len());
        for h in hashes.iter() {
            let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM (SELECT 1 FROM search_term WHERE shop_id = $1 AND term = $2 LIMIT 20000) x")
                .bind(shop.to_string())
                .bind(*h)
                .fetch_one(&self.read)
                .await
                .map_err(backend_error)?
                .try_get("n")
                .map_err(backend_error)?;
            counted.push((n, *h));
        }
        counted.sort_unstable();
        for (slot, (_, h)) in hashes.iter_mut().zip(counted) {
            *slot = h;
        }
        Ok(())
    }

    async fn candidates(&self, shop: &str, query: &SearchQuery, hashes: &[i64], after: Option<&(i64, String)>, n: usize) -> Result<Vec<AnyRow>, StoreError> {
        let mut args = vec![Arg::Text(shop.to_string()), Arg::Int(hashes[0])];
        let mut joins = String::new();
        for h in &hashes[1..] {
            args.push(Arg::Int(*h));
            joins.push_str(&format!(
                " JOIN search_term t{i} ON t{i}.shop_id = t0.shop_id AND t{i}.term = ${p} AND t{i}.created_at = t0.created_at AND t{i}.message_id = t0.message_id",
                i = args.len() - 2,
                p = args.len()
            ));
        }
        let mut conds = String::from("t0.shop_id = $1 AND t0.term = $2");
        if let Some((at, id)) = after {
            args.push(Arg::Int(*at));
            args.push(Arg::Text(id.clone()));
            conds.push_str(&format!(" AND (t0.created_at < ${a} OR (t0.created_at = ${a} AND t0.message_id < ${b}))", a = args.len() - 1, b = args.len()));
        }
        filters(query, &mut args, &mut conds);
        let cols = CONVERSATION_SELECT.split(" FROM ").next().unwrap_or("SELECT c.id");
        let sql = format!(
            "{cols}, h.id AS hit_id, h.created_at AS hit_at, h.content_key_id AS hit_key_id, h.content AS hit_content \
             FROM search_term t0{joins} JOIN message h ON h.id = t0.message_id JOIN conversation c ON c.id = h.conversation_id \
             JOIN customer cu ON cu.id = c.customer_id LEFT JOIN message m ON m.id = c.last_message_id \
             WHERE {conds} ORDER BY t0.created_at DESC, t0.message_id DESC LIMIT {n}"
        );
        self.run(&sql, args).await
    }

    async fn list_conversations(&self, shop: &str, query: &SearchQuery, limit: usize) -> Result<SearchPage, StoreError> {
        let mut args = vec![Arg::Text(shop.to_string())];
        let mut conds = String::from("c.shop_id = $1");
        if let Some((at, id)) = &query.after {
            args.push(Arg::Int(*at));
            args.push(Arg::Text(id.clone()));
            conds.push_str(&format!(" AND (c.updated_at < ${a} OR (c.updated_at = ${a} AND c.id < ${b}))", a = args.len() - 1, b = args.len()));
        }
        filters(query, &mut args, &mut conds);
        let sql = format!("{CONVERSATION_SELECT} WHERE {conds} ORDER BY c.updated_at DESC, c.id DESC LIMIT {}", limit + 1);
        let rows = self.run(&sql, args).await?;
        let mut page = SearchPage::default();
        for row in rows.iter().take(limit) {
            page.hits.push(SearchHit { conversation: rows::conversation(row, self.sealer.as_ref())?, hit: None });
        }
        if rows.len() > limit {
            page.next = page.hits.last().map(|h| (h.conversation.updated_at, h.conversation.id.to_string()));
        }
        Ok(page)
    }

    async fn run(&self, sql: &str, args: Vec<Arg>) -> Result<Vec<AnyRow>, StoreError> {
        let mut q = sqlx::query(sql);
        for a in args {
            q = match a {
                Arg::Text(t) => q.bind(t),
                Arg::Int(i) => q.bind(i),
            };
        }
        q.fetch_all(&self.read).await.map_err(backend_error)
    }

    /// Index every message after the rebuild cursor, `batch` at a time, each batch committed
    /// with the cursor (so a stopped rebuild resumes where it was). Calls `progress` after
    /// each batch. Safe beside a running server: rows already there are kept.
    pub async fn reindex_search(&self, batch: u32, mut progress: impl FnMut(ReindexProgress)) -> Result<ReindexProgress, StoreError> {
        let key = self.sealer.search_key();
        let state = sqlx::query("SELECT key_id, cursor_at, cursor_id FROM search_index WHERE id = 1").fetch_one(&self.read).await.map_err(backend_error)?;
        let stored: String = rows::get(&state, "key_id")?;
        if stored != key.key_id {
            return Err(StoreError::Backend(format!(
                "the search index belongs to key {stored:?}, not the current key {:?}: start kefu with the current keys to rebuild it",
                key.key_id
            )));
        }
        let mut cursor: (i64, String) = (rows::get(&state, "cursor_at")?, rows::get(&state, "cursor_id")?);
        let total: i64 = sqlx::query("SELECT COUNT(*) AS n FROM message WHERE created_at > $1 OR (created_at = $1 AND id > $2)")
            .bind(cursor.0)
            .bind(cursor.1.clone())
            .fetch_one(&self.read)
            .await
            .map_err(backend_error)?
            .try_get("n")
            .map_err(backend_error)?;
        let mut p = ReindexProgress { done: 0, total: total as u64 };
        loop {
            let rows = sqlx::query(&format!(
                "{} WHERE created_at > $1 OR (created_at = $1 AND id > $2) ORDER BY created_at, id LIMIT {}",
                rows::MESSAGE_SELECT,
                batch.max(1)
            ))
            .bind(cursor.0)
            .bind(cursor.1.clone())
            .fetch_all(&self.read)
            .await
            .map_err(backend_error)?;
            let Some(last) = rows.last() else { break };
            cursor = (rows::get(last, "created_at")?, rows::get(last, "id")?);
            let messages: Vec<Message> = rows.iter().map(|r| rows::message(r, self.sealer.as_ref())).collect::<Result<_, _>>()?;
            self.index_batch(&key, &messages, &cursor).await?;
            p.done += messages.len() as u64;
            progress(p);
        }
        Ok(p)
    }

    async fn index_batch(&self, key: &SearchKey, messages: &[Message], cursor: &(i64, String)) -> Result<(), StoreError> {
        use sqlx::Connection;
        let mut conn = self.read.acquire().await.map_err(backend_error)?;
        let mut tx = conn.begin().await.map_err(backend_error)?;
        for m in messages {
            index_message(&mut tx, key, m).await?;
        }
        sqlx::query("UPDATE search_index SET cursor_at = $1, cursor_id = $2 WHERE id = 1 AND key_id = $3")
            .bind(cursor.0)
            .bind(cursor.1.clone())
            .bind(key.key_id.clone())
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)
    }
}

/// Append the filter conditions shared by both kinds of search (on `c`, `cu`).
fn filters(query: &SearchQuery, args: &mut Vec<Arg>, conds: &mut String) {
    let eq = |args: &mut Vec<Arg>, conds: &mut String, col: &str, v: &Option<String>| {
        if let Some(v) = v {
            args.push(Arg::Text(v.clone()));
            conds.push_str(&format!(" AND {col} = ${}", args.len()));
        }
    };
    eq(args, conds, "c.status", &query.status);
    eq(args, conds, "c.channel", &query.channel);
    eq(args, conds, "c.agent_id", &query.agent_id);
    eq(args, conds, "c.team_id", &query.team_id);
    if let Some(customer) = &query.customer_id {
        args.push(Arg::Text(customer.clone()));
        let p = args.len();
        conds.push_str(&format!(" AND (c.customer_id = ${p} OR cu.merged_into = ${p})"));
    }
    if let Some(tag) = &query.tag {
        args.push(Arg::Text(tag.clone()));
        args.push(Arg::Text(format!("%{}%", serde_json::Value::from(tag.as_str()))));
        let (p, like) = (args.len() - 1, args.len());
        conds.push_str(&format!(
            " AND (cu.tags LIKE ${like} OR EXISTS (SELECT 1 FROM analytics_tag at WHERE at.shop_id = c.shop_id AND at.conversation_id = c.id AND at.tag = ${p}))"
        ));
    }
    if let Some(category) = &query.category {
        args.push(Arg::Text(category.clone()));
        let p = args.len();
        conds.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM analytics_conv ac WHERE ac.conversation_id = c.id AND (ac.l1 = ${p} OR ac.l1 || '/' || ac.l2 = ${p}))"
        ));
    }
    if let Some(from) = query.from {
        args.push(Arg::Int(from));
        conds.push_str(&format!(" AND c.updated_at >= ${}", args.len()));
    }
    if let Some(to) = query.to {
        args.push(Arg::Int(to));
        conds.push_str(&format!(" AND c.created_at < ${}", args.len()));
    }
    if let Some(stars) = query.rating {
        // The comma ends the number: 1 star must not match 10.
        args.push(Arg::Text(format!("%\"stars\":{stars},%")));
        conds.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM event e WHERE e.conversation_id = c.id AND e.kind = 'conversation_rated' AND e.payload LIKE ${})",
            args.len()
        ));
    }
}
