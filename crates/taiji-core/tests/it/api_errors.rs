//! Error rendering of both APIs: status codes, bodies and headers per error class, and the JSON
//! extractors' rejections (never axum's 415/422) through a real axum router.

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::routing::post;
use http::{Request, StatusCode};
use serde_json::{Value, json};
use taiji_core::api::ApiFlavor;
use taiji_core::api::error::{AnthropicError, ApiError, ApiErrorKind, OpenAiError};
use taiji_core::api::extract::{AnthropicJson, OpenAiJson};
use tower::ServiceExt;

async fn body_json(response: axum::response::Response) -> Value {
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    serde_json::from_slice(&bytes).expect("json body")
}

#[test]
fn status_table_per_flavor() {
    use ApiErrorKind::*;
    let table = [
        (
            InvalidRequest,
            400,
            400,
            "invalid_request_error",
            "invalid_request_error",
        ),
        (
            PromptTooLong,
            400,
            400,
            "invalid_request_error",
            "invalid_request_error",
        ),
        (
            RequestTooLarge,
            413,
            413,
            "invalid_request_error",
            "request_too_large",
        ),
        (
            Unauthenticated,
            401,
            401,
            "invalid_request_error",
            "authentication_error",
        ),
        (Forbidden, 403, 403, "invalid_request_error", "permission_error"),
        (NotFound, 404, 404, "invalid_request_error", "not_found_error"),
        (
            ModelNotFound,
            404,
            404,
            "invalid_request_error",
            "not_found_error",
        ),
        (QuotaExhausted, 429, 402, "insufficient_quota", "billing_error"),
        (RateLimited, 429, 429, "requests", "rate_limit_error"),
        (UpstreamBusy, 503, 503, "server_error", "overloaded_error"),
        (UpstreamLoginFailed, 503, 503, "server_error", "api_error"),
        (UpstreamFailed, 502, 502, "server_error", "api_error"),
        (Timeout, 504, 504, "server_error", "timeout_error"),
        (Internal, 500, 500, "server_error", "api_error"),
    ];
    for (kind, openai_status, anthropic_status, openai_type, anthropic_type) in table {
        assert_eq!(kind.status(ApiFlavor::OpenAi).as_u16(), openai_status, "{kind:?}");
        assert_eq!(
            kind.status(ApiFlavor::Anthropic).as_u16(),
            anthropic_status,
            "{kind:?}"
        );
        assert_eq!(kind.openai_type(), openai_type, "{kind:?}");
        assert_eq!(kind.anthropic_type(), anthropic_type, "{kind:?}");
        assert_ne!(kind.status(ApiFlavor::OpenAi), StatusCode::OK);
        assert_ne!(kind.status(ApiFlavor::OpenAi), StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test]
async fn model_not_found_bodies() {
    let error = ApiError::model_not_found("gpt-9", &["gpt-5".into(), "gpt-4o".into()]);
    let response = error.clone().into_response(ApiFlavor::OpenAi);
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(
        body_json(response).await,
        json!({"error": {"message": "The model `gpt-9` does not exist or you do not have access to it. Did you mean: gpt-5, gpt-4o?",
                         "type": "invalid_request_error", "param": "model", "code": "model_not_found"}})
    );
    let response = error
        .with_request_id("req_42")
        .into_response(ApiFlavor::Anthropic);
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(response.headers()["request-id"], "req_42");
    assert_eq!(
        body_json(response).await,
        json!({"type": "error",
               "error": {"type": "not_found_error",
                         "message": "model: The model `gpt-9` does not exist or you do not have access to it. Did you mean: gpt-5, gpt-4o?"},
               "request_id": "req_42"})
    );
}

#[tokio::test]
async fn quota_is_never_retried() {
    let error = ApiError::quota_exhausted(Some("套餐余量不足"));
    let openai = error.clone().into_response(ApiFlavor::OpenAi);
    assert_eq!(openai.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(openai.headers()["x-should-retry"], "false");
    let body = body_json(openai).await;
    assert_eq!(
        (body["error"]["type"].as_str(), body["error"]["code"].as_str()),
        (Some("insufficient_quota"), Some("insufficient_quota"))
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|message| message.contains("套餐余量不足"))
    );
    let anthropic = error.into_response(ApiFlavor::Anthropic);
    assert_eq!(anthropic.status(), StatusCode::PAYMENT_REQUIRED);
    assert_eq!(anthropic.headers()["x-should-retry"], "false");
    assert_eq!(body_json(anthropic).await["error"]["type"], "billing_error");
}

#[tokio::test]
async fn rate_limits_carry_retry_after_in_whole_seconds() {
    let response = ApiError::rate_limited(Duration::from_millis(2_500)).into_response(ApiFlavor::Anthropic);
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "3");
    assert!(response.headers().get("x-should-retry").is_none());
    let response = ApiError::upstream_busy(Duration::from_secs(30)).into_response(ApiFlavor::OpenAi);
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()["retry-after"], "30");
}

