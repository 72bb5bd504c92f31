//! `airlock generate PROMPT`: answers one chat message with the local model,
//! streaming the reply to stdout as it is produced.

use airlock_config::Settings;
use airlock_core::{Error, ErrorKind, Result};
use airlock_inference::generate::{GenerateRequest, Generator, GeneratorOptions};
use std::io::Write;

#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// The user's message.
    pub prompt: String,
    /// System message (default: the model's own).
    #[arg(long)]
    pub system: Option<String>,
    /// Most tokens to generate.
    #[arg(long, default_value_t = 256)]
    pub max_tokens: usize,
    /// Sampling temperature; 0 = greedy and deterministic.
    #[arg(long, default_value_t = 0.0)]
    pub temperature: f64,
    /// Nucleus sampling threshold in (0, 1]; 1 = off.
    #[arg(long, default_value_t = 1.0)]
    pub top_p: f64,
    /// Sampler seed (same seed and settings, same reply).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Stop before this text (repeatable); it is not printed.
    #[arg(long = "stop", value_name = "TEXT")]
    pub stop: Vec<String>,
}

pub fn run(args: GenerateArgs, settings: &Settings) -> Result<()> {
    let request = GenerateRequest {
        system: args.system,
        prompt: args.prompt,
        max_tokens: args.max_tokens,
        temperature: args.temperature,
        top_p: args.top_p,
        seed: args.seed,
        stop: args.stop,
    };
    // Reject bad flags before spending seconds on loading the model.
    request.validate()?;
    let generator = Generator::load(GeneratorOptions {
        gguf_path: settings.models.generator.clone(),
        threads: settings.inference.generate_threads,
    })?;
    // The worker thread streams into stdout; the first write error is kept
    // and reported once generation ends (e.g. a closed pipe).
    let write_error = std::sync::Arc::new(std::sync::Mutex::new(None::<std::io::Error>));
    let sink_error = std::sync::Arc::clone(&write_error);
    let generation = generator.generate_blocking(request, move |piece| {
        let Ok(mut slot) = sink_error.lock() else {
            return;
        };
        if slot.is_some() {
            return;
        }
        let mut out = std::io::stdout().lock();
        if let Err(err) = out.write_all(piece.as_bytes()).and_then(|()| out.flush()) {
            *slot = Some(err);
        }
    })?;
    let mut out = std::io::stdout().lock();
    let ended = writeln!(out).and_then(|()| out.flush());
    let earlier = write_error.lock().ok().and_then(|mut slot| slot.take());
    if let Some(err) = earlier.map(Err).unwrap_or(ended).err() {
        return Err(Error::new(
            ErrorKind::Io,
            format!("cannot write to stdout: {err}"),
        ));
    }
    tracing::debug!(
        prompt_tokens = generation.prompt_tokens,
        completion_tokens = generation.completion_tokens,
        finish_reason = generation.finish_reason.as_str(),
        "generation finished"
    );
    Ok(())
}
