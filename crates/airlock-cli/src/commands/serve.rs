//! `airlock serve`: loads the workflows (refusing to start on any problem,
//! reported like `airlock check`), prepares and loads the models, connects
//! the store, starts the background work (webhook dispatcher, overdue
//! sweeper, quality gauges) and serves the HTTP API until SIGINT or
//! SIGTERM, then drains in-flight requests, stops the background work
//! (webhook attempts in flight finish) and commits what is queued.

use super::background::Background;
use super::runtime::{build_engine, load_workflows, tokio_runtime};
use airlock_config::Settings;
use airlock_core::{Error, Result};
use airlock_server::ServerOptions;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {}

pub fn run(_args: ServeArgs, settings: &Settings) -> Result<()> {
    let workflows = load_workflows(&settings.workflows_dir)?;
    tokio_runtime()?.block_on(serve(settings, workflows))
}

async fn serve(
    settings: &Settings,
    workflows: Vec<airlock_workflow::WorkflowDefinition>,
) -> Result<()> {
    let names: Vec<String> = workflows.iter().map(|w| w.name.clone()).collect();
    let engine = build_engine(settings, workflows).await?;
    let store = engine.store().clone();
    let metrics = airlock_server::install_metrics()?;
    let options = ServerOptions {
        max_body_bytes: settings.server.max_body_bytes,
        request_timeout: settings.server.request_timeout,
    };
    let listener = tokio::net::TcpListener::bind(settings.server.listen)
        .await
        .map_err(|e| {
            Error::new(
                airlock_core::ErrorKind::Unavailable,
                format!("cannot listen on {}: {e}", settings.server.listen),
            )
            .with_field("server.listen")
            .with_hint("another process may hold the port; set --listen, AIRLOCK_LISTEN or [server] listen")
        })?;
    let address = listener
        .local_addr()
        .map_err(|e| Error::internal(format!("cannot read the listening address: {e}")))?;
    // Started once the port is ours and the metrics recorder is installed.
    let (engine, background) = Background::start(engine, settings)?;
    let router = airlock_server::router(engine, &options, metrics);
    eprintln!(
        "airlock: serving {} workflow(s) ({}) on http://{address} — database {} ({}), data {}",
        names.len(),
        names.join(", "),
        store.backend().as_str(),
        store.durability(),
        settings.data_dir.display()
    );
    let served = airlock_server::serve(listener, router, shutdown_signal()).await;
    background.stop().await;
    store.close().await;
    eprintln!("airlock: stopped");
    served
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        // If the handler cannot be installed, only SIGTERM stops the server.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
    eprintln!("airlock: shutting down; finishing in-flight requests");
}
