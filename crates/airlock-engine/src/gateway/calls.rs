//! The engine's model calls: [`crate::Engine::chat`],
//! [`crate::Engine::chat_stream`] and [`crate::Engine::embed`]. Each
//! checks the route and data class, reserves budget, calls the router
//! (fallback chain, retries, breakers, limits), settles the budget with
//! the real cost and commits the call's run before answering — for a
//! stream, before the final event.

use std::time::Instant;

use airlock_config::DATA_CLASSES;
use airlock_core::{Error, ErrorKind, Principal, Result, RunId, Timestamp};
use airlock_providers::{
    ChatChunk, ChatMessage, ChatRequest, ChatResponse, EmbeddingRequest, Price, RouteKind, Usage,
};
use airlock_store::RunStore;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use super::budget::{self, Holds};
use super::record::CallRecord;
use super::{Gateway, MODEL_WORKFLOW_PREFIX};
use crate::metrics_names as m;
use crate::Engine;

/// Output tokens a call without `max_tokens` is held at for budgets.
const DEFAULT_HELD_OUTPUT_TOKENS: u64 = 1024;

/// A chat completion request, with the model named as the route.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChatCall {
    pub route: String,
    pub messages: Vec<ChatMessage>,
    pub max_tokens: Option<u32>,
    pub temperature: Option<f64>,
    pub top_p: Option<f64>,
    pub stop: Vec<String>,
    /// The data class of what is sent (`None`: the route's). A caller can
    /// only raise it above the route's, never lower it.
    pub data_class: Option<String>,
}

/// A whole chat completion, committed.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatAnswer {
    pub run_id: RunId,
    pub created: Timestamp,
    pub route: String,
    pub response: ChatResponse,
    /// The provider that answered.
    pub provider: String,
    pub cost_micro_usd: u64,
}

/// One event of a streamed completion.
#[derive(Debug, Clone, PartialEq)]
pub enum ChatEvent {
    Delta(String),
    /// The end: the call's run is committed.
    Done {
        finish_reason: String,
        usage: Usage,
    },
    /// The stream broke after it started; the failure is recorded.
    Failed(Error),
}

/// A started stream.
pub struct ChatEvents {
    pub run_id: RunId,
    pub created: Timestamp,
    pub route: String,
    pub provider: String,
    pub model: String,
    pub events: mpsc::Receiver<ChatEvent>,
}

/// An embeddings request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EmbedCall {
    pub route: String,
    pub input: Vec<String>,
    pub data_class: Option<String>,
}

/// Embeddings, committed.
#[derive(Debug, Clone, PartialEq)]
pub struct EmbedAnswer {
    pub run_id: RunId,
    pub route: String,
    pub vectors: Vec<Vec<f32>>,
    pub usage: Usage,
    pub provider: String,
    pub model: String,
    pub cost_micro_usd: u64,
}

/// What every call starts with.
struct Prepared {
    start: CallStart,
    holds: Holds,
}

/// When and as which run a call started.
struct CallStart {
    id: RunId,
    created: Timestamp,
    started: Instant,
    data_class: String,
}

impl CallStart {
    /// The record of this call with nothing answered yet; callers set what
    /// the call came to.
    fn record<'a>(
        &self,
        route: &'a str,
        input: Value,
        key_id: &'a str,
        attempts: &'a [airlock_providers::Attempt],
    ) -> CallRecord<'a> {
        CallRecord {
            id: self.id,
            route,
            input,
            output: None,
            attempts,
            answered_by: None,
            usage: None,
            cost_micro_usd: 0,
            error: None,
            key_id,
            created_at: self.created,
            latency_us: elapsed_us(self.started),
        }
    }
}

