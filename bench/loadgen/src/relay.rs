//! The benchmark's second baseline: the least gateway there can be. It serves only a streamed
//! OpenAI `/v1/chat/completions`, and for each request does what any correct client of the site
//! must (create a session, send the last message, relay the text frames, delete the session after
//! the answer), with the gateway's own libraries (axum's server, reqwest's client, serde_json) and
//! none of its features: no API keys, validation, model resolution, transcript flattening,
//! request log, admission, retries, stop sequences or error mapping.
//!
//! Its added time to first token is what one more hop of this kind costs on the machine at the
//! least; the gateway's figure minus the relay's is what the gateway's features cost.

use std::convert::Infallible;
use std::sync::Arc;

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::site::{self, Site};

/// Signs in to the simulator, then serves on `127.0.0.1:port` until killed, printing
/// `listening on <url>` once it accepts connections.
pub async fn serve(
    sim: String,
    account: &str,
    password: &str,
    upstream_model: String,
    port: u16,
) -> anyhow::Result<()> {
    let site = Site::sign_in(site::http_client()?, sim, account, password, upstream_model).await?;
    let app = axum::Router::new()
        .route("/v1/chat/completions", axum::routing::post(chat))
        .with_state(Arc::new(site));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

async fn chat(State(site): State<Arc<Site>>, Json(body): Json<Value>) -> Response {
    let text = body["messages"]
        .as_array()
        .and_then(|messages| messages.last())
        .and_then(|message| message["content"].as_str())
        .unwrap_or_default()
        .to_owned();
    match open(&site, &text).await {
        Ok((session, upstream)) => {
            // The relay runs in its own task, like the gateway's dispatcher, so that the session
            // is deleted also when the client leaves.
            let (frames, received) = mpsc::channel::<Bytes>(64);
            tokio::spawn(async move {
                relay(upstream, &frames).await;
                let _ = frames.send(Bytes::from_static(b"data: [DONE]\n\n")).await;
                drop(frames);
                let _ = site.delete_session(session).await;
            });
            let body = futures::stream::unfold(received, |mut received| async move {
                let frame = received.recv().await?;
                Some((Ok::<_, Infallible>(frame), received))
            });
            ([("content-type", "text/event-stream")], Body::from_stream(body)).into_response()
        }
        Err(error) => (StatusCode::BAD_GATEWAY, format!("{error:#}")).into_response(),
    }
}

/// Creates the session and sends the message: the session's id and the open stream.
async fn open(site: &Site, text: &str) -> anyhow::Result<(u64, reqwest::Response)> {
    let session = site.create_session().await?;
    match site.send_message(session, text).await {
        Ok(response) if response.status().is_success() => Ok((session, response)),
        Ok(response) => {
            let _ = site.delete_session(session).await;
            anyhow::bail!("completions answered {}", response.status())
        }
        Err(error) => {
            let _ = site.delete_session(session).await;
            Err(error.into())
        }
    }
}

/// Turns each `type: "string"` frame into an OpenAI chunk until the stream ends.
async fn relay(mut upstream: reqwest::Response, frames: &mpsc::Sender<Bytes>) {
    let mut pending: Vec<u8> = Vec::new();
    while let Ok(Some(chunk)) = upstream.chunk().await {
        pending.extend_from_slice(&chunk);
        while let Some(end) = memchr::memmem::find(&pending, b"\n\n") {
            let event: Vec<u8> = pending.drain(..end + 2).collect();
            let Some(data) = event.strip_prefix(b"data: ") else {
                continue;
            };
            let Ok(frame) = serde_json::from_slice::<Value>(data) else {
                continue;
            };
            if frame["type"] != "string" {
                continue;
            }
            let chunk = json!({"id": "chatcmpl-relay", "object": "chat.completion.chunk",
                "choices": [{"index": 0, "delta": {"content": frame["data"]}, "finish_reason": null}]});
            if frames
                .send(Bytes::from(format!("data: {chunk}\n\n")))
                .await
                .is_err()
            {
                return;
            }
        }
    }
}
