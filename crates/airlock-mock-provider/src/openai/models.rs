//! `GET /v1/models`: a fixed list of the model ids the mock answers for
//! (it answers for any id not starting with `missing`).

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Serialize;

use crate::api_error::{to_json, Api};
use crate::deliver;
use crate::gate::{self, ApiRequest};
use crate::state::MockState;
use crate::stats::ApiPath;

/// The ids `GET /v1/models` lists.
pub const LISTED_MODELS: [&str; 4] = ["mock-chat", "mock-chat-large", "mock-embed", "gpt-4o-mini"];

struct ListRequest;

impl ApiRequest for ListRequest {
    fn model(&self) -> Option<&str> {
        None
    }

    fn stream(&self) -> bool {
        false
    }
}

#[derive(Serialize)]
struct ModelList {
    object: &'static str,
    data: Vec<Model>,
}

#[derive(Serialize)]
struct Model {
    id: &'static str,
    object: &'static str,
    created: u64,
    owned_by: &'static str,
}

pub(crate) async fn list_models(
    State(state): State<Arc<MockState>>,
    headers: HeaderMap,
) -> Response {
    let admitted = gate::admit(
        &state,
        Api::OpenAi,
        ApiPath::Models,
        &headers,
        Ok(ListRequest),
    )
    .await;
    let delivery = match admitted {
        Ok((_, delivery)) => delivery,
        Err(response) => return response,
    };
    let data = LISTED_MODELS
        .iter()
        .map(|id| Model {
            id,
            object: "model",
            created: 1_700_000_000,
            owned_by: "airlock-mock",
        })
        .collect();
    let body = ModelList {
        object: "list",
        data,
    };
    deliver::json(&state, delivery, to_json(&body))
}
