//! Versions of a shop's settings documents (the routing document, the shop page): every save
//! is kept with who and when, so a page can show the history, restore an old one, and refuse
//! a save made on top of a version someone else has replaced since.

use crate::clock::Millis;
use crate::ids::{ShopId, UserId};
use serde::{Deserialize, Serialize};

/// One saved version of a settings document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SettingVersion {
    /// Shop.
    pub shop_id: ShopId,
    /// Which document (`routing`, `shop`).
    pub key: String,
    /// 1, 2, 3 … per shop and key.
    pub version: i64,
    /// The document as JSON.
    pub doc: String,
    /// Who saved it (none for saves made by kefu itself).
    pub author: Option<UserId>,
    /// What the save was (`edit`, `restore 3`, …).
    pub note: String,
    /// When.
    pub created_at: Millis,
}

/// A save was made on top of a version that is no longer the newest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stale {
    /// The newest version now.
    pub latest: i64,
}

/// Whether a save started from `base` may go on when `latest` is the newest version (0 when
/// none was ever kept). No base means the caller does not ask for the check (API clients that
/// predate versions): the save goes on, last writer wins.
pub fn check_base(base: Option<i64>, latest: i64) -> Result<(), Stale> {
    match base {
        Some(b) if b != latest => Err(Stale { latest }),
        _ => Ok(()),
    }
}

/// The next version after `latest`, with the note cut to 200 characters.
pub fn next(shop_id: ShopId, key: &str, latest: i64, doc: String, author: Option<UserId>, note: &str, at: Millis) -> SettingVersion {
    SettingVersion { shop_id, key: key.into(), version: latest + 1, doc, author, note: note.chars().take(200).collect(), created_at: at }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_save_on_the_newest_version_goes_on() {
        assert_eq!(check_base(Some(3), 3), Ok(()));
        assert_eq!(check_base(Some(0), 0), Ok(()));
    }

    #[test]
    fn a_save_on_an_older_version_is_stale() {
        assert_eq!(check_base(Some(2), 3), Err(Stale { latest: 3 }));
        assert_eq!(check_base(Some(4), 3), Err(Stale { latest: 3 }));
    }

    #[test]
    fn without_a_base_the_last_writer_wins() {
        assert_eq!(check_base(None, 7), Ok(()));
    }

    #[test]
    fn next_counts_on_and_cuts_the_note() {
        let v = next(ShopId::new(), "routing", 4, "{}".into(), None, &"改".repeat(300), 9);
        assert_eq!((v.version, v.note.chars().count(), v.created_at), (5, 200, 9));
    }
}
