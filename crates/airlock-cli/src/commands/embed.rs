//! `airlock embed TEXT...`: prints one sentence embedding per text, each a
//! JSON array of floats on its own line, in the order given.

use airlock_config::Settings;
use airlock_core::{Error, Result};
use airlock_inference::embed::{Embedder, EmbedderOptions};
use std::io::Write;

#[derive(Debug, clap::Args)]
pub struct EmbedArgs {
    /// Texts to embed.
    #[arg(required = true)]
    pub texts: Vec<String>,
}

pub fn run(args: EmbedArgs, settings: &Settings) -> Result<()> {
    let embedder = Embedder::load(EmbedderOptions {
        model_dir: settings.models.embedding.clone(),
        workers: settings.inference.embed_workers,
        threads_per_worker: settings.inference.embed_threads,
        max_batch: settings.inference.embed_max_batch,
    })?;
    let vectors = embedder.embed_blocking(args.texts)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let write_err = |e: std::io::Error| {
        Error::new(
            airlock_core::ErrorKind::Io,
            format!("cannot write to stdout: {e}"),
        )
    };
    for vector in vectors {
        let line = serde_json::to_string(&vector)
            .map_err(|e| Error::internal(format!("cannot encode embedding as JSON: {e}")))?;
        writeln!(out, "{line}").map_err(write_err)?;
    }
    out.flush().map_err(write_err)
}
