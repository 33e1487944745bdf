//! The embedded web UI: static pages and modules under `web/`, served with ETags and a
//! strict Content-Security-Policy.

use crate::app::AppState;
use axum::extract::Path;
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_ORIGIN, CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG, IF_NONE_MATCH,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use rust_embed::Embed;

#[derive(Embed)]
#[folder = "web/"]
struct Assets;

/// Pages may load only our own scripts, styles and sockets.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// Page and asset routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/workspace") }))
        .route("/login", get(|h: HeaderMap| async move { serve("login.html", &h, false) }))
        .route("/workspace", get(|h: HeaderMap| async move { serve("workspace.html", &h, false) }))
        .route("/demo", get(|h: HeaderMap| async move { serve("demo.html", &h, false) }))
        .route("/tickets", get(|h: HeaderMap| async move { serve("tickets.html", &h, false) }))
        .route("/analytics", get(crate::analytics::pages::dashboard))
        .route("/analytics/hotspots", get(crate::analytics::pages::hotspots))
        .route("/history", get(|h: HeaderMap| async move { serve("history.html", &h, false) }))
        .route("/customers/{id}", get(|h: HeaderMap| async move { serve("profile.html", &h, false) }))
        .route("/kb", get(|h: HeaderMap| async move { serve("kb.html", &h, false) }))
        .route("/setup", get(|h: HeaderMap| async move { serve("setup.html", &h, false) }))
        .route("/invite", get(|h: HeaderMap| async move { serve("invite.html", &h, false) }))
        .route("/reset", get(|h: HeaderMap| async move { serve("reset.html", &h, false) }))
        .route("/settings", get(|| async { Redirect::to("/settings/people") }))
        .route("/settings/people", get(|h: HeaderMap| async move { serve("people.html", &h, false) }))
        .route("/manifest.webmanifest", get(|h: HeaderMap| async move { serve("manifest.webmanifest", &h, false) }))
        // At the root so its scope covers every page.
        .route("/sw.js", get(|h: HeaderMap| async move { serve("sw.js", &h, false) }))
        .route("/settings/{section}", get(|Path(section): Path<String>, h: HeaderMap| async move { settings_page(&section, &h) }))
        .route("/widget.js", get(|h: HeaderMap| async move { serve("widget.js", &h, true) }))
        .route("/widget.css", get(|h: HeaderMap| async move { serve("widget.css", &h, true) }))
        .route("/assets/i18n/{lang}/{file}", get(|Path((lang, file)): Path<(String, String)>, h: HeaderMap| async move { catalogue(&lang, &file, &h) }))
        .route("/assets/{*path}", get(|Path(p): Path<String>, h: HeaderMap| async move { serve(&format!("assets/{p}"), &h, false) }))
}

/// A settings section's page, `web/settings/<section>.html`; unknown sections are 404.
fn settings_page(section: &str, req: &HeaderMap) -> Response {
    if !section.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') {
        return crate::error::ApiError::NotFound("page").into_response();
    }
    serve(&format!("settings/{section}.html"), req, false)
}

/// One area of a language's catalogue as the browser's JSON (`kefu_i18n::browser`).
fn catalogue(lang: &str, file: &str, req: &HeaderMap) -> Response {
    let not_found = || crate::error::ApiError::NotFound("page").into_response();
    let (Some(lang), Some(area)) = (kefu_i18n::Lang::parse(lang), file.strip_suffix(".json")) else {
        return not_found();
    };
    match kefu_i18n::browser::area_json(lang, area) {
        // Public words the widget on a merchant's site reads too.
        Some(bytes) => {
            use sha2::Digest;
            let hash: [u8; 32] = sha2::Sha256::digest(&bytes).into();
            with_etag(bytes, hash, "application/json", req, false, true)
        }
        None => not_found(),
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("json") => "application/json",
        Some("webmanifest") => "application/manifest+json",
        _ => "application/octet-stream",
    }
}

/// Serve an embedded file; `cross_origin` for the widget files merchants load on their sites.
fn serve(path: &str, req: &HeaderMap, cross_origin: bool) -> Response {
    let Some(file) = Assets::get(path) else {
        return crate::error::ApiError::NotFound("page").into_response();
    };
    // rust-embed hashed the file at build time: no hashing per request.
    let hash = file.metadata.sha256_hash();
    with_etag(file.data.into_owned(), hash, content_type(path), req, path.ends_with(".html"), cross_origin)
}

/// Answer `bytes` with an ETag from their SHA-256 `hash`, 304 when the client has them.
fn with_etag(bytes: Vec<u8>, hash: [u8; 32], content_type: &str, req: &HeaderMap, page: bool, cross_origin: bool) -> Response {
    let etag = format!("\"{}\"", hash[..12].iter().map(|b| format!("{b:02x}")).collect::<String>());
    let mut headers = HeaderMap::new();
    let set = |h: &mut HeaderMap, k, v: &str| {
        if let Ok(v) = HeaderValue::from_str(v) {
            h.insert(k, v);
        }
    };
    set(&mut headers, ETAG, &etag);
    set(&mut headers, CACHE_CONTROL, "no-cache");
    set(&mut headers, X_CONTENT_TYPE_OPTIONS, "nosniff");
    if page {
        set(&mut headers, CONTENT_SECURITY_POLICY, CSP);
        set(&mut headers, X_FRAME_OPTIONS, "DENY");
    }
    if cross_origin {
        set(&mut headers, ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    }
    if req.get(IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|v| v.split(',').any(|t| t.trim() == etag)) {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    set(&mut headers, CONTENT_TYPE, content_type);
    (headers, bytes).into_response()
}
