//! Decoding rows into domain types. A row that does not decode is reported as corrupt,
//! never unwrapped.

use kefu_core::access::{ApiToken, Scope, Session};
use kefu_core::conversation::{Conversation, Source, Status};
use kefu_core::customer::{Channel, Customer, Identity};
use kefu_core::event::{Event, EventKind};
use kefu_core::message::{self, Direction, Message, SenderKind};
use kefu_core::seal::Sealer;
use kefu_core::shop::{Role, Shop, User, UserCredentials};
use kefu_core::store::StoreError;
use sqlx::any::AnyRow;
use sqlx::Row;
use std::str::FromStr;

pub(crate) fn get<T>(row: &AnyRow, col: &str) -> Result<T, StoreError>
where
    T: for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    row.try_get::<T, _>(col).map_err(|e| StoreError::Corrupt(format!("column {col}: {e}")))
}

pub(crate) fn id<T: FromStr>(row: &AnyRow, col: &str) -> Result<T, StoreError> {
    let s: String = get(row, col)?;
    s.parse().map_err(|_| StoreError::Corrupt(format!("column {col}: bad id {s:?}")))
}

pub(crate) fn opt_id<T: FromStr>(row: &AnyRow, col: &str) -> Result<Option<T>, StoreError> {
    let s: Option<String> = get(row, col)?;
    s.map(|s| s.parse().map_err(|_| StoreError::Corrupt(format!("column {col}: bad id {s:?}"))))
        .transpose()
}

pub(crate) fn parsed<T>(row: &AnyRow, col: &str, parse: impl Fn(&str) -> Option<T>) -> Result<T, StoreError> {
    let s: String = get(row, col)?;
    parse(&s).ok_or_else(|| StoreError::Corrupt(format!("column {col}: unknown value {s:?}")))
}

pub(crate) fn open_content(row: &AnyRow, key_col: &str, bytes_col: &str, sealer: &dyn Sealer) -> Result<Option<String>, StoreError> {
    let key: Option<String> = get(row, key_col)?;
    let bytes: Option<Vec<u8>> = get(row, bytes_col)?;
    match (key, bytes) {
        (Some(k), Some(b)) => sealer.open(&k, &b).map(Some).map_err(|e| StoreError::Corrupt(e.to_string())),
        _ => Ok(None),
    }
}

pub(crate) fn shop(row: &AnyRow) -> Result<Shop, StoreError> {
    Ok(Shop {
        id: id(row, "id")?,
        name: get(row, "name")?,
        widget_key: get(row, "widget_key")?,
        created_at: get(row, "created_at")?,
    })
}

pub(crate) fn user(row: &AnyRow) -> Result<User, StoreError> {
    let capacity: i64 = get(row, "capacity")?;
    Ok(User {
        id: id(row, "id")?,
        shop_id: id(row, "shop_id")?,
        email: get(row, "email")?,
        display_name: get(row, "display_name")?,
        role: parsed(row, "role", Role::parse)?,
        capacity: capacity.clamp(0, u32::MAX as i64) as u32,
        created_at: get(row, "created_at")?,
        language: get::<Option<String>>(row, "language")?.as_deref().and_then(kefu_i18n::Lang::parse),
    })
}

pub(crate) fn user_credentials(row: &AnyRow) -> Result<UserCredentials, StoreError> {
    Ok(UserCredentials { user: user(row)?, password_hash: get(row, "password_hash")? })
}

pub(crate) fn customer(row: &AnyRow, sealer: &dyn Sealer) -> Result<Customer, StoreError> {
    Ok(Customer {
        id: id(row, "id")?,
        shop_id: id(row, "shop_id")?,
        display_name: open_content(row, "name_key_id", "name", sealer)?.unwrap_or_default(),
        last_seq: get(row, "last_seq")?,
        tags: serde_json::from_str(&get::<String>(row, "tags")?).map_err(|e| StoreError::Corrupt(format!("customer tags: {e}")))?,
        merged_into: opt_id(row, "merged_into")?,
        created_at: get(row, "created_at")?,
    })
}

