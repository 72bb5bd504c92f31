//! `POST /v1/chat/completions`: a whole completion as JSON, or with
//! `stream: true` a stream of `chat.completion.chunk` server-sent events
//! ending in `data: [DONE]` — sent only once the call's run is committed.
//! A stream that breaks after it started ends with an `error` event and no
//! `[DONE]`, so clients raise instead of hanging or taking a cut answer
//! as whole.

use std::convert::Infallible;

use airlock_engine::gateway::{ChatCall, ChatEvent};
use airlock_policy::authz::Action;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::errors::stream_error;
use super::wire::{self, chunk, usage_json, ChatBody};
use crate::api_error::ApiError;
use crate::auth::Caller;
use crate::authorize;
use crate::dto::ErrorResponse;
use crate::state::AppState;

/// A chat completion (OpenAI-compatible).
#[utoipa::path(
    post,
    path = "/v1/chat/completions",
    tag = "models",
    request_body(content = serde_json::Value, description = "An OpenAI chat completion request: model (a route name from GET /v1/models), messages, max_tokens, temperature, top_p, stop, stream"),
    responses(
        (status = 200, description = "The completion (application/json), or with stream: true server-sent chat.completion.chunk events ending in [DONE]", body = serde_json::Value),
        (status = 400, description = "Malformed request (OpenAI error shape)", body = serde_json::Value),
        (status = 401, description = "No valid API key", body = serde_json::Value),
        (status = 403, description = "The key may not call models, or the data class may not reach any provider", body = serde_json::Value),
        (status = 404, description = "Unknown model", body = serde_json::Value),
        (status = 429, description = "A budget is spent", body = serde_json::Value),
        (status = 503, description = "Every provider of the route failed", body = serde_json::Value),
        (status = 504, description = "The providers timed out", body = ErrorResponse),
    )
)]
pub async fn chat_completions(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    authorize::service(&state, &caller, Action::CallModels).await?;
    let body: ChatBody = super::parse_body(&headers, &body)?;
    let route = wire::model(&body.model)?;
    let call = ChatCall {
        route: route.clone(),
        messages: body.messages()?,
        max_tokens: body.max_completion_tokens.or(body.max_tokens),
        temperature: body.temperature,
        top_p: body.top_p,
        stop: body.stop(),
        data_class: super::data_class(&headers)?,
    };
    if body.stream {
        let include_usage = body
            .stream_options
            .as_ref()
            .is_some_and(|o| o.include_usage);
        return stream(state, caller, call, include_usage).await;
    }
    let engine = state.engine.clone();
    let principal = caller.principal.clone();
    let answer = super::finish_on_drop(async move { engine.chat(&principal, call).await }).await?;
    let body = json!({
        "id": format!("chatcmpl-{}", answer.run_id),
        "object": "chat.completion",
        "created": answer.created.unix_ms() / 1000,
        "model": answer.route,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": answer.response.content},
            "finish_reason": answer.response.finish_reason,
        }],
        "usage": usage_json(&answer.response.usage),
    });
    let mut response = Json(body).into_response();
    set_call_headers(
        &mut response,
        &answer.run_id.to_string(),
        &answer.provider,
        Some(answer.cost_micro_usd),
    );
    Ok(response)
}

async fn stream(
    state: AppState,
    caller: Caller,
    call: ChatCall,
    include_usage: bool,
) -> Result<Response, ApiError> {
    let mut events = state.engine.chat_stream(&caller.principal, call).await?;
    let id = format!("chatcmpl-{}", events.run_id);
    let created = events.created.unix_ms() / 1000;
    let route = events.route.clone();
    let run_id = events.run_id.to_string();
    let provider = events.provider.clone();
    let first = chunk(
        &id,
        created,
        &route,
        json!({"role": "assistant", "content": ""}),
        None,
    );
    let body = async_stream(move |emit| async move {
        emit.send(data(&first)).await;
        while let Some(event) = events.events.recv().await {
            match event {
                ChatEvent::Delta(text) => {
                    emit.send(data(&chunk(
                        &id,
                        created,
                        &route,
                        json!({"content": text}),
                        None,
                    )))
                    .await;
                }
                ChatEvent::Done {
                    finish_reason,
                    usage,
                } => {
                    emit.send(data(&chunk(
                        &id,
                        created,
                        &route,
                        json!({}),
                        Some(&finish_reason),
                    )))
                    .await;
                    if include_usage {
                        let mut last = chunk(&id, created, &route, json!({}), None);
                        last["choices"] = json!([]);
                        last["usage"] = usage_json(&usage);
                        emit.send(data(&last)).await;
                    }
                    emit.send(Event::default().data("[DONE]")).await;
                    return;
                }
                ChatEvent::Failed(error) => {
                    emit.send(data(&stream_error(error.message()))).await;
                    return;
                }
            }
        }
        emit.send(data(&stream_error(
            "the stream ended without its final event",
        )))
        .await;
    });
    let mut response = Sse::new(body)
        .keep_alive(KeepAlive::default())
        .into_response();
    set_call_headers(&mut response, &run_id, &provider, None);
    Ok(response)
}

fn data(value: &serde_json::Value) -> Event {
    Event::default().data(value.to_string())
}

/// Where to send events from the producing task.
struct Emitter(tokio::sync::mpsc::Sender<Result<Event, Infallible>>);

impl Emitter {
    async fn send(&self, event: Event) {
        // A closed channel means the client went away; the engine's task
        // still commits the call's record.
        let _ = self.0.send(Ok(event)).await;
    }
}

/// A stream of events produced by `produce` on its own task.
fn async_stream<F, Fut>(
    produce: F,
) -> impl futures_util::Stream<Item = Result<Event, Infallible>> + Send + 'static
where
    F: FnOnce(Emitter) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel(64);
    tokio::spawn(produce(Emitter(tx)));
    futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|e| (e, rx)) })
}

/// `Airlock-Run-Id` (the call's run record), `Airlock-Provider` (who
/// answered) and `Airlock-Cost-Usd`.
pub(crate) fn set_call_headers(
    response: &mut Response,
    run_id: &str,
    provider: &str,
    cost: Option<u64>,
) {
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(run_id) {
        headers.insert("airlock-run-id", v);
    }
    if let Ok(v) = HeaderValue::from_str(provider) {
        headers.insert("airlock-provider", v);
    }
    if let Some(cost) = cost {
        if let Ok(v) = HeaderValue::from_str(&format!("{:.6}", cost as f64 / 1e6)) {
            headers.insert("airlock-cost-usd", v);
        }
    }
}
