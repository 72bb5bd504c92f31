//! The HTTP API end to end: a real server on 127.0.0.1, called with
//! reqwest, over an engine with fake models and test workflows, on SQLite
//! and (with AIRLOCK_TEST_DATABASE_URL) PostgreSQL: runs, listing,
//! idempotency, errors, operations, the review queue, feedback, quality,
//! webhook deliveries, authentication and authorization, and dashboard
//! sessions.

mod auth;
mod errors;
mod feedback;
mod gateway;
mod idempotency;
mod listing;
mod operations;
mod quality;
mod reviews;
mod runs;
mod sessions;
mod support;
mod webhooks;
