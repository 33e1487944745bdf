//! Reads and writes of onboarding: one-time links, platform tokens, shop profiles and
//! suspension, people's active flag and last-seen time.

use crate::rows::{self, get, id, json, opt_id, parsed};
use crate::{backend_error, SqlStore};
use kefu_core::clock::Millis;
use kefu_core::ids::{ShopId, UserId};
use kefu_core::onboarding::{OnboardToken, PlatformToken, ShopProfile, TokenKind};
use kefu_core::shop::{Shop, User};
use kefu_core::store::{Change, StoreError};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

/// A person with their account state.
#[derive(Clone, Debug)]
pub struct Person {
    /// The user.
    pub user: User,
    /// Deactivated since.
    pub deactivated_at: Option<Millis>,
    /// Last login or workspace connection.
    pub last_seen_at: Option<Millis>,
}

fn onboard_token(row: &AnyRow) -> Result<OnboardToken, StoreError> {
    Ok(OnboardToken {
        id: id(row, "id")?,
        kind: parsed(row, "kind", TokenKind::parse)?,
        shop_id: opt_id(row, "shop_id")?,
        secret_hash: get(row, "secret_hash")?,
        email: get(row, "email")?,
        grant: json(&get::<String>(row, "grant_doc")?, "onboarding grant")?,
        created_by: opt_id(row, "created_by")?,
        created_at: get(row, "created_at")?,
        expires_at: get(row, "expires_at")?,
        used_at: get(row, "used_at")?,
        revoked_at: get(row, "revoked_at")?,
    })
}

fn profile(row: &AnyRow) -> Result<ShopProfile, StoreError> {
    Ok(ShopProfile { time_zone: get(row, "time_zone")?, language: get(row, "language")?, suspended_at: get(row, "suspended_at")? })
}

fn person(row: &AnyRow) -> Result<Person, StoreError> {
    Ok(Person { user: rows::user(row)?, deactivated_at: get(row, "deactivated_at")?, last_seen_at: get(row, "last_seen_at")? })
}

type Q<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

