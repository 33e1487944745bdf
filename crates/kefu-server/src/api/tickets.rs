//! Tickets (工单), their workflows, departments and the business calendar.

use super::{parse_id, ApiJson, ApiQuery};
use crate::app::AppState;
use crate::auth::Principal;
use crate::error::{ApiError, ErrorBody};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use kefu_core::access::Scope;
use kefu_core::ids::{ConversationId, CustomerId, MessageId, TicketId, UserId};
use kefu_core::tickets::desk::{BulkAction, TicketRequest};
use kefu_core::tickets::sla::{Calendar, SlaStatus};
use kefu_core::store::Store;
use kefu_core::tickets::{Attachment, Department, Priority, Ticket, TicketFilter, Workflow};
use serde::{Deserialize, Serialize};

/// A ticket with its SLA standing and the moves its workflow allows from here.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TicketView {
    /// The ticket, PII masked in its texts (title, description, comments, move notes, file
    /// names).
    #[serde(flatten)]
    pub ticket: Ticket,
    /// How many PII values were masked (`POST /tickets/{id}/reveal` with index 0..n).
    pub pii_masked: usize,
    /// SLA standing now.
    pub sla_status: SlaStatus,
    /// Moves allowed from the current state: `{to, name}`.
    pub moves: Vec<Move>,
    /// Name of the current state.
    pub state_name: String,
}

/// One allowed move.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Move {
    /// Target state key.
    pub to: String,
    /// Action name.
    pub name: String,
}

/// A page of tickets.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TicketList {
    /// Newest activity first.
    pub tickets: Vec<TicketView>,
}

/// Filters.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TicketQuery {
    /// State key.
    pub state: Option<String>,
    /// Department key.
    pub department: Option<String>,
    /// Ticket type key.
    #[serde(rename = "type")]
    pub ticket_type: Option<String>,
    /// `me` or a user id.
    pub assignee: Option<String>,
    /// A customer id.
    pub customer: Option<String>,
    /// Only open tickets.
    pub open: Option<bool>,
    /// `ok`, `warning`, `breached`, `paused` or `done`.
    pub sla: Option<String>,
    /// At most (default 100).
    pub limit: Option<u32>,
}

/// A new ticket.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTicket {
    /// Type key: `complaint`, `technical_fault`, `emergency` or a shop's own.
    pub ticket_type: String,
    /// Title, not blank (required unless the ticket comes from a conversation, where it
    /// defaults to the customer's name).
    #[schema(pattern = r"\S", nullable = false)]
    pub title: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Priority (default normal).
    pub priority: Option<Priority>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The customer.
    pub customer_id: Option<CustomerId>,
    /// The conversation it comes from (its transcript is copied into the description).
    #[schema(nullable = false)]
    pub conversation_id: Option<ConversationId>,
    /// Copy the conversation's internal notes too (default false: customer and agent
    /// messages only).
    #[serde(default)]
    pub include_notes: bool,
    /// Attach only these messages of the conversation (the form's checkboxes); internal
    /// notes among them are attached because they were chosen. Absent: the first 50
    /// messages, notes as `include_notes` says.
    #[schema(nullable = false, max_items = 500)]
    pub message_ids: Option<Vec<MessageId>>,
    /// Tell the customer the ticket number in the conversation now (default true; the
    /// workspace form defaults to false).
    #[schema(nullable = false)]
    pub notify_customer: Option<bool>,
}

/// A move along the workflow.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    /// Target state key.
    pub to: String,
    /// Note for the history.
    pub note: Option<String>,
}

/// A comment.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentRequest {
    /// Text.
    pub body: String,
    /// Sent to the customer too.
    #[serde(default)]
    pub public: bool,
}

/// New department and/or assignee.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignTicket {
    /// Department key.
    pub department: Option<String>,
    /// User.
    pub assignee_id: Option<UserId>,
}

/// New priority.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriorityRequest {
    /// Priority.
    pub priority: Priority,
}

/// New tags.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagsRequest {
    /// Tags (trimmed, deduplicated, up to 32 characters each).
    pub tags: Vec<String>,
}

