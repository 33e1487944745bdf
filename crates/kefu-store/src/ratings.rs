//! Ratings of conversations, read from their `conversation_rated` events (the latest one
//! counts, as in the figures). History, the profile and the workspace show them.

use crate::{backend_error, rows, SqlStore};
use kefu_core::csat::Rating;
use kefu_core::event::EventKind;
use kefu_core::ids::{ConversationId, ShopId};
use kefu_core::store::StoreError;

/// At most this many conversations per read (one page of history or a profile).
const MAX_PER_READ: usize = 200;

impl SqlStore {
    /// The latest rating of each of these conversations that has one.
    pub async fn ratings(&self, shop: ShopId, conversations: &[ConversationId]) -> Result<Vec<Rating>, StoreError> {
        let ids = &conversations[..conversations.len().min(MAX_PER_READ)];
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT * FROM event WHERE shop_id = $1 AND kind = 'conversation_rated' AND conversation_id IN ({}) ORDER BY pos",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql).bind(shop.to_string());
        for id in ids {
            q = q.bind(id.to_string());
        }
        let found = q.fetch_all(&self.read).await.map_err(backend_error)?;
        let mut out: Vec<Rating> = Vec::new();
        for row in &found {
            let (_, e) = rows::event(row)?;
            let (Some(conversation_id), EventKind::ConversationRated { stars, scale, comment_id, .. }) = (e.conversation_id, e.kind) else { continue };
            out.retain(|r| r.conversation_id != conversation_id);
            out.push(Rating { conversation_id, stars, scale, comment_id, at: e.at });
        }
        Ok(out)
    }
}
