//! The JSON API under `/api/v1`, and its OpenAPI document and Swagger UI.

mod analytics;
mod audit;
pub mod auth;
mod conversations;
mod extract;
mod history;
mod inbound;
mod kb;
pub mod orders;
mod notes;
mod openapi;
pub mod onboarding;
mod people;
mod privacy;
mod profile;
mod quick_phrases;
mod ratings;
mod reader;
mod routing;
pub mod shop;
mod tickets;
mod tokens;
pub mod versions;

pub use extract::{parse_id, ApiJson, ApiQuery};
use openapi::Conformance;

use crate::app::AppState;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post, put};
use axum::Router;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

/// Routes relative to `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(auth::login))
        .route("/auth/logout", post(auth::logout))
        .route("/me", get(auth::me))
        .route("/me/status", put(auth::set_status))
        .route("/me/password", put(auth::change_password))
        .route("/me/language", put(auth::set_language))
        .route("/conversations", get(conversations::list).post(routing::start))
        .route("/conversations/search", get(history::search))
        .route("/conversations/{id}", get(conversations::get_one))
        .route("/conversations/{id}/messages", get(conversations::messages).post(conversations::reply))
        .route("/conversations/{id}/assign", post(conversations::assign))
        .route("/conversations/{id}/resolve", post(conversations::resolve))
        .route("/conversations/{id}/rating", get(ratings::rating))
        .route("/conversations/{id}/notes", post(notes::add))
        .route("/quick-phrases", get(quick_phrases::list).post(quick_phrases::create))
        .route("/quick-phrases/{id}", put(quick_phrases::update).delete(quick_phrases::delete))
        .route("/conversations/{id}/transfer", post(routing::transfer))
        .route("/conversations/{id}/accept", post(routing::accept))
        .route("/conversations/{id}/decline", post(routing::decline))
        .route("/conversations/{id}/close", post(routing::close))
        .route("/customers/{id}/tags", put(routing::set_tags))
        .route("/customers/{id}/merge", post(people::merge))
        .route("/customers/{id}/unmerge", post(people::unmerge))
        .route("/customers/{id}/dialogue", get(people::dialogue))
        .route("/customers/{id}/reveal", post(people::reveal))
        .route("/routing", get(routing::get_config).put(routing::put_config))
        .route("/routing/test", post(shop::test_routing))
        .route("/routing/versions", get(versions::routing_history))
        .route("/routing/versions/{version}", get(versions::routing_view))
        .route("/routing/versions/{version}/restore", post(versions::routing_restore))
        .route("/shop/versions", get(versions::shop_history))
        .route("/shop", get(shop::get_shop).put(shop::put_shop))
        .route("/queue", get(routing::queue))
        .route("/customers/{id}", get(people::customer).patch(profile::update))
        .route("/customers/{id}/profile", get(profile::profile))
        .route("/customers/{id}/orders", get(orders::customer_orders))
        .route("/orders", put(orders::put_orders).layer(DefaultBodyLimit::max(orders::BULK_BODY_LIMIT)))
        .route("/products", get(orders::products).put(orders::put_products).layer(DefaultBodyLimit::max(orders::BULK_BODY_LIMIT)))
        .route("/agents", get(people::agents))
        .route("/agents/{id}/role", put(people::set_role))
        .route("/audit", get(audit::list))
        .route("/audit/verify", get(audit::verify))
        .route("/sensitive-words", get(privacy::get_words).put(privacy::put_words))
        .route("/sensitive-words/check", post(privacy::check))
        .route("/messages/{id}/reveal", post(privacy::reveal))
        .route("/tokens", get(tokens::list).post(tokens::create))
        .route("/tokens/{id}", delete(tokens::revoke))
        .route("/inbound/messages", post(inbound::message))
        .route("/tickets", get(tickets::list).post(tickets::create))
        .route("/tickets/bulk", post(tickets::bulk))
        .route("/tickets/{id}", get(tickets::get_one))
        .route("/tickets/{id}/transition", post(tickets::transition))
        .route("/tickets/{id}/reveal", post(tickets::reveal))
        .route("/tickets/{id}/comments", post(tickets::comment))
        .route("/tickets/{id}/assign", post(tickets::assign))
        .route("/tickets/{id}/priority", put(tickets::priority))
        .route("/tickets/{id}/tags", put(tickets::tags))
        .route("/tickets/{id}/attachments", post(tickets::attach))
        .route("/ticket-types", get(tickets::workflows))
        .route("/ticket-types/{type}", put(tickets::put_workflow))
        .route("/departments", get(tickets::departments))
        .route("/departments/{key}", put(tickets::put_department))
        .route("/calendar", get(tickets::calendar).put(tickets::put_calendar))
        .route("/analytics/dashboard", get(analytics::dashboard))
        .route("/analytics/hotspots", get(analytics::hotspots))
        .route("/analytics/hotspots/conversations", get(analytics::drill))
        .route("/analytics/alerts", get(analytics::alerts))
        .route("/analytics/alert-rules", put(analytics::put_rules))
        .route("/analytics/promotions", get(analytics::promotions).put(analytics::put_promotions))
        .route("/analytics/export.csv", get(analytics::export))
        .route("/kb", get(kb::get_kb).put(kb::put_kb).layer(DefaultBodyLimit::max(kb::IMPORT_BODY_LIMIT)))
        .route("/kb/faqs", get(kb::search_faqs))
        .route("/kb/faqs/{id}", put(kb::put_faq).delete(kb::delete_faq))
        .route("/kb/import", post(kb::import).layer(DefaultBodyLimit::max(kb::IMPORT_BODY_LIMIT)))
        .route("/kb/export", get(kb::export))
        .route("/kb/versions", get(kb::versions))
        .route("/kb/rollback", post(kb::rollback))
        .route("/kb/training", get(kb::training))
        .route("/kb/questions", get(kb::questions))
        .route("/kb/experiments/{id}/results", get(kb::experiment_results))
        .route("/kb/figures", get(kb::figures))
        .route("/kb/questions/{key}/teach", post(kb::teach))
        .route("/kb/questions/{key}/dismiss", post(kb::dismiss))
        .route("/live/session", put(kb::put_live_session))
        .route("/conversations/{id}/context", get(kb::context))
        .merge(onboarding::routes())
        .fallback(|| async { crate::error::ApiError::NotFound("route") })
}

