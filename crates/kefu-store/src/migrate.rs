//! Schema migrations, one folder per backend, embedded in the binary and applied in order.

use crate::{backend_error, Backend};
use kefu_core::store::StoreError;
use sqlx::{AnyConnection, Connection, Row};

/// (version, name, SQLite text, PostgreSQL text)
const MIGRATIONS: &[(i64, &str, &str, &str)] = &[
    (
        1,
        "foundation",
        include_str!("../migrations/sqlite/0001_foundation.sql"),
        include_str!("../migrations/postgres/0001_foundation.sql"),
    ),
    (
        2,
        "tickets",
        include_str!("../migrations/sqlite/0002_tickets.sql"),
        include_str!("../migrations/postgres/0002_tickets.sql"),
    ),
    (
        3,
        "compliance",
        include_str!("../migrations/sqlite/0003_compliance.sql"),
        include_str!("../migrations/postgres/0003_compliance.sql"),
    ),
    (
        4,
        "shop_settings",
        include_str!("../migrations/sqlite/0004_shop_settings.sql"),
        include_str!("../migrations/postgres/0004_shop_settings.sql"),
    ),
    (
        5,
        "routing",
        include_str!("../migrations/sqlite/0005_routing.sql"),
        include_str!("../migrations/postgres/0005_routing.sql"),
    ),
    (
        6,
        "quick_phrases",
        include_str!("../migrations/sqlite/0006_quick_phrases.sql"),
        include_str!("../migrations/postgres/0006_quick_phrases.sql"),
    ),
    (
        7,
        "channels",
        include_str!("../migrations/sqlite/0007_channels.sql"),
        include_str!("../migrations/postgres/0007_channels.sql"),
    ),
    (
        8,
        "email",
        include_str!("../migrations/sqlite/0008_email.sql"),
        include_str!("../migrations/postgres/0008_email.sql"),
    ),
    (
        9,
        "analytics",
        include_str!("../migrations/sqlite/0009_analytics.sql"),
        include_str!("../migrations/postgres/0009_analytics.sql"),
    ),
    (
        10,
        "bot",
        include_str!("../migrations/sqlite/0010_bot.sql"),
        include_str!("../migrations/postgres/0010_bot.sql"),
    ),
    (
        11,
        "sealed_addresses",
        include_str!("../migrations/sqlite/0011_sealed_addresses.sql"),
        include_str!("../migrations/postgres/0011_sealed_addresses.sql"),
    ),
    (
        12,
        "onboarding",
        include_str!("../migrations/sqlite/0012_onboarding.sql"),
        include_str!("../migrations/postgres/0012_onboarding.sql"),
    ),
    (
        13,
        "search_index",
        include_str!("../migrations/sqlite/0013_search_index.sql"),
        include_str!("../migrations/postgres/0013_search_index.sql"),
    ),
    (
        17,
        "setting_versions",
        include_str!("../migrations/sqlite/0017_setting_versions.sql"),
        include_str!("../migrations/postgres/0017_setting_versions.sql"),
    ),
    (
        18,
        "user_language",
        include_str!("../migrations/sqlite/0018_user_language.sql"),
        include_str!("../migrations/postgres/0018_user_language.sql"),
    ),
    (
        19,
        "product_attributes",
        include_str!("../migrations/sqlite/0019_product_attributes.sql"),
        include_str!("../migrations/postgres/0019_product_attributes.sql"),
    ),
];

/// Apply every migration not applied yet, each in its own transaction.
pub(crate) async fn run(conn: &mut AnyConnection, backend: Backend) -> Result<(), StoreError> {
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS kefu_migration (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )
    .execute(&mut *conn)
    .await
    .map_err(backend_error)?;
    let applied: Vec<i64> = sqlx::query("SELECT version FROM kefu_migration")
        .fetch_all(&mut *conn)
        .await
        .map_err(backend_error)?
        .iter()
        .map(|r| r.try_get::<i64, _>(0))
        .collect::<Result<_, _>>()
        .map_err(backend_error)?;
    if let Some(newest) = applied.iter().max() {
        let known = MIGRATIONS.last().map(|m| m.0).unwrap_or(0);
        if *newest > known {
            return Err(StoreError::Backend(format!(
                "the database schema (version {newest}) is newer than this kefu (version {known}); upgrade kefu"
            )));
        }
    }
    for (version, name, sqlite, postgres) in MIGRATIONS {
        if applied.contains(version) {
            continue;
        }
        let sql = match backend {
            Backend::Sqlite => sqlite,
            Backend::Postgres => postgres,
        };
        let mut tx = conn.begin().await.map_err(backend_error)?;
        sqlx::raw_sql(sql).execute(&mut *tx).await.map_err(|e| {
            StoreError::Backend(format!("migration {version} ({name}) failed: {e}"))
        })?;
        sqlx::query("INSERT INTO kefu_migration (version, name, applied_at) VALUES ($1, $2, $3)")
            .bind(*version)
            .bind(*name)
            .bind(now_ms())
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        tracing::info!(version, name, "applied migration");
    }
    Ok(())
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
