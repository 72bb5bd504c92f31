//! Writes rows straight into a test database with SQL, for the outbox and
//! quality tests: webhook deliveries (which the store only enqueues inside
//! review transactions) and review tasks in any state with chosen times.
//! Values are the tests' own, so they are written into the SQL as literals.

#![allow(dead_code)]

use std::str::FromStr;
use std::time::Duration;

use airlock_core::{DeliveryRecord, ReviewAction, ReviewState, RunId};
use airlock_testkit::{TestBackend, TestDatabase};
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};

/// A connection of its own to the test's database.
pub enum Seeder {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

/// A review task row with the columns quality reads.
pub struct TaskRow<'a> {
    pub run_id: RunId,
    pub workflow: &'a str,
    pub version: &'a str,
    pub created_at_ms: i64,
    pub due_at_ms: i64,
    pub suggested_label: Option<&'a str>,
    pub state: ReviewState,
    pub action: Option<ReviewAction>,
    pub resolved_label: Option<&'a str>,
    pub resolved_at_ms: Option<i64>,
}

impl Seeder {
    pub async fn connect(db: &TestDatabase) -> Seeder {
        match db.backend {
            TestBackend::Sqlite => {
                let conn = SqliteConnectOptions::from_str(&db.url)
                    .expect("sqlite url")
                    .busy_timeout(Duration::from_secs(10))
                    .connect()
                    .await
                    .expect("seed connection to sqlite");
                Seeder::Sqlite(conn)
            }
            TestBackend::Postgres => {
                let conn = PgConnectOptions::from_str(&db.url)
                    .expect("postgres url")
                    .connect()
                    .await
                    .expect("seed connection to postgres");
                Seeder::Postgres(conn)
            }
        }
    }

    pub async fn close(self) {
        match self {
            Seeder::Sqlite(conn) => conn.close().await.expect("close"),
            Seeder::Postgres(conn) => conn.close().await.expect("close"),
        }
    }

    async fn execute(&mut self, sql: &str) {
        let result = match self {
            Seeder::Sqlite(conn) => sqlx::query(sql).execute(&mut *conn).await.map(drop),
            Seeder::Postgres(conn) => sqlx::query(sql).execute(&mut *conn).await.map(drop),
        };
        result.unwrap_or_else(|e| panic!("seed SQL failed: {e}\n{sql}"));
    }

    /// A time column's name (SQLite stores `<name>_ms`).
    fn column(&self, name: &str) -> String {
        match self {
            Seeder::Sqlite(_) => format!("{name}_ms"),
            Seeder::Postgres(_) => name.to_string(),
        }
    }

    /// A time value in the column's type.
    fn at(&self, ms: Option<i64>) -> String {
        match (self, ms) {
            (_, None) => "NULL".into(),
            (Seeder::Sqlite(_), Some(ms)) => ms.to_string(),
            (Seeder::Postgres(_), Some(ms)) => {
                format!("TIMESTAMPTZ 'epoch' + {ms} * INTERVAL '1 millisecond'")
            }
        }
    }

    pub async fn delivery(&mut self, d: &DeliveryRecord) {
        let sql = format!(
            "INSERT INTO webhook_deliveries (id, event_id, event, endpoint, url, payload, status, \
             attempts, {next}, {created}, {delivered}, last_error) VALUES ({}, {}, {}, {}, {}, \
             {}, {}, {}, {}, {}, {}, {})",
            text(&d.id.to_string()),
            text(&d.event_id.to_string()),
            text(d.event.as_str()),
            text(&d.endpoint),
            text(&d.url),
            text(&d.payload.to_string()),
            text(d.status.as_str()),
            d.attempts,
            self.at(Some(d.next_attempt_at.unix_ms())),
            self.at(Some(d.created_at.unix_ms())),
            self.at(d.delivered_at.map(|t| t.unix_ms())),
            optional_text(d.last_error.as_deref()),
            next = self.column("next_attempt_at"),
            created = self.column("created_at"),
            delivered = self.column("delivered_at"),
        );
        self.execute(&sql).await;
    }

    pub async fn review_task(&mut self, t: &TaskRow<'_>) {
        let sql = format!(
            "INSERT INTO review_tasks (id, run_id, workflow, workflow_version, priority, \
             {created}, {due}, suggestion, suggested_label, required_reviews, state, \
             resolved_action, resolved_label, {resolved}) VALUES ({}, {}, {}, {}, 0, {}, {}, \
             '{{}}', {}, 1, {}, {}, {}, {})",
            text(&airlock_core::ReviewId::new().to_string()),
            text(&t.run_id.to_string()),
            text(t.workflow),
            text(t.version),
            self.at(Some(t.created_at_ms)),
            self.at(Some(t.due_at_ms)),
            optional_text(t.suggested_label),
            text(t.state.as_str()),
            optional_text(t.action.map(|a| a.as_str())),
            optional_text(t.resolved_label),
            self.at(t.resolved_at_ms),
            created = self.column("created_at"),
            due = self.column("due_at"),
            resolved = self.column("resolved_at"),
        );
        self.execute(&sql).await;
    }
}

fn text(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

fn optional_text(value: Option<&str>) -> String {
    value.map(text).unwrap_or_else(|| "NULL".into())
}
