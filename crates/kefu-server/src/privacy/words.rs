//! The sensitive-word dictionaries: one global (built-in list + an optional directory of word
//! lists) and one per shop (global + the shop's own words), rebuilt when the shop edits them.
//! Reads are synchronous (a map lookup) so the realtime fan-out can use them.

use kefu_core::ids::ShopId;
use kefu_core::store::{Store, StoreError};
use kefu_nlp::sensitive::{default_action, parse_list, Dictionary, WordEntry};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, RwLock};

/// The settings key a shop's own words are stored under.
pub const SHOP_WORDS_KEY: &str = "sensitive_words";

/// Dictionaries of every shop.
pub struct SensitiveWords {
    global: Arc<Dictionary>,
    shops: RwLock<HashMap<ShopId, Arc<Dictionary>>>,
}

impl SensitiveWords {
    /// The built-in list plus every `*.txt` in `dir` (one word a line; the file name is the
    /// category and picks the action). Returns the registry and how many words it holds.
    pub fn load(dir: Option<&Path>) -> Result<Self, String> {
        let mut entries: Vec<WordEntry> = Vec::new();
        if let Some(dir) = dir {
            let list = std::fs::read_dir(dir).map_err(|e| format!("cannot read sensitive-word directory {}: {e}", dir.display()))?;
            for file in list.flatten() {
                let path = file.path();
                if path.extension().and_then(|e| e.to_str()) != Some("txt") {
                    continue;
                }
                let category = path.file_stem().and_then(|s| s.to_str()).unwrap_or("other").to_string();
                let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                entries.extend(parse_list(&category, default_action(&category), &text));
            }
        }
        let global = if entries.is_empty() {
            Dictionary::builtin()
        } else {
            Dictionary::merged(&Dictionary::builtin(), &entries).map_err(|e| e.to_string())?
        };
        Ok(SensitiveWords { global: Arc::new(global), shops: RwLock::new(HashMap::new()) })
    }

    /// Words in the global dictionary.
    pub fn global_len(&self) -> usize {
        self.global.len()
    }

    /// The dictionary for a shop (the global one until the shop adds words).
    pub fn for_shop(&self, shop: ShopId) -> Arc<Dictionary> {
        let shops = self.shops.read().unwrap_or_else(|p| p.into_inner());
        shops.get(&shop).cloned().unwrap_or_else(|| self.global.clone())
    }

    /// Install a shop's own words (replacing earlier ones).
    pub fn set_shop(&self, shop: ShopId, words: &[WordEntry]) -> Result<(), String> {
        let dict = if words.is_empty() { self.global.clone() } else { Arc::new(Dictionary::merged(&self.global, words).map_err(|e| e.to_string())?) };
        self.shops.write().unwrap_or_else(|p| p.into_inner()).insert(shop, dict);
        Ok(())
    }

    /// Load every shop's words from the store (at start).
    pub async fn load_shops<S: Store>(&self, store: &S) -> Result<usize, StoreError> {
        let mut n = 0;
        for shop in store.shops().await? {
            if let Some(doc) = store.setting(shop.id, SHOP_WORDS_KEY).await? {
                let words: Vec<WordEntry> = serde_json::from_str(&doc).map_err(|e| StoreError::Corrupt(format!("shop {} sensitive words: {e}", shop.id)))?;
                self.set_shop(shop.id, &words).map_err(StoreError::Corrupt)?;
                n += 1;
            }
        }
        Ok(n)
    }
}
