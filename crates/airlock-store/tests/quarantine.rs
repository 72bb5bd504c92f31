//! Quarantined inputs on SQLite and PostgreSQL.

mod common;

use airlock_core::ErrorKind;
use airlock_store::{QuarantineFilter, QuarantineStore, Store};
use common::{quarantined, with_store};

#[test]
fn quarantine_insert_then_list_by_workflow_with_pages() {
    with_store(
        "quarantine_insert_then_list_by_workflow_with_pages",
        |store: Store| async move {
            let mut alpha = Vec::new();
            for i in 0..7 {
                let record = quarantined("alpha", &format!("message must be a string (#{i})"));
                alpha.push(record.clone());
                store.insert_quarantine(record).await.expect("insert");
            }
            store
                .insert_quarantine(quarantined("beta", "too long"))
                .await
                .expect("insert beta");

            let mut seen = Vec::new();
            let mut cursor = None;
            loop {
                let page = store
                    .list_quarantine(&QuarantineFilter {
                        workflow: Some("alpha".into()),
                        limit: Some(3),
                        cursor: cursor.clone(),
                        ..QuarantineFilter::default()
                    })
                    .await
                    .expect("list");
                seen.extend(page.items);
                match page.next_cursor {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
            alpha.sort_by_key(|r| std::cmp::Reverse(r.id));
            assert_eq!(
                seen, alpha,
                "every field round-trips, newest first, no gaps"
            );

            let everything = store
                .list_quarantine(&QuarantineFilter::default())
                .await
                .expect("list all");
            assert_eq!(everything.items.len(), 8);
            assert_eq!(everything.next_cursor, None);

            let err = store
                .list_quarantine(&QuarantineFilter {
                    cursor: Some("x".into()),
                    ..Default::default()
                })
                .await
                .expect_err("bad cursor");
            assert_eq!(err.kind(), ErrorKind::InvalidInput);
        },
    );
}
