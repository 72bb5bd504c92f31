//! [`LocalProvider`]: Airlock's own models as a [`Provider`], so routes can
//! put the local generator and embedder in a fallback chain beside hosted
//! ones (and keep confidential data in the process).
//!
//! The local generator takes one system message and one user message (its
//! chat template's shape), so a longer conversation is given to it as a
//! transcript in the user message.

use airlock_core::ErrorKind;
use airlock_inference::embed::Embedder;
use airlock_inference::generate::{GenerateRequest, Generator};
use airlock_providers::{
    AttemptError, ChatChunk, ChatMessage, ChatRequest, ChatResponse, ChatStream, EmbeddingRequest,
    EmbeddingResponse, FailureKind, Provider, Usage,
};
use async_trait::async_trait;

/// Default reply length when a request sets no `max_tokens`.
const DEFAULT_MAX_TOKENS: u32 = 256;

/// The in-process generator and embedder, with the ids runs record.
#[derive(Clone, Default)]
pub struct LocalProvider {
    generator: Option<(Generator, String)>,
    embedder: Option<(Embedder, String)>,
}

impl LocalProvider {
    pub fn new(
        generator: Option<(Generator, String)>,
        embedder: Option<(Embedder, String)>,
    ) -> Self {
        LocalProvider {
            generator,
            embedder,
        }
    }

    fn request(
        &self,
        request: &ChatRequest,
    ) -> Result<(Generator, String, GenerateRequest), AttemptError> {
        let (generator, id) = self.generator.clone().ok_or_else(|| {
            AttemptError::new(
                FailureKind::Rejected,
                "the local generative model is not loaded",
            )
        })?;
        let mut generate = GenerateRequest::new(
            prompt(&request.messages),
            request.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS) as usize,
        );
        let system: Vec<&str> = request
            .messages
            .iter()
            .filter(|m| m.role == "system")
            .map(|m| m.content.as_str())
            .collect();
        if !system.is_empty() {
            generate.system = Some(system.join("\n\n"));
        }
        if let Some(t) = request.temperature {
            generate.temperature = t;
        }
        if let Some(p) = request.top_p {
            generate.top_p = p;
        }
        generate.stop = request.stop.clone();
        generate.validate().map_err(|e| rejected(&e))?;
        Ok((generator, id, generate))
    }
}

/// The user message the local template gets: the last user message alone,
/// or a transcript when the conversation has more turns.
fn prompt(messages: &[ChatMessage]) -> String {
    let turns: Vec<&ChatMessage> = messages.iter().filter(|m| m.role != "system").collect();
    match turns.as_slice() {
        [only] => only.content.clone(),
        _ => turns
            .iter()
            .map(|m| format!("{}: {}", capitalised(&m.role), m.content))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

fn capitalised(role: &str) -> String {
    let mut chars = role.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn rejected(error: &airlock_core::Error) -> AttemptError {
    AttemptError::new(FailureKind::Rejected, error.message().to_string()).with_status(400)
}

fn failed(error: &airlock_core::Error) -> AttemptError {
    match error.kind() {
        ErrorKind::InvalidInput => rejected(error),
        _ => AttemptError::new(FailureKind::ServerError, error.message().to_string()),
    }
}

fn finish_reason(reason: airlock_inference::generate::FinishReason) -> String {
    match reason.as_str() {
        "stop_sequence" => "stop".to_string(),
        other => other.to_string(),
    }
}

#[async_trait]
impl Provider for LocalProvider {
    fn name(&self) -> &str {
        airlock_config::LOCAL_PROVIDER
    }

    async fn chat(&self, request: &ChatRequest) -> Result<ChatResponse, AttemptError> {
        let (generator, id, generate) = self.request(request)?;
        let generation = generator
            .generate(generate, None)
            .await
            .map_err(|e| failed(&e))?;
        Ok(ChatResponse {
            model: id,
            content: generation.text,
            finish_reason: finish_reason(generation.finish_reason),
            usage: Usage {
                prompt_tokens: generation.prompt_tokens as u64,
                completion_tokens: generation.completion_tokens as u64,
            },
        })
    }

    async fn chat_stream(&self, request: &ChatRequest) -> Result<ChatStream, AttemptError> {
        let (generator, _id, generate) = self.request(request)?;
        let (pieces_tx, mut pieces_rx) = tokio::sync::mpsc::unbounded_channel::<String>();
        let (out_tx, out_rx) = tokio::sync::mpsc::channel::<Result<ChatChunk, AttemptError>>(64);
        tokio::spawn(async move {
            let generation = generator.generate(generate, Some(pieces_tx));
            tokio::pin!(generation);
            let result = loop {
                tokio::select! {
                    piece = pieces_rx.recv() => {
                        if let Some(piece) = piece {
                            if out_tx.send(Ok(ChatChunk::Delta(piece))).await.is_err() {
                                return; // the caller went away: dropping the future cancels
                            }
                        }
                    }
                    result = &mut generation => break result,
                }
            };
            while let Ok(piece) = pieces_rx.try_recv() {
                let _ = out_tx.send(Ok(ChatChunk::Delta(piece))).await;
            }
            let last = match result {
                Ok(g) => Ok(ChatChunk::Finish {
                    finish_reason: finish_reason(g.finish_reason),
                    usage: Some(Usage {
                        prompt_tokens: g.prompt_tokens as u64,
                        completion_tokens: g.completion_tokens as u64,
                    }),
                }),
                Err(e) => Err(failed(&e)),
            };
            let _ = out_tx.send(last).await;
        });
        Ok(Box::pin(futures_util::stream::unfold(
            out_rx,
            |mut rx| async move { rx.recv().await.map(|item| (item, rx)) },
        )))
    }

    async fn embed(&self, request: &EmbeddingRequest) -> Result<EmbeddingResponse, AttemptError> {
        let (embedder, id) = self.embedder.clone().ok_or_else(|| {
            AttemptError::new(
                FailureKind::Rejected,
                "the local embedding model is not loaded",
            )
        })?;
        let vectors = embedder
            .embed(request.input.clone())
            .await
            .map_err(|e| failed(&e))?;
        // The embedder does not report token counts; words are a fair,
        // cheap estimate for usage figures (local calls cost nothing).
        let tokens = request
            .input
            .iter()
            .map(|t| t.split_whitespace().count() as u64)
            .sum();
        Ok(EmbeddingResponse {
            model: id,
            vectors,
            usage: Usage {
                prompt_tokens: tokens,
                completion_tokens: 0,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(role: &str, content: &str) -> ChatMessage {
        ChatMessage {
            role: role.to_string(),
            content: content.to_string(),
        }
    }

    #[test]
    fn a_single_turn_is_the_prompt_and_longer_ones_a_transcript() {
        assert_eq!(
            prompt(&[message("system", "be brief"), message("user", "hi")]),
            "hi"
        );
        assert_eq!(
            prompt(&[
                message("user", "hi"),
                message("assistant", "hello"),
                message("user", "bye")
            ]),
            "User: hi\nAssistant: hello\nUser: bye"
        );
    }
}
