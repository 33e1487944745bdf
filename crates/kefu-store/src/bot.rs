//! The bot's rows: knowledge-base versions and per-conversation dialogue state.

use crate::rows::{get, open_content};
use crate::{backend_error, SqlStore};
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

    pub(crate) async fn read_product_names(&self, shop: ShopId, limit: u32) -> Result<Vec<(String, String)>, StoreError> {
        let q = sqlx::query("SELECT name, sku FROM product WHERE shop_id = $1 ORDER BY sku LIMIT $2").bind(shop.to_string()).bind(i64::from(limit));
        q.fetch_all(&self.read).await.map_err(backend_error)?.iter().map(|r| Ok((get(r, "name")?, get(r, "sku")?))).collect()
    }
}
