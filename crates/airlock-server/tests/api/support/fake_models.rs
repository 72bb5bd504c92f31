//! Deterministic models: the classifier picks a label from keywords, the
//! generator echoes and can be told to fail (`FAIL` in the prompt) or to
//! wait for the test to open a gate (`SLOW` in the prompt).

use std::sync::Arc;

use airlock_core::{Error, Result};
use airlock_engine::{Classification, Generation, Models};
use async_trait::async_trait;
use tokio::sync::Semaphore;

pub struct FakeModels {
    /// `SLOW` generations wait for a permit; the test adds permits.
    pub gate: Arc<Semaphore>,
}

#[async_trait]
impl Models for FakeModels {
    async fn classify(&self, model: &str, text: &str) -> Result<Classification> {
        let (label, confidence) = if text.contains("stolen") {
            ("lost_or_stolen_card", 0.97)
        } else if text.contains("unsure") {
            ("card_arrival", 0.40)
        } else {
            ("card_arrival", 0.93)
        };
        Ok(Classification {
            label: label.to_string(),
            confidence,
            alternatives: Vec::new(),
            model: format!("{model}@fake"),
        })
    }

    async fn generate(&self, prompt: &str, max_tokens: u32) -> Result<Generation> {
        if prompt.contains("FAIL") {
            return Err(Error::inference("the fake generator was told to fail"));
        }
        if prompt.contains("SLOW") {
            let permit = self.gate.acquire().await;
            drop(permit);
        }
        Ok(Generation {
            text: format!("Draft ({max_tokens} tokens max) for: {}", prompt.trim()),
            model: "fake-generator@0".to_string(),
            prompt_tokens: 3,
            completion_tokens: 5,
            finish_reason: "stop".to_string(),
        })
    }

    fn loaded(&self) -> Vec<String> {
        vec!["fake-classifier".to_string(), "fake-generator".to_string()]
    }
}
