//! Sparse TF-IDF features over hashed word and char n-grams.

mod extract;
mod hash;
mod vectoriser;

pub use extract::FeatureConfig;
pub use hash::{hash_str, FeatureHasher, IdMap};
pub use vectoriser::{SparseVec, Vectoriser};
