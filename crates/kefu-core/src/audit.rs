//! The audit log: who read or changed protected data, hash-chained so that an edit to any
//! stored entry is detectable (`kefu audit verify`).
//!
//! Entries carry ids and action names, never message bodies or PII values: a PII reveal
//! records *which* field of *which* record was revealed, not what it said.

use crate::clock::Millis;
use crate::ids::{AuditId, ShopId, UserId};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audited action.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// Id.
    pub id: AuditId,
    /// The shop the action concerns; none for system-wide actions such as key rotation.
    pub shop_id: Option<ShopId>,
    /// When.
    pub at: Millis,
    /// Who: `user:<id>`, `token:<id>`, `system` or `cli`.
    pub actor: String,
    /// What, e.g. `login`, `pii_revealed`, `ticket_moved`.
    pub action: String,
    /// On what, e.g. `message:<id>`.
    pub target: Option<String>,
    /// Further facts (JSON), never content.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub detail: serde_json::Value,
}

impl AuditEntry {
    /// A new entry by any actor (`system`, `cli`, …).
    pub fn by(actor: &str, shop_id: Option<ShopId>, at: Millis, action: &str, target: Option<String>, detail: serde_json::Value) -> Self {
        AuditEntry { id: AuditId::new(), shop_id, at, actor: actor.into(), action: action.into(), target, detail }
    }

    /// A new entry by a back-office user.
    pub fn by_user(shop_id: ShopId, user: UserId, at: Millis, action: &str, target: Option<String>, detail: serde_json::Value) -> Self {
        Self::by(&format!("user:{user}"), Some(shop_id), at, action, target, detail)
    }

    /// The entry's hash given the previous entry's hash: SHA-256 over the previous hash and
    /// every field, each length-prefixed so no two different entries serialise alike.
    pub fn chain_hash(&self, prev_hash: &str) -> String {
        let mut h = Sha256::new();
        let shop = self.shop_id.map(|s| s.to_string()).unwrap_or_default();
        let detail = self.detail.to_string();
        let at = self.at.to_string();
        let id = self.id.to_string();
        for field in [prev_hash, &id, &shop, &at, &self.actor, &self.action, self.target.as_deref().unwrap_or(""), &detail] {
            h.update((field.len() as u64).to_be_bytes());
            h.update(field.as_bytes());
        }
        hex::encode(h.finalize())
    }
}

/// A stored entry with its position and chain links.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditRecord {
    /// Position in the log (1, 2, …).
    pub pos: i64,
    /// The entry.
    #[serde(flatten)]
    pub entry: AuditEntry,
    /// Hash of the previous entry.
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
}

/// Where a chain stopped being intact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainBreak {
    /// Position of the first bad entry.
    pub pos: i64,
    /// What is wrong with it.
    pub reason: String,
}

/// Checks records in order, carrying the last good hash between pages.
#[derive(Clone, Debug)]
pub struct ChainVerifier {
    last_hash: String,
    checked: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier { last_hash: GENESIS.into(), checked: 0 }
    }
}

impl ChainVerifier {
    /// Check the next page of records (in position order).
    pub fn check(&mut self, records: &[AuditRecord]) -> Result<(), ChainBreak> {
        for r in records {
            if r.prev_hash != self.last_hash {
                return Err(ChainBreak { pos: r.pos, reason: "does not link to the entry before it (an entry was removed, inserted or re-ordered)".into() });
            }
            if r.entry.chain_hash(&r.prev_hash) != r.hash {
                return Err(ChainBreak { pos: r.pos, reason: "its content does not match its hash (the entry was edited)".into() });
            }
            self.last_hash = r.hash.clone();
            self.checked += 1;
        }
        Ok(())
    }

    /// Entries checked so far.
    pub fn checked(&self) -> u64 {
        self.checked
    }

    /// Hash of the newest entry checked (the chain head).
    pub fn head(&self) -> &str {
        &self.last_hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: usize) -> Vec<AuditRecord> {
        let shop = ShopId::new();
        let mut prev = GENESIS.to_string();
        (0..n)
            .map(|i| {
                let entry = AuditEntry::by_user(shop, UserId::new(), i as i64, "login", None, serde_json::json!({"ip": "127.0.0.1"}));
                let hash = entry.chain_hash(&prev);
                let r = AuditRecord { pos: i as i64 + 1, entry, prev_hash: prev.clone(), hash: hash.clone() };
                prev = hash;
                r
            })
            .collect()
    }

    #[test]
    fn intact_chain_verifies_across_pages() {
        let records = chain(5);
        let mut v = ChainVerifier::default();
        v.check(&records[..2]).unwrap();
        v.check(&records[2..]).unwrap();
        assert_eq!(v.checked(), 5);
        assert_eq!(v.head(), records[4].hash);
    }

    #[test]
    fn edits_removals_and_reorders_are_found_at_the_first_bad_entry() {
        let mut edited = chain(5);
        edited[2].entry.action = "logout".into();
        let e = ChainVerifier::default().check(&edited).unwrap_err();
        assert_eq!(e.pos, 3);
        assert!(e.reason.contains("edited"));

        let mut removed = chain(5);
        removed.remove(1);
        assert_eq!(ChainVerifier::default().check(&removed).unwrap_err().pos, 3);

        let mut rehashed = chain(3);
        rehashed[1].entry.detail = serde_json::json!({"ip": "10.0.0.1"});
        rehashed[1].hash = rehashed[1].entry.chain_hash(&rehashed[1].prev_hash);
        // Re-hashing one entry is not enough: the next one no longer links to it.
        assert_eq!(ChainVerifier::default().check(&rehashed).unwrap_err().pos, 3);
    }
}
