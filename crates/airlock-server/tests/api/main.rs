//! The HTTP API end to end: a real server on 127.0.0.1, called with
//! reqwest, over an engine with fake models and test workflows, on SQLite
//! and (with AIRLOCK_TEST_DATABASE_URL) PostgreSQL.

mod errors;
mod idempotency;
mod listing;
mod operations;
mod runs;
mod support;
