//! Airlock's configuration.
//!
//! [`raw`] holds the TOML exactly as a user writes it (unknown keys are
//! rejected); [`settings`] validates it, reporting every error at once, and
//! resolves precedence (defaults < file < environment < command-line flags)
//! into the typed [`Settings`] the rest of Airlock uses.

mod gateway;
mod gateway_raw;
pub mod raw;
pub mod security;
pub mod settings;
mod ui;
mod webhooks;

pub use gateway::{
    BudgetScope, BudgetSettings, GatewaySettings, ProviderKey, ProviderKind, ProviderSettings,
    RouteKind, RouteSettings, TargetSettings, DATA_CLASSES, LOCAL_PROVIDER,
};
pub use gateway_raw::{RawBudget, RawProvider, RawRoute, RawTarget};
pub use security::{
    AuditSettings, AuthSettings, EncryptionSettings, PiiSettings, RetentionSettings, SecretSource,
    AUDIT_SIGNING_KEY_ENV, BOOTSTRAP_KEY_ENV, ENCRYPTION_KEY_ENV, ENCRYPTION_KEY_ID_ENV,
    PII_HASH_KEY_ENV,
};
pub use settings::{
    default_workflows_dir, DatabaseSettings, InferenceSettings, ModelSettings, Overrides,
    ReviewSettings, ServerSettings, Settings, WebhookDeliverySettings, WebhookSettings,
};
pub use ui::{UiSettings, SESSION_KEY_ENV};
pub use webhooks::{MAX_ATTEMPTS_LIMIT, MIN_SECRET_BYTES};
