//! Model routes: a public model name answered by an ordered fallback chain
//! of provider targets, each allowed only the data classes it may receive.
//! Every attempt is kept, including skipped targets and the one answering.

mod failure;
mod price;

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

pub use failure::RouteFailure;
pub use price::Price;

use crate::attempt::{Attempt, AttemptError, FailureKind};
use crate::provider::{ChatStream, Provider};
use crate::resilience::ResilientProvider;
use crate::types::{ChatRequest, ChatResponse, EmbeddingRequest, EmbeddingResponse};

/// One link of a chain: a provider and its model name.
#[derive(Debug, Clone)]
pub struct Target {
    pub provider: Arc<ResilientProvider>,
    /// The provider's own model name.
    pub model: String,
    pub price: Price,
    /// The data classes this target's provider may receive.
    pub data_classes: Vec<String>,
}

/// What a route serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteKind {
    Chat,
    Embedding,
}

impl RouteKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RouteKind::Chat => "chat",
            RouteKind::Embedding => "embedding",
        }
    }
}

/// A public model name and its chain, tried in order.
#[derive(Debug, Clone)]
pub struct ModelRoute {
    pub name: String,
    pub kind: RouteKind,
    pub targets: Vec<Target>,
}

/// An answer and who gave it.
pub struct Routed<T> {
    pub value: T,
    pub provider: String,
    pub model: String,
    pub price: Price,
    /// Every attempt, the answering one last.
    pub attempts: Vec<Attempt>,
}

impl<T> std::fmt::Debug for Routed<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Routed")
            .field("provider", &self.provider)
            .field("model", &self.model)
            .field("price", &self.price)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

/// The routes by name.
#[derive(Debug)]
pub struct ModelRouter {
    routes: Vec<ModelRoute>,
    by_name: HashMap<String, usize>,
}

impl ModelRouter {
    /// Rejects unnamed routes, duplicate names and empty chains.
    pub fn new(routes: Vec<ModelRoute>) -> Result<Self, airlock_core::Error> {
        let mut by_name = HashMap::new();
        for (index, route) in routes.iter().enumerate() {
            if route.name.trim().is_empty() {
                return Err(airlock_core::Error::invalid_config(
                    "a model route needs a name",
                ));
            }
            if route.targets.is_empty() {
                return Err(airlock_core::Error::invalid_config(format!(
                    "model {:?} has no targets",
                    route.name
                )));
            }
            if by_name.insert(route.name.clone(), index).is_some() {
                return Err(airlock_core::Error::invalid_config(format!(
                    "model {:?} is defined twice",
                    route.name
                )));
            }
        }
        Ok(ModelRouter { routes, by_name })
    }

    pub fn routes(&self) -> impl Iterator<Item = &ModelRoute> {
        self.routes.iter()
    }

    pub fn route(&self, name: &str) -> Option<&ModelRoute> {
        self.by_name.get(name).and_then(|&i| self.routes.get(i))
    }

    /// A whole completion from the first target that answers; the
    /// request's `model` is set to each target's model.
    pub async fn chat(
        &self,
        route: &str,
        data_class: &str,
        request: ChatRequest,
    ) -> Result<Routed<ChatResponse>, RouteFailure> {
        let request = &request;
        self.walk(route, RouteKind::Chat, data_class, |provider, model| {
            let request = ChatRequest {
                model,
                ..request.clone()
            };
            async move { provider.chat_with_attempts(&request).await }
        })
        .await
    }

    /// A started stream from the first target whose stream starts; once a
    /// chunk has reached the caller there is no falling back.
    pub async fn chat_stream(
        &self,
        route: &str,
        data_class: &str,
        request: ChatRequest,
    ) -> Result<Routed<ChatStream>, RouteFailure> {
        let request = &request;
        self.walk(route, RouteKind::Chat, data_class, |provider, model| {
            let request = ChatRequest {
                model,
                ..request.clone()
            };
            async move { provider.chat_stream_with_attempts(&request).await }
        })
        .await
    }

    /// Embeddings from the first target that answers.
    pub async fn embed(
        &self,
        route: &str,
        data_class: &str,
        request: EmbeddingRequest,
    ) -> Result<Routed<EmbeddingResponse>, RouteFailure> {
        let request = &request;
        self.walk(
            route,
            RouteKind::Embedding,
            data_class,
            |provider, model| {
                let request = EmbeddingRequest {
                    model,
                    ..request.clone()
                };
                async move { provider.embed_with_attempts(&request).await }
            },
        )
        .await
    }

    async fn walk<T, F, Fut>(
        &self,
        name: &str,
        kind: RouteKind,
        data_class: &str,
        call: F,
    ) -> Result<Routed<T>, RouteFailure>
    where
        F: Fn(Arc<ResilientProvider>, String) -> Fut,
        Fut: Future<Output = (Result<T, AttemptError>, Vec<Attempt>)>,
    {
        let route = self
            .route(name)
            .ok_or_else(|| RouteFailure::unknown_model(name))?;
        if route.kind != kind {
            return Err(RouteFailure::wrong_kind(name, kind.as_str()));
        }
        let mut attempts = Vec::new();
        let mut last = None;
        for target in &route.targets {
            if !target.data_classes.iter().any(|c| c == data_class) {
                let err = AttemptError::new(
                    FailureKind::NotPermitted,
                    format!(
                        "{} may not receive data of class {data_class:?}",
                        target.provider.name()
                    ),
                );
                attempts.push(Attempt {
                    provider: target.provider.name().to_owned(),
                    model: target.model.clone(),
                    latency_us: 0,
                    error: Some(err.clone()),
                });
                last = Some(err);
                continue;
            }
            let (result, made) = call(Arc::clone(&target.provider), target.model.clone()).await;
            attempts.extend(made);
            match result {
                Ok(value) => {
                    return Ok(Routed {
                        value,
                        provider: target.provider.name().to_owned(),
                        model: target.model.clone(),
                        price: target.price,
                        attempts,
                    })
                }
                Err(err) if err.kind.falls_back() => last = Some(err),
                Err(err) => {
                    return Err(RouteFailure {
                        attempts,
                        last: err,
                    })
                }
            }
        }
        let last = last.unwrap_or_else(|| {
            AttemptError::new(
                FailureKind::NotPermitted,
                format!("model {name:?} has no targets"),
            )
        });
        Err(RouteFailure { attempts, last })
    }
}
