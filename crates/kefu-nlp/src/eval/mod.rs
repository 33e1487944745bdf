//! Evaluation on the public data sets: parsers, splits, metrics, and the full report.

pub mod data;
pub mod devset;
pub mod faq;
pub mod handoff;
pub mod hotspot;
pub mod intent;
pub mod metrics;
pub mod paraphrase;
pub mod report;
pub mod sentiment;
pub mod table;
