//! Kept versions of settings documents (`setting_version`, migration 0017), and the pre-chat
//! answers of web visitors (`customer_prechat`, same migration).

use crate::rows::{get, open_content};
use crate::{backend_error, SqlStore};
use kefu_core::clock::Millis;
use kefu_core::ids::{CustomerId, ShopId};
use kefu_core::seal::Sealed;
use kefu_core::settings_version::SettingVersion;
use kefu_core::store::StoreError;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::Any;

type Q = Query<'static, Any, AnyArguments<'static>>;

/// Versions are append-only: saving an existing number fails the change set, so two editors
/// racing on the same base version cannot both win.
pub(crate) fn put(v: &SettingVersion) -> Q {
    sqlx::query("INSERT INTO setting_version (shop_id, key, version, doc, author_id, note, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(v.shop_id.to_string())
        .bind(v.key.clone())
        .bind(v.version)
        .bind(v.doc.clone())
        .bind(v.author.map(|a| a.to_string()))
        .bind(v.note.clone())
        .bind(v.created_at)
}

/// A customer's answers, replaced whole (a later form overrides an earlier one).
pub(crate) fn put_prechat(shop: ShopId, customer: CustomerId, sealed: Sealed, at: Millis) -> Q {
    sqlx::query(
        "INSERT INTO customer_prechat (customer_id, shop_id, doc_key_id, doc, updated_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (customer_id) DO UPDATE SET doc_key_id = excluded.doc_key_id, doc = excluded.doc, updated_at = excluded.updated_at",
    )
    .bind(customer.to_string())
    .bind(shop.to_string())
    .bind(sealed.key_id)
    .bind(sealed.bytes)
    .bind(at)
}

fn version(row: &AnyRow) -> Result<SettingVersion, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("setting_version.{what}"));
    let author: Option<String> = get(row, "author_id")?;
    Ok(SettingVersion {
        shop_id: get::<String>(row, "shop_id")?.parse().map_err(|_| corrupt("shop_id"))?,
        key: get(row, "key")?,
        version: get(row, "version")?,
        doc: get(row, "doc")?,
        author: author.map(|a| a.parse()).transpose().map_err(|_| corrupt("author_id"))?,
        note: get(row, "note")?,
        created_at: get(row, "created_at")?,
    })
}

impl SqlStore {
    pub(crate) async fn read_setting_versions(&self, shop: ShopId, key: &str, limit: u32) -> Result<Vec<SettingVersion>, StoreError> {
        let q = sqlx::query("SELECT * FROM setting_version WHERE shop_id = $1 AND key = $2 ORDER BY version DESC LIMIT $3")
            .bind(shop.to_string())
            .bind(key.to_string())
            .bind(i64::from(limit.clamp(1, 1000)));
        q.fetch_all(&self.read).await.map_err(backend_error)?.iter().map(version).collect()
    }

    pub(crate) async fn read_setting_version(&self, shop: ShopId, key: &str, v: i64) -> Result<Option<SettingVersion>, StoreError> {
        let q = sqlx::query("SELECT * FROM setting_version WHERE shop_id = $1 AND key = $2 AND version = $3").bind(shop.to_string()).bind(key.to_string()).bind(v);
        q.fetch_optional(&self.read).await.map_err(backend_error)?.map(|r| version(&r)).transpose()
    }

    pub(crate) async fn read_customer_prechat(&self, shop: ShopId, customer: CustomerId) -> Result<Option<String>, StoreError> {
        let q = sqlx::query("SELECT doc_key_id, doc FROM customer_prechat WHERE shop_id = $1 AND customer_id = $2").bind(shop.to_string()).bind(customer.to_string());
        match q.fetch_optional(&self.read).await.map_err(backend_error)? {
            Some(row) => open_content(&row, "doc_key_id", "doc", self.sealer.as_ref()),
            None => Ok(None),
        }
    }
}
