//! The model gateway end to end: the OpenAI-compatible endpoints over a
//! real mock provider (`airlock-mock-provider`, a real HTTP server with
//! injected faults), on SQLite and PostgreSQL. Every call's run is
//! recorded with its attempts and cost; retries happen on retryable
//! failures only; a failing provider falls back to the next and its
//! breaker stops calls to it; streams end with `[DONE]` only when whole;
//! confidential data never reaches a provider not allowed it; budgets
//! refuse once spent and never overspend under concurrency; errors come in
//! OpenAI's shape.

use airlock_core::Role;
use airlock_mock_provider::{Fault, FaultRule, MockProvider};
use airlock_testkit::run_on_each_database;
use serde_json::{json, Value};

use crate::support::server::{client_with_key, read, Answer};
use crate::support::TestServer;

fn provider(name: &str, mock: &MockProvider, extra: &str) -> String {
    format!(
        "[[providers]]\nname = \"{name}\"\nkind = \"openai\"\nbase_url = \"{}\"\n\
         data_classes = [\"public\", \"internal\"]\nretry_backoff = \"5ms\"\nretry_backoff_max = \"50ms\"\n\
         first_token_timeout = \"2s\"\ntotal_timeout = \"3s\"\n{extra}\n",
        mock.openai_base_url()
    )
}

fn route(name: &str, kind: &str, targets: &[(&str, &str)], extra: &str) -> String {
    let targets: Vec<String> = targets
        .iter()
        .map(|(p, m)| {
            format!(
                "{{ provider = \"{p}\", model = \"{m}\", input_price = 1.0, output_price = 2.0 }}"
            )
        })
        .collect();
    format!(
        "[[routes]]\nname = \"{name}\"\nkind = \"{kind}\"\ntargets = [{}]\n{extra}\n",
        targets.join(", ")
    )
}

fn hello(model: &str) -> Value {
    json!({"model": model, "messages": [{"role": "user", "content": "hello there"}], "max_tokens": 16})
}

/// The mock answering `status` (with `Retry-After: retry_after` seconds).
fn status_fault(status: u16, retry_after: Option<u64>) -> Fault {
    Fault::Status {
        status,
        retry_after,
        body: None,
    }
}

async fn chat(server: &TestServer, client: &reqwest::Client, body: &Value) -> Answer {
    read(client.post(server.url("/v1/chat/completions")).json(body)).await
}

/// Panics unless `answer` is an OpenAI-shaped error with `status` and `kind`.
fn assert_openai_error(answer: &Answer, status: u16, kind: &str) {
    assert_eq!(answer.status.as_u16(), status, "{:#}", answer.body);
    let error = answer.body["error"].as_object().expect("an error object");
    assert_eq!(error["type"], kind, "{:#}", answer.body);
    assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
    for key in error.keys() {
        assert!(
            ["message", "type", "param", "code"].contains(&key.as_str()),
            "unexpected `{key}` in {:#}",
            answer.body
        );
    }
}

