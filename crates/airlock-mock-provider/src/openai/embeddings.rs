//! `POST /v1/embeddings`: one deterministic unit vector per input string.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use bytes::Bytes;
use serde::{Deserialize, Serialize};

use super::{is_missing, model_not_found};
use crate::api_error::{to_json, Api};
use crate::deliver;
use crate::gate::{self, ApiRequest};
use crate::reply::{embedding, word_count, EMBEDDING_DIMENSIONS};
use crate::state::MockState;
use crate::stats::ApiPath;

#[derive(Debug, Deserialize)]
struct EmbeddingsRequest {
    model: String,
    input: Input,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Input {
    One(String),
    Many(Vec<String>),
}

impl ApiRequest for EmbeddingsRequest {
    fn model(&self) -> Option<&str> {
        Some(&self.model)
    }

    fn stream(&self) -> bool {
        false
    }
}

#[derive(Serialize)]
struct EmbeddingList<'a> {
    object: &'static str,
    data: Vec<Embedding>,
    model: &'a str,
    usage: Usage,
}

#[derive(Serialize)]
struct Embedding {
    object: &'static str,
    index: usize,
    embedding: [f32; EMBEDDING_DIMENSIONS],
}

#[derive(Serialize)]
struct Usage {
    prompt_tokens: u64,
    total_tokens: u64,
}

pub(crate) async fn embeddings(
    State(state): State<Arc<MockState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let parsed = gate::parse::<EmbeddingsRequest>(&body);
    let (request, delivery) =
        match gate::admit(&state, Api::OpenAi, ApiPath::Embeddings, &headers, parsed).await {
            Ok(admitted) => admitted,
            Err(response) => return response,
        };
    if is_missing(&request.model) {
        return model_not_found(&request.model);
    }
    let inputs: &[String] = match &request.input {
        Input::One(text) => std::slice::from_ref(text),
        Input::Many(texts) => texts,
    };
    let data = inputs
        .iter()
        .enumerate()
        .map(|(index, text)| Embedding {
            object: "embedding",
            index,
            embedding: embedding(text),
        })
        .collect();
    let tokens = inputs.iter().map(|text| word_count(text)).sum();
    let body = EmbeddingList {
        object: "list",
        data,
        model: &request.model,
        usage: Usage {
            prompt_tokens: tokens,
            total_tokens: tokens,
        },
    };
    deliver::json(&state, delivery, to_json(&body))
}
