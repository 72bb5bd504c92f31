//! What handlers call to authorize a request: through the engine, so every
//! denial is audited and answered `403` with its reason. List endpoints
//! either check the one workflow asked for, or narrow the listing to the
//! workflows the caller may read.

use airlock_policy::authz::{Action, Resource};

use crate::api_error::ApiError;
use crate::auth::Caller;
use crate::state::AppState;

/// `action` on the service as a whole.
pub async fn service(state: &AppState, caller: &Caller, action: Action) -> Result<(), ApiError> {
    state
        .engine
        .authorize(
            &caller.principal,
            action,
            &Resource::Service,
            &caller.request,
        )
        .await
        .map_err(ApiError::from)
}

/// `action` on the workflow called `name`.
pub async fn workflow(
    state: &AppState,
    caller: &Caller,
    action: Action,
    name: &str,
) -> Result<(), ApiError> {
    state
        .engine
        .authorize_workflow(&caller.principal, action, name, &caller.request)
        .await
        .map_err(ApiError::from)
}

/// For a listing: with `requested` (a `workflow` filter) that workflow is
/// authorized and `None` returned (the filter already narrows); without,
/// the workflows the caller may do `action` on.
pub async fn scope(
    state: &AppState,
    caller: &Caller,
    action: Action,
    requested: Option<&str>,
) -> Result<Option<Vec<String>>, ApiError> {
    match requested {
        Some(name) => {
            workflow(state, caller, action, name).await?;
            Ok(None)
        }
        None => Ok(Some(
            state.engine.allowed_workflows(&caller.principal, action),
        )),
    }
}