#[test]
fn chat_and_embeddings_go_through_the_provider_and_each_call_is_recorded_with_its_cost() {
    run_on_each_database("gateway_chat_and_embeddings_recorded", |db| async move {
        let mock = MockProvider::start().await;
        let config = provider("mock", &mock, "")
            + &route("mock-chat", "chat", &[("mock", "gpt-mock")], "")
            + &route("mock-embed", "embedding", &[("mock", "embed-mock")], "");
        let server = TestServer::start_with_gateway(&db, &config).await;
        let app = client_with_key(&server.key_for("crm", Role::App).await);

        let answer = chat(&server, &app, &hello("mock-chat")).await;
        assert_eq!(answer.status, 200, "{:#}", answer.body);
        assert_eq!(answer.body["object"], "chat.completion");
        assert_eq!(answer.body["model"], "mock-chat");
        assert_eq!(
            answer.body["choices"][0]["message"]["content"],
            "Mock reply to: hello there"
        );
        let usage = &answer.body["usage"];
        let (prompt, completion) = (
            usage["prompt_tokens"].as_u64().expect("prompt tokens"),
            usage["completion_tokens"]
                .as_u64()
                .expect("completion tokens"),
        );
        assert!(prompt > 0 && completion > 0, "{usage}");
        assert_eq!(answer.headers["airlock-provider"], "mock");
        let run_id = answer.headers["airlock-run-id"]
            .to_str()
            .expect("ascii")
            .to_string();
        assert_eq!(answer.body["id"], format!("chatcmpl-{run_id}"));
        let seen = mock.requests();
        assert_eq!(seen.len(), 1);
        assert_eq!(
            seen[0].model.as_deref(),
            Some("gpt-mock"),
            "the route's upstream model is asked"
        );

        // The call is a durable run of `model:mock-chat` with its cost:
        // $1 per million input tokens and $2 per million output tokens.
        let run = server.get(&format!("/v1/runs/{run_id}")).await;
        assert_eq!(run.status, 200, "{:#}", run.body);
        assert_eq!(run.body["workflow"], "model:mock-chat");
        assert_eq!(run.body["status"], "completed");
        let steps = run.body["steps"].as_array().expect("steps");
        assert_eq!(steps.len(), 1, "one attempt: {steps:#?}");
        assert_eq!(steps[0]["kind"], "model_call");
        assert_eq!(steps[0]["model"], "mock/gpt-mock");
        let cost = prompt + 2 * completion; // micro-USD
        assert_eq!(run.body["output"]["cost_micro_usd"], cost, "{:#}", run.body);

        let embedded = read(
            app.post(server.url("/v1/embeddings"))
                .json(&json!({"model": "mock-embed", "input": ["one", "two words"]})),
        )
        .await;
        assert_eq!(embedded.status, 200, "{:#}", embedded.body);
        let data = embedded.body["data"].as_array().expect("data");
        assert_eq!(data.len(), 2);
        assert_eq!(data[1]["index"], 1);
        assert!(data[0]["embedding"]
            .as_array()
            .is_some_and(|v| !v.is_empty()));

        // Cost per key and per workflow, summed by the database.
        let by_workflow = server.get("/v1/usage?group=workflow").await;
        assert_eq!(by_workflow.status, 200, "{:#}", by_workflow.body);
        let chat_row = by_workflow.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|i| i["name"] == "model:mock-chat")
            .cloned()
            .expect("the chat route's runs are summed");
        assert_eq!(chat_row["runs"], 1);
        assert_eq!(chat_row["cost_micro_usd"], cost);
        let by_key = server.get("/v1/usage?group=key").await;
        let items = by_key.body["items"].as_array().expect("items");
        assert_eq!(
            items.len(),
            1,
            "both calls were made with one key: {items:#?}"
        );
        assert_eq!(items[0]["runs"], 2);

        let models = read(app.get(server.url("/v1/models"))).await;
        assert_eq!(models.status, 200, "{:#}", models.body);
        let ids: Vec<&str> = models.body["data"]
            .as_array()
            .expect("data")
            .iter()
            .filter_map(|m| m["id"].as_str())
            .collect();
        assert_eq!(ids, ["mock-chat", "mock-embed"]);
        server.stop().await;
    });
}

#[test]
fn retryable_failures_are_retried_and_a_rejected_request_is_not() {
    run_on_each_database("gateway_retries", |db| async move {
        let mock = MockProvider::start().await;
        let config = provider("mock", &mock, "max_retries = 2")
            + &route("mock-chat", "chat", &[("mock", "gpt-mock")], "");
        let server = TestServer::start_with_gateway(&db, &config).await;
        let app = client_with_key(&server.key_for("crm", Role::App).await);

        mock.push_fault(FaultRule::once(status_fault(503, None)));
        let answer = chat(&server, &app, &hello("mock-chat")).await;
        assert_eq!(answer.status, 200, "{:#}", answer.body);
        assert_eq!(mock.request_count(), 2, "one failure, one retry");
        let run_id = answer.headers["airlock-run-id"]
            .to_str()
            .expect("ascii")
            .to_string();
        let run = server.get(&format!("/v1/runs/{run_id}")).await;
        let steps = run.body["steps"].as_array().expect("steps");
        assert_eq!(steps.len(), 2, "{steps:#?}");
        assert_eq!(steps[0]["output"]["failure"], "server_error");
        assert_eq!(steps[0]["output"]["status"], 503);
        assert!(steps[1]["error"].is_null());

        // 429 with Retry-After is retried after the wait it asks for.
        mock.reset_stats();
        mock.push_fault(FaultRule::once(status_fault(429, Some(0))));
        let answer = chat(&server, &app, &hello("mock-chat")).await;
        assert_eq!(answer.status, 200, "{:#}", answer.body);
        assert_eq!(mock.request_count(), 2);

        // A 400 would fail again: no retry, and the caller gets a 400.
        mock.reset_stats();
        mock.push_fault(FaultRule::once(status_fault(400, None)));
        let answer = chat(&server, &app, &hello("mock-chat")).await;
        assert_openai_error(&answer, 400, "invalid_request_error");
        assert_eq!(mock.request_count(), 1, "a rejected request is not retried");
        assert!(!answer.headers.contains_key("retry-after"));

        // A 429 asking for a longer wait than the retry policy's longest
        // is not waited out: the caller gets a 503 that passes the wait on.
        mock.reset_stats();
        mock.push_fault(FaultRule::once(status_fault(429, Some(120))));
        let answer = chat(&server, &app, &hello("mock-chat")).await;
        assert_openai_error(&answer, 503, "server_error");
        assert_eq!(
            mock.request_count(),
            1,
            "a two-minute wait is not waited out"
        );
        assert_eq!(answer.headers["retry-after"], "120", "{:?}", answer.headers);
        server.stop().await;
    });
}

