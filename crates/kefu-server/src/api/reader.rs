//! The language a request reads, for words the API puts beside its codes (the context card's
//! mood, tier, order statuses …): `Accept-Language` for now, Chinese when it names no language
//! we speak. The signed-in person's saved language will refine this in one place.

use axum::extract::FromRequestParts;
use axum::http::header::ACCEPT_LANGUAGE;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use kefu_i18n::Lang;
use std::convert::Infallible;

/// The reader's language as a handler argument.
pub struct Reader(pub Lang);

/// The language of a request's `Accept-Language`, else the default (zh-CN).
pub fn reader_lang(headers: &HeaderMap) -> Lang {
    headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Lang::from_accept_language).unwrap_or_default()
}

impl<S: Send + Sync> FromRequestParts<S> for Reader {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Reader(reader_lang(&parts.headers)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_picks_the_language_and_chinese_is_the_default() {
        let mut headers = HeaderMap::new();
        assert_eq!(reader_lang(&headers), Lang::ZhCn);
        headers.insert(ACCEPT_LANGUAGE, "en-US,en;q=0.9".parse().unwrap());
        assert_eq!(reader_lang(&headers), Lang::En);
        headers.insert(ACCEPT_LANGUAGE, "fr".parse().unwrap());
        assert_eq!(reader_lang(&headers), Lang::ZhCn);
    }
}
