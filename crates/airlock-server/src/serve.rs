//! [`serve`]: runs a router on a bound listener until shutdown.

use std::future::Future;

use airlock_core::{Error, ErrorKind, Result};
use axum::serve::ListenerExt;
use axum::Router;
use tokio::net::TcpListener;

/// Serves `router` on `listener` (already bound: this binds nothing) until
/// `shutdown` resolves, then stops accepting connections and waits for the
/// requests in flight to be answered.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let address = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| "an unknown address".to_string());
    tracing::info!(%address, "serving HTTP");
    let listener = listener.tap_io(|tcp| {
        // Answers are small and stream events must go out as they are
        // written, not wait for Nagle's algorithm to batch them.
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY on a connection");
        }
    });
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| {
            Error::new(
                ErrorKind::Io,
                format!("the HTTP server on {address} stopped: {e}"),
            )
        })?;
    tracing::info!(%address, "HTTP server stopped; in-flight requests answered");
    Ok(())
}
