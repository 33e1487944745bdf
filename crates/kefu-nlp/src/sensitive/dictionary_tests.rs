use super::*;

fn entry(word: &str, category: &str, action: Action) -> WordEntry {
    WordEntry { word: word.into(), category: category.into(), action }
}

fn dict(words: &[(&str, Action)]) -> Dictionary {
    Dictionary::build(words.iter().map(|(w, a)| entry(w, "test", *a))).expect("builds")
}

fn spans<'a>(text: &'a str, hits: &[Hit]) -> Vec<&'a str> {
    hits.iter().map(|h| &text[h.start..h.end]).collect()
}

#[test]
fn separators_inside_a_word_still_match() {
    let d = dict(&[("微信", Action::Block)]);
    for text in ["加微 信", "加微.信", "加微*信", "加微　信", "加微信", "加微_-_信", "加微\u{200b}信", "加微😀信"] {
        let hits = d.scan(text);
        assert_eq!(hits.len(), 1, "{text}");
        assert_eq!(hits[0].word, "微信");
        assert_eq!(&text[hits[0].start..hits[0].end], text.trim_start_matches('加'), "{text}");
    }
    assert!(d.scan("微博").is_empty());
}

#[test]
fn width_script_and_case_variants_match() {
    let d = dict(&[("VX", Action::Block), ("发票", Action::Flag), ("刷单", Action::Block)]);
    let text = "加ｖｘ 开發票 刷單";
    assert_eq!(spans(text, &d.scan(text)), ["ｖｘ", "發票", "刷單"]);
    // Dictionary words are folded too: a traditional, full-width entry matches simplified text.
    let d = dict(&[("發票", Action::Flag)]);
    assert_eq!(d.scan("要发票").len(), 1);
}

#[test]
fn offsets_are_bytes_of_the_original_text() {
    let d = dict(&[("加微信", Action::Block)]);
    let text = "👍👍亲，可以加 微 信吗？🙂";
    let hits = d.scan(text);
    assert_eq!(hits.len(), 1);
    assert_eq!(&text[hits[0].start..hits[0].end], "加 微 信");
    assert_eq!(hits[0].start, "👍👍亲，可以".len());
}

#[test]
fn leftmost_longest_and_non_overlapping() {
    let d = dict(&[("最低", Action::Warn), ("全网最低价", Action::Warn), ("价格", Action::Flag)]);
    let text = "全网最低价格";
    assert_eq!(spans(text, &d.scan(text)), ["全网最低价"]);
}

#[test]
fn latin_words_do_not_hit_inside_latin_words_or_numbers() {
    let d = dict(&[("ma", Action::Flag), ("vx", Action::Block), ("64", Action::Flag)]);
    assert!(d.scan("make it so, i am a fan, 1648元").is_empty());
    assert_eq!(d.scan("加vx").len(), 1);
    assert_eq!(d.scan("加 v.x 聊").len(), 1);
    assert_eq!(d.scan("价格64元").len(), 1);
}

#[test]
fn build_dedupes_skips_empty_and_keeps_the_strictest() {
    let d = Dictionary::build([
        entry("微信", "advertising", Action::Warn),
        entry("微 信", "fraud", Action::Block),
        entry("微信", "other", Action::Flag),
        entry("", "x", Action::Block),
        entry("&*", "x", Action::Block),
    ])
    .expect("builds");
    assert_eq!(d.len(), 1);
    let hits = d.scan("微信");
    assert_eq!((hits[0].word.as_str(), hits[0].category.as_str(), hits[0].action), ("微信", "fraud", Action::Block));
    let empty = Dictionary::build(Vec::new()).expect("builds");
    assert!(empty.is_empty() && empty.scan("anything").is_empty());
}

