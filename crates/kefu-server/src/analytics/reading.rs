//! Who reads an analytics page, and numbers and dates written for them: the page's language
//! and the per-language forms of counts and days (the words come from `analytics.ftl`).

use axum::http::header::ACCEPT_LANGUAGE;
use axum::http::HeaderMap;
use kefu_core::onboarding::ShopProfile;
use kefu_i18n::Lang;

/// The language a page is written in: what the browser asks for (`Accept-Language`), else the
/// shop's default language, else zh-CN. The one place to change when a person's saved
/// language should win.
pub fn page_language(headers: &HeaderMap, shop: Option<&ShopProfile>) -> Lang {
    headers
        .get(ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Lang::from_accept_language)
        .or_else(|| shop.and_then(|s| Lang::parse(&s.language)))
        .unwrap_or_default()
}

/// A count with thousands grouped (both languages group by three with commas: 12,345).
pub fn count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

fn month_name(m: u32) -> &'static str {
    MONTHS.get(m.saturating_sub(1) as usize).copied().unwrap_or("")
}

/// A day of the year as a chart axis shows it: `11-21` in Chinese, `Nov 21` in English.
pub fn short_day(lang: Lang, month: u32, day: u32) -> String {
    match lang {
        Lang::ZhCn => format!("{month:02}-{day:02}"),
        Lang::En => format!("{} {day}", month_name(month)),
    }
}

/// A full date: `2025年11月21日` in Chinese, `Nov 21, 2025` in English.
pub fn full_day(lang: Lang, (year, month, day): (i64, u32, u32)) -> String {
    match lang {
        Lang::ZhCn => format!("{year}年{month}月{day}日"),
        Lang::En => format!("{} {day}, {year}", month_name(month)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browser_language_wins_then_the_shop_then_chinese() {
        let mut headers = HeaderMap::new();
        let shop = ShopProfile { time_zone: "+08:00".into(), language: "en".into(), suspended_at: None };
        assert_eq!(page_language(&headers, None), Lang::ZhCn);
        assert_eq!(page_language(&headers, Some(&shop)), Lang::En);
        headers.insert(ACCEPT_LANGUAGE, "zh-CN,zh;q=0.9".parse().unwrap());
        assert_eq!(page_language(&headers, Some(&shop)), Lang::ZhCn);
        headers.insert(ACCEPT_LANGUAGE, "fr-FR".parse().unwrap());
        assert_eq!(page_language(&headers, Some(&shop)), Lang::En, "a language we lack falls to the shop's");
    }

    #[test]
    fn counts_and_days_read_per_language() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1234567), "1,234,567");
        assert_eq!(count(-1000), "-1,000");
        assert_eq!(short_day(Lang::ZhCn, 3, 7), "03-07");
        assert_eq!(short_day(Lang::En, 3, 7), "Mar 7");
        assert_eq!(full_day(Lang::ZhCn, (2025, 11, 21)), "2025年11月21日");
        assert_eq!(full_day(Lang::En, (2025, 11, 21)), "Nov 21, 2025");
    }
}
