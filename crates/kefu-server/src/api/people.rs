//! Customers and agents of the shop.

use super::auth::{user_view, UserView};
use super::parse_id;
use crate::app::AppState;
use crate::auth::Principal;
use crate::error::{ApiError, ErrorBody};
use axum::extract::{Path, State};
use axum::Json;
use kefu_core::access::Scope;
use kefu_core::customer::{Customer, Identity};
use kefu_core::ids::CustomerId;
use kefu_core::store::Store;
use serde::Serialize;

/// A customer with their channel identities.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CustomerView {
    /// The customer.
    #[serde(flatten)]
    pub customer: Customer,
    /// Where they can be reached.
    pub identities: Vec<Identity>,
}

/// The shop's back-office users.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AgentList {
    /// Users with their live status.
    pub agents: Vec<UserView>,
}

/// One customer of the shop.
#[utoipa::path(get, path = "/api/v1/customers/{id}", tag = "customers", params(("id" = String, Path)),
    responses((status = 200, body = CustomerView), (status = 404, body = ErrorBody)))]
pub async fn customer(State(state): State<AppState>, who: Principal, Path(id): Path<String>) -> Result<Json<CustomerView>, ApiError> {
    who.require(Scope::ConversationsRead)?;
    let id: CustomerId = parse_id(&id, "customer")?;
    let store = state.inbox.store();
    let customer = store.customer(who.user.shop_id, id).await?.ok_or(ApiError::NotFound("customer"))?;
    let identities = store.identities_of(who.user.shop_id, id).await?;
    Ok(Json(CustomerView { customer, identities }))
}

/// The shop's agents, supervisors, admins and owner with their presence.
#[utoipa::path(get, path = "/api/v1/agents", tag = "agents", responses((status = 200, body = AgentList), (status = 401, body = ErrorBody)))]
pub async fn agents(State(state): State<AppState>, who: Principal) -> Result<Json<AgentList>, ApiError> {
    who.require(Scope::ConversationsRead)?;
    let users = state.inbox.store().users(who.user.shop_id).await?;
    Ok(Json(AgentList { agents: users.into_iter().map(|u| user_view(&state, u)).collect() }))
}
