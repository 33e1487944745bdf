//! The settings pages read in English: a browser whose person reads English (its UI language,
//! `Accept-Language` and the page's stored choice `kefu.lang=en`) opens each of the ten pages
//! as the demo owner; each shows its English title and words, and no Chinese character is
//! visible except in the shop's own data (names of people, teams, phrases, workflow states…,
//! which stay as they were typed). Screenshots `en-settings-{shop,routing,channels}.png` with
//! KEFU_BROWSER_SCREENSHOTS. Skipped without chromedriver unless KEFU_REQUIRE_BROWSER=1.

use crate::browser::{js, login, snap, until, wait_text, Driver};
use crate::harness::*;
use fantoccini::Client;
use std::time::Duration;

/// The shell's data: the shop's and the person's names, and the brand's logo glyph (客).
const SHELL_DATA: [&str; 4] = ["#shop-name", "#me-name", ".user-menu-who", ".brand-mark"];

/// The visible text nodes holding a Chinese (CJK) character, each as `tag#id.class: text`,
/// leaving out text inside `data` (CSS selectors of elements whose words are the shop's data),
/// the shell's names and 简体中文, which the language choices show in its own language.
pub(crate) async fn visible_cjk(b: &Client, data: &[&str]) -> Vec<String> {
    let script = format!(
        r#"const data = {data};
        const cjk = /[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]/;
        const out = [];
        const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        while (walk.nextNode()) {{
          const node = walk.currentNode;
          const el = node.parentElement;
          const text = node.textContent.replaceAll('简体中文', '');
          if (!el || !cjk.test(text) || el.closest('script, style')) continue;
          if (data.length && el.closest(data.join(', '))) continue;
          const box = el.closest('option') ? el.closest('select') : el;
          if (!box.checkVisibility({{ visibilityProperty: true }})) continue;
          out.push(`${{el.tagName.toLowerCase()}}#${{el.id}}.${{el.className}}: ${{node.textContent.trim()}}`);
        }}
        for (const el of document.querySelectorAll('[title], [placeholder], [aria-label]')) {{
          for (const attr of ['title', 'placeholder', 'aria-label']) {{
            const v = el.getAttribute(attr);
            if (v && cjk.test(v) && !(data.length && el.closest(data.join(', ')))) out.push(`${{el.tagName.toLowerCase()}}[${{attr}}]: ${{v}}`);
          }}
        }}
        if (cjk.test(document.title)) out.push(`title: ${{document.title}}`);
        return out;"#,
        data = serde_json::to_string(&[data, &SHELL_DATA[..]].concat()).expect("selectors")
    );
    serde_json::from_value(js(b, &script).await).expect("a list of strings")
}

/// Wait until the page's `h1` reads `title` (the catalogue is loaded and the page filled).
async fn titled(b: &Client, title: &str) {
    until(&format!("the title {title:?}"), || async {
        js(b, "return document.querySelector('main h1')?.textContent ?? ''").await.as_str().filter(|t| *t == title).map(|_| ())
    })
    .await;
}

/// The shop's own words on the settings pages (demo data, typed in Chinese).
const DATA: [&str; 18] = [
    "#teams .choices label",
    "#departments .choices label",
    "#departments .strong",
    "#default-team option",
    "#vip-team option",
    "select[data-path$='.team'] option",
    "#rules .chip:not(.chip-any)",
    "#history",
    "#shop-history",
    "#phrase-rows",
    "#word-rows",
    "#ch-rows",
    "#token-rows",
    "#wf-type option",
    "#wf-states",
    "#wf-moves",
    "#f-person option",
    "#audit-rows",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_settings_page_reads_in_english() {
    let Some(driver) = Driver::start().await else { return };
    let app = TestApp::spawn().await;
    let b = driver.browser_in("en-US").await;
    let result = tokio::time::timeout(Duration::from_secs(120), walk(&app, &b)).await;
    let _ = b.close().await;
    result.expect("the English settings walk took over two minutes");
}

async fn walk(app: &TestApp, b: &Client) {
    login(b, &app.base, "owner@demo.kefu").await;
    js(b, "localStorage.setItem('kefu.lang', 'en')").await;
    b.set_window_size(1440, 900).await.expect("desktop");
    // (page, English title, an English word the page's script writes, where it writes it)
    let pages = [
        ("shop", "Shop and chat widget", "Agent joins", "#handover-title"),
        ("routing", "Teams and assignment", "All agents", "#default-team"),
        ("hours", "Business hours", "Wednesday", "#weekdays"),
        ("channels", "Channels", "Signing secret", "body"),
        ("phrases", "Quick phrases", "New shop-wide phrase", "#phrase-form-title"),
        ("words", "Sensitive words", "Ask to confirm", "#word-action"),
        ("tickets", "Ticket types and departments", "start", "#wf-states"),
        ("alerts", "Alerts and sales events", "Threshold (seconds)", "#rules"),
        ("tokens", "API tokens", "Read analytics (analytics:read)", "#token-scopes"),
        ("audit", "Audit log", "Hash chain intact", "#chain-state"),
    ];
    for (page, title, word, at) in pages {
        b.goto(&format!("{}/settings/{page}", app.base)).await.expect("settings page");
        titled(b, title).await;
        if at == "body" {
            until(&format!("{word:?} on {page}"), || async {
                js(b, &format!("return document.body.innerHTML.includes({word:?})")).await.as_bool().filter(|v| *v)
            })
            .await;
        } else {
            wait_text(b, at, word).await;
        }
        let title_tag = js(b, "return document.title").await;
        assert!(title_tag.as_str().is_some_and(|t| t.contains("Settings")), "{page}: <title> {title_tag}");
        let chinese = visible_cjk(b, &DATA).await;
        assert!(chinese.is_empty(), "Chinese left on the English {page} page: {chinese:#?}");
        if ["shop", "routing", "channels"].contains(&page) {
            snap(b, &format!("en-settings-{page}")).await;
        }
    }
    // Words the script writes on demand are English too: a problem at its field, and a verdict.
    b.goto(&format!("{}/settings/words", app.base)).await.expect("words page");
    titled(b, "Sensitive words").await;
    js(b, "document.getElementById('word-add').click()").await;
    wait_text(b, "#words-form .field", "Enter a word").await;
    js(b, "document.getElementById('check-text').value = 'hello'; document.getElementById('check-run').click()").await;
    wait_text(b, "#check-result", "Can be sent").await;

    // A problem the server finds is explained in English at its field; a good save says so.
    b.goto(&format!("{}/settings/routing", app.base)).await.expect("routing page");
    titled(b, "Teams and assignment").await;
    wait_text(b, "#default-team", "All agents").await;
    js(b, "document.getElementById('add-rule').click()").await;
    let priority = "#rules li:last-child input[data-path$='].priority']";
    wait_text(b, "#rules li:last-child", "Assign to").await;
    let set = |v: &str| format!("const i = document.querySelector(\"{priority}\"); i.value = '{v}'; i.dispatchEvent(new Event('input')); document.getElementById('save').click()");
    js(b, &set("500")).await;
    until("the priority problem in English", || async {
        let v = js(b, &format!("const f = document.querySelector(\"{priority}\").closest('.field').querySelector('.field-error'); return f && !f.hidden ? f.textContent : ''")).await;
        v.as_str().filter(|t| t.contains("Must be between -100 and 100")).map(|_| ())
    })
    .await;
    js(b, &set("5")).await;
    wait_text(b, ".toast", "Saved").await;
}
