//! An open-loop HTTP load generator (the `airlock-loadgen` binary).
//!
//! Request `i` is scheduled at `t0 + i / rate` and sent on its own task
//! however many are still in flight (past a cap they count as `dropped`).
//! Latency runs from the *scheduled* send time to the end of the response
//! body, so a slow server cannot hide its queueing (no coordinated
//! omission). Requests scheduled during the warm-up are sent but not
//! counted.

mod args;
mod driver;
mod recorder;
mod summary;

pub use args::{Args, Config};
pub use driver::run;
pub use summary::Summary;
