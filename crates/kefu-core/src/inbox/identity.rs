//! One customer across channels: identities merge into one customer by a platform union id,
//! a verified phone or email, or by an agent's hand; a merge can be undone. A merged customer
//! keeps its identities and history and points at the customer it merged into, so undoing
//! is one change and nothing is rewritten.

use super::Inbox;
use crate::conversation::{state, Status};
use crate::customer::Customer;
use crate::error::CoreError;
use crate::event::{Event, EventKind};
use crate::ids::{CustomerId, EventId, ShopId, UserId};
use crate::message::Message;
use crate::store::{Change, ChangeSet, Store};
use sha2::{Digest, Sha256};

/// A fact that says two identities are one person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MergeKey {
    /// The platform's id of the person across its apps.
    UnionId(String),
    /// A phone number the platform verified.
    Phone(String),
    /// An email address the platform verified.
    Email(String),
}

impl MergeKey {
    /// The stored kind.
    pub fn kind(&self) -> &'static str {
        match self {
            MergeKey::UnionId(_) => "union_id",
            MergeKey::Phone(_) => "phone",
            MergeKey::Email(_) => "email",
        }
    }

    /// SHA-256 of the normalised value (the store never sees the value).
    pub fn hash(&self) -> Option<String> {
        let v = match self {
            MergeKey::UnionId(v) => v.trim().to_string(),
            MergeKey::Phone(v) => {
                let digits: String = v.chars().filter(char::is_ascii_digit).collect();
                digits.strip_prefix("86").filter(|d| d.len() == 11).map(str::to_string).unwrap_or(digits)
            }
            MergeKey::Email(v) => v.trim().to_lowercase(),
        };
        (!v.is_empty() && v.len() <= 200).then(|| hex::encode(Sha256::digest(format!("{}:{v}", self.kind()))))
    }
}

impl<S: Store> Inbox<S> {
    /// The customer who writes now for `id`: itself, or the customer it was merged into.
    pub async fn current_customer(&self, shop: ShopId, id: CustomerId) -> Result<Customer, CoreError> {
        let c = self.store.customer(shop, id).await?.ok_or(CoreError::NotFound("customer"))?;
        match c.merged_into {
            Some(into) => self.store.customer(shop, into).await?.ok_or(CoreError::NotFound("customer")),
            None => Ok(c),
        }
    }

    /// Record the keys a channel told us about `customer`; a key already known for another
    /// customer merges the two (into the older). Returns the customer who writes now.
    pub async fn link_keys(&self, shop: ShopId, customer: Customer, keys: &[MergeKey]) -> Result<Customer, CoreError> {
        let mut current = customer;
        for key in keys {
            let Some(hash) = key.hash() else { continue };
            match self.store.customer_by_key(shop, key.kind(), &hash).await? {
                Some(owner) => {
                    let owner = self.current_customer(shop, owner).await?;
                    if owner.id != current.id {
                        let (into, from) = if owner.created_at <= current.created_at { (owner.id, current.id) } else { (current.id, owner.id) };
                        current = self.merge_customers(shop, into, from, None, key.kind()).await?;
                    }
                }
                None => {
                    let mut cs = ChangeSet::default();
                    cs.push(Change::PutCustomerKey { shop_id: shop, kind: key.kind().into(), value_hash: hash, customer_id: current.id, at: self.clock.now() });
                    self.store.apply(cs).await?;
                }
            }
        }
        Ok(current)
    }

