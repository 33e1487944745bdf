//! The default models shipped with kefu: their binary format (versioned) and how they are made.

pub mod codec;

use serde::{Deserialize, Serialize};

use crate::eval::data::parse_online_shopping;
use crate::hotspot::{corpus, HotspotModel};
use crate::sentiment::{SentimentModel, NEUTRAL};
use crate::Error;
use codec::{read_classifier, read_map, write_classifier, write_map, Reader, Writer};

/// Version of the binary model format; bump on any layout change.
pub const FORMAT_VERSION: u32 = 1;
const MAGIC: &[u8; 8] = b"KEFUNLP\0";

/// The team's sentiment corpus: `label <TAB> message`.
pub const SENTIMENT_CORPUS: &str = include_str!("../../data/sentiment_corpus.tsv");

/// Hotspot categories whose messages are, as a rule, asked without feeling.
const NEUTRAL_CATEGORIES: &[&str] = &[
    "尺码规格", "材质成分", "使用方法", "库存现货", "商品对比推荐", "优惠券", "满减折扣", "直播间福利", "赠品", "下单支付",
    "修改订单", "发票", "账号问题", "发货时间", "物流查询", "配送范围", "无关内容", "转人工",
];

/// Everything kefu understands before a shop has labelled anything.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DefaultModels {
    /// Format version the models were made with.
    pub format_version: u32,
    /// Hotspot category.
    pub hotspot: HotspotModel,
    /// Sentiment.
    pub sentiment: SentimentModel,
}

impl DefaultModels {
    /// Compact binary form (what `data/default_models.bin` holds).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.0.extend_from_slice(MAGIC);
        w.varint(FORMAT_VERSION as u64);
        write_classifier(&mut w, &self.hotspot.classifier);
        w.varint(self.hotspot.parents.len() as u64);
        for p in &self.hotspot.parents {
            w.str(p);
        }
        write_map(&mut w, &self.hotspot.overrides);
        write_classifier(&mut w, &self.sentiment.classifier);
        w.0
    }

    /// Reads the binary form; refuses other format versions rather than misreading them.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(bytes);
        if r.take(MAGIC.len())? != MAGIC {
            return Err(Error::Model("not a kefu model file".into()));
        }
        let version = r.varint()? as u32;
        if version != FORMAT_VERSION {
            return Err(Error::Model(format!("format version {version}, this build reads {FORMAT_VERSION}")));
        }
        let classifier = read_classifier(&mut r)?;
        let n = r.count(1)?;
        let parents = (0..n).map(|_| r.str()).collect::<Result<Vec<_>, _>>()?;
        if parents.len() != classifier.labels.len() {
            return Err(Error::Model("hotspot parents do not match labels".into()));
        }
        let overrides = read_map(&mut r)?;
        let sentiment = SentimentModel { classifier: read_classifier(&mut r)? };
        Ok(DefaultModels { format_version: version, hotspot: HotspotModel { classifier, parents, overrides }, sentiment })
    }
}

/// Sentiment training rows from the team's corpora: the sentiment corpus, plus hotspot
/// messages of neutral categories as neutral examples.
pub fn own_sentiment_examples() -> Vec<(String, String)> {
    let mut rows = corpus::parse_corpus(SENTIMENT_CORPUS);
    for (text, l2) in corpus::parse_corpus(corpus::CORPUS) {
        if NEUTRAL_CATEGORIES.contains(&l2.as_str()) {
            rows.push((text, NEUTRAL.to_string()));
        }
    }
    // The short, colloquial rows are few next to tens of thousands of reviews: repeat them.
    let mut out = Vec::with_capacity(rows.len() * 4);
    for _ in 0..4 {
        out.extend(rows.iter().cloned());
    }
    out
}

/// Trains the default models. `online_shopping_csv` (the public review set, if at hand) adds
/// tens of thousands of labelled reviews to sentiment; without it only the team's corpora are used.
pub fn train_default(online_shopping_csv: Option<&str>) -> Result<DefaultModels, Error> {
    let hotspot = HotspotModel::train_default()?;
    let mut examples = own_sentiment_examples();
    if let Some(csv) = online_shopping_csv {
        for r in parse_online_shopping(csv) {
            let label = if r.positive { crate::sentiment::POSITIVE } else { crate::sentiment::NEGATIVE };
            examples.push((r.text, label.to_string()));
        }
    }
    let mut cfg = crate::sentiment::default_config();
    // Pruned vocabulary keeps the shipped file small; rare review words do not generalise to chat.
    cfg.min_df = if online_shopping_csv.is_some() { 5 } else { 1 };
    let sentiment = SentimentModel::train(&examples, &cfg)?;
    Ok(DefaultModels { format_version: FORMAT_VERSION, hotspot, sentiment })
}
