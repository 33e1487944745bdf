//! Request extractors that fail with our JSON error body instead of axum's plain text.

use crate::error::ApiError;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use std::str::FromStr;

/// A JSON body; malformed JSON, wrong types, unknown fields and oversize bodies become
/// `invalid_request` / `payload_too_large`.
///
/// JSON has one number type: `5.0` is the integer 5 to JSON Schema (and so to our OpenAPI
/// document) and to JavaScript, so a whole number written with a fraction is read as an integer
/// wherever an integer is expected.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let mut value = match axum::Json::<serde_json::Value>::from_request(req, state).await {
            Ok(axum::Json(v)) => v,
            Err(rejection) => return Err(json_rejection(rejection)),
        };
        whole_numbers_as_integers(&mut value);
        serde_path_to_error::deserialize(value)
            .map(ApiJson)
            .map_err(|e| ApiError::BadRequest(crate::error::msg("error-json-shape").arg("reason", e.to_string())))
    }
}

/// Rewrite every whole-valued float (`5.0`, `-3e2`) as the integer it is; fractions, and
/// magnitudes no i64/u64 holds, stay floats. A float field still reads an integer.
fn whole_numbers_as_integers(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15) {
                *n = serde_json::Number::from(f as i64);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        serde_json::Value::Object(map) => map.values_mut().for_each(whole_numbers_as_integers),
        _ => {}
    }
}

fn json_rejection(r: JsonRejection) -> ApiError {
    if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::PayloadTooLarge;
    }
    match r {
        JsonRejection::MissingJsonContentType(_) => {
            ApiError::BadRequest(crate::error::msg("error-json-content-type"))
        }
        other => ApiError::BadRequest(crate::error::verbatim(other.body_text())),
    }
}

/// Query parameters, with our error body on bad input.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|r: QueryRejection| ApiError::BadRequest(crate::error::verbatim(r.body_text())))
    }
}

/// Parse an id from a path; a malformed id is simply not found.
pub fn parse_id<T: FromStr>(raw: &str, what: &'static str) -> Result<T, ApiError> {
    raw.parse().map_err(|_| ApiError::NotFound(what))
}

#[cfg(test)]
mod tests {
    use super::whole_numbers_as_integers;
    use serde_json::json;

    #[test]
    fn whole_floats_become_integers_and_fractions_stay() {
        let mut v: serde_json::Value = serde_json::from_str(r#"{"a": 5.0, "b": [-300.0, 2.5, 7], "c": {"d": 1e300, "e": "5.0"}}"#).unwrap();
        whole_numbers_as_integers(&mut v);
        assert_eq!(v, json!({"a": 5, "b": [-300, 2.5, 7], "c": {"d": 1e300, "e": "5.0"}}));
        assert!(v["a"].is_i64() && v["c"]["d"].is_f64());
    }
}
