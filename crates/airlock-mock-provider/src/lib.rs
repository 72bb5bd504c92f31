//! A real HTTP mock of hosted model providers, for tests and benchmarks.
//!
//! It speaks the OpenAI API (`/v1/chat/completions` plain and streamed,
//! `/v1/embeddings`, `/v1/models`) and the Anthropic Messages API
//! (`/v1/messages` plain and streamed) with deterministic answers
//! (`Mock reply to: <last user message>`, token counts = word counts), and
//! suffers injectable [`Fault`]s: latency, error statuses, hangs, malformed
//! bodies, cut and stalled streams. Faults are queued in-process through
//! [`MockProvider`] or over HTTP at `/_mock/*`.
//!
//! ```no_run
//! # async fn demo() {
//! use airlock_mock_provider::{Fault, FaultRule, MockProvider};
//! let mock = MockProvider::builder().api_key("sk-mock").start().await;
//! mock.push_fault(FaultRule::times(Fault::Status { status: 503, retry_after: Some(1), body: None }, 2));
//! let base = mock.openai_base_url(); // http://127.0.0.1:PORT/v1
//! # let _ = base;
//! # }
//! ```

mod admin;
mod anthropic;
mod api_error;
mod deliver;
mod faults;
mod gate;
mod openai;
mod provider;
mod reply;
mod router;
mod state;
mod stats;

pub mod loadgen;

pub use faults::{Fault, FaultRule};
pub use provider::{MockProvider, MockProviderBuilder};
pub use reply::{EMBEDDING_DIMENSIONS, REPLY_PREFIX};
pub use stats::{RecordedRequest, MAX_RECORDED};
