//! Bringing shops and people in: the first-run setup link, invitations, password resets,
//! platform-operator tokens, and the rules around them (who may be deactivated or demoted,
//! what a new shop needs). Plain data and functions; the server does the IO.

use crate::clock::Millis;
use crate::ids::{CredentialId, ShopId, UserId};
use crate::shop::{Role, User};
use serde::{Deserialize, Serialize};

/// An invitation is valid this long.
pub const INVITATION_TTL_MS: Millis = 7 * 24 * 3600 * 1000;
/// A password-reset link is valid this long.
pub const RESET_TTL_MS: Millis = 24 * 3600 * 1000;
/// Languages a shop may default to.
pub const LANGUAGES: [&str; 2] = ["zh-CN", "en"];

/// What a one-time link lets its holder do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// Create the first shop and its owner (printed by `kefu serve` on an empty database).
    Setup,
    /// Join a shop with a role (the owner of a new shop is invited too).
    Invitation,
    /// Set a new password.
    Reset,
}

impl TokenKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Setup => "setup",
            TokenKind::Invitation => "invitation",
            TokenKind::Reset => "reset",
        }
    }

    /// Parse a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "setup" => TokenKind::Setup,
            "invitation" => TokenKind::Invitation,
            "reset" => TokenKind::Reset,
            _ => return None,
        })
    }
}

/// What an invitation grants, or whose password a reset link sets.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Grant {
    /// Role on joining.
    pub role: Option<Role>,
    /// Suggested display name.
    pub display_name: String,
    /// Teams (技能组) joined.
    pub teams: Vec<String>,
    /// Most conversations at once; none means the default.
    pub capacity: Option<u32>,
    /// Languages spoken.
    pub languages: Vec<String>,
    /// The person a reset link is for.
    pub user_id: Option<UserId>,
}

/// A one-time link as stored (the secret itself is only ever in the link).
#[derive(Clone, Debug, PartialEq)]
pub struct OnboardToken {
    /// Id.
    pub id: CredentialId,
    /// What it is for.
    pub kind: TokenKind,
    /// The shop (none for the setup link, which makes one).
    pub shop_id: Option<ShopId>,
    /// SHA-256 of the secret.
    pub secret_hash: String,
    /// Who it is for (empty for the setup link).
    pub email: String,
    /// Role, teams, capacity, languages, or the person to reset.
    pub grant: Grant,
    /// Who issued it (none for the server and the CLI).
    pub created_by: Option<UserId>,
    /// Issued.
    pub created_at: Millis,
    /// Not usable from then on (none: until used).
    pub expires_at: Option<Millis>,
    /// When it was used.
    pub used_at: Option<Millis>,
    /// When it was withdrawn.
    pub revoked_at: Option<Millis>,
}

/// Why a link does not work.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenProblem {
    /// No such link (mistyped, or from another server).
    #[error("unknown")]
    Unknown,
    /// Already used once.
    #[error("used")]
    Used,
    /// Past its time, withdrawn, or replaced by a newer one.
    #[error("expired")]
    Expired,
}

impl TokenProblem {
    /// Stable code for the API and the pages.
    pub fn code(self) -> &'static str {
        match self {
            TokenProblem::Unknown => "token_unknown",
            TokenProblem::Used => "token_used",
            TokenProblem::Expired => "token_expired",
        }
    }
}

impl OnboardToken {
    /// Whether the link can be used now for `kind`.
    pub fn usable(&self, kind: TokenKind, now: Millis) -> Result<(), TokenProblem> {
        if self.kind != kind {
            return Err(TokenProblem::Unknown);
        }
        if self.used_at.is_some() {
            return Err(TokenProblem::Used);
        }
        if self.revoked_at.is_some() || self.expires_at.is_some_and(|e| e <= now) {
            return Err(TokenProblem::Expired);
        }
        Ok(())
    }

    /// Pending: neither used, withdrawn nor expired.
    pub fn pending(&self, now: Millis) -> bool {
        self.usable(self.kind, now).is_ok()
    }
}

/// A platform operator's token: creates, lists, suspends and resumes shops; reads nothing inside them.
#[derive(Clone, Debug, PartialEq)]
pub struct PlatformToken {
    /// Id.
    pub id: CredentialId,
    /// What it is for, e.g. the platform's name.
    pub name: String,
    /// SHA-256 of the secret.
    pub secret_hash: String,
    /// Issued.
    pub created_at: Millis,
    /// Withdrawn.
    pub revoked_at: Option<Millis>,
}