#[test]
fn a_failing_provider_falls_back_to_the_next_and_its_breaker_stops_calling_it() {
    run_on_each_database("gateway_fallback_breaker", |db| async move {
        let broken = MockProvider::start().await;
        broken.set_default_fault(Some(status_fault(500, None)));
        let healthy = MockProvider::start().await;
        let config = provider(
            "broken",
            &broken,
            "max_retries = 0\nbreaker_failures = 2\nbreaker_open_for = \"300ms\"",
        ) + &provider("healthy", &healthy, "max_retries = 0")
            + &route("chat", "chat", &[("broken", "m1"), ("healthy", "m2")], "");
        let server = TestServer::start_with_gateway(&db, &config).await;
        let app = client_with_key(&server.key_for("crm", Role::App).await);

        for _ in 0..4 {
            let answer = chat(&server, &app, &hello("chat")).await;
            assert_eq!(answer.status, 200, "{:#}", answer.body);
            assert_eq!(answer.headers["airlock-provider"], "healthy");
        }
        assert_eq!(
            broken.request_count(),
            2,
            "after two failures the breaker is open and the broken provider is not called"
        );
        assert_eq!(healthy.request_count(), 4);

        // After the open period one probe goes through; it succeeds, the
        // breaker closes and the first provider answers again.
        broken.set_default_fault(None);
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        let answer = chat(&server, &app, &hello("chat")).await;
        assert_eq!(
            answer.headers["airlock-provider"], "broken",
            "{:#}",
            answer.body
        );
        let answer = chat(&server, &app, &hello("chat")).await;
        assert_eq!(answer.headers["airlock-provider"], "broken");
        assert_eq!(broken.request_count(), 4);

        // When every target fails the caller gets a 503 naming the attempts.
        broken.set_default_fault(Some(status_fault(500, None)));
        healthy.set_default_fault(Some(status_fault(502, None)));
        let answer = chat(&server, &app, &hello("chat")).await;
        assert_openai_error(&answer, 503, "server_error");
        assert!(
            !answer.headers.contains_key("retry-after"),
            "no target said when to come back"
        );
        // That was the broken provider's first failure since it closed; the
        // second opens its breaker again. With the breaker open the answer
        // says when its probe will be let through.
        let answer = chat(&server, &app, &hello("chat")).await;
        assert_openai_error(&answer, 503, "server_error");
        let answer = chat(&server, &app, &hello("chat")).await;
        assert_openai_error(&answer, 503, "server_error");
        assert_eq!(answer.headers["retry-after"], "1", "{:?}", answer.headers);
        server.stop().await;
    });
}

/// The `data:` payloads of a server-sent event stream.
fn sse_data(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("data:"))
        .map(|d| d.trim().to_string())
        .collect()
}