/// `/api/openapi.json` and `/api/docs`.
pub fn docs_routes() -> Router<AppState> {
    Router::new().merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", ApiDoc::openapi()))
}

/// The OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(title = "kefu API", description = "Omnichannel customer service: conversations, messages, customers, agents, tokens. Realtime frames over /ws/agent and /ws/widget are described in docs/ARCHITECTURE.md."),
    paths(
        auth::login, auth::logout, auth::me, auth::set_status, auth::change_password, auth::set_language,
        conversations::list, conversations::get_one, conversations::messages, conversations::reply,
        conversations::assign, conversations::resolve, notes::add,
        quick_phrases::list, quick_phrases::create, quick_phrases::update, quick_phrases::delete,
        routing::get_config, routing::put_config, shop::test_routing, shop::get_shop, shop::put_shop, versions::routing_history, versions::routing_view, versions::routing_restore, versions::shop_history, routing::queue, routing::transfer, routing::accept, routing::decline, routing::close,
        routing::start, routing::set_tags, people::merge, people::unmerge, people::dialogue,
        people::customer, people::reveal, people::agents, people::set_role,
        history::search, ratings::rating, profile::profile, profile::update,
        audit::list, audit::verify, privacy::get_words, privacy::put_words, privacy::check, privacy::reveal,
        tokens::list, tokens::create, tokens::revoke,
        inbound::message,
        orders::put_orders, orders::put_products, orders::customer_orders, orders::products,
        crate::channels::platform::webhook, crate::channels::recent::list, crate::channels::recent::send_test, crate::channels::admin::create_channel, crate::channels::admin::list_channels,
        crate::channels::admin::list_outbox, crate::channels::admin::replay, crate::channels::admin::live_stats,
        crate::channels::webhooks::create, crate::channels::webhooks::list, crate::channels::webhooks::remove,
        crate::channels::email::inbound::receive, crate::channels::email::attachments::list, crate::channels::email::attachments::download,
        tickets::list, tickets::create, tickets::get_one, tickets::transition, tickets::comment, tickets::assign,
        tickets::priority, tickets::tags, tickets::attach, tickets::bulk, tickets::workflows, tickets::put_workflow, tickets::departments,
        tickets::put_department, tickets::calendar, tickets::put_calendar, tickets::reveal,
        analytics::dashboard, analytics::hotspots, analytics::drill, analytics::alerts, analytics::put_rules,
        analytics::promotions, analytics::put_promotions, analytics::export,
        kb::get_kb, kb::put_kb, kb::search_faqs, kb::put_faq, kb::delete_faq, kb::import, kb::export, kb::versions, kb::rollback,
        kb::training, kb::put_live_session, kb::context, kb::questions, kb::teach, kb::dismiss, kb::experiment_results, kb::figures,
        onboarding::links::check, onboarding::links::setup, onboarding::links::accept, onboarding::links::redeem_reset, onboarding::links::demo_accounts,
        onboarding::people::list, onboarding::people::invite, onboarding::people::resend, onboarding::people::revoke, onboarding::people::edit,
        onboarding::people::deactivate, onboarding::people::reactivate, onboarding::people::password_reset, onboarding::people::unlock,
        onboarding::platform::create, onboarding::platform::list, onboarding::platform::suspend, onboarding::platform::resume,
    ),
    components(schemas(crate::error::ErrorBody, crate::error::ErrorDetail)),
    modifiers(&Conformance),
)]
pub struct ApiDoc;
