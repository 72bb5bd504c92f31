//! API keys on SQLite and PostgreSQL: round trips, revocation, id clashes,
//! the first-start admin key (also raced from two stores on one database)
//! and the audit record every key change commits with.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;

use airlock_core::{
    ApiKeyRecord, AuditEvent, AuditEventKind, ErrorKind, Role, Timestamp, WorkflowGrant,
};
use airlock_store::{AuditFilter, AuditStore, KeyStore, Store};
use common::{assert_chain_ok, with_database, with_store, TestDatabase};
use serde_json::json;
use tokio::sync::Barrier;

fn at(ms: i64) -> Timestamp {
    Timestamp::from_unix_ms(ms).expect("test timestamps are in range")
}

/// A key with every optional field empty.
fn key(id: &str, role: Role, created_at_ms: i64) -> ApiKeyRecord {
    ApiKeyRecord {
        id: id.to_string(),
        name: format!("holder of {id}"),
        role,
        workflows: WorkflowGrant::All,
        secret_sha256: format!("{:0>64}", id.len()),
        created_at: at(created_at_ms),
        created_by: "bootstrap".into(),
        expires_at: None,
        revoked_at: None,
        revoked_by: None,
    }
}

fn created(key: &ApiKeyRecord) -> AuditEvent {
    AuditEvent::new(
        AuditEventKind::KeyCreated,
        key.created_by.clone(),
        format!("key:{}", key.id),
        json!({"name": key.name, "role": key.role}),
    )
    .at(key.created_at)
}

fn revoked(id: &str, by: &str, when: Timestamp) -> AuditEvent {
    AuditEvent::new(
        AuditEventKind::KeyRevoked,
        by,
        format!("key:{id}"),
        json!({}),
    )
    .at(when)
}

/// The subjects of every record of `event`, oldest first.
async fn subjects_of(store: &Store, event: AuditEventKind) -> Vec<String> {
    let page = store
        .list_audit(&AuditFilter {
            event: Some(event.as_str().to_string()),
            limit: Some(500),
            ..AuditFilter::default()
        })
        .await
        .expect("list audit");
    page.items.into_iter().map(|r| r.subject).collect()
}

#[test]
fn keys_round_trip_every_field_newest_first() {
    with_store(
        "keys_round_trip_every_field_newest_first",
        |store: Store| async move {
            let admin = key("ak_admin0001", Role::Admin, 1_714_000_000_001);
            let mut reviewer = key("ak_review002", Role::Reviewer, 1_714_000_000_500);
            reviewer.workflows = WorkflowGrant::Only(BTreeSet::from([
                "support-triage".to_string(),
                "refunds".to_string(),
            ]));
            reviewer.expires_at = Some(at(1_800_000_000_123));
            reviewer.created_by = "key:ak_admin0001 (ops, admin)".into();
            let mut app = key("ak_app000003", Role::App, 1_714_000_000_250);
            app.workflows = WorkflowGrant::Only(BTreeSet::new());

            for k in [&admin, &reviewer, &app] {
                store
                    .insert_key(k.clone(), created(k))
                    .await
                    .expect("insert key");
            }
            for k in [&admin, &reviewer, &app] {
                let stored = store.get_key(&k.id).await.expect("get key");
                assert_eq!(stored.as_ref(), Some(k), "every field round-trips");
            }
            assert_eq!(store.get_key("ak_missing").await.expect("get"), None);
            let listed = store.list_keys().await.expect("list keys");
            assert_eq!(listed, vec![reviewer.clone(), app.clone(), admin.clone()]);

            assert_eq!(
                subjects_of(&store, AuditEventKind::KeyCreated).await,
                vec!["key:ak_admin0001", "key:ak_review002", "key:ak_app000003"]
            );
            assert_chain_ok(&store, 3).await;
        },
    );
}

#[test]
fn a_key_is_revoked_once_and_the_second_revoke_names_who_and_when() {
    with_store(
        "a_key_is_revoked_once_and_the_second_revoke_names_who_and_when",
        |store: Store| async move {
            let k = key("ak_dev000001", Role::Developer, 1_714_000_000_000);
            store
                .insert_key(k.clone(), created(&k))
                .await
                .expect("insert");
            let when = at(1_714_100_000_042);
            let by = "key:ak_admin0001 (ops, admin)";
            let after = store
                .revoke_key(&k.id, when, by, revoked(&k.id, by, when))
                .await
                .expect("revoke");
            let expected = ApiKeyRecord {
                revoked_at: Some(when),
                revoked_by: Some(by.to_string()),
                ..k.clone()
            };
            assert_eq!(after, expected);
            assert_eq!(store.get_key(&k.id).await.expect("get"), Some(expected));

            let later = at(1_714_200_000_000);
            let err = store
                .revoke_key(
                    &k.id,
                    later,
                    "someone-else",
                    revoked(&k.id, "someone-else", later),
                )
                .await
                .expect_err("second revoke");
            assert_eq!(err.kind(), ErrorKind::Conflict, "{err}");
            let message = err.to_string();
            assert!(message.contains(by), "names who revoked it: {message}");
            assert!(
                message.contains(&when.to_string()),
                "names when it was revoked: {message}"
            );
            // The first revocation stands.
            assert_eq!(
                store
                    .get_key(&k.id)
                    .await
                    .expect("get")
                    .and_then(|k| k.revoked_by),
                Some(by.to_string())
            );

            let err = store
                .revoke_key("ak_nobody", later, by, revoked("ak_nobody", by, later))
                .await
                .expect_err("unknown key");
            assert_eq!((err.kind(), err.field()), (ErrorKind::NotFound, Some("id")));
            assert!(err.to_string().contains("ak_nobody"), "{err}");

            assert_eq!(
                subjects_of(&store, AuditEventKind::KeyRevoked).await,
                vec![format!("key:{}", k.id)],
                "only the revocation that happened is recorded"
            );
            let revocation = store
                .list_audit(&AuditFilter {
                    event: Some("key.revoked".into()),
                    ..AuditFilter::default()
                })
                .await
                .expect("list")
                .items
                .remove(0);
            assert_eq!((revocation.actor.as_str(), revocation.at), (by, when));
            assert_chain_ok(&store, 2).await;
        },
    );
}