#[test]
fn a_stream_ends_with_done_when_whole_and_with_an_error_when_cut() {
    run_on_each_database("gateway_streams", |db| async move {
        let mock = MockProvider::start().await;
        let config = provider("mock", &mock, "max_retries = 0")
            + &route("mock-chat", "chat", &[("mock", "gpt-mock")], "");
        let server = TestServer::start_with_gateway(&db, &config).await;
        let app = client_with_key(&server.key_for("crm", Role::App).await);
        let mut body = hello("mock-chat");
        body["stream"] = json!(true);
        body["stream_options"] = json!({"include_usage": true});

        let response = app
            .post(server.url("/v1/chat/completions"))
            .json(&body)
            .send()
            .await
            .expect("the stream starts");
        assert_eq!(response.status(), 200);
        assert!(response.headers()["content-type"]
            .to_str()
            .unwrap_or_default()
            .starts_with("text/event-stream"));
        let run_id = response.headers()["airlock-run-id"]
            .to_str()
            .expect("ascii")
            .to_string();
        let events = sse_data(&response.text().await.expect("the whole stream"));
        assert_eq!(
            events.last().map(String::as_str),
            Some("[DONE]"),
            "{events:#?}"
        );
        let chunks: Vec<Value> = events[..events.len() - 1]
            .iter()
            .map(|e| serde_json::from_str(e).expect("each event is JSON"))
            .collect();
        let text: String = chunks
            .iter()
            .filter_map(|c| c["choices"][0]["delta"]["content"].as_str())
            .collect();
        assert_eq!(text, "Mock reply to: hello there");
        assert!(chunks
            .iter()
            .any(|c| c["choices"][0]["finish_reason"] == "stop"));
        assert!(chunks
            .last()
            .is_some_and(|c| c["usage"]["total_tokens"].as_u64() > Some(0)));
        // [DONE] came after the run was committed.
        let run = server.get(&format!("/v1/runs/{run_id}")).await;
        assert_eq!(run.status, 200, "{:#}", run.body);
        assert_eq!(run.body["output"]["content"], "Mock reply to: hello there");

        // Cut after some words: the client sees an error event, no [DONE].
        mock.push_fault(FaultRule::once(Fault::CutStream { after_chunks: 4 }));
        let response = app
            .post(server.url("/v1/chat/completions"))
            .json(&body)
            .send()
            .await
            .expect("the stream starts");
        let run_id = response.headers()["airlock-run-id"]
            .to_str()
            .expect("ascii")
            .to_string();
        let events = sse_data(&response.text().await.expect("the stream ends"));
        assert!(!events.iter().any(|e| e == "[DONE]"), "{events:#?}");
        let last: Value = serde_json::from_str(events.last().expect("events")).expect("JSON");
        assert_eq!(last["error"]["type"], "server_error", "{last:#}");
        let run = server.get(&format!("/v1/runs/{run_id}")).await;
        assert_eq!(run.body["status"], "failed", "{:#}", run.body);

        // A stream that stalls ends within the total timeout, as an error.
        mock.push_fault(FaultRule::once(Fault::StallStream { after_chunks: 3 }));
        let response = app
            .post(server.url("/v1/chat/completions"))
            .json(&body)
            .send()
            .await
            .expect("the stream starts");
        let events = sse_data(&response.text().await.expect("the stream ends"));
        assert!(!events.iter().any(|e| e == "[DONE]"), "{events:#?}");
        let last: Value = serde_json::from_str(events.last().expect("events")).expect("JSON");
        assert_eq!(last["error"]["type"], "server_error", "{last:#}");
        server.stop().await;
    });
}

#[test]
fn confidential_data_never_reaches_a_provider_not_allowed_it() {
    run_on_each_database("gateway_data_residency", |db| async move {
        let mock = MockProvider::start().await;
        let config = provider("hosted", &mock, "")
            + &route(
                "chat",
                "chat",
                &[("hosted", "m")],
                "data_class = \"internal\"",
            );
        let server = TestServer::start_with_gateway(&db, &config).await;
        let app = client_with_key(&server.key_for("crm", Role::App).await);
        let answer = read(
            app.post(server.url("/v1/chat/completions"))
                .header("Airlock-Data-Class", "confidential")
                .json(&hello("chat")),
        )
        .await;
        assert_openai_error(&answer, 403, "permission_error");
        assert_eq!(mock.request_count(), 0, "nothing was sent to the provider");
        // Lowering the class below the route's does not open the way
        // wider: `public` is raised to the route's `internal`.
        let answer = read(
            app.post(server.url("/v1/chat/completions"))
                .header("Airlock-Data-Class", "public")
                .json(&hello("chat")),
        )
        .await;
        assert_eq!(answer.status, 200, "{:#}", answer.body);
        server.stop().await;
    });
}