#[tokio::test]
async fn login_failure_says_what_to_do() {
    let response = ApiError::upstream_login_failed("wrong password").into_response(ApiFlavor::OpenAi);
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()["x-should-retry"], "false");
    let message = body_json(response).await["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        message.contains("wrong password") && message.contains("Sign in again in Taiji Gateway"),
        "{message}"
    );
}

#[tokio::test]
async fn prompt_too_long_uses_anthropics_phrasing() {
    let response = ApiError::prompt_too_long(215_000, 200_000).into_response(ApiFlavor::Anthropic);
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        body_json(response).await["error"],
        json!({"type": "invalid_request_error", "message": "messages: prompt is too long: 215000 tokens > 200000 maximum"})
    );
    let body = body_json(ApiError::prompt_too_long(9, 8).into_response(ApiFlavor::OpenAi)).await;
    assert_eq!(body["error"]["code"], "context_length_exceeded");
}

#[tokio::test]
async fn internal_errors_and_auth_errors_leak_nothing() {
    let body = body_json(ApiError::internal().into_response(ApiFlavor::OpenAi)).await;
    assert_eq!(
        body,
        json!({"error": {"message": "Taiji Gateway hit an internal error; the details are in its log.",
                         "type": "server_error", "param": null, "code": null}})
    );
    let response = ApiError::unauthenticated().into_response(ApiFlavor::OpenAi);
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(body_json(response).await["error"]["code"], "invalid_api_key");
    let response = ApiError::unauthenticated().into_response(ApiFlavor::Anthropic);
    assert_eq!(body_json(response).await["error"]["type"], "authentication_error");
}

#[test]
fn in_stream_error_frames() {
    let error = ApiError::timeout();
    assert_eq!(
        String::from_utf8_lossy(&error.openai_stream_frame()),
        "data: {\"error\":{\"message\":\"Taiji AI did not answer in time.\",\"type\":\"server_error\",\"param\":null,\"code\":\"timeout\"}}\n\n"
    );
    assert_eq!(
        String::from_utf8_lossy(&error.anthropic_stream_frame()),
        "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"timeout_error\",\"message\":\"Taiji AI did not answer in time.\"}}\n\n"
    );
}

/// A router with one handler per flavor that echoes the parsed body, with a small body limit.
fn router() -> Router {
    async fn openai(OpenAiJson(body): OpenAiJson<Value>) -> Result<axum::Json<Value>, OpenAiError> {
        Ok(axum::Json(body))
    }
    async fn anthropic(
        AnthropicJson(body): AnthropicJson<Value>,
    ) -> Result<axum::Json<Value>, AnthropicError> {
        Ok(axum::Json(body))
    }
    Router::new()
        .route("/v1/chat/completions", post(openai))
        .route("/v1/messages", post(anthropic))
        .layer(DefaultBodyLimit::max(1024))
}

async fn post_raw(path: &str, content_type: Option<&str>, body: impl Into<Body>) -> axum::response::Response {
    let mut request = Request::post(path);
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    router()
        .oneshot(request.body(body.into()).expect("request"))
        .await
        .expect("response")
}

#[tokio::test]
async fn malformed_json_is_a_400_in_each_flavor() {
    let response = post_raw("/v1/chat/completions", Some("application/json"), "{\"model\":").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body = body_json(response).await;
    assert_eq!(body["error"]["type"], "invalid_request_error");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|message| message.contains("not valid JSON"))
    );

    let response = post_raw("/v1/messages", Some("application/json"), "not json").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body = body_json(response).await;
    assert_eq!(body["type"], "error");
    assert_eq!(body["error"]["type"], "invalid_request_error");
}

#[tokio::test]
async fn a_body_without_content_type_is_still_parsed() {
    let response = post_raw("/v1/messages", None, "{\"a\":1}").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_json(response).await, json!({"a": 1}));
}

#[tokio::test]
async fn an_oversized_body_is_a_413_in_each_flavor() {
    let big = format!("{{\"a\":\"{}\"}}", "x".repeat(4096));
    let response = post_raw("/v1/chat/completions", Some("application/json"), big.clone()).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body_json(response).await["error"]["code"], "request_too_large");
    let response = post_raw("/v1/messages", Some("application/json"), big).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body_json(response).await["error"]["type"], "request_too_large");
}
