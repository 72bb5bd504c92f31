//! The Anthropic Messages API: `POST /v1/messages`, plain and streamed.

mod messages;
mod stream;

pub(crate) use messages::messages;