/// A bulk action.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkRequest {
    /// Tickets.
    pub ids: Vec<String>,
    /// What to do.
    pub action: BulkAction,
}

/// One ticket's bulk outcome.
#[derive(Serialize, utoipa::ToSchema)]
pub struct BulkOutcome {
    /// Ticket id as given.
    pub id: String,
    /// Done.
    pub ok: bool,
    /// Why not.
    pub error: Option<String>,
}

/// Outcomes, in request order.
#[derive(Serialize, utoipa::ToSchema)]
pub struct BulkResult {
    /// One per id.
    pub results: Vec<BulkOutcome>,
}

/// Workflows.
#[derive(Serialize, utoipa::ToSchema)]
pub struct WorkflowList {
    /// One per ticket type.
    pub workflows: Vec<Workflow>,
}

/// Departments.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DepartmentList {
    /// Departments with members.
    pub departments: Vec<Department>,
}

/// A department's name and members.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutDepartment {
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Members.
    pub members: Vec<UserId>,
}

/// The view of one ticket, loading its workflow.
async fn view(state: &AppState, ticket: Ticket) -> Result<TicketView, ApiError> {
    let wf = state.tickets.workflow(ticket.shop_id, &ticket.ticket_type).await?;
    let status = ticket.sla.status(wf.sla.get(&ticket.priority), state.inbox.now(), ticket.closed_at.is_some());
    Ok(view_with(ticket, status, &wf))
}

/// The view of a ticket whose workflow and SLA standing the caller already has.
fn view_with(ticket: Ticket, sla_status: SlaStatus, wf: &Workflow) -> TicketView {
    // Agents see the ticket's PII masked, as in message views; revealing is one audited call.
    let (ticket, pii_masked) = crate::privacy::documents::masked_ticket(&ticket);
    let moves = wf.transitions_from(&ticket.state).map(|t| Move { to: t.to.clone(), name: t.name.clone() }).collect();
    let state_name = wf.state(&ticket.state).map(|s| s.name.clone()).unwrap_or_else(|| ticket.state.clone());
    TicketView { ticket, pii_masked, sla_status, moves, state_name }
}

