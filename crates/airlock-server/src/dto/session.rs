//! Dashboard sign-in: the request body and the session the API shows.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::MeView;

/// `POST /v1/sessions`: the API key to sign in with.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignInBody {
    /// The whole key, `alk_<id>_<secret>`; it is checked and never stored
    /// in the session.
    #[schema(example = "alk_01j9zq3v6t_…")]
    pub key: String,
}

/// The caller's dashboard session.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    #[serde(flatten)]
    pub me: MeView,
    /// When the session ends (RFC 3339).
    #[schema(format = DateTime)]
    pub expires_at: String,
    /// Send it back in `X-CSRF-Token` with every state-changing request.
    pub csrf_token: String,
    /// The service actions the caller may take (e.g. `read_audit`).
    pub service_actions: Vec<String>,
    /// For each workflow action, the workflows the caller may take it on.
    pub workflow_actions: BTreeMap<String, Vec<String>>,
}