#[test]
fn a_route_no_provider_may_serve_is_a_config_error() {
    let config = "[[providers]]\nname = \"hosted\"\nkind = \"openai\"\nbase_url = \"https://api.example.com/v1\"\n\
                  data_classes = [\"public\"]\n\
                  [[routes]]\nname = \"secret-chat\"\ndata_class = \"confidential\"\ntargets = [{ provider = \"hosted\" }, { provider = \"nowhere\" }]\n";
    let err = airlock_config::Settings::from_toml(config, &Default::default(), "test.toml")
        .expect_err("no provider may receive confidential data");
    let message = err.to_string();
    assert!(
        message.contains("may receive confidential data"),
        "{message}"
    );
    assert!(
        message.contains("\"nowhere\" is not configured"),
        "{message}"
    );
}

#[test]
fn budgets_refuse_once_spent_and_never_overspend_under_concurrency() {
    run_on_each_database("gateway_budgets", |db| async move {
        let mock = MockProvider::start().await;
        // $1 per output token: a call is held at 16 tokens ($16) and
        // costs 5 ($5, the mock's reply has five words).
        let config = provider("mock", &mock, "")
            + "[[routes]]\nname = \"dear\"\ntargets = [{ provider = \"mock\", model = \"m\", output_price = 1000000.0 }]\n\
               [[budgets]]\nkey = \"spender\"\nlimit_usd = 40.0\nwindow = \"1d\"\n\
               [[budgets]]\nkey = \"crowd\"\nlimit_usd = 40.0\nwindow = \"1d\"\n";
        let server = TestServer::start_with_gateway(&db, &config).await;
        let spender = client_with_key(&server.key_for("spender", Role::App).await);
        let mut ok = 0;
        let refused = loop {
            let answer = chat(&server, &spender, &hello("dear")).await;
            if answer.status != 200 {
                break answer;
            }
            ok += 1;
            assert!(ok < 10, "the budget must run out");
        };
        assert_eq!(
            ok, 5,
            "5 × $5 spent, a sixth could cost $16 more than the $15 left"
        );
        assert_openai_error(&refused, 429, "insufficient_quota");
        assert_eq!(refused.body["error"]["code"], "budget_exceeded");
        assert!(refused.body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("spender"));
        // The window is a day: the wait is the rest of it, in seconds.
        let wait: u64 = refused.headers["retry-after"]
            .to_str()
            .expect("ascii")
            .parse()
            .expect("whole seconds");
        assert!((1..=86_400).contains(&wait), "{wait}");

        // Twenty calls at once on a fresh $40 budget: however they
        // interleave, what is spent never passes the limit, and what is
        // spent is exactly what the answered calls cost.
        let crowd = client_with_key(&server.key_for("crowd", Role::App).await);
        let calls = (0..20).map(|_| {
            let client = crowd.clone();
            let url = server.url("/v1/chat/completions");
            async move { read(client.post(url).json(&hello("dear"))).await }
        });
        let answers = futures_util::future::join_all(calls).await;
        let answered = answers.iter().filter(|a| a.status == 200).count() as u64;
        let refused = answers.iter().filter(|a| a.status == 429).count();
        assert!(answered >= 1, "some calls fit");
        assert_eq!(
            answered as usize + refused,
            20,
            "every call is answered or refused"
        );
        let usage = server.get("/v1/usage?group=key").await;
        let crowd_id = usage.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|i| i["cost_micro_usd"] == answered * 5_000_000)
            .count();
        assert!(
            crowd_id >= 1,
            "the crowd's key spent exactly its answered calls: {:#}",
            usage.body
        );
        assert!(
            answered <= 5,
            "never past the limit: {answered} calls held at $16 and costing $5 each"
        );
        server.stop().await;
    });
}

