//! `airlock-mock-provider`: serve the mock provider on a fixed address, for
//! the Python tests and the gateway benchmark.

use std::net::SocketAddr;
use std::time::Duration;

use airlock_mock_provider::MockProvider;
use clap::Parser;

/// A mock OpenAI/Anthropic provider with injectable faults (`/_mock/*`).
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:9100")]
    listen: SocketAddr,
    /// Key clients must present (Bearer for OpenAI, x-api-key for Anthropic).
    #[arg(long, env = "MOCK_PROVIDER_API_KEY")]
    api_key: Option<String>,
    /// Added before every answer, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Tokio worker threads.
    #[arg(long, default_value_t = 1)]
    workers: usize,
}

fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.workers.max(1))
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let mut builder = MockProvider::builder().latency(Duration::from_millis(args.latency_ms));
        if let Some(key) = args.api_key {
            builder = builder.api_key(key);
        }
        let mock = builder.start_on(args.listen).await?;
        println!("mock provider listening on {}", mock.url());
        mock.wait().await;
        Ok(())
    })
}