/// An identity; an email identity's address is opened from its sealed column (the
/// `external_id` column holds only its lookup hash).
pub(crate) fn identity(row: &AnyRow, sealer: &dyn Sealer) -> Result<Identity, StoreError> {
    let external_id = match open_content(row, "address_key_id", "address", sealer)? {
        Some(address) => address,
        None => get(row, "external_id")?,
    };
    Ok(Identity {
        shop_id: id(row, "shop_id")?,
        channel: parsed(row, "channel", Channel::parse)?,
        external_id,
        customer_id: id(row, "customer_id")?,
        created_at: get(row, "created_at")?,
    })
}

/// The columns [`conversation`] reads, joined with the customer and the last message.
pub(crate) const CONVERSATION_SELECT: &str = "SELECT c.id, c.shop_id, c.customer_id, c.channel, c.status, c.source, c.team_id, \
     c.agent_id, c.priority, c.created_at, c.updated_at, c.handed_off_at, c.resolved_at, c.last_message_at, \
     c.last_message_id, cu.name_key_id AS customer_name_key_id, cu.name AS customer_name, m.content_key_id AS last_key_id, m.content AS last_content \
     FROM conversation c JOIN customer cu ON cu.id = c.customer_id LEFT JOIN message m ON m.id = c.last_message_id";

pub(crate) fn conversation(row: &AnyRow, sealer: &dyn Sealer) -> Result<Conversation, StoreError> {
    let priority: i64 = get(row, "priority")?;
    Ok(Conversation {
        id: id(row, "id")?,
        shop_id: id(row, "shop_id")?,
        customer_id: id(row, "customer_id")?,
        channel: parsed(row, "channel", Channel::parse)?,
        status: parsed(row, "status", Status::parse)?,
        source: parsed(row, "source", Source::parse)?,
        team_id: get(row, "team_id")?,
        agent_id: opt_id(row, "agent_id")?,
        priority: priority.clamp(i32::MIN as i64, i32::MAX as i64) as i32,
        created_at: get(row, "created_at")?,
        updated_at: get(row, "updated_at")?,
        handed_off_at: get(row, "handed_off_at")?,
        resolved_at: get(row, "resolved_at")?,
        last_message_at: get(row, "last_message_at")?,
        last_message_id: opt_id(row, "last_message_id")?,
        customer_name: open_content(row, "customer_name_key_id", "customer_name", sealer)?.unwrap_or_default(),
        last_message_preview: open_content(row, "last_key_id", "last_content", sealer)?.map(|t| message::preview(&t)),
    })
}

/// The columns [`message`] reads.
pub(crate) const MESSAGE_SELECT: &str = "SELECT id, shop_id, conversation_id, customer_id, seq, direction, sender_kind, sender_id, \
     channel, content_key_id, content, client_id, created_at FROM message";

pub(crate) fn message(row: &AnyRow, sealer: &dyn Sealer) -> Result<Message, StoreError> {
    Ok(Message {
        id: id(row, "id")?,
        shop_id: id(row, "shop_id")?,
        conversation_id: id(row, "conversation_id")?,
        customer_id: id(row, "customer_id")?,
        seq: get(row, "seq")?,
        direction: parsed(row, "direction", Direction::parse)?,
        sender_kind: parsed(row, "sender_kind", SenderKind::parse)?,
        sender_id: opt_id(row, "sender_id")?,
        channel: parsed(row, "channel", Channel::parse)?,
        content: open_content(row, "content_key_id", "content", sealer)?
            .ok_or_else(|| StoreError::Corrupt("message without content".into()))?,
        client_id: get(row, "client_id")?,
        created_at: get(row, "created_at")?,
    })
}

pub(crate) fn session(row: &AnyRow) -> Result<Session, StoreError> {
    Ok(Session {
        id: id(row, "id")?,
        shop_id: id(row, "shop_id")?,
        user_id: id(row, "user_id")?,
        secret_hash: get(row, "secret_hash")?,
        created_at: get(row, "created_at")?,
        expires_at: get(row, "expires_at")?,
    })
}

