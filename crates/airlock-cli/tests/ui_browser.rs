//! The dashboard end to end in real headless Chromium, on both databases:
//! this test starts `airlock serve` with the rule-only `refunds` workflow,
//! issues a reviewer, an owner (developer) and an auditor key, sends runs
//! that go to review, then runs `browser/e2e.mjs` (playwright-core) which
//! signs in, resolves a task by override, sees the run's final output
//! change and the quality numbers move, is refused the audit page as a
//! reviewer, is refused a POST without the CSRF token, verifies the audit
//! chain as an auditor and checks the pages on a narrow screen.
//!
//! Needs Node.js, `npm ci` in `tests/browser/` and Debian's `chromium`
//! (`.ci/run` installs them). Without them the test says it is skipped,
//! unless `AIRLOCK_REQUIRE_BROWSER=1` makes that a failure.
//! `AIRLOCK_UI_SCREENSHOTS=<dir>` also writes the screenshots `docs/` shows.

mod server_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use airlock_testkit::run_on_each_database;
use serde_json::json;
use server_support::{admin_client, issue_key, post, store_flags, write_rule_workflow, Server};

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

/// Why the browser test cannot run here, if it cannot.
fn missing_tools() -> Option<String> {
    let node = Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        return Some("node is not installed".into());
    }
    if !browser_dir().join("node_modules/playwright-core").is_dir() {
        return Some(format!(
            "playwright-core is not installed (run `npm ci --prefix {}`)",
            browser_dir().display()
        ));
    }
    if !chromium().exists() {
        return Some(format!(
            "{} is missing (apt-get install chromium)",
            chromium().display()
        ));
    }
    None
}

#[test]
fn the_dashboard_works_end_to_end_in_chromium() {
    if let Some(why) = missing_tools() {
        if std::env::var("AIRLOCK_REQUIRE_BROWSER").as_deref() == Ok("1") {
            panic!("AIRLOCK_REQUIRE_BROWSER=1 but {why}");
        }
        eprintln!("skipped: {why}");
        return;
    }
    run_on_each_database(
        "the_dashboard_works_end_to_end_in_chromium",
        |db| async move {
            let dir = tempfile::tempdir().expect("tempdir");
            let workflows = write_rule_workflow(&dir.path().join("workflows"));
            let flags = store_flags(&workflows, &dir.path().join("data"), &db.url);
            let args: Vec<&str> = flags.iter().map(String::as_str).collect();
            let server = Server::start(&args, &[]);

            let reviewer = issue_key(&server, "reviewer", "rita").await;
            let owner = issue_key(&server, "developer", "olga").await;
            let auditor = issue_key(&server, "auditor", "audrey").await;
            let admin = admin_client();
            let mut reviews = Vec::new();
            for (order, amount) in [("R-1", 500), ("R-2", 750), ("R-3", 40), ("R-4", 900)] {
                let (status, run) = post(
                    &admin,
                    &server.url("/v1/workflows/refunds/runs"),
                    &json!({"order": order, "amount": amount}),
                    None,
                )
                .await;
                assert_eq!(status, 200, "{run}");
                if let Some(review) = run["review_id"].as_str() {
                    reviews.push((
                        run["run_id"].as_str().expect("run id").to_string(),
                        review.to_string(),
                    ));
                }
            }
            assert_eq!(reviews.len(), 3, "three large refunds go to review");

            // Secure cookies are accepted over plain HTTP on `localhost` only.
            let url = server.url("").replace("127.0.0.1", "localhost");
            let mut command = Command::new("node");
            command
                .arg(browser_dir().join("e2e.mjs"))
                .current_dir(browser_dir())
                .env("AIRLOCK_URL", &url)
                .env("REVIEWER_KEY", &reviewer)
                .env("OWNER_KEY", &owner)
                .env("AUDITOR_KEY", &auditor)
                .env("RUN_ID", &reviews[0].0)
                .env("REVIEW_ID", &reviews[0].1)
                .env("OTHER_REVIEW_ID", &reviews[1].1)
                .env("CHROMIUM", chromium());
            match std::env::var_os("AIRLOCK_UI_SCREENSHOTS") {
                Some(shots) if db.url.starts_with("sqlite") => {
                    command.env("SCREENSHOT_DIR", shots);
                }
                _ => {}
            }
            let out = tokio::task::spawn_blocking(move || command.output())
                .await
                .expect("join")
                .expect("run node");
            let stdout = String::from_utf8_lossy(&out.stdout);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                out.status.success(),
                "the browser test failed ({}):\n{stdout}\n{stderr}\nserver log:\n{}",
                out.status,
                server.log()
            );
            assert!(stdout.contains("all expectations met"), "{stdout}");

            // What the browser did is what the API now says.
            let (status, run) =
                server_support::get(&admin, &server.url(&format!("/v1/runs/{}", reviews[0].0)))
                    .await;
            assert_eq!(status, 200);
            assert_eq!(
                run["final_output"]["note"], "approved by the reviewer",
                "{run}"
            );
            assert_eq!(run["review"]["action"], "override", "{run}");
            server.kill();
        },
    );
}