#[test]
fn strictest_action_of_hits() {
    let d = dict(&[("最好", Action::Warn), ("刷单", Action::Block), ("发票", Action::Flag)]);
    assert_eq!(Dictionary::strictest(&d.scan("最好的发票")), Some(Action::Warn));
    assert_eq!(Dictionary::strictest(&d.scan("刷单最好")), Some(Action::Block));
    assert_eq!(Dictionary::strictest(&d.scan("发票")), Some(Action::Flag));
    assert_eq!(Dictionary::strictest(&[]), None);
}

#[test]
fn merged_adds_shop_words_and_shares_the_global_layer() {
    let global = dict(&[("刷单", Action::Block), ("最好", Action::Warn)]);
    let shop = [entry("某竞品", "competitor", Action::Warn), entry("刷单", "shop", Action::Flag), entry("最好", "shop", Action::Block)];
    let merged = Dictionary::merged(&global, &shop).expect("builds");
    // 刷单 is already global and stricter there; 最好 is made stricter by the shop.
    assert_eq!(merged.len(), 3);
    let text = "某竞品 刷单 最好";
    let hits = merged.scan(text);
    let got: Vec<(&str, Action)> = hits.iter().map(|h| (&text[h.start..h.end], h.action)).collect();
    assert_eq!(got, [("某竞品", Action::Warn), ("刷单", Action::Block), ("最好", Action::Block)]);
    assert!(global.scan("某竞品").is_empty(), "the global dictionary is unchanged");
    assert_eq!(Dictionary::merged(&global, &[]).expect("builds").len(), 2);
}

#[test]
fn merged_layers_resolve_overlaps_leftmost_longest() {
    let global = dict(&[("最低", Action::Warn)]);
    let merged = Dictionary::merged(&global, &[entry("全网最低价", "shop", Action::Warn)]).expect("builds");
    let text = "这是全网最低价";
    assert_eq!(spans(text, &merged.scan(text)), ["全网最低价"]);
}

#[test]
fn builtin_list_catches_superlatives_and_diversion_not_everyday_words() {
    let d = Dictionary::builtin();
    let hits = d.scan("本店全网最低价，有问题加微信聊");
    let got: Vec<(&str, Action)> = hits.iter().map(|h| (h.word.as_str(), h.action)).collect();
    assert_eq!(got, [("全网最低价", Action::Warn), ("加微信", Action::Block)]);
    assert!(d.scan("最近下单的衣服什么时候到").is_empty());
    assert_eq!(Dictionary::strictest(&d.scan("可以加 V 吗")), Some(Action::Block));
}

#[test]
fn dictionary_is_send_sync_and_scans_from_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Dictionary>();
    let d = std::sync::Arc::new(Dictionary::builtin());
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let d = d.clone();
            std::thread::spawn(move || d.scan("刷单").len())
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().ok(), Some(1));
    }
}

#[test]
fn offsets_survive_characters_that_grow_or_shrink_when_folded() {
    // Ⱥ (2 bytes) lower-cases to ⱥ (3 bytes); Ａ (3 bytes) folds to a (1 byte).
    let d = dict(&[("微信", Action::Block), ("ab", Action::Flag)]);
    let text = "ȺȺ 微 信 ＡＢ";
    let hits = d.scan(text);
    assert_eq!(spans(text, &hits), ["微 信", "ＡＢ"]);
}

#[test]
fn hits_stay_on_char_boundaries_for_odd_input() {
    let d = dict(&[("微信", Action::Block), ("x1", Action::Flag), ("省市", Action::Warn), ("ⱥa", Action::Flag), ("13812345678", Action::Flag)]);
    for text in crate::pii::tests::odd_strings(3000) {
        let hits = d.scan(&text);
        let mut last_end = 0;
        for h in &hits {
            assert!(h.start >= last_end && h.start < h.end && h.end <= text.len(), "{text:?}: {hits:?}");
            assert!(text.is_char_boundary(h.start) && text.is_char_boundary(h.end), "{text:?}: {hits:?}");
            last_end = h.end;
        }
    }
}
