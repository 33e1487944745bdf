//! Email threading records and attachments: writes applied by the writer and the reads the
//! email channel needs. Headers (subjects, Message-IDs), file names and bytes are sealed.

use crate::rows::{get, id, open_content};
use crate::{backend_error, SqlStore};
use base64::Engine;
use kefu_core::channels::email::{Attachment, EmailHeader, EmailRecord};
use kefu_core::ids::{AttachmentId, ConversationId, MessageId, ShopId};
use kefu_core::seal::{Sealed, Sealer};
use kefu_core::store::StoreError;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::Any;

type Q = Query<'static, Any, AnyArguments<'static>>;

/// The text an attachment's bytes are sealed as.
pub(crate) fn attachment_text(a: &Attachment) -> String {
    base64::engine::general_purpose::STANDARD.encode(&a.data)
}

/// The text an email's header is sealed as.
pub(crate) fn header_text(r: &EmailRecord) -> Result<String, StoreError> {
    serde_json::to_string(&r.header).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Record an email; a second write of the same one (redelivery, retried send) changes nothing.
pub(crate) fn put_record(r: &EmailRecord, header: Sealed) -> Q {
    sqlx::query(
        "INSERT INTO email_message (id, shop_id, conversation_id, customer_id, message_id, channel_id, direction, header_key_id, header, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING",
    )
    .bind(r.id.clone())
    .bind(r.shop_id.to_string())
    .bind(r.conversation_id.to_string())
    .bind(r.customer_id.to_string())
    .bind(r.message_id.map(|m| m.to_string()))
    .bind(r.channel_id.to_string())
    .bind(if r.inbound { "in" } else { "out" })
    .bind(header.key_id)
    .bind(header.bytes)
    .bind(r.created_at)
}

/// Store an attachment once (its id is derived from the message and position).
pub(crate) fn put_attachment(a: &Attachment, name: Sealed, data: Sealed) -> Q {
    sqlx::query(
        "INSERT INTO email_attachment (id, shop_id, message_id, position, content_type, size, name_key_id, name, data_key_id, data, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (id) DO NOTHING",
    )
    .bind(a.id.to_string())
    .bind(a.shop_id.to_string())
    .bind(a.message_id.to_string())
    .bind(i64::from(a.position))
    .bind(a.content_type.clone())
    .bind(a.size as i64)
    .bind(name.key_id)
    .bind(name.bytes)
    .bind(data.key_id)
    .bind(data.bytes)
    .bind(a.created_at)
}

/// Delete delivered outbox rows older than `before` (pending and dead rows stay).
pub(crate) fn prune_delivered(before: i64) -> Q {
    sqlx::query("DELETE FROM outbox WHERE state = 'delivered' AND updated_at < $1").bind(before)
}

fn record(row: &AnyRow, sealer: &dyn Sealer) -> Result<EmailRecord, StoreError> {
    let text = open_content(row, "header_key_id", "header", sealer)?.ok_or_else(|| StoreError::Corrupt("email header is missing".into()))?;
    let header: EmailHeader = serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("email header: {e}")))?;
    let message_id: Option<String> = get(row, "message_id")?;
    Ok(EmailRecord {
        id: get(row, "id")?,
        shop_id: id(row, "shop_id")?,
        conversation_id: id(row, "conversation_id")?,
        customer_id: id(row, "customer_id")?,
        message_id: message_id.map(|m| m.parse().map_err(|_| StoreError::Corrupt("bad message id".into()))).transpose()?,
        channel_id: id(row, "channel_id")?,
        inbound: get::<String>(row, "direction")? == "in",
        header,
        created_at: get(row, "created_at")?,
    })
}

fn attachment(row: &AnyRow, sealer: &dyn Sealer, with_data: bool) -> Result<Attachment, StoreError> {
    let data = if with_data {
        let text = open_content(row, "data_key_id", "data", sealer)?.unwrap_or_default();
        base64::engine::general_purpose::STANDARD.decode(text).map_err(|e| StoreError::Corrupt(format!("attachment bytes: {e}")))?
    } else {
        Vec::new()
    };
    let position: i64 = get(row, "position")?;
    let size: i64 = get(row, "size")?;
    Ok(Attachment {
        id: id(row, "id")?,
        shop_id: id(row, "shop_id")?,
        message_id: id(row, "message_id")?,
        position: position.clamp(0, u32::MAX as i64) as u32,
        filename: open_content(row, "name_key_id", "name", sealer)?.unwrap_or_default(),
        content_type: get(row, "content_type")?,
        size: size.max(0) as u64,
        data,
        created_at: get(row, "created_at")?,
    })
}

impl SqlStore {
    pub(crate) async fn read_email_records(&self, shop: ShopId, ids: &[String]) -> Result<Vec<EmailRecord>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!("SELECT * FROM email_message WHERE shop_id = $1 AND id IN ({}) ORDER BY created_at DESC", marks.join(", "));
        let mut q = sqlx::query(&sql).bind(shop.to_string());
        for i in ids {
            q = q.bind(i.clone());
        }
        let rows = q.fetch_all(&self.read).await.map_err(backend_error)?;
        rows.iter().map(|r| record(r, self.sealer.as_ref())).collect()
    }

    pub(crate) async fn read_emails_of_conversation(&self, shop: ShopId, conversation: ConversationId, limit: u32) -> Result<Vec<EmailRecord>, StoreError> {
        let q = sqlx::query("SELECT * FROM email_message WHERE shop_id = $1 AND conversation_id = $2 ORDER BY created_at DESC, id LIMIT $3")
            .bind(shop.to_string())
            .bind(conversation.to_string())
            .bind(limit.clamp(1, 1000) as i64);
        let rows = q.fetch_all(&self.read).await.map_err(backend_error)?;
        rows.iter().map(|r| record(r, self.sealer.as_ref())).collect()
    }

    pub(crate) async fn read_attachments_of(&self, shop: ShopId, message: MessageId) -> Result<Vec<Attachment>, StoreError> {
        // Only the metadata columns: the bytes can be megabytes.
        let q = sqlx::query(
            "SELECT id, shop_id, message_id, position, content_type, size, name_key_id, name, created_at FROM email_attachment \
             WHERE shop_id = $1 AND message_id = $2 ORDER BY position",
        )
        .bind(shop.to_string())
        .bind(message.to_string());
        let rows = q.fetch_all(&self.read).await.map_err(backend_error)?;
        rows.iter().map(|r| attachment(r, self.sealer.as_ref(), false)).collect()
    }

    pub(crate) async fn read_attachment(&self, shop: ShopId, id: AttachmentId) -> Result<Option<Attachment>, StoreError> {
        let q = sqlx::query("SELECT * FROM email_attachment WHERE shop_id = $1 AND id = $2").bind(shop.to_string()).bind(id.to_string());
        let row = q.fetch_optional(&self.read).await.map_err(backend_error)?;
        row.map(|r| attachment(&r, self.sealer.as_ref(), true)).transpose()
    }
}