impl Engine {
    /// A whole chat completion through `call.route`.
    pub async fn chat(&self, principal: &Principal, call: ChatCall) -> Result<ChatAnswer> {
        let gateway = self.gateway()?;
        let request = chat_request(&call);
        let hold = chat_hold(gateway, &call, &request)?;
        let prepared = self
            .prepare(
                gateway,
                principal,
                &call.route,
                RouteKind::Chat,
                call.data_class.as_deref(),
                hold,
            )
            .await?;
        let input = chat_input(&call);
        match gateway
            .router
            .chat(&call.route, &prepared.start.data_class, request)
            .await
        {
            Ok(routed) => {
                let cost = routed.price.cost_micro_usd(&routed.value.usage);
                budget::settle(self.store(), prepared.holds, cost).await;
                let record = CallRecord {
                    output: Some(json!({
                        "content": routed.value.content,
                        "finish_reason": routed.value.finish_reason,
                    })),
                    answered_by: Some(format!("{}/{}", routed.provider, routed.model)),
                    usage: Some(routed.value.usage),
                    cost_micro_usd: cost,
                    ..prepared
                        .start
                        .record(&call.route, input, &principal.key_id, &routed.attempts)
                };
                self.commit_call(gateway, record, &routed.provider).await?;
                Ok(ChatAnswer {
                    run_id: prepared.start.id,
                    created: prepared.start.created,
                    route: call.route,
                    response: routed.value,
                    provider: routed.provider,
                    cost_micro_usd: cost,
                })
            }
            Err(failure) => Err(self
                .record_failure(gateway, principal, &call.route, prepared, input, failure)
                .await),
        }
    }

    /// A streamed chat completion. Errors before the first token (every
    /// target failed, a budget is spent) are returned here; a failure
    /// after it arrives as [`ChatEvent::Failed`].
    pub async fn chat_stream(&self, principal: &Principal, call: ChatCall) -> Result<ChatEvents> {
        let gateway = std::sync::Arc::clone(self.gateway()?);
        let request = chat_request(&call);
        let hold = chat_hold(&gateway, &call, &request)?;
        let prepared = self
            .prepare(
                &gateway,
                principal,
                &call.route,
                RouteKind::Chat,
                call.data_class.as_deref(),
                hold,
            )
            .await?;
        let input = chat_input(&call);
        let routed = match gateway
            .router
            .chat_stream(&call.route, &prepared.start.data_class, request)
            .await
        {
            Ok(routed) => routed,
            Err(failure) => {
                return Err(self
                    .record_failure(&gateway, principal, &call.route, prepared, input, failure)
                    .await);
            }
        };
        let (tx, rx) = mpsc::channel(64);
        let events = ChatEvents {
            run_id: prepared.start.id,
            created: prepared.start.created,
            route: call.route.clone(),
            provider: routed.provider.clone(),
            model: routed.model.clone(),
            events: rx,
        };
        let engine = self.clone();
        let key_id = principal.key_id.clone();
        let prompt_estimate = estimate_prompt_tokens(&call.messages);
        tokio::spawn(async move {
            use futures_util::StreamExt;
            let mut stream = routed.value;
            let mut content = String::new();
            let mut outcome: std::result::Result<(String, Usage), String> =
                Err("the provider's stream ended without its final event".to_string());
            while let Some(item) = stream.next().await {
                match item {
                    Ok(ChatChunk::Delta(text)) => {
                        content.push_str(&text);
                        if tx.send(ChatEvent::Delta(text)).await.is_err() {
                            outcome = Err("the client went away before the end".to_string());
                            break;
                        }
                    }
                    Ok(ChatChunk::Finish {
                        finish_reason,
                        usage,
                    }) => {
                        let usage = usage.unwrap_or(Usage {
                            prompt_tokens: prompt_estimate,
                            completion_tokens: estimate_tokens(&content),
                        });
                        outcome = Ok((finish_reason, usage));
                        break;
                    }
                    Err(e) => {
                        outcome = Err(format!("the stream from {} broke: {e}", routed.provider));
                        break;
                    }
                }
            }
            drop(stream);
            let usage = match &outcome {
                Ok((_, usage)) => *usage,
                Err(_) => Usage {
                    prompt_tokens: prompt_estimate,
                    completion_tokens: estimate_tokens(&content),
                },
            };
            let cost = routed.price.cost_micro_usd(&usage);
            budget::settle(engine.store(), prepared.holds, cost).await;
            let record = CallRecord {
                output: Some(json!({
                    "content": content,
                    "finish_reason": outcome.as_ref().map(|(f, _)| f.clone()).ok(),
                    "stream": true,
                })),
                answered_by: Some(format!("{}/{}", routed.provider, routed.model)),
                usage: Some(usage),
                cost_micro_usd: cost,
                error: outcome.as_ref().err().cloned(),
                ..prepared
                    .start
                    .record(&call.route, input, &key_id, &routed.attempts)
            };
            let committed = engine.commit_call(&gateway, record, &routed.provider).await;
            let last = match (outcome, committed) {
                (Ok((finish_reason, usage)), Ok(())) => ChatEvent::Done {
                    finish_reason,
                    usage,
                },
                (Err(message), _) => ChatEvent::Failed(Error::new(ErrorKind::Unavailable, message)),
                (Ok(_), Err(e)) => ChatEvent::Failed(e),
            };
            let _ = tx.send(last).await;
        });
        Ok(events)
    }

