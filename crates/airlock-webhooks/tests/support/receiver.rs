//! A webhook receiver for tests: an axum server on 127.0.0.1:0 that
//! records every request, checks its signature with [`verify`] and answers
//! from a script (then 200 once the script runs out).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use airlock_core::Timestamp;
use airlock_webhooks::{verify, SIGNATURE_HEADER};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// How the receiver answers one request.
#[derive(Debug, Clone)]
pub enum Answer {
    Status(u16),
    /// A 302 to another path.
    Redirect,
    /// Waits, then answers 200.
    Slow(Duration),
}

/// One request as received.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Bytes,
    /// What [`verify`] said about it, at arrival.
    pub verified: Result<(), String>,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .unwrap_or_else(|| panic!("header {name} was sent"))
            .to_str()
            .expect("header is text")
    }
}

#[derive(Clone)]
struct Shared {
    secret: Vec<u8>,
    script: Arc<Mutex<VecDeque<Answer>>>,
    received: Arc<Mutex<Vec<Received>>>,
}

/// A running receiver; stopped when dropped.
pub struct Receiver {
    pub url: String,
    shared: Shared,
    server: JoinHandle<()>,
}

impl Receiver {
    /// Starts on an ephemeral port.
    pub async fn start(secret: &str, script: Vec<Answer>) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        Self::serve(listener, secret, script)
    }

    /// Starts on `addr` (a port that was free a moment ago).
    pub async fn start_at(addr: SocketAddr, secret: &str, script: Vec<Answer>) -> Receiver {
        let listener = TcpListener::bind(addr).await.expect("rebind the port");
        Self::serve(listener, secret, script)
    }

    fn serve(listener: TcpListener, secret: &str, script: Vec<Answer>) -> Receiver {
        let addr = listener.local_addr().expect("local addr");
        let shared = Shared {
            secret: secret.as_bytes().to_vec(),
            script: Arc::new(Mutex::new(script.into())),
            received: Arc::default(),
        };
        let app = Router::new()
            .route("/hooks", post(receive))
            .with_state(shared.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("receiver serves");
        });
        Receiver {
            url: format!("http://{addr}/hooks"),
            shared,
            server,
        }
    }

    /// Every request so far, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().expect("lock").clone()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn receive(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let now = Timestamp::now().unix_ms().div_euclid(1000);
    let verified = match headers.get(SIGNATURE_HEADER).map(|v| v.to_str()) {
        Some(Ok(header)) => verify(&shared.secret, header, &body, now, Duration::from_secs(300))
            .map_err(|e| e.message().to_string()),
        _ => Err(format!("no {SIGNATURE_HEADER} header")),
    };
    shared.received.lock().expect("lock").push(Received {
        headers,
        body,
        verified,
    });
    let answer = shared
        .script
        .lock()
        .expect("lock")
        .pop_front()
        .unwrap_or(Answer::Status(200));
    match answer {
        Answer::Status(code) => {
            let status = StatusCode::from_u16(code).expect("a valid status");
            (status, format!("answer {code}")).into_response()
        }
        Answer::Redirect => (StatusCode::FOUND, [("location", "/elsewhere")]).into_response(),
        Answer::Slow(wait) => {
            tokio::time::sleep(wait).await;
            StatusCode::OK.into_response()
        }
    }
}

/// An address nothing listens on (bound, then released).
pub async fn closed_port() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    listener.local_addr().expect("local addr")
}
