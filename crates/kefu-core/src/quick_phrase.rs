//! Quick phrases (快捷短语): canned replies agents insert with `/` in the composer. A phrase is
//! either shop-wide (everyone sees it, admins manage it) or one agent's own.

use crate::clock::Millis;
use crate::error::CoreError;
use crate::ids::{QuickPhraseId, ShopId, UserId};
use serde::{Deserialize, Serialize};

/// Longest title, in characters: it is a label in a picker, not a sentence.
pub const MAX_TITLE_CHARS: usize = 40;
/// Longest text, in characters; well under a message's limit so an inserted phrase still
/// leaves room to personalise it.
pub const MAX_TEXT_CHARS: usize = 1000;
/// Most phrases one listing returns.
pub const LIST_LIMIT: u32 = 200;

/// One quick phrase.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuickPhrase {
    /// Id.
    pub id: QuickPhraseId,
    /// Shop.
    pub shop_id: ShopId,
    /// Whose personal phrase this is; `None` for a shop-wide phrase.
    pub owner_user_id: Option<UserId>,
    /// Short label shown in the picker, e.g. 问候.
    pub title: String,
    /// The text inserted into the reply.
    pub text: String,
    /// Creation time.
    pub created_at: Millis,
    /// Last edit.
    pub updated_at: Millis,
}

impl QuickPhrase {
    /// Shop-wide (as opposed to one agent's own).
    pub fn is_shop_wide(&self) -> bool {
        self.owner_user_id.is_none()
    }

    /// Whether `user` may edit or delete it: the owner of a personal phrase, or anyone who
    /// manages the shop's settings (for every phrase).
    pub fn editable_by(&self, user: UserId, manages_settings: bool) -> bool {
        manages_settings || self.owner_user_id == Some(user)
    }
}

/// Check and tidy a title and text: both trimmed, not blank, within their limits.
pub fn validate(title: &str, text: &str) -> Result<(String, String), CoreError> {
    let title = title.trim();
    let text = text.trim();
    if title.is_empty() || text.is_empty() {
        return Err(CoreError::Invalid(crate::error::msg("error-phrase-empty")));
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(CoreError::Invalid(crate::error::msg("error-phrase-title-long").arg("max", MAX_TITLE_CHARS)));
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(CoreError::Invalid(crate::error::msg("error-phrase-text-long").arg("max", MAX_TEXT_CHARS)));
    }
    Ok((title.to_string(), text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_trims_and_limits() {
        assert_eq!(validate(" 问候 ", " 亲，您好 \n").ok(), Some(("问候".into(), "亲，您好".into())));
        assert!(validate("", "x").is_err());
        assert!(validate("x", "  ").is_err());
        assert!(validate(&"标".repeat(MAX_TITLE_CHARS + 1), "x").is_err());
        assert!(validate("x", &"字".repeat(MAX_TEXT_CHARS)).is_ok());
        assert!(validate("x", &"字".repeat(MAX_TEXT_CHARS + 1)).is_err());
    }

    #[test]
    fn who_may_edit() {
        let me = UserId::new();
        let mut p = QuickPhrase {
            id: QuickPhraseId::new(),
            shop_id: ShopId::new(),
            owner_user_id: Some(me),
            title: "t".into(),
            text: "x".into(),
            created_at: 0,
            updated_at: 0,
        };
        assert!(p.editable_by(me, false));
        assert!(!p.editable_by(UserId::new(), false));
        assert!(p.editable_by(UserId::new(), true));
        p.owner_user_id = None;
        assert!(!p.editable_by(me, false));
        assert!(p.editable_by(me, true));
    }
}
