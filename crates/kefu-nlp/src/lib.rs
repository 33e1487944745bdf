//! kefu-nlp: the language engine — normalisation, tokenisation, features, classifiers,
//! FAQ retrieval, sentiment, hotspot categories, entities, language detection, PII masking and
//! sensitive-word scanning.
//! Pure and synchronous: no IO, no async, no database.
#![warn(missing_docs)]

pub mod embed;
pub mod engine;
pub mod entities;
pub mod eval;
pub mod faq;
pub mod features;
pub mod handoff;
pub mod hotspot;
pub mod intent;
pub mod lang;
pub mod linear;
pub mod model;
pub mod normalise;
pub mod pii;
pub mod sensitive;
pub mod sentiment;
pub mod tokenise;

pub use engine::{analyze, analyze_with, Analysis, ShopModels};

/// Errors at the crate boundary.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Training was asked for with no examples.
    #[error("no training data")]
    NoTrainingData,
    /// A data file could not be parsed.
    #[error("cannot parse {what}: {why}")]
    Parse {
        /// Which input.
        what: String,
        /// What was wrong.
        why: String,
    },
    /// A model file is of another format version or damaged.
    #[error("model file: {0}")]
    Model(String),
    /// A sensitive-word dictionary could not be compiled.
    #[error("sensitive-word dictionary: {0}")]
    Dictionary(String),
}
