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
    let workflows = load_workflows(settings)?;
    tokio_runtime()?.block_on(serve(settings, workflows))
}

async fn serve(
    settings: &Settings,
    workflows: Vec<airlock_workflow::WorkflowDefinition>,
) -> Result<()> {
    let names: Vec<String> = workflows.iter().map(|w| w.name.clone()).collect();
    let engine = build_engine(settings, workflows).await?;
    let store = engine.store().clone();
    bootstrap_admin_key(&engine).await?;
    engine.record_startup(&config_fingerprint(settings)).await?;
    let metrics = airlock_server::install_metrics()?;
    let options = ServerOptions {
        max_body_bytes: settings.server.max_body_bytes,
        request_timeout: settings.server.request_timeout,
        max_in_flight: settings.server.max_in_flight,
        session: super::secrets::session_options(settings)?,
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
    let engine_for_reload = engine.clone();
    let router = airlock_server::router(engine, &options, metrics);
    let serving = if names.is_empty() {
        format!(
            "no workflows, model routes only ({})",
            settings
                .gateway
                .routes
                .iter()
                .map(|r| r.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    } else {
        format!("{} workflow(s) ({})", names.len(), names.join(", "))
    };
    eprintln!(
        "airlock: serving {serving} on http://{address} — database {} ({}), data {}",
        store.backend().as_str(),
        store.durability(),
        settings.data_dir.display()
    );
    // Browsers keep a `Secure` cookie over plain HTTP for `localhost` only.
    let dashboard = if address.ip().is_loopback() {
        format!("http://localhost:{}/ui", address.port())
    } else {
        format!("http://{address}/ui")
    };
    eprintln!("airlock: dashboard at {dashboard} (sign in with an API key)");
    let reloader = tokio::spawn(reload_policies_on_hangup(
        engine_for_reload,
        settings.clone(),
    ));
    let served = airlock_server::serve(listener, router, shutdown_signal()).await;
    reloader.abort();
    background.stop().await;
    store.close().await;
    eprintln!("airlock: stopped");
    served
}

/// On an empty database, the first admin key: `AIRLOCK_BOOTSTRAP_KEY` if
/// set, else a generated key printed once on stderr.
async fn bootstrap_admin_key(engine: &airlock_engine::Engine) -> Result<()> {
    let supplied = std::env::var(airlock_config::BOOTSTRAP_KEY_ENV)
        .ok()
        .filter(|k| !k.is_empty());
    let Some(issued) = engine.bootstrap_admin_key(supplied.as_deref()).await? else {
        return Ok(());
    };
    if supplied.is_some() {
        eprintln!(
            "airlock: created the first admin key `{}` from {}",
            issued.record.id,
            airlock_config::BOOTSTRAP_KEY_ENV
        );
    } else {
        eprintln!(
            "airlock: created the first admin key; it is shown this once, store it now:\n\n    {}\n",
            issued.key
        );
    }
    Ok(())
}

/// What the audit log records of the configuration: a hash of the
/// resolved settings (which hold no secrets, only where they are).
fn config_fingerprint(settings: &Settings) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(format!("{settings:?}").as_bytes()))
}

/// Reloads the policy files on SIGHUP: a valid set replaces the current
/// one atomically (and is audited); an invalid one is reported and the
/// current set stays.
async fn reload_policies_on_hangup(engine: airlock_engine::Engine, settings: Settings) {
    #[cfg(unix)]
    {
        let Ok(mut hangups) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        else {
            return;
        };
        while hangups.recv().await.is_some() {
            let reloaded = match super::secrets::policy_sources(&settings) {
                Ok(sources) => engine.reload_policies(&sources).await,
                Err(e) => Err(e),
            };
            match reloaded {
                Ok(()) => eprintln!(
                    "airlock: policies reloaded (fingerprint {})",
                    engine.authorizer().fingerprint()
                ),
                Err(e) => eprintln!("airlock: policies not reloaded, the current set stays: {e}"),
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (engine, settings);
        std::future::pending::<()>().await;
    }
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
