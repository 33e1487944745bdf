//! The language a request is answered in. A middleware reads `Accept-Language`; the auth
//! extractor then settles it for a signed-in person: their saved language, else the browser's,
//! else the shop's default. It lives in a task-local for the request, so an error rendered
//! anywhere below (`ApiError::into_response`) reads it without being handed it.

use crate::app::AppState;
use kefu_core::shop::User;
use kefu_i18n::Lang;
use std::cell::Cell;
use std::future::Future;

/// The request's language choice: what the caller's browser asked for and what was settled.
struct Choice {
    accepted: Option<Lang>,
    settled: Cell<Lang>,
}

tokio::task_local! {
    static CHOICE: Choice;
}

/// The language to answer the current request (or socket) in; zh-CN outside any.
pub fn current() -> Lang {
    CHOICE.try_with(|c| c.settled.get()).unwrap_or_default()
}

/// Run `fut` answering in `lang` (a socket's task keeps the language of its upgrade request).
pub fn scope<F: Future>(lang: Lang, fut: F) -> impl Future<Output = F::Output> {
    CHOICE.scope(Choice { accepted: Some(lang), settled: Cell::new(lang) }, fut)
}

/// Middleware: every request starts in its `Accept-Language` (zh-CN when it names none we speak).
pub async fn from_accept_language(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let accepted = req
        .headers()
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Lang::from_accept_language);
    CHOICE.scope(Choice { accepted, settled: Cell::new(accepted.unwrap_or_default()) }, next.run(req)).await
}

/// Settle the language for a signed-in person: their own choice wins; else the browser's
/// stays; else the shop's default language.
pub async fn settle_for(state: &AppState, user: &User) {
    let Ok(accepted) = CHOICE.try_with(|c| c.accepted) else { return };
    let lang = match (user.language, accepted) {
        (Some(own), _) => own,
        (None, Some(browser)) => browser,
        (None, None) => shop_language(state, user).await,
    };
    let _ = CHOICE.try_with(|c| c.settled.set(lang));
}

/// The shop's default language (zh-CN when unset or unreadable).
pub async fn shop_language(state: &AppState, user: &User) -> Lang {
    match state.inbox.store().shop_profile(user.shop_id).await {
        Ok(Some(p)) => Lang::parse(&p.language).unwrap_or_default(),
        _ => Lang::default(),
    }
}