    /// Embeddings of every input through `call.route`.
    pub async fn embed(&self, principal: &Principal, call: EmbedCall) -> Result<EmbedAnswer> {
        let gateway = self.gateway()?;
        let price = max_price(gateway, &call.route);
        let hold = price.cost_micro_usd(&Usage {
            prompt_tokens: call.input.iter().map(|t| estimate_tokens(t)).sum(),
            completion_tokens: 0,
        });
        let prepared = self
            .prepare(
                gateway,
                principal,
                &call.route,
                RouteKind::Embedding,
                call.data_class.as_deref(),
                hold,
            )
            .await?;
        let input = json!({"input": call.input});
        let request = EmbeddingRequest {
            model: String::new(),
            input: call.input.clone(),
        };
        match gateway
            .router
            .embed(&call.route, &prepared.start.data_class, request)
            .await
        {
            Ok(routed) => {
                let cost = routed.price.cost_micro_usd(&routed.value.usage);
                budget::settle(self.store(), prepared.holds, cost).await;
                let record = CallRecord {
                    output: Some(json!({
                        "vectors": routed.value.vectors.len(),
                        "dimensions": routed.value.vectors.first().map(Vec::len),
                    })),
                    answered_by: Some(format!("{}/{}", routed.provider, routed.model)),
                    usage: Some(routed.value.usage),
                    cost_micro_usd: cost,
                    ..prepared
                        .start
                        .record(&call.route, input, &principal.key_id, &routed.attempts)
                };
                self.commit_call(gateway, record, &routed.provider).await?;
                Ok(EmbedAnswer {
                    run_id: prepared.start.id,
                    route: call.route,
                    usage: routed.value.usage,
                    vectors: routed.value.vectors,
                    provider: routed.provider,
                    model: routed.model,
                    cost_micro_usd: cost,
                })
            }
            Err(failure) => Err(self
                .record_failure(gateway, principal, &call.route, prepared, input, failure)
                .await),
        }
    }

    /// The route exists and serves `kind`, the data class is known, the
    /// budgets hold `hold` micro-USD.
    async fn prepare(
        &self,
        gateway: &Gateway,
        principal: &Principal,
        route: &str,
        kind: RouteKind,
        data_class: Option<&str>,
        hold: u64,
    ) -> Result<Prepared> {
        let Some(found) = gateway.router.route(route) else {
            let known: Vec<&str> = gateway.router.routes().map(|r| r.name.as_str()).collect();
            return Err(Error::not_found(format!(
                "the model `{route}` does not exist (models: {})",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            ))
            .with_field("model"));
        };
        if found.kind != kind {
            return Err(Error::invalid_input(format!(
                "the model `{route}` is a{} model, not a{}",
                kind_article(found.kind),
                kind_article(kind)
            ))
            .with_field("model"));
        }
        let route_class = gateway
            .data_classes
            .get(route)
            .map(String::as_str)
            .unwrap_or("internal");
        let data_class = effective_class(route_class, data_class)?;
        let created = Timestamp::now();
        let workflow = format!("{MODEL_WORKFLOW_PREFIX}{route}");
        let holds = budget::reserve(
            self.store(),
            &gateway.budgets,
            principal,
            &workflow,
            hold,
            created,
        )
        .await?;
        Ok(Prepared {
            start: CallStart {
                id: RunId::new(),
                created,
                started: Instant::now(),
                data_class,
            },
            holds,
        })
    }

    /// Gives back the holds and commits the run of a call every target
    /// failed; the error to answer with (or the store's, if the record
    /// could not be committed).
    async fn record_failure(
        &self,
        gateway: &Gateway,
        principal: &Principal,
        route: &str,
        prepared: Prepared,
        input: Value,
        failure: airlock_providers::RouteFailure,
    ) -> Error {
        budget::release(self.store(), prepared.holds).await;
        let error: Error = failure.clone().into();
        let record = CallRecord {
            error: Some(error.message().to_string()),
            ..prepared
                .start
                .record(route, input, &principal.key_id, &failure.attempts)
        };
        match self.commit_call(gateway, record, "none").await {
            Ok(()) => error,
            Err(store_error) => store_error,
        }
    }