impl SqlStore {
    async fn onboard_rows<'q>(&self, q: Q<'q>) -> Result<Vec<AnyRow>, StoreError> {
        q.fetch_all(&self.read).await.map_err(backend_error)
    }

    async fn onboard_row<'q>(&self, q: Q<'q>) -> Result<Option<AnyRow>, StoreError> {
        q.fetch_optional(&self.read).await.map_err(backend_error)
    }

    /// A one-time link by the hash of its secret.
    pub async fn onboard_token(&self, secret_hash: &str) -> Result<Option<OnboardToken>, StoreError> {
        self.onboard_row(sqlx::query("SELECT * FROM onboard_token WHERE secret_hash = $1").bind(secret_hash.to_string())).await?.as_ref().map(onboard_token).transpose()
    }

    /// A shop's one-time links of a kind, newest first.
    pub async fn onboard_tokens(&self, shop: ShopId, kind: TokenKind) -> Result<Vec<OnboardToken>, StoreError> {
        let rows = self
            .onboard_rows(sqlx::query("SELECT * FROM onboard_token WHERE shop_id = $1 AND kind = $2 ORDER BY created_at DESC LIMIT 500").bind(shop.to_string()).bind(kind.as_str()))
            .await?;
        rows.iter().map(onboard_token).collect()
    }

    /// Every invitation ever issued for an email (any shop).
    pub async fn invitations_for(&self, email: &str) -> Result<Vec<OnboardToken>, StoreError> {
        let rows = self.onboard_rows(sqlx::query("SELECT * FROM onboard_token WHERE email = $1 AND kind = 'invitation'").bind(email.to_string())).await?;
        rows.iter().map(onboard_token).collect()
    }

    /// A platform token by the hash of its secret.
    pub async fn platform_token(&self, secret_hash: &str) -> Result<Option<PlatformToken>, StoreError> {
        let row = self.onboard_row(sqlx::query("SELECT * FROM platform_token WHERE secret_hash = $1").bind(secret_hash.to_string())).await?;
        row.map(|r| {
            Ok(PlatformToken { id: id(&r, "id")?, name: get(&r, "name")?, secret_hash: get(&r, "secret_hash")?, created_at: get(&r, "created_at")?, revoked_at: get(&r, "revoked_at")? })
        })
        .transpose()
    }

    /// A shop's time zone, language and suspension.
    pub async fn shop_profile(&self, shop: ShopId) -> Result<Option<ShopProfile>, StoreError> {
        self.onboard_row(sqlx::query("SELECT time_zone, language, suspended_at FROM shop WHERE id = $1").bind(shop.to_string())).await?.as_ref().map(profile).transpose()
    }

    /// Shops in creation order after `after` (ids are time-ordered), at most `limit`.
    pub async fn shops_page(&self, after: Option<ShopId>, limit: u32) -> Result<Vec<(Shop, ShopProfile)>, StoreError> {
        let rows = self
            .onboard_rows(sqlx::query("SELECT * FROM shop WHERE id > $1 ORDER BY id LIMIT $2").bind(after.map(|a| a.to_string()).unwrap_or_default()).bind(limit as i64))
            .await?;
        rows.iter().map(|r| Ok((rows::shop(r)?, profile(r)?))).collect()
    }

    /// Every suspended shop (loaded at start).
    pub async fn suspended_shops(&self) -> Result<Vec<ShopId>, StoreError> {
        let rows = self.onboard_rows(sqlx::query("SELECT id FROM shop WHERE suspended_at IS NOT NULL")).await?;
        rows.iter().map(|r| id(r, "id")).collect()
    }

    /// A shop's people with their account state, in joining order.
    pub async fn people(&self, shop: ShopId) -> Result<Vec<Person>, StoreError> {
        let rows = self.onboard_rows(sqlx::query("SELECT * FROM app_user WHERE shop_id = $1 ORDER BY created_at, id").bind(shop.to_string())).await?;
        rows.iter().map(person).collect()
    }

    /// One person of a shop with their account state.
    pub async fn person(&self, shop: ShopId, user: UserId) -> Result<Option<Person>, StoreError> {
        self.onboard_row(sqlx::query("SELECT * FROM app_user WHERE shop_id = $1 AND id = $2").bind(shop.to_string()).bind(user.to_string())).await?.as_ref().map(person).transpose()
    }

    /// Whether any shop has a person with this (normalised) email.
    pub async fn email_taken(&self, email: &str) -> Result<bool, StoreError> {
        let row = self.onboard_row(sqlx::query("SELECT id FROM app_user WHERE email = $1").bind(email.to_string())).await?;
        Ok(row.is_some())
    }
}

