//! Onboarding: the one-time-link endpoints (setup, invitation, reset), people management,
//! and the platform operator's shop API.

pub mod links;
pub mod people;
pub mod platform;

use crate::app::AppState;
use axum::routing::{delete, get, post, put};
use axum::Router;

/// Routes relative to `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/demo", get(links::demo_accounts))
        .route("/links/check", post(links::check))
        .route("/setup", post(links::setup))
        .route("/invitations/accept", post(links::accept))
        .route("/password-resets/redeem", post(links::redeem_reset))
        .route("/people", get(people::list))
        .route("/people/{id}", put(people::edit))
        .route("/people/{id}/deactivate", post(people::deactivate))
        .route("/people/{id}/reactivate", post(people::reactivate))
        .route("/people/{id}/password-reset", post(people::password_reset))
        .route("/people/{id}/unlock", post(people::unlock))
        .route("/invitations", post(people::invite))
        .route("/invitations/{id}", delete(people::revoke))
        .route("/invitations/{id}/resend", post(people::resend))
        .route("/platform/shops", get(platform::list).post(platform::create))
        .route("/platform/shops/{id}/suspend", post(platform::suspend))
        .route("/platform/shops/{id}/resume", post(platform::resume))
}
