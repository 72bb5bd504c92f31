//! The official `openai` Python package calls `airlock serve` unchanged,
//! on both databases, on a server with model routes and no workflows:
//! chat (plain and streaming) and embeddings through a hosted route whose
//! upstream is the mock provider (a real HTTP server, in this process)
//! and through the local models; its error types come out right for a bad
//! model, a bad key, a cut stream and a failing provider
//! (`tests/python/openai_sdk_check.py`).
//!
//! Needs a Python with `openai` installed: `AIRLOCK_OPENAI_PYTHON` names it
//! (`.ci/run` makes a virtualenv), else `python3`. Without it the test says
//! it is skipped, unless `AIRLOCK_REQUIRE_OPENAI_SDK=1`. The local routes
//! are checked when the models are installed (required with
//! `AIRLOCK_REQUIRE_MODELS=1`).

mod server_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use airlock_mock_provider::MockProvider;
use airlock_testkit::run_on_each_database;
use server_support::{issue_key, store_flags, Server};

const MOCK_KEY: &str = "sk-mock-upstream";

fn python() -> String {
    std::env::var("AIRLOCK_OPENAI_PYTHON").unwrap_or_else(|_| "python3".to_string())
}

fn sdk_missing() -> Option<String> {
    let out = Command::new(python())
        .args(["-c", "import openai"])
        .output();
    match out {
        Ok(o) if o.status.success() => None,
        _ => Some(format!(
            "{} cannot import openai (set AIRLOCK_OPENAI_PYTHON to a Python with `pip install openai`)",
            python()
        )),
    }
}

fn models_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("AIRLOCK_MODELS_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../airlock-data/models"));
    let installed = dir.join("all-minilm-l6-v2/model.safetensors").is_file()
        && dir
            .join(airlock_config::settings::GENERATOR_MODEL_FILE)
            .is_file();
    if installed {
        return Some(dir);
    }
    if std::env::var("AIRLOCK_REQUIRE_MODELS").as_deref() == Ok("1") {
        panic!(
            "AIRLOCK_REQUIRE_MODELS=1 but the models are not in {}",
            dir.display()
        );
    }
    eprintln!("openai_sdk: models not installed; the local routes are not checked");
    None
}

fn config(mock: &MockProvider, local: bool) -> String {
    let mut text = format!(
        "[[providers]]\nname = \"mock\"\nkind = \"openai\"\nbase_url = \"{}\"\napi_key_env = \"MOCK_API_KEY\"\n\
         data_classes = [\"public\", \"internal\"]\nmax_retries = 1\nretry_backoff = \"10ms\"\n\
         first_token_timeout = \"5s\"\ntotal_timeout = \"10s\"\n\
         [[routes]]\nname = \"mock-chat\"\ntargets = [{{ provider = \"mock\", model = \"gpt-4o-mini\", input_price = 0.15, output_price = 0.6 }}]\n\
         [[routes]]\nname = \"mock-embed\"\nkind = \"embedding\"\ntargets = [{{ provider = \"mock\", model = \"text-embedding-3-small\", input_price = 0.02 }}]\n",
        mock.openai_base_url()
    );
    if local {
        text.push_str(
            "[[routes]]\nname = \"local-chat\"\ndata_class = \"confidential\"\ntargets = [{ provider = \"local\" }]\n\
             [[routes]]\nname = \"local-embed\"\nkind = \"embedding\"\ntargets = [{ provider = \"local\" }]\n",
        );
    }
    text
}

#[test]
fn the_openai_python_sdk_works_against_airlock() {
    if let Some(why) = sdk_missing() {
        if std::env::var("AIRLOCK_REQUIRE_OPENAI_SDK").as_deref() == Ok("1") {
            panic!("AIRLOCK_REQUIRE_OPENAI_SDK=1 but {why}");
        }
        eprintln!("skipped: {why}");
        return;
    }
    let models = models_dir();
    run_on_each_database("the_openai_python_sdk_works_against_airlock", move |db| {
        let models = models.clone();
        async move {
            let mock = MockProvider::builder().api_key(MOCK_KEY).start().await;
            let dir = tempfile::tempdir().expect("tempdir");
            // No workflows: a server that only routes model calls.
            let workflows = dir.path().join("workflows");
            std::fs::create_dir_all(&workflows).expect("create the workflows dir");
            let config_path = dir.path().join("airlock.toml");
            std::fs::write(&config_path, config(&mock, models.is_some())).expect("write config");
            let mut flags = vec!["--config".to_string(), config_path.display().to_string()];
            flags.extend(store_flags(&workflows, &dir.path().join("data"), &db.url));
            if let Some(models) = &models {
                flags.extend(["--models-dir".to_string(), models.display().to_string()]);
            }
            let args: Vec<&str> = flags.iter().map(String::as_str).collect();
            let server = Server::start(&args, &[("MOCK_API_KEY", MOCK_KEY)]);
            let key = issue_key(&server, "app", "sdk-app").await;

            let script =
                Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/openai_sdk_check.py");
            let (base, mock_url, local) = (
                server.url("/v1"),
                mock.url(),
                if models.is_some() { "1" } else { "0" },
            );
            let out = tokio::task::spawn_blocking(move || {
                Command::new(python())
                    .arg(script)
                    .env("AIRLOCK_BASE_URL", base)
                    .env("AIRLOCK_KEY", key)
                    .env("MOCK_URL", mock_url)
                    .env("LOCAL", local)
                    .output()
                    .expect("run the SDK check")
            })
            .await
            .expect("the SDK check ran");
            let stdout = String::from_utf8_lossy(&out.stdout);
            eprintln!("{stdout}");
            assert!(
                out.status.success(),
                "the openai SDK checks failed:\n{stdout}\n{}\nserver log:\n{}",
                String::from_utf8_lossy(&out.stderr),
                server.log()
            );
            assert!(
                mock.requests().iter().all(|r| r.authorized),
                "every upstream call carried the provider key"
            );
        }
    });
}
