//! Who may do what: API keys (material, authentication, management) and
//! authorization through the engine's Cedar policies, with every denial
//! audited.

pub mod authorize;
pub mod key_material;
mod keys;

pub use keys::{actor_name, IssuedKey, KeySpec, BOOTSTRAP_CREATOR, KEY_NAME_MAX_CHARS};