/// List tickets.
#[utoipa::path(get, path = "/api/v1/tickets", tag = "tickets", params(TicketQuery), responses((status = 200, body = TicketList), (status = 400, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, who: Principal, ApiQuery(q): ApiQuery<TicketQuery>) -> Result<Json<TicketList>, ApiError> {
    who.require(Scope::ConversationsRead)?;
    let assignee_id = match q.assignee.as_deref() {
        None | Some("") => None,
        Some("me") => Some(who.user.id),
        Some(s) => Some(s.parse().map_err(|_| ApiError::BadRequest(crate::error::msg("error-assignee").arg("assignee", s.to_string())))?),
    };
    let customer_id = q.customer.as_deref().map(|s| s.parse().map_err(|_| ApiError::BadRequest(crate::error::msg("error-customer-id")))).transpose()?;
    let sla = q.sla.as_deref().map(|s| SlaStatus::parse(s).ok_or_else(|| ApiError::BadRequest(crate::error::msg("error-sla-status").arg("status", s.to_string())))).transpose()?;
    let filter = TicketFilter {
        state: q.state,
        department: q.department,
        ticket_type: q.ticket_type,
        assignee_id,
        customer_id,
        open_only: q.open.unwrap_or(false),
        limit: q.limit.unwrap_or(100),
    };
    // One workflow load for the whole page, not one per ticket.
    let flows = state.tickets.workflows(who.user.shop_id).await?;
    let tickets = state
        .tickets
        .list(who.user.shop_id, &filter, sla)
        .await?
        .into_iter()
        .map(|(t, s)| {
            let wf = flows.iter().find(|w| w.ticket_type == t.ticket_type).ok_or(ApiError::NotFound("ticket type"))?;
            Ok(view_with(t, s, wf))
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(Json(TicketList { tickets }))
}

/// Open a ticket.
#[utoipa::path(post, path = "/api/v1/tickets", tag = "tickets", request_body = CreateTicket,
    responses((status = 201, body = TicketView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn create(State(state): State<AppState>, who: Principal, ApiJson(req): ApiJson<CreateTicket>) -> Result<(StatusCode, Json<TicketView>), ApiError> {
    who.require(Scope::ConversationsWrite)?;
    let title = match (req.title, req.conversation_id) {
        (Some(t), _) => t,
        (None, Some(cid)) => {
            let c = state.inbox.store().conversation(who.user.shop_id, cid).await?.ok_or(ApiError::NotFound("conversation"))?;
            format!("{} 的问题", c.customer_name)
        }
        (None, None) => return Err(ApiError::BadRequest(crate::error::msg("error-ticket-needs-title"))),
    };
    let request = TicketRequest {
        ticket_type: req.ticket_type,
        title,
        description: req.description,
        priority: req.priority,
        tags: req.tags,
        conversation_id: req.conversation_id,
        customer_id: req.customer_id,
        include_notes: req.include_notes,
        message_ids: req.message_ids,
        notify_customer: req.notify_customer.unwrap_or(true),
    };
    let ticket = state.tickets.create(who.actor(), request).await?;
    Ok((StatusCode::CREATED, Json(view(&state, ticket).await?)))
}

/// One ticket with comments and history.
#[utoipa::path(get, path = "/api/v1/tickets/{id}", tag = "tickets", params(("id" = String, Path)), responses((status = 200, body = TicketView), (status = 404, body = ErrorBody)))]
pub async fn get_one(State(state): State<AppState>, who: Principal, Path(id): Path<String>) -> Result<Json<TicketView>, ApiError> {
    who.require(Scope::ConversationsRead)?;
    let id: TicketId = parse_id(&id, "ticket")?;
    let t = state.tickets.get(who.user.shop_id, id).await?;
    Ok(Json(view(&state, t).await?))
}

/// Reveal one masked PII value of a ticket (scope `pii:reveal`); every reveal is audited
/// with the ticket, the kind and the index, never the value.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/reveal", tag = "compliance", params(("id" = String, Path)), request_body = super::privacy::RevealRequest,
    responses((status = 200, body = super::privacy::Revealed), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn reveal(State(state): State<AppState>, who: Principal, Path(id): Path<String>, ApiJson(req): ApiJson<super::privacy::RevealRequest>) -> Result<Json<super::privacy::Revealed>, ApiError> {
    who.require(Scope::PiiReveal)?;
    let id: TicketId = parse_id(&id, "ticket")?;
    let t = state.tickets.get(who.user.shop_id, id).await?;
    let (kind, value) = crate::privacy::documents::ticket_value(&t, req.index).ok_or(ApiError::NotFound("masked value"))?;
    let detail = serde_json::json!({ "kind": kind, "index": req.index });
    crate::security::audit::record(&state, crate::security::audit::entry(&state, &who, "pii_revealed", Some(format!("ticket:{id}")), detail)).await?;
    Ok(Json(super::privacy::Revealed { kind, value }))
}

/// Move a ticket along its workflow.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/transition", tag = "tickets", params(("id" = String, Path)), request_body = TransitionRequest,
    responses((status = 200, body = TicketView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn transition(State(state): State<AppState>, who: Principal, Path(id): Path<String>, ApiJson(req): ApiJson<TransitionRequest>) -> Result<Json<TicketView>, ApiError> {
    who.require(Scope::ConversationsWrite)?;
    let id: TicketId = parse_id(&id, "ticket")?;
    let t = state.tickets.transition(who.actor(), id, &req.to, req.note).await?;
    let from = t.history.iter().rev().find_map(|h| match &h.change {
        kefu_core::tickets::TicketChange::Moved { from, .. } => Some(from.as_str()),
        _ => None,
    });
    let detail = serde_json::json!({ "from": from, "to": t.state });
    crate::security::audit::record(&state, crate::security::audit::entry(&state, &who, "ticket_moved", Some(format!("ticket:{id}")), detail)).await?;
    Ok(Json(view(&state, t).await?))
}

/// Comment on a ticket (public comments reach the customer).
#[utoipa::path(post, path = "/api/v1/tickets/{id}/comments", tag = "tickets", params(("id" = String, Path)), request_body = CommentRequest,
    responses((status = 200, body = TicketView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn comment(State(state): State<AppState>, who: Principal, Path(id): Path<String>, ApiJson(req): ApiJson<CommentRequest>) -> Result<Json<TicketView>, ApiError> {
    who.require(Scope::ConversationsWrite)?;
    let id: TicketId = parse_id(&id, "ticket")?;
    let t = state.tickets.comment(who.actor(), id, &req.body, req.public).await?;
    Ok(Json(view(&state, t).await?))
}

/// Give a ticket to a department or person.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/assign", tag = "tickets", params(("id" = String, Path)), request_body = AssignTicket,
    responses((status = 200, body = TicketView), (status = 404, body = ErrorBody)))]
pub async fn assign(State(state): State<AppState>, who: Principal, Path(id): Path<String>, ApiJson(req): ApiJson<AssignTicket>) -> Result<Json<TicketView>, ApiError> {
    who.require(Scope::ConversationsWrite)?;
    let id: TicketId = parse_id(&id, "ticket")?;
    let t = state.tickets.assign(who.actor(), id, req.department, req.assignee_id).await?;
    Ok(Json(view(&state, t).await?))
}

/// Set a ticket's priority.
#[utoipa::path(put, path = "/api/v1/tickets/{id}/priority", tag = "tickets", params(("id" = String, Path)), request_body = PriorityRequest,
    responses((status = 200, body = TicketView), (status = 404, body = ErrorBody)))]
pub async fn priority(State(state): State<AppState>, who: Principal, Path(id): Path<String>, ApiJson(req): ApiJson<PriorityRequest>) -> Result<Json<TicketView>, ApiError> {
    who.require(Scope::ConversationsWrite)?;
    let id: TicketId = parse_id(&id, "ticket")?;
    let t = state.tickets.set_priority(who.actor(), id, req.priority).await?;
    Ok(Json(view(&state, t).await?))
}

/// Replace a ticket's tags.
#[utoipa::path(put, path = "/api/v1/tickets/{id}/tags", tag = "tickets", params(("id" = String, Path)), request_body = TagsRequest,
    responses((status = 200, body = TicketView), (status = 404, body = ErrorBody)))]
pub async fn tags(State(state): State<AppState>, who: Principal, Path(id): Path<String>, ApiJson(req): ApiJson<TagsRequest>) -> Result<Json<TicketView>, ApiError> {
    who.require(Scope::ConversationsWrite)?;
    let id: TicketId = parse_id(&id, "ticket")?;
    let t = state.tickets.set_tags(who.actor(), id, req.tags).await?;
    Ok(Json(view(&state, t).await?))
}

/// Attach a file by reference (the bytes live in your object storage).
#[utoipa::path(post, path = "/api/v1/tickets/{id}/attachments", tag = "tickets", params(("id" = String, Path)), request_body = Attachment,
    responses((status = 200, body = TicketView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn attach(State(state): State<AppState>, who: Principal, Path(id): Path<String>, ApiJson(file): ApiJson<Attachment>) -> Result<Json<TicketView>, ApiError> {
    who.require(Scope::ConversationsWrite)?;
    let id: TicketId = parse_id(&id, "ticket")?;
    let t = state.tickets.attach(who.actor(), id, file).await?;
    Ok(Json(view(&state, t).await?))
}

/// One action over many tickets; each succeeds or fails on its own.
#[utoipa::path(post, path = "/api/v1/tickets/bulk", tag = "tickets", request_body = BulkRequest, responses((status = 200, body = BulkResult), (status = 400, body = ErrorBody)))]
pub async fn bulk(State(state): State<AppState>, who: Principal, ApiJson(req): ApiJson<BulkRequest>) -> Result<Json<BulkResult>, ApiError> {
    who.require(Scope::ConversationsWrite)?;
    if req.ids.is_empty() || req.ids.len() > 500 {
        return Err(ApiError::BadRequest(crate::error::msg("error-ticket-ids")));
    }
    let action = req.action;
    let mut results = Vec::with_capacity(req.ids.len());
    for raw in req.ids {
        let outcome = match raw.parse::<TicketId>() {
            Err(_) => Err("ticket not found".to_string()),
            Ok(id) => state.tickets.bulk(who.actor(), &[id], &action).await.pop().map(|r| r.map(|_| ()).map_err(|e| e.to_string())).unwrap_or(Ok(())),
        };
        results.push(BulkOutcome { id: raw, ok: outcome.is_ok(), error: outcome.err() });
    }
    Ok(Json(BulkResult { results }))
}

/// The shop's ticket types and their workflows.
#[utoipa::path(get, path = "/api/v1/ticket-types", tag = "tickets", responses((status = 200, body = WorkflowList)))]
pub async fn workflows(State(state): State<AppState>, who: Principal) -> Result<Json<WorkflowList>, ApiError> {
    who.require(Scope::ConversationsRead)?;
    Ok(Json(WorkflowList { workflows: state.tickets.workflows(who.user.shop_id).await? }))
}

/// Replace the workflow of a ticket type (owners and admins); validated first.
#[utoipa::path(put, path = "/api/v1/ticket-types/{type}", tag = "tickets", params(("type" = String, Path)), request_body = Workflow,
    responses((status = 200, body = Workflow), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn put_workflow(State(state): State<AppState>, who: Principal, Path(ticket_type): Path<String>, ApiJson(wf): ApiJson<Workflow>) -> Result<Json<Workflow>, ApiError> {
    who.require(Scope::SettingsManage)?;
    if wf.ticket_type != ticket_type {
        return Err(ApiError::BadRequest(crate::error::msg("error-ticket-type-mismatch").arg("body", wf.ticket_type.to_string()).arg("path", ticket_type.to_string())));
    }
    Ok(Json(state.tickets.put_workflow(who.actor(), wf).await?))
}

/// Departments and their members.
#[utoipa::path(get, path = "/api/v1/departments", tag = "tickets", responses((status = 200, body = DepartmentList)))]
pub async fn departments(State(state): State<AppState>, who: Principal) -> Result<Json<DepartmentList>, ApiError> {
    who.require(Scope::ConversationsRead)?;
    Ok(Json(DepartmentList { departments: state.tickets.departments(who.user.shop_id).await? }))
}

/// Create or update a department (owners and admins).
#[utoipa::path(put, path = "/api/v1/departments/{key}", tag = "tickets", params(("key" = String, Path)), request_body = PutDepartment,
    responses((status = 200, body = Department), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn put_department(State(state): State<AppState>, who: Principal, Path(key): Path<String>, ApiJson(req): ApiJson<PutDepartment>) -> Result<Json<Department>, ApiError> {
    who.require(Scope::SettingsManage)?;
    Ok(Json(state.tickets.put_department(who.actor(), &key, &req.name, req.members).await?))
}

/// The business calendar SLAs count on.
#[utoipa::path(get, path = "/api/v1/calendar", tag = "tickets", responses((status = 200, body = Calendar)))]
pub async fn calendar(State(state): State<AppState>, who: Principal) -> Result<Json<Calendar>, ApiError> {
    who.require(Scope::ConversationsRead)?;
    Ok(Json(state.tickets.calendar(who.user.shop_id).await?))
}

/// Set the business calendar (owners and admins).
#[utoipa::path(put, path = "/api/v1/calendar", tag = "tickets", request_body = Calendar,
    responses((status = 200, body = Calendar), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn put_calendar(State(state): State<AppState>, who: Principal, ApiJson(cal): ApiJson<Calendar>) -> Result<Json<Calendar>, ApiError> {
    who.require(Scope::SettingsManage)?;
    Ok(Json(state.tickets.put_calendar(who.actor(), cal).await?))
}