/// A shop's profile beyond its name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShopProfile {
    /// UTC offset, `+08:00`.
    pub time_zone: String,
    /// Default language: `zh-CN` or `en`.
    pub language: String,
    /// Since when the shop is suspended.
    pub suspended_at: Option<Millis>,
}

/// A new shop's name, time zone and language, checked; a problem is a catalogue message.
pub fn check_new_shop(name: &str, time_zone: &str, language: &str) -> Result<(), kefu_i18n::Message> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(crate::error::msg("error-shop-name"));
    }
    if parse_utc_offset(time_zone).is_none() {
        return Err(crate::error::msg("error-shop-time-zone"));
    }
    if !LANGUAGES.contains(&language) {
        return Err(crate::error::msg("error-shop-language"));
    }
    Ok(())
}

/// Minutes east of UTC for `+HH:MM` / `-HH:MM` (at most ±14:00).
pub fn parse_utc_offset(s: &str) -> Option<i32> {
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let (h, m) = rest.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 14 && m < 60 && h * 60 + m <= 14 * 60).then_some(sign * (h * 60 + m))
}

/// A login email, normalised like a customer's address (trimmed, lower case), or the problem.
pub fn normalise_email(email: &str) -> Result<String, kefu_i18n::Message> {
    crate::channels::email::normalise_address(email).ok_or_else(|| crate::error::msg("error-email-format"))
}

/// Whether taking `target`'s ownership away (demotion or deactivation) would leave the shop
/// with no active owner. `active` are the shop's active people.
pub fn leaves_no_owner(active: &[User], target: UserId) -> bool {
    let is_owner = |u: &&User| u.role == Role::Owner;
    let target_is_owner = active.iter().filter(is_owner).any(|u| u.id == target);
    target_is_owner && active.iter().filter(is_owner).count() <= 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(kind: TokenKind) -> OnboardToken {
        OnboardToken {
            id: CredentialId::new(),
            kind,
            shop_id: None,
            secret_hash: "h".into(),
            email: String::new(),
            grant: Grant::default(),
            created_by: None,
            created_at: 0,
            expires_at: Some(100),
            used_at: None,
            revoked_at: None,
        }
    }

    #[test]
    fn a_link_works_once_before_it_expires_for_its_own_purpose() {
        let t = token(TokenKind::Invitation);
        assert_eq!(t.usable(TokenKind::Invitation, 99), Ok(()));
        assert_eq!(t.usable(TokenKind::Invitation, 100), Err(TokenProblem::Expired));
        assert_eq!(t.usable(TokenKind::Reset, 1), Err(TokenProblem::Unknown));
        let used = OnboardToken { used_at: Some(5), ..t.clone() };
        assert_eq!(used.usable(TokenKind::Invitation, 6), Err(TokenProblem::Used));
        let revoked = OnboardToken { revoked_at: Some(5), ..t };
        assert_eq!(revoked.usable(TokenKind::Invitation, 6), Err(TokenProblem::Expired));
    }

    #[test]
    fn shop_fields_are_checked() {
        assert!(check_new_shop("小店", "+08:00", "zh-CN").is_ok());
        assert!(check_new_shop(" ", "+08:00", "zh-CN").is_err());
        assert!(check_new_shop("小店", "8", "zh-CN").is_err());
        assert!(check_new_shop("小店", "+08:00", "fr").is_err());
        assert_eq!(parse_utc_offset("-05:30"), Some(-330));
        assert_eq!(parse_utc_offset("+15:00"), None);
        assert_eq!(normalise_email(" A@B.cn "), Ok("a@b.cn".into()));
        assert!(normalise_email("a@b").is_err());
    }

    #[test]
    fn the_last_owner_stays() {
        let user = |role| User { id: UserId::new(), shop_id: ShopId::new(), email: String::new(), display_name: String::new(), role, capacity: 0, created_at: 0, language: None };
        let (a, b) = (user(Role::Owner), user(Role::Agent));
        assert!(leaves_no_owner(&[a.clone(), b.clone()], a.id));
        assert!(!leaves_no_owner(&[a.clone(), b.clone()], b.id));
        let c = user(Role::Owner);
        assert!(!leaves_no_owner(&[a.clone(), b, c], a.id));
    }
}
