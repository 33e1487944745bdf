//! Evaluation on the public data sets: parsers, splits, metrics, and the full report.

pub mod data;
pub mod intent;
pub mod metrics;
