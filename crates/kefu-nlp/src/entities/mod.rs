//! Entities and slots: order id, phone, size, colour, quantity, money, date, product, address.

mod numbers;
mod words;

pub(crate) use words::PROVINCES;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde::{Deserialize, Serialize};

/// What an entity is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    /// Order number.
    OrderId,
    /// Mobile phone number.
    Phone,
    /// Clothing or shoe size (XL, 160/84A, 38码).
    Size,
    /// Colour.
    Colour,
    /// Count of items (两件, 3个).
    Quantity,
    /// Amount of money.
    Money,
    /// Date or day.
    Date,
    /// Product from the shop's catalogue.
    Product,
    /// Address fragment (province, city, street).
    Address,
}

/// One entity found in normalised text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// Kind.
    pub kind: EntityKind,
    /// The text as written (normalised).
    pub text: String,
    /// Canonical value (digits only for numbers, upper-case sizes, yuan amounts).
    pub value: String,
    /// Byte offset of the start in the normalised text.
    pub start: usize,
    /// Byte offset of the end in the normalised text.
    pub end: usize,
}

/// Product names from a shop's catalogue, matched longest-first.
#[derive(Debug, Clone)]
pub struct Gazetteer {
    names: Vec<String>,
    matcher: AhoCorasick,
}

impl Gazetteer {
    /// Builds a gazetteer from product names (matched case-insensitively on normalised text).
    pub fn new<S: AsRef<str>>(names: &[S]) -> Result<Self, crate::Error> {
        let names: Vec<String> = names.iter().map(|n| crate::normalise::normalise(n.as_ref())).filter(|n| !n.is_empty()).collect();
        let matcher = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&names)
            .map_err(|e| crate::Error::Model(format!("gazetteer: {e}")))?;
        Ok(Gazetteer { names, matcher })
    }
}

/// Entities of normalised text, ordered by position; overlapping finds keep the earlier kind.
pub fn extract(normalised: &str, products: Option<&Gazetteer>) -> Vec<Entity> {
    let mut found = Vec::new();
    numbers::scan(normalised, &mut found);
    words::scan(normalised, &mut found);
    if let Some(g) = products {
        for m in g.matcher.find_iter(normalised) {
            let text = normalised[m.start()..m.end()].to_string();
            let value = g.names[m.pattern().as_usize()].clone();
            found.push(Entity { kind: EntityKind::Product, text, value, start: m.start(), end: m.end() });
        }
    }
    found.sort_by_key(|e| (e.start, std::cmp::Reverse(e.end)));
    let mut out: Vec<Entity> = Vec::with_capacity(found.len());
    for e in found {
        if out.last().is_none_or(|last| e.start >= last.end) {
            out.push(e);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalise::normalise;

    fn kinds(text: &str) -> Vec<(EntityKind, String)> {
        extract(&normalise(text), None).into_iter().map(|e| (e.kind, e.value)).collect()
    }

    #[test]
    fn finds_shop_slots() {
        let k = kinds("订单号4398123456789012 手机13812345678 要两件黑色XL 160/84A 花了199.5元 明天到");
        assert!(k.contains(&(EntityKind::OrderId, "4398123456789012".into())), "{k:?}");
        assert!(k.contains(&(EntityKind::Phone, "13812345678".into())), "{k:?}");
        assert!(k.contains(&(EntityKind::Quantity, "2".into())), "{k:?}");
        assert!(k.contains(&(EntityKind::Colour, "黑色".into())), "{k:?}");
        assert!(k.contains(&(EntityKind::Size, "XL".into())), "{k:?}");
        assert!(k.contains(&(EntityKind::Size, "160/84A".into())), "{k:?}");
        assert!(k.contains(&(EntityKind::Money, "199.5".into())), "{k:?}");
        assert!(k.contains(&(EntityKind::Date, "明天".into())), "{k:?}");
    }

    #[test]
    fn products_and_addresses() {
        let g = Gazetteer::new(&["小白鞋", "羽绒服"]).expect("builds");
        let e = extract(&normalise("羽绒服寄到浙江省杭州市西湖区"), Some(&g));
        assert!(e.iter().any(|e| e.kind == EntityKind::Product && e.value == "羽绒服"), "{e:?}");
        assert!(e.iter().any(|e| e.kind == EntityKind::Address), "{e:?}");
        assert!(kinds("有啥区别").is_empty());
        assert!(kinds("what size is m").iter().any(|k| k.0 == EntityKind::Size));
    }
}
