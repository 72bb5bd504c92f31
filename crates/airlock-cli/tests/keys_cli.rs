//! `airlock keys` through the real binary, on SQLite and PostgreSQL: a key
//! made on the command line with a workflow grant and an expiry works
//! against a running server for exactly its workflows; listing shows it
//! without its secret; revoking it from the command line refuses its next
//! request at once; bad roles, unknown workflows and bad expiries are
//! refused naming what is wrong, and create nothing.

mod server_support;

use airlock_testkit::run_on_each_database;
use serde_json::{json, Value};
use server_support::{
    airlock_with, client_with_key, get, post, stderr_of as stderr, store_flags, succeeded,
    write_rule_workflow, Server,
};
use std::process::Output;

fn airlock(flags: &[String], args: &[&str]) -> Output {
    airlock_with(flags, args, &[])
}

#[test]
fn keys_made_on_the_command_line_work_for_their_grant_until_revoked() {
    run_on_each_database(
        "keys_made_on_the_command_line_work_for_their_grant_until_revoked",
        |db| async move {
            let dir = tempfile::tempdir().expect("tempdir");
            let workflows = write_rule_workflow(&dir.path().join("workflows"));
            // A second workflow the key is not granted.
            let other = workflows.join("payouts");
            std::fs::create_dir_all(&other).expect("mkdir");
            for entry in std::fs::read_dir(workflows.join("refunds")).expect("read") {
                let path = entry.expect("entry").path();
                let text = std::fs::read_to_string(&path).expect("read file");
                let name = path.file_name().expect("name");
                std::fs::write(
                    other.join(name),
                    text.replace("name = \"refunds\"", "name = \"payouts\""),
                )
                .expect("write file");
            }
            let flags = store_flags(&workflows, &dir.path().join("data"), &db.url);

            // Refused, naming the problem, and nothing is created.
            for (args, named) in [
                (vec!["--role", "wizard"], "wizard"),
                (vec!["--role", "app", "--workflows", "refunds,nope"], "nope"),
                (
                    vec!["--role", "app", "--expires", "soon"],
                    "--expires `soon`",
                ),
            ] {
                let out = airlock(&flags, &[&["keys", "create"][..], &args].concat());
                assert_eq!(out.status.code(), Some(65), "{args:?}: {}", stderr(&out));
                assert!(stderr(&out).contains(named), "{args:?}: {}", stderr(&out));
                assert!(out.stdout.is_empty(), "no key printed for {args:?}");
            }
            assert_eq!(succeeded(&airlock(&flags, &["keys", "list", "--json"])), "");

            let created: Value = serde_json::from_str(&succeeded(&airlock(
                &flags,
                &[
                    "keys",
                    "create",
                    "--role",
                    "app",
                    "--name",
                    "crm",
                    "--workflows",
                    "refunds",
                    "--expires",
                    "90d",
                    "--json",
                ],
            )))
            .expect("JSON key");
            let key = created["key"].as_str().expect("the key").to_string();
            let id = created["id"].as_str().expect("id").to_string();
            assert!(key.starts_with(&format!("alk_{id}_")), "{created}");
            assert_eq!(created["workflows"], json!(["refunds"]), "{created}");
            assert!(created["expires_at"].is_string(), "{created}");

            let listed = succeeded(&airlock(&flags, &["keys", "list", "--json"]));
            assert!(!listed.contains(&key), "listing never shows a secret");
            let crm: Value = serde_json::from_str(listed.trim()).expect("one key");
            assert_eq!(
                (&crm["id"], &crm["name"], &crm["role"], &crm["status"]),
                (&json!(id), &json!("crm"), &json!("app"), &json!("active"))
            );

            let server = Server::start(&flags.iter().map(String::as_str).collect::<Vec<_>>(), &[]);
            let client = client_with_key(&key);
            let body = json!({"order": "K-1", "amount": 5});
            let (status, run) = post(
                &client,
                &server.url("/v1/workflows/refunds/runs"),
                &body,
                None,
            )
            .await;
            assert_eq!(status, 200, "{run}");
            let (status, denied) = post(
                &client,
                &server.url("/v1/workflows/payouts/runs"),
                &body,
                None,
            )
            .await;
            assert_eq!(status, 403, "not granted: {denied}");
            let (status, me) = get(&client, &server.url("/v1/me")).await;
            assert_eq!(status, 200, "{me}");
            assert_eq!(me["name"], "crm");

            let revoked = succeeded(&airlock(&flags, &["keys", "revoke", &id]));
            assert!(revoked.contains(&format!("revoked {id}")), "{revoked}");
            let (status, refused) = get(&client, &server.url("/v1/me")).await;
            assert_eq!(status, 401, "revoked from the next request on: {refused}");
            let status_now: Value = serde_json::from_str(
                succeeded(&airlock(&flags, &["keys", "list", "--json"]))
                    .lines()
                    .find(|l| l.contains(&id))
                    .expect("still listed"),
            )
            .expect("JSON");
            assert_eq!(status_now["status"], "revoked");
            let (status, log) = server.terminate();
            assert!(status.success(), "{log}");
            assert!(!log.contains(&key), "the server never logs a key");
        },
    );
}
