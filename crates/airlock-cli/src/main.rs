//! The `airlock` binary: parses arguments, loads configuration, runs one
//! command and maps Airlock's error to a message on stderr and an exit code.

mod cli;
mod commands;

use clap::Parser;
use std::process::ExitCode;

// mimalloc instead of glibc's malloc: a gateway request allocates and frees
// many small buffers across tokio's worker threads, and glibc's allocator
// was about a sixth of the server's CPU at 2,000 req/s (perf, BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("AIRLOCK_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", err.message());
            if let Some(hint) = err.hint() {
                eprintln!("hint: {hint}");
            }
            ExitCode::from(err.kind().exit_code())
        }
    }
}
