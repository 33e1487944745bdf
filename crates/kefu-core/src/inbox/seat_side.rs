//! A person's own seat choices (接待 and the chosen status), stored so they outlive the
//! workspace socket; presence itself stays on the desk (see `agent_side::set_presence`).

use super::Inbox;
use crate::error::CoreError;
use crate::routing::{seat_setting_key, SeatChoice};
use crate::shop::User;
use crate::store::{Change, ChangeSet, Store};

impl<S: Store> Inbox<S> {
    /// A person's stored seat choice; the default (online, not taking chats unless an agent)
    /// when none was made or it cannot be read.
    pub async fn seat_choice(&self, user: &User) -> SeatChoice {
        match self.store.setting(user.shop_id, &seat_setting_key(user.id)).await {
            Ok(Some(doc)) => SeatChoice::parse(&doc),
            Ok(None) => SeatChoice::default(),
            Err(e) => {
                // Not taking chats is the safe side for an owner; agents take them regardless.
                tracing::warn!(error = %e, "reading a seat choice failed; using the default");
                SeatChoice::default()
            }
        }
    }

    /// Store a person's seat choice. Applying it to a live seat is the caller's move
    /// (`set_presence`), because only the caller knows whether a workspace is open.
    pub async fn put_seat_choice(&self, user: &User, choice: SeatChoice) -> Result<(), CoreError> {
        let doc = serde_json::to_string(&choice).map_err(|e| CoreError::Invalid(crate::error::verbatim(e.to_string())))?;
        let mut cs = ChangeSet::default();
        cs.push(Change::PutSetting { shop_id: user.shop_id, key: seat_setting_key(user.id), doc, at: self.clock.now() });
        self.store.apply(cs).await?;
        Ok(())
    }
}
