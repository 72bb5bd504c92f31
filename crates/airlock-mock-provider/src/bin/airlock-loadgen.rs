//! `airlock-loadgen`: an open-loop HTTP load generator (constant rate,
//! latency from the scheduled send time). See `airlock_mock_provider::loadgen`.

use airlock_mock_provider::loadgen::{run, Args};
use clap::Parser;

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let config = match args.config() {
        Ok(config) => config,
        Err(message) => {
            eprintln!("airlock-loadgen: {message}");
            return std::process::ExitCode::from(2);
        }
    };
    let runtime = if args.threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(args.threads)
            .enable_all()
            .build()
    };
    let runtime = match runtime {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("airlock-loadgen: starting the runtime: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(&config)) {
        Ok(summary) if args.json => println!("{}", summary.to_json()),
        Ok(summary) => println!("{summary}"),
        Err(message) => {
            eprintln!("airlock-loadgen: {message}");
            return std::process::ExitCode::FAILURE;
        }
    }
    std::process::ExitCode::SUCCESS
}