pub(crate) fn api_token(row: &AnyRow) -> Result<ApiToken, StoreError> {
    let scopes: String = get(row, "scopes")?;
    Ok(ApiToken {
        id: id(row, "id")?,
        shop_id: id(row, "shop_id")?,
        user_id: id(row, "user_id")?,
        name: get(row, "name")?,
        scopes: scopes
            .split_whitespace()
            .map(|s| Scope::parse(s).ok_or_else(|| StoreError::Corrupt(format!("unknown scope {s:?}"))))
            .collect::<Result<_, _>>()?,
        secret_hash: get(row, "secret_hash")?,
        created_at: get(row, "created_at")?,
        revoked_at: get(row, "revoked_at")?,
    })
}

pub(crate) fn event(row: &AnyRow) -> Result<(i64, Event), StoreError> {
    let payload: String = get(row, "payload")?;
    let kind: EventKind = serde_json::from_str(&payload).map_err(|e| StoreError::Corrupt(format!("event payload: {e}")))?;
    Ok((
        get(row, "pos")?,
        Event {
            id: id(row, "id")?,
            shop_id: id(row, "shop_id")?,
            conversation_id: opt_id(row, "conversation_id")?,
            customer_id: opt_id(row, "customer_id")?,
            at: get(row, "created_at")?,
            kind,
        },
    ))
}

pub(crate) fn json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

pub(crate) fn ticket(row: &AnyRow, sealer: &dyn Sealer) -> Result<kefu_core::tickets::Ticket, StoreError> {
    let doc = open_content(row, "doc_key_id", "doc", sealer)?.ok_or_else(|| StoreError::Corrupt("ticket without document".into()))?;
    json(&doc, "ticket document")
}

pub(crate) fn workflow(row: &AnyRow) -> Result<kefu_core::tickets::Workflow, StoreError> {
    json(&get::<String>(row, "doc")?, "workflow")
}

pub(crate) fn department(row: &AnyRow) -> Result<kefu_core::tickets::Department, StoreError> {
    Ok(kefu_core::tickets::Department {
        id: id(row, "id")?,
        shop_id: id(row, "shop_id")?,
        key: get(row, "key")?,
        name: get(row, "name")?,
        members: json(&get::<String>(row, "members")?, "department members")?,
    })
}

pub(crate) fn calendar(row: &AnyRow) -> Result<kefu_core::tickets::sla::Calendar, StoreError> {
    json(&get::<String>(row, "doc")?, "calendar")
}

pub(crate) fn audit(row: &AnyRow) -> Result<kefu_core::audit::AuditRecord, StoreError> {
    let detail: String = get(row, "detail")?;
    Ok(kefu_core::audit::AuditRecord {
        pos: get(row, "pos")?,
        entry: kefu_core::audit::AuditEntry {
            id: id(row, "id")?,
            shop_id: opt_id(row, "shop_id")?,
            at: get(row, "at")?,
            actor: get(row, "actor")?,
            action: get(row, "action")?,
            target: get(row, "target")?,
            detail: serde_json::from_str(&detail).map_err(|e| StoreError::Corrupt(format!("audit detail: {e}")))?,
        },
        prev_hash: get(row, "prev_hash")?,
        hash: get(row, "hash")?,
    })
}

pub(crate) fn quick_phrase(row: &AnyRow) -> Result<kefu_core::quick_phrase::QuickPhrase, StoreError> {
    Ok(kefu_core::quick_phrase::QuickPhrase {
        id: id(row, "id")?,
        shop_id: id(row, "shop_id")?,
        owner_user_id: opt_id(row, "owner_user_id")?,
        title: get(row, "title")?,
        text: get(row, "text")?,
        created_at: get(row, "created_at")?,
        updated_at: get(row, "updated_at")?,
    })
}
