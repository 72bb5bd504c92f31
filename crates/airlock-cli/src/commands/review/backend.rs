//! [`Backend`]: the review operations against the database (an engine with
//! no models) or a server (its HTTP API). Both answer the API's JSON
//! views, so printing does not care which one ran.

use airlock_config::Settings;
use airlock_core::{Error, Result, ReviewId, Timestamp};
use airlock_engine::{Engine, ResolveRequest};
use airlock_server::{ReviewDetailView, ReviewPage, ReviewView};
use airlock_workflow::WorkflowDefinition;
use serde::Serialize;
use serde_json::{json, Value};

use super::Target;
use crate::commands::client::ApiClient;
use crate::commands::run::urlencode;
use crate::commands::runtime::review_engine;

pub enum Backend {
    Database(Engine),
    Server(ApiClient),
}

impl Backend {
    /// The server named by `target`, or the configured database with
    /// `workflows` loaded.
    pub async fn open(
        target: &Target,
        settings: &Settings,
        workflows: Vec<WorkflowDefinition>,
    ) -> Result<Backend> {
        match &target.server {
            Some(url) => Ok(Backend::Server(ApiClient::new(url)?)),
            None => Ok(Backend::Database(review_engine(settings, workflows).await?)),
        }
    }

    /// Commits what is queued and closes the database connections.
    pub async fn close(self) {
        if let Backend::Database(engine) = self {
            engine.store().close().await;
        }
    }

    /// One page of the queue (`GET /v1/reviews` with `pairs`).
    pub async fn list(&self, pairs: Vec<(String, String)>) -> Result<Value> {
        match self {
            Backend::Server(client) => {
                let query: Vec<String> = pairs
                    .iter()
                    .map(|(k, v)| format!("{k}={}", urlencode(v)))
                    .collect();
                let suffix = if query.is_empty() {
                    String::new()
                } else {
                    format!("?{}", query.join("&"))
                };
                client.get(&format!("/v1/reviews{suffix}")).await
            }
            Backend::Database(engine) => {
                let now = Timestamp::now();
                let filter = airlock_server::review_filter_from_query(pairs, now)?;
                let page = engine.list_reviews(&filter).await?;
                to_json(&ReviewPage::new(page, now))
            }
        }
    }

    /// One task with its run's context.
    pub async fn show(&self, id: &str) -> Result<Value> {
        match self {
            Backend::Server(client) => client.get(&review_path(id, "")).await,
            Backend::Database(engine) => {
                let task = engine.get_review(parse_id(id)?).await?;
                let run = engine.get_run(task.run_id).await?;
                to_json(&ReviewDetailView::new(task, run, Timestamp::now()))
            }
        }
    }

    pub async fn claim(&self, id: &str, reviewer: &str) -> Result<Value> {
        match self {
            Backend::Server(client) => {
                let body = json!({"reviewer": reviewer});
                client.post(&review_path(id, "/claim"), &body, &[]).await
            }
            Backend::Database(engine) => {
                let task = engine.claim_review(parse_id(id)?, reviewer).await?;
                to_json(&ReviewView::new(task, Timestamp::now()))
            }
        }
    }

    pub async fn release(&self, id: &str, reviewer: &str) -> Result<Value> {
        match self {
            Backend::Server(client) => {
                let body = json!({"reviewer": reviewer});
                client.post(&review_path(id, "/release"), &body, &[]).await
            }
            Backend::Database(engine) => {
                let task = engine.release_review(parse_id(id)?, reviewer).await?;
                to_json(&ReviewView::new(task, Timestamp::now()))
            }
        }
    }

    pub async fn resolve(&self, id: &str, request: ResolveRequest) -> Result<Value> {
        match self {
            Backend::Server(client) => {
                let body = json!({
                    "reviewer": request.reviewer,
                    "action": request.action.as_str(),
                    "output": request.output,
                    "label": request.label,
                    "reason": request.reason,
                });
                client.post(&review_path(id, "/resolve"), &body, &[]).await
            }
            Backend::Database(engine) => {
                let task = engine.resolve_review(parse_id(id)?, request).await?;
                to_json(&ReviewView::new(task, Timestamp::now()))
            }
        }
    }
}

fn review_path(id: &str, action: &str) -> String {
    format!("/v1/reviews/{}{action}", urlencode(id))
}

fn parse_id(id: &str) -> Result<ReviewId> {
    id.parse::<ReviewId>().map_err(|e| e.with_field("id"))
}

fn to_json(view: &impl Serialize) -> Result<Value> {
    serde_json::to_value(view).map_err(|e| Error::internal(format!("cannot encode JSON: {e}")))
}