#[test]
fn errors_come_in_the_openai_shape() {
    run_on_each_database("gateway_errors", |db| async move {
        let mock = MockProvider::start().await;
        let config = provider("mock", &mock, "")
            + &route("mock-chat", "chat", &[("mock", "gpt-mock")], "")
            + &route("mock-embed", "embedding", &[("mock", "e")], "");
        let server = TestServer::start_with_gateway(&db, &config).await;
        let app = client_with_key(&server.key_for("crm", Role::App).await);

        let answer = chat(&server, &app, &hello("no-such-model")).await;
        assert_openai_error(&answer, 404, "invalid_request_error");
        assert_eq!(answer.body["error"]["code"], "model_not_found");
        assert_eq!(answer.body["error"]["param"], "model");

        let answer = chat(&server, &client_with_key("al_bad_key"), &hello("mock-chat")).await;
        assert_openai_error(&answer, 401, "invalid_request_error");
        assert_eq!(answer.body["error"]["code"], "invalid_api_key");

        let reviewer = server.client_for("rita").await;
        let answer = chat(&server, &reviewer, &hello("mock-chat")).await;
        assert_openai_error(&answer, 403, "permission_error");

        let answer = chat(&server, &app, &json!({"model": "mock-chat"})).await;
        assert_openai_error(&answer, 400, "invalid_request_error");
        assert_eq!(answer.body["error"]["param"], "messages");

        let answer = chat(&server, &app, &hello("mock-embed")).await;
        assert_openai_error(&answer, 400, "invalid_request_error");

        let answer = read(
            app.post(server.url("/v1/chat/completions"))
                .header("content-type", "application/json")
                .body("{not json"),
        )
        .await;
        assert_openai_error(&answer, 400, "invalid_request_error");
        assert_eq!(
            mock.request_count(),
            0,
            "no bad request reached the provider"
        );
        server.stop().await;
    });
}

#[test]
fn past_max_in_flight_calls_are_shed_with_503_and_retry_after_while_health_still_answers() {
    run_on_each_database("gateway_max_in_flight_sheds", |db| async move {
        let mock = MockProvider::start().await;
        let config =
            provider("mock", &mock, "") + &route("mock-chat", "chat", &[("mock", "gpt-mock")], "");
        let options = airlock_server::ServerOptions {
            max_in_flight: 2,
            ..airlock_server::ServerOptions::default()
        };
        let server = TestServer::start_with_gateway_and(&db, &config, options).await;
        let app = client_with_key(&server.key_for("crm", Role::App).await);
        // Two slow calls take both slots.
        mock.set_default_fault(Some(Fault::Latency { ms: 1_500 }));
        let url = server.url("/v1/chat/completions");
        let slow: Vec<_> = (0..2)
            .map(|_| tokio::spawn(read(app.post(&url).json(&hello("mock-chat")))))
            .collect();
        for _ in 0..500 {
            if mock.request_count() >= 2 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert_eq!(
            mock.request_count(),
            2,
            "both slow calls reached the provider"
        );

        let shed = chat(&server, &app, &hello("mock-chat")).await;
        assert_openai_error(&shed, 503, "server_error");
        assert_eq!(shed.headers["retry-after"], "1");
        assert!(
            shed.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("limit of 2 requests at once"),
            "{:#}",
            shed.body
        );
        assert_eq!(
            mock.request_count(),
            2,
            "a shed call never reaches the provider"
        );
        assert_eq!(
            server.get("/healthz").await.status,
            200,
            "health is never shed"
        );
        let metrics = server.get("/metrics").await;
        assert_eq!(metrics.status, 200, "metrics are never shed");
        assert!(
            metrics
                .body
                .as_str()
                .is_some_and(|m| m.contains("airlock_http_requests_shed_total")),
            "the shed call is counted"
        );

        for call in slow {
            let answer = call.await.unwrap();
            assert_eq!(
                answer.status, 200,
                "admitted calls complete: {:#}",
                answer.body
            );
        }
        mock.set_default_fault(None);
        let after = chat(&server, &app, &hello("mock-chat")).await;
        assert_eq!(
            after.status, 200,
            "freed slots admit again: {:#}",
            after.body
        );
        server.stop().await;
        mock.shutdown().await;
    });
}

#[test]
fn a_call_past_the_request_timeout_is_a_504_in_the_openai_shape() {
    run_on_each_database("gateway_request_timeout_openai_shape", |db| async move {
        let mock = MockProvider::start().await;
        let config =
            provider("mock", &mock, "") + &route("mock-chat", "chat", &[("mock", "gpt-mock")], "");
        let options = airlock_server::ServerOptions {
            request_timeout: std::time::Duration::from_millis(300),
            ..airlock_server::ServerOptions::default()
        };
        let server = TestServer::start_with_gateway_and(&db, &config, options).await;
        let app = client_with_key(&server.key_for("crm", Role::App).await);
        mock.set_default_fault(Some(Fault::Latency { ms: 1_500 }));
        let late = chat(&server, &app, &hello("mock-chat")).await;
        assert_openai_error(&late, 504, "server_error");
        assert_eq!(late.body["error"]["code"], "timeout", "{:#}", late.body);
        mock.set_default_fault(None);
        server.stop().await;
        mock.shutdown().await;
    });
}
