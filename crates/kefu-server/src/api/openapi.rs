//! What the OpenAPI document says about every operation at once: how callers authenticate, and
//! the error answers that come from the layers every request passes (authentication, scopes,
//! rate limits, extractors) rather than from one handler. Handlers list their own answers;
//! this fills in the shared ones so the document lists every status an operation can give.

use utoipa::openapi::header::Header;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::schema::{AllOfBuilder, AnyOfBuilder, OneOfBuilder, Schema};
use utoipa::openapi::{Content, Object, ObjectBuilder, Ref, RefOr, ResponseBuilder, Type};

/// Operations that take no session or token: they check their own credentials (a password,
/// a channel's signature, or a one-time link's token), or say only whether the demo exists.
pub const PUBLIC: [&str; 8] = [
    "/api/v1/auth/login",
    "/api/v1/auth/demo",
    "/api/v1/channels/{id}/webhook",
    "/api/v1/channels/{id}/email",
    "/api/v1/links/check",
    "/api/v1/setup",
    "/api/v1/invitations/accept",
    "/api/v1/password-resets/redeem",
];

/// The shared error responses, by status: component name and description.
const SHARED: [(&str, &str, &str); 6] = [
    ("400", "BadRequest", "Malformed request: bad JSON, a wrong type or unknown field, a bad query parameter (`invalid_request`)."),
    ("401", "Unauthenticated", "No valid session or token (`unauthenticated`)."),
    ("403", "Forbidden", "The caller lacks the scope, or a cookie session did not echo its CSRF token (`forbidden`)."),
    ("404", "NotFound", "Unknown, malformed or another shop's id (`not_found`)."),
    ("413", "PayloadTooLarge", "The body is over the limit (`payload_too_large`)."),
    ("429", "RateLimited", "Over a rate limit; retry after `Retry-After` seconds (`rate_limited`)."),
];

/// Bodies that need exactly one of two properties (the server answers 400 otherwise).
const EXACTLY_ONE_OF: [(&str, [&str; 2]); 2] = [("Teach", ["faq_id", "new_faq"]), ("TransferRequest", ["agent_id", "team_id"])];

/// Bodies that need at least one of two properties.
const AT_LEAST_ONE_OF: [(&str, [&str; 2]); 1] = [("CreateTicket", ["title", "conversation_id"])];

/// Adds the security schemes, each operation's security requirement, the shared errors and
/// the rules between properties that derive macros cannot say.
pub struct Conformance;

impl utoipa::Modify for Conformance {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        add_components(components);
        for (name, pair) in EXACTLY_ONE_OF {
            require_of(components, name, pair, true);
        }
        for (name, pair) in AT_LEAST_ONE_OF {
            require_of(components, name, pair, false);
        }
        for (path, item) in openapi.paths.paths.iter_mut() {
            let public = PUBLIC.contains(&path.as_str());
            let ops = [(&mut item.get, true), (&mut item.put, false), (&mut item.post, false), (&mut item.patch, false), (&mut item.delete, false)];
            for (op, safe) in ops {
                if let Some(op) = op.as_mut() {
                    complete(op, path, public, safe);
                }
            }
        }
    }
}

fn add_components(components: &mut utoipa::openapi::schema::Components) {
    components.add_security_scheme("token", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("kefu_pat_…").description(Some("An API token from POST /api/v1/tokens: its scopes, never more than its creator's role.")).build()));
    components.add_security_scheme("platform", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("kefu_plat_…").description(Some("A platform-operator token from `kefu platform token create`: provisions, suspends and resumes shops; reads nothing of theirs.")).build()));
    components.add_security_scheme(
        "session",
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description("kefu_session", "The browser session from POST /api/v1/auth/login: every scope of the user's role."))),
    );
    components.add_security_scheme(
        "csrf",
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description("X-CSRF-Token", "With a cookie session, state-changing requests echo the kefu_csrf cookie here."))),
    );
    for (_, name, description) in SHARED {
        let mut response = ResponseBuilder::new().description(description).content("application/json", Content::new(Some(Ref::from_schema_name("ErrorBody"))));
        if name == "RateLimited" {
            response = response.header("Retry-After", Header::new(Object::with_type(Type::Integer)));
        }
        components.responses.insert(name.to_string(), RefOr::T(response.build()));
    }
}

/// Wrap a component schema: it and (exactly / at least) one of `pair` present.
fn require_of(components: &mut utoipa::openapi::schema::Components, name: &str, pair: [&str; 2], exactly: bool) {
    let Some(original) = components.schemas.remove(name) else {
        return;
    };
    let needs = |field: &str| ObjectBuilder::new().required(field).build();
    let choice: Schema = if exactly {
        OneOfBuilder::new().item(needs(pair[0])).item(needs(pair[1])).build().into()
    } else {
        AnyOfBuilder::new().item(needs(pair[0])).item(needs(pair[1])).build().into()
    };
    let wrapped = AllOfBuilder::new().item(original).item(choice).build();
    components.schemas.insert(name.to_string(), RefOr::T(Schema::AllOf(wrapped)));
}

fn complete(op: &mut Operation, path: &str, public: bool, safe: bool) {
    let has_body = op.request_body.is_some();
    let has_query = op.parameters.iter().flatten().any(|p| p.parameter_in == ParameterIn::Query);
    let has_path = path.contains('{');
    if !public && op.security.is_none() {
        let session = if safe {
            SecurityRequirement::new("session", Vec::<String>::new())
        } else {
            SecurityRequirement::new("session", Vec::<String>::new()).add("csrf", Vec::<String>::new())
        };
        op.security = Some(vec![SecurityRequirement::new("token", Vec::<String>::new()), session]);
    }
    for (status, name, _) in SHARED {
        let applies = match status {
            "400" => has_body || has_query,
            "401" | "403" => !public,
            "404" => has_path,
            "413" => has_body,
            _ => true,
        };
        if applies {
            op.responses.responses.entry(status.to_string()).or_insert_with(|| RefOr::Ref(Ref::from_response_name(name)));
        }
    }
}