    /// Merge `from` into `into`: from now on `from`'s identities write into `into`'s dialogue;
    /// `from`'s open conversation is closed. `by` is the agent (none when automatic).
    pub async fn merge_customers(&self, shop: ShopId, into: CustomerId, from: CustomerId, by: Option<UserId>, reason: &str) -> Result<Customer, CoreError> {
        let into = self.current_customer(shop, into).await?;
        let from = self.store.customer(shop, from).await?.ok_or(CoreError::NotFound("customer"))?;
        if from.id == into.id || from.merged_into == Some(into.id) {
            return Ok(into);
        }
        if from.merged_into.is_some() {
            return Err(CoreError::Conflict(crate::error::msg("error-merge-already")));
        }
        let _guard = self.lock_customer(from.id).await;
        let now = self.clock.now();
        let mut cs = ChangeSet::default();
        cs.push(Change::SetMergedInto { shop_id: shop, from: from.id, into: Some(into.id) });
        let mut closed = None;
        if let Some(mut open) = self.store.open_conversation_of(shop, from.id).await? {
            let holder = open.agent_id.filter(|_| open.status == Status::Assigned);
            cs.events.push(state::close(&mut open, by, "merged", now)?);
            cs.push(Change::PutConversation(open.clone()));
            closed = Some((open, holder));
        }
        cs.events.push(customer_event(shop, from.id, now, EventKind::CustomersMerged { into: into.id, by, reason: reason.into() }));
        let conversation = closed.as_ref().map(|(c, _)| c.clone());
        self.commit(shop, cs, conversation, None).await?;
        if let Some((c, holder)) = closed {
            self.with_desk(shop, |d| {
                d.remove(c.id);
                if let Some(h) = holder {
                    d.release(h);
                }
            });
        }
        Ok(into)
    }

    /// Undo a merge: `from`'s identities write to `from` again, and its keys are forgotten so
    /// it is not merged back automatically.
    pub async fn unmerge_customer(&self, shop: ShopId, from: CustomerId, by: UserId) -> Result<Customer, CoreError> {
        let mut c = self.store.customer(shop, from).await?.ok_or(CoreError::NotFound("customer"))?;
        let Some(into) = c.merged_into else {
            return Err(CoreError::Conflict(crate::error::msg("error-merge-none")));
        };
        let _guard = self.lock_customer(from).await;
        let mut cs = ChangeSet::default();
        cs.push(Change::SetMergedInto { shop_id: shop, from, into: None }).push(Change::DeleteCustomerKeys { shop_id: shop, customer_id: from });
        cs.events.push(customer_event(shop, from, self.clock.now(), EventKind::CustomerUnmerged { from: into, by }));
        self.commit(shop, cs, None, None).await?;
        c.merged_into = None;
        Ok(c)
    }

    /// The whole dialogue of a customer across channels: their messages and those of every
    /// customer merged into them, oldest first (the last `limit`).
    pub async fn dialogue(&self, shop: ShopId, id: CustomerId, limit: u32) -> Result<Vec<Message>, CoreError> {
        let root = self.current_customer(shop, id).await?;
        let mut all = self.store.messages_of_customer(shop, root.id, None, limit).await?;
        for other in self.store.merged_into(shop, root.id).await? {
            all.extend(self.store.messages_of_customer(shop, other, None, limit).await?);
        }
        all.sort_by_key(|m| (m.created_at, m.id));
        let skip = all.len().saturating_sub(limit as usize);
        Ok(all.split_off(skip))
    }
}

fn customer_event(shop: ShopId, customer: CustomerId, at: crate::clock::Millis, kind: EventKind) -> Event {
    Event { id: EventId::new(), shop_id: shop, conversation_id: None, customer_id: Some(customer), at, kind }
}

#[cfg(test)]
mod tests {
    use super::MergeKey;

    #[test]
    fn keys_hash_their_normalised_value() {
        assert_eq!(MergeKey::Phone("+86 138-1234-5678".into()).hash(), MergeKey::Phone("13812345678".into()).hash());
        assert_eq!(MergeKey::Email(" A@Shop.cn ".into()).hash(), MergeKey::Email("a@shop.cn".into()).hash());
        assert_ne!(MergeKey::Email("a@shop.cn".into()).hash(), MergeKey::UnionId("a@shop.cn".into()).hash());
        assert_eq!(MergeKey::Phone("---".into()).hash(), None);
    }
}