/// Apply one onboarding change inside the writer's transaction.
pub(crate) async fn apply(conn: &mut AnyConnection, change: &Change) -> Result<(), StoreError> {
    let run = |q: Q<'static>| q;
    let q: Q<'static> = match change.clone() {
        Change::PutOnboardToken(t) => {
            let grant = serde_json::to_string(&t.grant).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            run(sqlx::query(
                "INSERT INTO onboard_token (id, kind, shop_id, secret_hash, email, grant_doc, created_by, created_at, expires_at, used_at, revoked_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            ))
            .bind(t.id.to_string())
            .bind(t.kind.as_str())
            .bind(t.shop_id.map(|s| s.to_string()))
            .bind(t.secret_hash)
            .bind(t.email)
            .bind(grant)
            .bind(t.created_by.map(|u| u.to_string()))
            .bind(t.created_at)
            .bind(t.expires_at)
            .bind(t.used_at)
            .bind(t.revoked_at)
        }
        Change::UseOnboardToken { id, at } => {
            let done = sqlx::query("UPDATE onboard_token SET used_at = $1 WHERE id = $2 AND used_at IS NULL AND revoked_at IS NULL")
                .bind(at)
                .bind(id.to_string())
                .execute(&mut *conn)
                .await
                .map_err(backend_error)?;
            return if done.rows_affected() == 1 { Ok(()) } else { Err(StoreError::Duplicate("the link was already used".into())) };
        }
        Change::RevokeOnboardTokens { shop_id, kind, id, email, at } => {
            // Empty strings stand for "any" so one statement serves every case.
            run(sqlx::query(
                "UPDATE onboard_token SET revoked_at = $1 WHERE kind = $2 AND used_at IS NULL AND revoked_at IS NULL \
                 AND COALESCE(shop_id, '') = $3 AND ($4 = '' OR id = $4) AND ($5 = '' OR email = $5)",
            ))
            .bind(at)
            .bind(kind.as_str())
            .bind(shop_id.map(|s| s.to_string()).unwrap_or_default())
            .bind(id.map(|i| i.to_string()).unwrap_or_default())
            .bind(email.unwrap_or_default())
        }
        Change::RenameShop { shop_id, name } => run(sqlx::query("UPDATE shop SET name = $1 WHERE id = $2")).bind(name).bind(shop_id.to_string()),
        Change::SetShopProfile { shop_id, time_zone, language } => {
            run(sqlx::query("UPDATE shop SET time_zone = $1, language = $2 WHERE id = $3")).bind(time_zone).bind(language).bind(shop_id.to_string())
        }
        Change::SetShopSuspended { shop_id, at } => run(sqlx::query("UPDATE shop SET suspended_at = $1 WHERE id = $2")).bind(at).bind(shop_id.to_string()),
        Change::SetUserDeactivated { shop_id, user_id, at } => {
            run(sqlx::query("UPDATE app_user SET deactivated_at = $1 WHERE shop_id = $2 AND id = $3")).bind(at).bind(shop_id.to_string()).bind(user_id.to_string())
        }
        Change::RenameUser { shop_id, user_id, display_name } => run(sqlx::query("UPDATE app_user SET display_name = $1 WHERE shop_id = $2 AND id = $3"))
            .bind(display_name)
            .bind(shop_id.to_string())
            .bind(user_id.to_string()),
        Change::SetUserLanguage { shop_id, user_id, language } => run(sqlx::query("UPDATE app_user SET language = $1 WHERE shop_id = $2 AND id = $3"))
            .bind(language.map(|l| l.tag().to_string()))
            .bind(shop_id.to_string())
            .bind(user_id.to_string()),
        Change::TouchUser { shop_id, user_id, at } => {
            run(sqlx::query("UPDATE app_user SET last_seen_at = $1 WHERE shop_id = $2 AND id = $3")).bind(at).bind(shop_id.to_string()).bind(user_id.to_string())
        }
        Change::EndUserCredentials { shop_id, user_id, at } => {
            sqlx::query("DELETE FROM session WHERE shop_id = $1 AND user_id = $2")
                .bind(shop_id.to_string())
                .bind(user_id.to_string())
                .execute(&mut *conn)
                .await
                .map_err(backend_error)?;
            run(sqlx::query("UPDATE api_token SET revoked_at = $1 WHERE shop_id = $2 AND user_id = $3 AND revoked_at IS NULL"))
                .bind(at)
                .bind(shop_id.to_string())
                .bind(user_id.to_string())
        }
        Change::InsertPlatformToken(t) => run(sqlx::query("INSERT INTO platform_token (id, name, secret_hash, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5)"))
            .bind(t.id.to_string())
            .bind(t.name)
            .bind(t.secret_hash)
            .bind(t.created_at)
            .bind(t.revoked_at),
        other => return Err(StoreError::Corrupt(format!("not an onboarding change: {other:?}"))),
    };
    q.execute(&mut *conn).await.map_err(backend_error)?;
    Ok(())
}

