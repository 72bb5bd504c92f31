//! [`TestServer`]: the real router served on 127.0.0.1:0 in a task, and a
//! reqwest client pointed at it.

use std::sync::Arc;

use std::collections::HashMap;
use std::sync::Mutex;

use airlock_config::{ReviewSettings, WebhookSettings};
use airlock_core::{Durability, Role, WorkflowGrant};
use airlock_engine::{Engine, KeySpec};
use airlock_server::{install_metrics, router, serve, ServerOptions};
use airlock_store::Store;
use airlock_testkit::TestDatabase;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, Semaphore};
use tokio::task::JoinHandle;

use super::{workflows, FakeModels};

/// The reviewer with the adjudicator role on every test server.
pub const ADJUDICATOR: &str = "carol";

pub struct TestServer {
    pub base: String,
    /// Sends the admin key (the first key, bootstrapped at start).
    pub client: reqwest::Client,
    /// The whole admin key.
    pub admin_key: String,
    /// The engine behind the server (for minting keys).
    pub engine: Engine,
    /// A reviewer key per reviewer name, made on first use.
    reviewer_keys: Mutex<HashMap<String, String>>,
    /// Opens `SLOW` generations (see `FakeModels`).
    pub gate: Arc<Semaphore>,
    /// The engine's store, for tests that break the database.
    pub store: Store,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<airlock_core::Result<()>>,
    _workflows: tempfile::TempDir,
}

/// A response read whole.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    /// `error.code` of an error body.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_default()
    }

    /// `error.field` of an error body.
    pub fn field(&self) -> &str {
        self.body["error"]["field"].as_str().unwrap_or_default()
    }

    pub fn message(&self) -> &str {
        self.body["error"]["message"].as_str().unwrap_or_default()
    }

    /// Panics unless the body is exactly the one error shape with `status` and `code`.
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "{:#}", self.body);
        assert_eq!(self.code(), code, "{:#}", self.body);
        let error = self.body["error"]
            .as_object()
            .expect("the error shape has an `error` object");
        assert!(!self.message().is_empty(), "errors carry a message");
        let allowed = ["code", "message", "field", "hint", "run_id", "decision"];
        for key in error.keys() {
            assert!(
                allowed.contains(&key.as_str()),
                "unexpected `{key}` in {:#}",
                self.body
            );
        }
        assert_eq!(
            self.body.as_object().map(|o| o.len()),
            Some(1),
            "only `error` at the top"
        );
    }
}

impl TestServer {
    pub async fn start(db: &TestDatabase) -> TestServer {
        TestServer::start_with(db, ServerOptions::default()).await
    }

    pub async fn start_with(db: &TestDatabase, options: ServerOptions) -> TestServer {
        TestServer::start_configured(db, options, Vec::new()).await
    }

    /// A server whose review events go to `webhooks` (nothing delivers them:
    /// the test drives a dispatcher itself when it needs to).
    pub async fn start_with_webhooks(
        db: &TestDatabase,
        webhooks: Vec<WebhookSettings>,
    ) -> TestServer {
        TestServer::start_configured(db, ServerOptions::default(), webhooks).await
    }

    /// `carol` is the one adjudicator.
    pub async fn start_configured(
        db: &TestDatabase,
        options: ServerOptions,
        webhooks: Vec<WebhookSettings>,
    ) -> TestServer {
        TestServer::start_full(db, options, webhooks, None).await
    }

    /// A server whose model gateway is the `[[providers]]`, `[[routes]]`
    /// and `[[budgets]]` of `config` (TOML).
    pub async fn start_with_gateway(db: &TestDatabase, config: &str) -> TestServer {
        TestServer::start_with_gateway_and(db, config, ServerOptions::default()).await
    }

    /// [`TestServer::start_with_gateway`] with `options`' limits.
    pub async fn start_with_gateway_and(
        db: &TestDatabase,
        config: &str,
        options: ServerOptions,
    ) -> TestServer {
        let settings = airlock_config::Settings::from_toml(
            config,
            &airlock_config::Overrides::default(),
            "gateway test config",
        )
        .unwrap_or_else(|e| panic!("the gateway test config is valid: {e}"));
        let gateway = airlock_engine::gateway::build_gateway(&settings.gateway, None)
            .expect("the gateway builds");
        TestServer::start_full(db, options, Vec::new(), Some(Arc::new(gateway))).await
    }