#[test]
fn an_id_clash_is_a_conflict_and_records_nothing() {
    with_store(
        "an_id_clash_is_a_conflict_and_records_nothing",
        |store: Store| async move {
            let first = key("ak_same00001", Role::Auditor, 1_714_000_000_000);
            store
                .insert_key(first.clone(), created(&first))
                .await
                .expect("insert");
            let mut clash = key("ak_same00001", Role::Admin, 1_714_000_009_000);
            clash.name = "impostor".into();
            let err = store
                .insert_key(clash.clone(), created(&clash))
                .await
                .expect_err("id clash");
            assert_eq!(
                (err.kind(), err.field()),
                (ErrorKind::Conflict, Some("id")),
                "{err}"
            );
            assert!(err.to_string().contains("ak_same00001"), "{err}");

            assert_eq!(store.list_keys().await.expect("list"), vec![first]);
            assert_eq!(
                subjects_of(&store, AuditEventKind::KeyCreated).await.len(),
                1
            );
            assert_chain_ok(&store, 1).await;
        },
    );
}

#[test]
fn the_first_key_is_stored_only_into_an_empty_table() {
    with_store(
        "the_first_key_is_stored_only_into_an_empty_table",
        |store: Store| async move {
            let admin = key("ak_first0001", Role::Admin, 1_714_000_000_000);
            assert!(store
                .insert_first_key(admin.clone(), created(&admin))
                .await
                .expect("first key"));
            let second = key("ak_first0002", Role::Admin, 1_714_000_001_000);
            assert!(!store
                .insert_first_key(second.clone(), created(&second))
                .await
                .expect("second first key"));
            assert_eq!(store.get_key(&second.id).await.expect("get"), None);

            // A plain insert still works, and the table stays non-empty
            // even when every key in it is revoked.
            let dev = key("ak_dev000001", Role::Developer, 1_714_000_002_000);
            store
                .insert_key(dev.clone(), created(&dev))
                .await
                .expect("insert");
            let when = at(1_714_000_003_000);
            store
                .revoke_key(&admin.id, when, "ops", revoked(&admin.id, "ops", when))
                .await
                .expect("revoke");
            assert!(!store
                .insert_first_key(second.clone(), created(&second))
                .await
                .expect("first key after revocation"));

            assert_eq!(store.list_keys().await.expect("list").len(), 2);
            assert_eq!(
                subjects_of(&store, AuditEventKind::KeyCreated).await,
                vec!["key:ak_first0001", "key:ak_dev000001"]
            );
            assert_chain_ok(&store, 3).await;
        },
    );
}

#[test]
fn concurrent_first_keys_from_two_stores_store_exactly_one() {
    with_database(
        "concurrent_first_keys_from_two_stores_store_exactly_one",
        |db: TestDatabase| async move {
            let connect = |db: &TestDatabase| {
                let url = db.url.clone();
                async move {
                    Store::connect(&url, airlock_core::Durability::Fsync)
                        .await
                        .expect("connect")
                }
            };
            let stores = [connect(&db).await, connect(&db).await];
            const CALLS: usize = 16;
            // Every call starts at once, half on each store (two separate
            // connections sets, as two server processes would have).
            let start = Arc::new(Barrier::new(CALLS));
            let mut tasks = Vec::new();
            for i in 0..CALLS {
                let store = stores[i % 2].clone();
                let start = start.clone();
                tasks.push(tokio::spawn(async move {
                    let k = key(&format!("ak_race{i:05}"), Role::Admin, 1_714_000_000_000);
                    start.wait().await;
                    let stored = store
                        .insert_first_key(k.clone(), created(&k))
                        .await
                        .expect("insert first key");
                    (k.id, stored)
                }));
            }
            let mut winners = Vec::new();
            for task in tasks {
                let (id, stored) = task.await.expect("task");
                if stored {
                    winners.push(id);
                }
            }
            assert_eq!(winners.len(), 1, "exactly one caller stores: {winners:?}");
            for store in &stores {
                let keys = store.list_keys().await.expect("list");
                assert_eq!(
                    keys.iter().map(|k| k.id.clone()).collect::<Vec<_>>(),
                    winners,
                    "both stores see the one key"
                );
            }
            assert_eq!(
                subjects_of(&stores[0], AuditEventKind::KeyCreated).await,
                vec![format!("key:{}", winners[0])]
            );
            assert_chain_ok(&stores[1], 1).await;
            for store in stores {
                store.close().await;
            }
        },
    );
}
