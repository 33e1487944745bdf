//! Customer addresses sealed at rest. An email identity is looked up by a hash of the
//! normalised address (the same SHA-256 the cross-channel merge keys use) and the address
//! itself is sealed beside it; the route replies take keeps its recipient sealed. The rest of
//! kefu sees identities and routes with the address in clear: this is the only place that
//! knows how they are stored.

use crate::backend_error;
use kefu_core::customer::Channel;
use kefu_core::inbox::MergeKey;
use kefu_core::seal::Sealer;
use kefu_core::store::StoreError;
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

/// Prefix of a stored email lookup key (never a valid address, so old and new rows differ).
const EMAIL_KEY_PREFIX: &str = "sha256:";

/// What an identity's `external_id` column holds: the hash for email, the id itself otherwise.
pub(crate) fn stored_external_id(channel: Channel, external_id: &str) -> String {
    match channel {
        Channel::Email => email_key(external_id),
        _ => external_id.to_string(),
    }
}

/// The lookup key of an email address: trimmed and lower-cased, hashed.
fn email_key(address: &str) -> String {
    let hash = MergeKey::Email(address.to_string())
        .hash()
        .unwrap_or_else(|| hex::encode(Sha256::digest(format!("email:{address}"))));
    format!("{EMAIL_KEY_PREFIX}{hash}")
}

/// Whether the channel's identities carry a sealed address.
pub(crate) fn seals_address(channel: Channel) -> bool {
    channel == Channel::Email
}

/// Re-key and seal what was written in clear before migration 0011: email identities (the
/// address was the key) and routes' recipients (copied as `plain`). Runs at every start;
/// after the first it finds nothing.
pub(crate) async fn seal_legacy(conn: &mut AnyConnection, sealer: &dyn Sealer) -> Result<(), StoreError> {
    let seal_err = |e: kefu_core::seal::SealError| StoreError::Backend(e.to_string());
    let old = sqlx::query("SELECT shop_id, external_id FROM identity WHERE channel = 'email' AND address_key_id IS NULL")
        .fetch_all(&mut *conn)
        .await
        .map_err(backend_error)?;
    for row in old {
        let shop: String = row.try_get("shop_id").map_err(backend_error)?;
        let address: String = row.try_get("external_id").map_err(backend_error)?;
        let sealed = sealer.seal(&address).map_err(seal_err)?;
        sqlx::query("UPDATE identity SET external_id = $1, address_key_id = $2, address = $3 WHERE shop_id = $4 AND channel = 'email' AND external_id = $5")
            .bind(email_key(&address))
            .bind(sealed.key_id)
            .bind(sealed.bytes)
            .bind(shop)
            .bind(address)
            .execute(&mut *conn)
            .await
            .map_err(backend_error)?;
    }
    let routes = sqlx::query("SELECT customer_id, recipient FROM channel_route WHERE recipient_key_id = 'plain'").fetch_all(&mut *conn).await.map_err(backend_error)?;
    for row in routes {
        let customer: String = row.try_get("customer_id").map_err(backend_error)?;
        let clear: Vec<u8> = row.try_get("recipient").map_err(backend_error)?;
        let sealed = sealer.seal(&String::from_utf8_lossy(&clear)).map_err(seal_err)?;
        if sealed.key_id == crate::keys::LEGACY_PLAIN {
            break; // a sealer that keeps text as it is (tests, tools): nothing to do
        }
        sqlx::query("UPDATE channel_route SET recipient_key_id = $1, recipient = $2 WHERE customer_id = $3 AND recipient_key_id = 'plain'")
            .bind(sealed.key_id)
            .bind(sealed.bytes)
            .bind(customer)
            .execute(&mut *conn)
            .await
            .map_err(backend_error)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_keys_ignore_case_and_spaces_and_never_hold_the_address() {
        let k = stored_external_id(Channel::Email, " Zhang.Wei@Example.org ");
        assert_eq!(k, stored_external_id(Channel::Email, "zhang.wei@example.org"));
        assert!(k.starts_with(EMAIL_KEY_PREFIX) && !k.contains("example"), "{k}");
        assert_eq!(stored_external_id(Channel::Widget, "abc"), "abc");
    }
}
