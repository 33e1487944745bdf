//! The bot's rows: knowledge-base versions and per-conversation dialogue state.

use crate::rows::{get, open_content};
use crate::{backend_error, SqlStore};
use kefu_core::bot::learning::BotQuestion;
use kefu_core::bot::KbVersion;
use kefu_core::clock::Millis;
use kefu_core::ids::{ConversationId, ShopId};
use kefu_core::seal::Sealed;
use kefu_core::store::StoreError;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::Any;

type Q = Query<'static, Any, AnyArguments<'static>>;

/// Versions are append-only: saving an existing number fails the change set (two editors
/// racing on the same base version cannot both win).
pub(crate) fn put_kb_version(v: &KbVersion) -> Q {
    sqlx::query("INSERT INTO kb_version (shop_id, version, doc, author_id, note, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(v.shop_id.to_string())
        .bind(v.version)
        .bind(v.doc.clone())
        .bind(v.author.map(|a| a.to_string()))
        .bind(v.note.clone())
        .bind(v.created_at)
}

pub(crate) fn put_bot_state(shop: ShopId, conversation: ConversationId, sealed: Sealed, at: Millis) -> Q {
    sqlx::query(
        "INSERT INTO bot_state (conversation_id, shop_id, doc_key_id, doc, updated_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (conversation_id) DO UPDATE SET doc_key_id = excluded.doc_key_id, doc = excluded.doc, updated_at = excluded.updated_at",
    )
    .bind(conversation.to_string())
    .bind(shop.to_string())
    .bind(sealed.key_id)
    .bind(sealed.bytes)
    .bind(at)
}

pub(crate) fn note_bot_question(q: &BotQuestion, sealed: Sealed) -> Q {
    sqlx::query(
        "INSERT INTO bot_question (shop_id, key, text_key_id, text, kind, count, conversation_id, status, first_at, last_at) \
         VALUES ($1, $2, $3, $4, $5, 1, $6, 'open', $7, $7) \
         ON CONFLICT (shop_id, key) DO UPDATE SET count = bot_question.count + 1, conversation_id = excluded.conversation_id, last_at = excluded.last_at",
    )
    .bind(q.shop_id.to_string())
    .bind(q.key.clone())
    .bind(sealed.key_id)
    .bind(sealed.bytes)
    .bind(q.kind.clone())
    .bind(q.conversation_id.to_string())
    .bind(q.last_at)
}

pub(crate) fn set_bot_question_status(shop: ShopId, key: &str, status: &str) -> Q {
    sqlx::query("UPDATE bot_question SET status = $1 WHERE shop_id = $2 AND key = $3").bind(status.to_string()).bind(shop.to_string()).bind(key.to_string())
}

fn bot_question(row: &AnyRow, sealer: &dyn kefu_core::seal::Sealer) -> Result<BotQuestion, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("bot_question.{what}"));
    Ok(BotQuestion {
        shop_id: get::<String>(row, "shop_id")?.parse().map_err(|_| corrupt("shop_id"))?,
        key: get(row, "key")?,
        text: open_content(row, "text_key_id", "text", sealer)?.unwrap_or_default(),
        kind: get(row, "kind")?,
        count: get(row, "count")?,
        conversation_id: get::<String>(row, "conversation_id")?.parse().map_err(|_| corrupt("conversation_id"))?,
        status: get(row, "status")?,
        first_at: get(row, "first_at")?,
        last_at: get(row, "last_at")?,
    })
}

fn kb_version(row: &AnyRow, with_doc: bool) -> Result<KbVersion, StoreError> {
    let author: Option<String> = get(row, "author_id")?;
    let shop: String = get(row, "shop_id")?;
    Ok(KbVersion {
        shop_id: shop.parse().map_err(|_| StoreError::Corrupt("kb_version.shop_id".into()))?,
        version: get(row, "version")?,
        doc: if with_doc { get(row, "doc")? } else { String::new() },
        author: author.map(|a| a.parse()).transpose().map_err(|_| StoreError::Corrupt("kb_version.author_id".into()))?,
        note: get(row, "note")?,
        created_at: get(row, "created_at")?,
    })
}

impl SqlStore {
    pub(crate) async fn read_kb_latest(&self, shop: ShopId) -> Result<Option<KbVersion>, StoreError> {
        let q = sqlx::query("SELECT * FROM kb_version WHERE shop_id = $1 ORDER BY version DESC LIMIT 1").bind(shop.to_string());
        q.fetch_optional(&self.read).await.map_err(backend_error)?.map(|r| kb_version(&r, true)).transpose()
    }

    pub(crate) async fn read_kb_version(&self, shop: ShopId, version: i64) -> Result<Option<KbVersion>, StoreError> {
        let q = sqlx::query("SELECT * FROM kb_version WHERE shop_id = $1 AND version = $2").bind(shop.to_string()).bind(version);
        q.fetch_optional(&self.read).await.map_err(backend_error)?.map(|r| kb_version(&r, true)).transpose()
    }

    pub(crate) async fn read_kb_history(&self, shop: ShopId, limit: u32) -> Result<Vec<KbVersion>, StoreError> {
        let q = sqlx::query("SELECT shop_id, version, author_id, note, created_at FROM kb_version WHERE shop_id = $1 ORDER BY version DESC LIMIT $2")
            .bind(shop.to_string())
            .bind(i64::from(limit.clamp(1, 1000)));
        q.fetch_all(&self.read).await.map_err(backend_error)?.iter().map(|r| kb_version(r, false)).collect()
    }

    pub(crate) async fn read_bot_state(&self, shop: ShopId, conversation: ConversationId) -> Result<Option<String>, StoreError> {
        let q = sqlx::query("SELECT doc_key_id, doc FROM bot_state WHERE shop_id = $1 AND conversation_id = $2").bind(shop.to_string()).bind(conversation.to_string());
        match q.fetch_optional(&self.read).await.map_err(backend_error)? {
            Some(row) => open_content(&row, "doc_key_id", "doc", self.sealer.as_ref()),
            None => Ok(None),
        }
    }

    pub(crate) async fn read_bot_questions(&self, shop: ShopId, status: &str, limit: u32) -> Result<Vec<BotQuestion>, StoreError> {
        let q = sqlx::query("SELECT * FROM bot_question WHERE shop_id = $1 AND status = $2 ORDER BY count DESC, last_at DESC LIMIT $3")
            .bind(shop.to_string())
            .bind(status.to_string())
            .bind(i64::from(limit.clamp(1, 1000)));
        q.fetch_all(&self.read).await.map_err(backend_error)?.iter().map(|r| bot_question(r, self.sealer.as_ref())).collect()
    }

    pub(crate) async fn read_bot_question(&self, shop: ShopId, key: &str) -> Result<Option<BotQuestion>, StoreError> {
        let q = sqlx::query("SELECT * FROM bot_question WHERE shop_id = $1 AND key = $2").bind(shop.to_string()).bind(key.to_string());
        q.fetch_optional(&self.read).await.map_err(backend_error)?.map(|r| bot_question(&r, self.sealer.as_ref())).transpose()
    }

    pub(crate) async fn read_product_names(&self, shop: ShopId, limit: u32) -> Result<Vec<(String, String)>, StoreError> {
        let q = sqlx::query("SELECT name, sku FROM product WHERE shop_id = $1 ORDER BY sku LIMIT $2").bind(shop.to_string()).bind(i64::from(limit));
        q.fetch_all(&self.read).await.map_err(backend_error)?.iter().map(|r| Ok((get(r, "name")?, get(r, "sku")?))).collect()
    }
}
