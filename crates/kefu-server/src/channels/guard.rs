//! SSRF guard for URLs kefu posts to (platform callbacks, outgoing webhooks). Checked when a
//! URL is configured (resolving its host now, 422 `private_target`) and again at every
//! delivery: the HTTP client resolves through [`PublicResolver`], which drops non-public
//! addresses, so a name that later resolves to 127.0.0.1 (DNS rebinding) still cannot reach
//! the inside. `KEFU_ALLOW_PRIVATE_TARGETS=true` switches both off (tests, on-premises).

use crate::error::ApiError;
use axum::http::StatusCode;
use kefu_core::channels::ssrf::{host_and_port, is_public};
use std::net::{IpAddr, SocketAddr};

fn refused(message: kefu_i18n::Message) -> ApiError {
    ApiError::Refused { status: StatusCode::UNPROCESSABLE_ENTITY, code: "private_target", message }
}

/// Refuse a target URL whose host is, or resolves to, a loopback, private, link-local or
/// otherwise non-public address (unless private targets are allowed).
pub async fn check_target(url: &str, allow_private: bool) -> Result<(), ApiError> {
    if allow_private {
        return Ok(());
    }
    let (host, port) = host_and_port(url).ok_or_else(|| ApiError::BadRequest(crate::error::msg("error-url-host")))?;
    let addrs: Vec<SocketAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|_| ApiError::Refused { status: StatusCode::UNPROCESSABLE_ENTITY, code: "unresolvable_target", message: crate::error::msg("error-host-unresolvable").arg("host", host.to_string()) })?
            .collect(),
    };
    if addrs.is_empty() {
        return Err(ApiError::Refused { status: StatusCode::UNPROCESSABLE_ENTITY, code: "unresolvable_target", message: crate::error::msg("error-host-unresolvable").arg("host", host.to_string()) });
    }
    if let Some(bad) = addrs.iter().find(|a| !is_public(a.ip())) {
        return Err(refused(crate::error::msg("error-host-private").arg("host", host.to_string()).arg("ip", bad.ip().to_string())));
    }
    Ok(())
}

/// Whether a delivery may go to this URL's literal IP host (names are checked by the
/// resolver when the client connects).
pub fn literal_host_allowed(url: &str, allow_private: bool) -> bool {
    allow_private || host_and_port(url).and_then(|(h, _)| h.parse::<IpAddr>().ok()).is_none_or(is_public)
}

/// DNS for the delivery client: the system resolver with every non-public address removed.
pub struct PublicResolver;

impl reqwest::dns::Resolve for PublicResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.filter(|a| is_public(a.ip())).collect();
            if addrs.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}
