//! What both store test files share: a fresh database per test (SQLite always, PostgreSQL
//! when `KEFU_TEST_PG_URL` is set) and the suite macro that runs a test on each.
#![allow(dead_code)]

use kefu_core::conversation::{Conversation, Source, Status};
use kefu_core::customer::{Channel, Customer};
use kefu_core::ids::*;
use kefu_core::message::{Direction, Message, SenderKind};
use kefu_core::seal::{SealError, Sealed, Sealer};
use kefu_core::shop::{Role, Shop, User, UserCredentials};
use kefu_core::store::{Change, ChangeSet, Store, StoreError};
use kefu_store::{SqlStore, StoreOptions};
use sqlx::{Connection, Executor};
use std::sync::Arc;

/// Reverses the bytes, so a test can tell sealed from plain.
pub struct ReverseSealer;
impl Sealer for ReverseSealer {
    fn seal(&self, p: &str) -> Result<Sealed, SealError> {
        Ok(Sealed { key_id: "rev".into(), bytes: p.as_bytes().iter().rev().copied().collect() })
    }
    fn open(&self, key: &str, b: &[u8]) -> Result<String, SealError> {
        if key != "rev" {
            return Err(SealError::UnknownKey(key.into()));
        }
        String::from_utf8(b.iter().rev().copied().collect()).map_err(|e| SealError::Corrupt(e.to_string()))
    }
}

pub struct Db {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl Db {
    pub async fn sqlite() -> Db {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("kefu.db").display());
        Db { url, _dir: Some(dir), pg: None }
    }

    pub async fn postgres() -> Option<Db> {
        let Ok(base) = std::env::var("KEFU_TEST_PG_URL") else {
            eprintln!("skipped: KEFU_TEST_PG_URL is not set");
            return None;
        };
        sqlx::any::install_default_drivers();
        let name = format!("kefu_t_{}", uuid::Uuid::now_v7().simple());
        let mut conn = sqlx::AnyConnection::connect(&base).await.expect("connect to KEFU_TEST_PG_URL");
        conn.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create test database");
        let url = match base.rfind('/') {
            Some(i) if i > "postgres://".len() => format!("{}/{name}", &base[..i]),
            _ => format!("{base}/{name}"),
        };
        Some(Db { url, _dir: None, pg: Some((base, name)) })
    }

    pub async fn open(&self) -> SqlStore {
        self.open_with(Arc::new(ReverseSealer)).await
    }

    /// Open with another sealer (a real key ring).
    pub async fn open_with(&self, sealer: Arc<dyn Sealer>) -> SqlStore {
        SqlStore::open(&self.url, sealer, StoreOptions::default()).await.expect("open store")
    }

    /// The SQLite file, when this is SQLite.
    pub fn sqlite_path(&self) -> Option<std::path::PathBuf> {
        self._dir.as_ref().map(|d| d.path().join("kefu.db"))
    }

    /// The PostgreSQL URL, when this is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }

    pub async fn finish(self, store: SqlStore) {
        store.close().await;
        if let Some((base, name)) = self.pg {
            if let Ok(mut conn) = sqlx::AnyConnection::connect(&base).await {
                let _ = conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await;
            }
        }
    }
}

/// Run each named test against SQLite and (when configured) PostgreSQL.
macro_rules! suite {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let db = super::Db::sqlite().await;
                let store = db.open().await;
                super::$name(&store, &db).await;
                db.finish(store).await;
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(db) = super::Db::postgres().await else { return };
                let store = db.open().await;
                super::$name(&store, &db).await;
                db.finish(store).await;
            })*
        }
    };
}


// Fixtures.

pub fn shop(name: &str) -> Shop {
    Shop { id: ShopId::new(), name: name.into(), widget_key: format!("key-{}", uuid::Uuid::now_v7().simple()), created_at: 1 }
}

pub fn user(shop: ShopId, email: &str, role: Role) -> UserCredentials {
    UserCredentials {
        user: User { id: UserId::new(), shop_id: shop, email: email.into(), display_name: email.into(), role, capacity: 5, created_at: 2, language: None },
        password_hash: "$argon2id$fake".into(),
    }
}

pub fn customer(shop: ShopId) -> Customer {
    Customer { id: CustomerId::new(), shop_id: shop, display_name: "张三".into(), last_seq: 0, tags: vec!["老客".into()], merged_into: None, created_at: 3 }
}

pub fn conversation(shop: ShopId, cu: &Customer) -> Conversation {
    Conversation {
        id: ConversationId::new(),
        shop_id: shop,
        customer_id: cu.id,
        channel: Channel::Widget,
        status: Status::Queued,
        source: Source::HumanOnly,
        team_id: None,
        agent_id: None,
        priority: 0,
        created_at: 4,
        updated_at: 4,
        handed_off_at: Some(4),
        resolved_at: None,
        last_message_at: None,
        last_message_id: None,
        customer_name: cu.display_name.clone(),
        last_message_preview: None,
    }
}

pub fn message(c: &Conversation, seq: i64, text: &str) -> Message {
    Message {
        id: MessageId::new(),
        shop_id: c.shop_id,
        conversation_id: c.id,
        customer_id: c.customer_id,
        seq,
        direction: Direction::In,
        sender_kind: SenderKind::Customer,
        sender_id: None,
        channel: Channel::Widget,
        content: text.into(),
        client_id: Some(format!("c{seq}")),
        created_at: 10 + seq,
    }
}

pub async fn apply(store: &SqlStore, changes: Vec<Change>) -> Result<(), StoreError> {
    store.apply(ChangeSet { changes, events: vec![] }).await
}

/// A shop with one customer and one conversation.
pub async fn seeded(store: &SqlStore) -> (Shop, Customer, Conversation) {
    let s = shop("店");
    let cu = customer(s.id);
    let c = conversation(s.id, &cu);
    apply(store, vec![Change::InsertShop(s.clone()), Change::InsertCustomer(cu.clone()), Change::PutConversation(c.clone())])
        .await
        .expect("seed");
    (s, cu, c)
}

