//! PII masking of the agent-facing copies of customer text that are not messages: tickets
//! (title, description with the copied transcript, comments, notes given with moves, file
//! names) and a customer's identities (an email address is an identity). Each masked value
//! has an index, in the order [`ticket_texts`] / the identity list gives them, so a role with
//! `pii:reveal` can reveal one at a time, audited, as for messages.

use kefu_core::customer::Identity;
use kefu_core::tickets::{Ticket, TicketChange};
use kefu_nlp::pii::{self, PiiKind};

/// Every free text of a ticket, in a fixed order: title, description, comments, move notes,
/// attachment names (oldest first within each).
fn ticket_texts(t: &mut Ticket) -> Vec<&mut String> {
    let mut texts = vec![&mut t.title, &mut t.description];
    texts.extend(t.comments.iter_mut().map(|c| &mut c.body));
    texts.extend(t.history.iter_mut().filter_map(|h| match &mut h.change {
        TicketChange::Moved { note: Some(n), .. } => Some(n),
        _ => None,
    }));
    texts.extend(t.attachments.iter_mut().map(|a| &mut a.name));
    texts
}

/// Mask every PII value in the ticket's texts; returns how many were masked.
pub fn mask_ticket(t: &mut Ticket) -> usize {
    let mut masked = 0;
    for text in ticket_texts(t) {
        let spans = pii::detect(text);
        if !spans.is_empty() {
            masked += spans.len();
            *text = pii::mask_spans(text, &spans);
        }
    }
    masked
}

/// A copy of the ticket as agents see it, and how many values were masked.
pub fn masked_ticket(t: &Ticket) -> (Ticket, usize) {
    let mut t = t.clone();
    let n = mask_ticket(&mut t);
    (t, n)
}

/// The `index`-th PII value of the ticket (in [`mask_ticket`]'s order), as written.
pub fn ticket_value(t: &Ticket, index: usize) -> Option<(PiiKind, String)> {
    let mut t = t.clone();
    ticket_texts(&mut t).into_iter().flat_map(|text| pii::detect(text).into_iter().filter_map(|s| Some((s.kind, text.get(s.start..s.end)?.to_string()))).collect::<Vec<_>>()).nth(index)
}

/// Identities as agents see them: PII in external ids (email addresses) masked; returns how
/// many values were masked.
pub fn mask_identities(identities: &mut [Identity]) -> usize {
    let mut masked = 0;
    for i in identities {
        let spans = pii::detect(&i.external_id);
        if !spans.is_empty() {
            masked += spans.len();
            i.external_id = pii::mask_spans(&i.external_id, &spans);
        }
    }
    masked
}

/// The `index`-th PII value among the identities (in [`mask_identities`]'s order).
pub fn identity_value(identities: &[Identity], index: usize) -> Option<(PiiKind, String)> {
    identities
        .iter()
        .flat_map(|i| pii::detect(&i.external_id).into_iter().filter_map(|s| Some((s.kind, i.external_id.get(s.start..s.end)?.to_string()))).collect::<Vec<_>>())
        .nth(index)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kefu_core::customer::Channel;
    use kefu_core::ids::{CustomerId, ShopId};

    #[test]
    fn identities_mask_email_addresses_and_reveal_by_index() {
        let at = |channel, id: &str| Identity { shop_id: ShopId::new(), channel, external_id: id.into(), customer_id: CustomerId::new(), created_at: 0 };
        let mut ids = vec![at(Channel::Widget, "9f2c0d"), at(Channel::Email, "zhang.wei@example.org")];
        let clear = ids.clone();
        assert_eq!(mask_identities(&mut ids), 1);
        assert_eq!(ids[0].external_id, "9f2c0d");
        assert!(!ids[1].external_id.contains("zhang.wei"), "{}", ids[1].external_id);
        assert_eq!(identity_value(&clear, 0), Some((PiiKind::Email, "zhang.wei@example.org".into())));
        assert_eq!(identity_value(&clear, 1), None);
    }
}
