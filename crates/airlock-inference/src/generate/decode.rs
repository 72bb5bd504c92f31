//! One generation request, start to finish: format the chat prompt, run the
//! prompt through the model, then sample one token at a time until the end
//! of the turn, `max_tokens` or a stop sequence, streaming text as it comes.

use super::model_file::LoadedModel;
use super::sampling::SamplingParams;
use super::stop_sequences::StopWatcher;
use super::{chat_template, FinishReason, GenerateRequest, Generation};
use airlock_core::{Error, ErrorKind, Result};
use candle_core::{Device, Tensor};
use std::time::Instant;

/// Runs `request` on `loaded`, calling `on_piece` with each piece of text
/// that is safe to show. `cancelled` is polled between tokens.
pub fn run(
    loaded: &mut LoadedModel,
    request: &GenerateRequest,
    on_piece: &mut dyn FnMut(&str),
    cancelled: &dyn Fn() -> bool,
) -> Result<Generation> {
    let started = Instant::now();
    let system = request
        .system
        .as_deref()
        .or(loaded.default_system.as_deref());
    let prompt = chat_template::render(system, &request.prompt);
    let prompt_ids = loaded.tokenizer.encode(&prompt)?;
    let budget = prompt_ids.len().saturating_add(request.max_tokens);
    if budget > loaded.context_length {
        return Err(Error::invalid_input(format!(
            "the prompt ({} tokens) plus max_tokens ({}) exceeds the model's context of {} tokens",
            prompt_ids.len(),
            request.max_tokens,
            loaded.context_length
        ))
        .with_field("max_tokens")
        .with_hint("shorten the prompt or lower max_tokens"));
    }

    let mut sampler = SamplingParams {
        temperature: request.temperature,
        top_p: request.top_p,
        seed: request.seed,
    }
    .processor();
    let mut stops = StopWatcher::new(&request.stop);
    let mut decoder = loaded.tokenizer.tokenizer.decode_stream(true);

    loaded.model.clear_kv_cache();
    let input = Tensor::new(prompt_ids.as_slice(), &Device::Cpu)
        .and_then(|t| t.unsqueeze(0))
        .map_err(inference)?;
    let logits = loaded
        .model
        .forward(&input, 0)
        .and_then(|l| l.squeeze(0))
        .map_err(inference)?;
    let mut next = sampler.sample(&logits).map_err(inference)?;
    let time_to_first_token = started.elapsed();

    let mut completion_tokens = 0;
    let finish_reason = loop {
        if loaded.tokenizer.end_of_turn_ids.contains(&next) {
            break FinishReason::Stop;
        }
        completion_tokens += 1;
        let piece = decoder
            .step(next)
            .map_err(|e| Error::inference(format!("decoding token {next} failed: {e}")))?;
        if let Some(piece) = piece {
            let ready = stops.push(&piece);
            if !ready.is_empty() {
                on_piece(ready);
            }
            if stops.stopped() {
                break FinishReason::StopSequence;
            }
        }
        if completion_tokens >= request.max_tokens {
            break FinishReason::Length;
        }
        if cancelled() {
            return Err(Error::new(
                ErrorKind::Unavailable,
                "generation was cancelled: the caller went away",
            ));
        }
        let input = Tensor::new(&[next], &Device::Cpu)
            .and_then(|t| t.unsqueeze(0))
            .map_err(inference)?;
        let position = prompt_ids.len() + completion_tokens - 1;
        let logits = loaded
            .model
            .forward(&input, position)
            .and_then(|l| l.squeeze(0))
            .map_err(inference)?;
        next = sampler.sample(&logits).map_err(inference)?;
    };
    if !stops.stopped() {
        let rest = stops.finish();
        if !rest.is_empty() {
            on_piece(rest);
        }
    }
    Ok(Generation {
        text: stops.into_text(),
        prompt_tokens: prompt_ids.len(),
        completion_tokens,
        finish_reason,
        time_to_first_token,
        total: started.elapsed(),
    })
}

fn inference(err: candle_core::Error) -> Error {
    Error::inference(format!("the generation model failed: {err}"))
}