    /// Commits the call's run (durable at the store's level) and counts it.
    async fn commit_call(
        &self,
        gateway: &Gateway,
        record: CallRecord<'_>,
        provider: &str,
    ) -> Result<()> {
        let route = record.route.to_string();
        let cost = record.cost_micro_usd;
        let outcome = if record.error.is_some() {
            "failed"
        } else {
            "ok"
        };
        let run = record.into_run(&gateway.redactor);
        self.store().insert(run).await?;
        metrics::counter!(m::MODEL_CALLS_TOTAL, "route" => route.clone(), "provider" => provider.to_string(), "outcome" => outcome)
            .increment(1);
        metrics::counter!(m::MODEL_COST_MICRO_USD_TOTAL, "route" => route).increment(cost);
        Ok(())
    }
}

fn kind_article(kind: RouteKind) -> &'static str {
    match kind {
        RouteKind::Chat => " chat",
        RouteKind::Embedding => "n embedding",
    }
}

/// The stricter of the route's class and the one the caller named.
fn effective_class(route_class: &str, asked: Option<&str>) -> Result<String> {
    let rank = |c: &str| DATA_CLASSES.iter().position(|k| *k == c);
    let Some(asked) = asked else {
        return Ok(route_class.to_string());
    };
    let Some(asked_rank) = rank(asked) else {
        return Err(Error::invalid_input(format!(
            "data class {asked:?} is unknown: use public, internal or confidential"
        ))
        .with_field("Airlock-Data-Class"));
    };
    if asked_rank >= rank(route_class).unwrap_or(0) {
        Ok(asked.to_string())
    } else {
        Ok(route_class.to_string())
    }
}

fn chat_request(call: &ChatCall) -> ChatRequest {
    ChatRequest {
        model: String::new(),
        messages: call.messages.clone(),
        max_tokens: call.max_tokens,
        temperature: call.temperature,
        top_p: call.top_p,
        stop: call.stop.clone(),
    }
}

fn chat_input(call: &ChatCall) -> Value {
    json!({
        "messages": call.messages,
        "max_tokens": call.max_tokens,
        "temperature": call.temperature,
        "top_p": call.top_p,
        "stop": call.stop,
    })
}

/// The most a chat call may cost: the chain's highest prices over the
/// estimated prompt and the requested (or default) output tokens.
fn chat_hold(gateway: &Gateway, call: &ChatCall, request: &ChatRequest) -> Result<u64> {
    if request.messages.is_empty() {
        return Err(
            Error::invalid_input("`messages` is empty: send at least one message")
                .with_field("messages"),
        );
    }
    let price = max_price(gateway, &call.route);
    Ok(price.cost_micro_usd(&Usage {
        prompt_tokens: estimate_prompt_tokens(&call.messages),
        completion_tokens: call
            .max_tokens
            .map(u64::from)
            .unwrap_or(DEFAULT_HELD_OUTPUT_TOKENS),
    }))
}

fn max_price(gateway: &Gateway, route: &str) -> Price {
    let mut price = Price {
        input_per_million: 0.0,
        output_per_million: 0.0,
    };
    if let Some(route) = gateway.router.route(route) {
        for target in &route.targets {
            price.input_per_million = price.input_per_million.max(target.price.input_per_million);
            price.output_per_million = price
                .output_per_million
                .max(target.price.output_per_million);
        }
    }
    price
}

/// Tokens of a text, estimated before a call (about four characters a
/// token for English; providers report the real count afterwards).
fn estimate_tokens(text: &str) -> u64 {
    (text.chars().count() as u64).div_ceil(4)
}

fn estimate_prompt_tokens(messages: &[ChatMessage]) -> u64 {
    messages
        .iter()
        .map(|m| estimate_tokens(&m.content) + 4)
        .sum()
}

fn elapsed_us(started: Instant) -> u64 {
    started.elapsed().as_micros().min(u64::MAX as u128) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caller_can_raise_the_data_class_but_not_lower_it() {
        assert_eq!(effective_class("internal", None).unwrap(), "internal");
        assert_eq!(
            effective_class("internal", Some("confidential")).unwrap(),
            "confidential"
        );
        assert_eq!(
            effective_class("internal", Some("public")).unwrap(),
            "internal"
        );
        assert!(effective_class("internal", Some("secret")).is_err());
    }

    #[test]
    fn token_estimates_round_up() {
        assert_eq!(estimate_tokens(""), 0);
        assert_eq!(estimate_tokens("abcde"), 2);
    }
}
