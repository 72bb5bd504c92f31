//! Test fixtures: workflows written into a temporary directory, fake
//! models, and a server on an ephemeral port.

mod fake_models;
pub mod server;
mod workflows;

pub use fake_models::FakeModels;
pub use server::TestServer;