    async fn start_full(
        db: &TestDatabase,
        options: ServerOptions,
        webhooks: Vec<WebhookSettings>,
        gateway: Option<Arc<airlock_engine::gateway::Gateway>>,
    ) -> TestServer {
        let dir = tempfile::tempdir().expect("the test needs a temporary directory");
        workflows::write(dir.path());
        let definitions = airlock_workflow::load_dir(dir.path())
            .unwrap_or_else(|problems| panic!("the test workflows are invalid: {problems:?}"));
        let store = Store::connect(&db.url, Durability::Process)
            .await
            .expect("the test database accepts connections");
        let gate = Arc::new(Semaphore::new(0));
        let models = Arc::new(FakeModels { gate: gate.clone() });
        let review = ReviewSettings {
            adjudicators: vec![ADJUDICATOR.to_string()],
        };
        let engine = Engine::new(definitions, store.clone(), models)
            .expect("the engine builds")
            .with_review_settings(review, webhooks);
        let engine = match gateway {
            Some(gateway) => engine.with_gateway(gateway),
            None => engine,
        };
        let admin_key = engine
            .bootstrap_admin_key(None)
            .await
            .expect("the first admin key is stored")
            .expect("the database has no key yet")
            .key;
        let metrics = install_metrics().expect("the Prometheus recorder installs");
        let app = router(engine.clone(), &options, metrics);
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("an ephemeral port on loopback");
        let address = listener
            .local_addr()
            .expect("a bound listener has an address");
        let (shutdown, stop) = oneshot::channel::<()>();
        let task = tokio::spawn(serve(listener, app, async move {
            let _ = stop.await;
        }));
        TestServer {
            base: format!("http://{address}"),
            client: client_with_key(&admin_key),
            admin_key,
            engine,
            reviewer_keys: Mutex::new(HashMap::new()),
            gate,
            store,
            shutdown,
            task,
            _workflows: dir,
        }
    }

    /// Stops the server and checks it shut down cleanly.
    pub async fn stop(self) {
        let _ = self.shutdown.send(());
        self.task
            .await
            .expect("the server task does not panic")
            .expect("serve returns Ok after shutdown");
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> Answer {
        read(self.client.get(self.url(path))).await
    }

    /// `POST /v1/workflows/{workflow}/runs` with `input` as JSON.
    pub async fn run(&self, workflow: &str, input: &Value, key: Option<&str>) -> Answer {
        let mut request = self
            .client
            .post(self.url(&format!("/v1/workflows/{workflow}/runs")))
            .json(input);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        read(request).await
    }

    /// `POST path` with `body` as JSON, with the key of the `reviewer` the
    /// body names (a reviewer acts with their own key), else the admin's.
    pub async fn post(&self, path: &str, body: &Value) -> Answer {
        let client = match body.get("reviewer").and_then(Value::as_str) {
            Some(name) if !name.trim().is_empty() => self.client_for(name).await,
            _ => self.client.clone(),
        };
        read(client.post(self.url(path)).json(body)).await
    }

    /// A client sending the key of reviewer `name` (role `reviewer`, every
    /// workflow), made on first use.
    pub async fn client_for(&self, name: &str) -> reqwest::Client {
        client_with_key(&self.key_for(name, Role::Reviewer).await)
    }

    /// A key named `name` with `role` on every workflow (one per name).
    pub async fn key_for(&self, name: &str, role: Role) -> String {
        let known = self
            .reviewer_keys
            .lock()
            .expect("the key cache lock is not poisoned")
            .get(name)
            .cloned();
        if let Some(key) = known {
            return key;
        }
        let key = self.mint(name, role, WorkflowGrant::All).await;
        self.reviewer_keys
            .lock()
            .expect("the key cache lock is not poisoned")
            .insert(name.to_string(), key.clone());
        key
    }

    /// A new key (not cached).
    pub async fn mint(&self, name: &str, role: Role, workflows: WorkflowGrant) -> String {
        self.engine
            .create_key(
                None,
                KeySpec {
                    name: name.to_string(),
                    role,
                    workflows,
                    expires_at: None,
                },
            )
            .await
            .expect("the test key is stored")
            .key
    }

    /// Runs that must succeed with 200; returns the body.
    pub async fn run_ok(&self, workflow: &str, input: &Value) -> Value {
        let answer = self.run(workflow, input, None).await;
        assert_eq!(answer.status, StatusCode::OK, "{:#}", answer.body);
        answer.body
    }
}

/// A client that sends `Authorization: Bearer <key>` on every request.
pub fn client_with_key(key: &str) -> reqwest::Client {
    let mut headers = HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {key}")
            .parse()
            .expect("a key is a valid header value"),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .expect("the test HTTP client builds")
}

/// Sends `request` and reads the whole answer (JSON, or text as a JSON string).
pub async fn read(request: reqwest::RequestBuilder) -> Answer {
    let response = request.send().await.expect("the test server answers");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("the body reads");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Answer {
        status,
        headers,
        body,
    }
}
