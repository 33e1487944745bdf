//! Product facts (issue 22 item 6): "这款面膜适合敏感肌吗" about a product the conversation is
//! about is answered from the product's attributes (label → value, pushed with `PUT /products`),
//! or the bot says it does not know and offers a person. Pure: the turn picks the topic and the
//! product; rendering reads the attributes (`inbox/bot_side.rs`).

use std::collections::BTreeMap;

/// One kind of product question: the words that ask it and the attribute labels that answer it.
pub struct Topic {
    /// Name, used as the template variable `fact.<name>`.
    pub name: &'static str,
    /// How the answer names it ("适用人群").
    pub says: &'static str,
    /// Words in the question.
    cues: &'static [&'static str],
    /// Attribute labels that answer it, first found wins (the English keys, then Chinese ones).
    labels: &'static [&'static str],
}

/// Every product question the bot knows.
pub const TOPICS: &[Topic] = &[
    Topic { name: "suitable_for", says: "适用人群", cues: &["适合", "适用", "敏感肌", "干皮", "油皮", "孕妇能", "宝宝能", "小孩能", "suitable"], labels: &["suitable_for", "适用人群", "适合", "适用"] },
    Topic { name: "material", says: "材质", cues: &["材质", "面料", "什么料", "什么做的", "成分", "纯棉吗", "material"], labels: &["material", "材质", "面料", "成分", "ingredients"] },
    Topic { name: "care", says: "保养方式", cues: &["怎么洗", "能机洗", "可以机洗", "水洗", "干洗", "怎么保养", "怎么保存", "怎么储存", "care"], labels: &["care", "洗涤", "保养", "storage", "储存"] },
    Topic { name: "origin", says: "产地", cues: &["产地", "哪里产", "哪里生产", "哪里的货", "哪产的", "国产吗", "进口吗", "origin"], labels: &["origin", "产地"] },
    Topic { name: "shelf_life", says: "保质期", cues: &["保质期", "保值期", "多久过期", "能放多久", "有效期", "shelf life"], labels: &["shelf_life", "保质期", "有效期"] },
    Topic { name: "sizes", says: "尺码", cues: &["有哪些尺码", "有什么尺码", "尺码表", "几个码", "有哪些码", "sizes"], labels: &["sizes", "尺码", "size_chart"] },
];

/// The product question a message asks, if any.
pub fn topic_of(normalised: &str) -> Option<&'static Topic> {
    TOPICS.iter().find(|t| t.cues.iter().any(|c| normalised.contains(c)))
}


impl Topic {
    /// The answering attribute of a product, if it has one.
    pub fn value<'a>(&self, attributes: &'a BTreeMap<String, String>) -> Option<&'a String> {
        self.labels.iter().find_map(|l| attributes.iter().find(|(k, _)| k.trim().eq_ignore_ascii_case(l)).map(|(_, v)| v))
    }

    /// The reply's template and its fallback (no such attribute: say so and offer a person).
    pub fn templates(&self) -> (String, String) {
        (format!("{{product}}的{}：{{fact.{}}}", self.says, self.name), format!("抱歉，暂时没有查到{{product}}的{}信息。需要的话回复“人工”，为您转接客服。", self.says))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_find_their_topic_and_attribute() {
        let t = topic_of("这款面膜适合敏感肌吗").expect("suitable_for");
        assert_eq!(t.name, "suitable_for");
        let attrs: BTreeMap<String, String> = [("Suitable_for".to_string(), "所有肤质，敏感肌可用".to_string())].into();
        assert_eq!(t.value(&attrs).map(String::as_str), Some("所有肤质，敏感肌可用"));
        assert_eq!(topic_of("产地是哪里产的").map(|t| t.name), Some("origin"));
        assert_eq!(topic_of("保质期多久").map(|t| t.name), Some("shelf_life"));
        assert!(topic_of("什么时候发货").is_none());
        assert!(TOPICS.iter().find(|t| t.name == "care").is_some_and(|t| t.value(&attrs).is_none()));
        assert_eq!(t.templates().0, "{product}的适用人群：{fact.suitable_for}");
    }
}
