//! Authorization with Cedar policies (default-deny): may this API key do
//! this action on this workflow or on the service?
//!
//! - [`Action`]: the actions, each applying to a workflow or the service.
//! - [`PolicySources`]: the embedded default policies ([`DEFAULT_POLICIES`])
//!   unless left out, then the operator's `(origin, text)` sources; reading
//!   files is the caller's job.
//! - [`LoadedPolicies`]: a policy set parsed, given stable ids and
//!   validated against the schema ([`SCHEMA`]) in strict mode, with every
//!   [`PolicyProblem`] of every source reported at once.
//! - [`Authorizer`]: the current set behind an atomic swap;
//!   [`Authorizer::authorize`] gives an [`AccessDecision`] saying why, and
//!   [`Authorizer::reload`] swaps only a wholly valid set in.
//!
//! See `docs/authorization.md` for the entity model and the default policies.

mod action;
mod authorizer;
mod decision;
mod decision_cache;
mod entities;
mod load;
mod problem;
mod resource;
mod schema;
mod sources;

pub use action::{Action, ResourceKind};
pub use authorizer::Authorizer;
pub use decision::AccessDecision;
pub use load::{LoadedPolicies, PolicyEffect, PolicyInfo, ID_ANNOTATION, REASON_ANNOTATION};
pub use problem::{problems_error, PolicyProblem};
pub use resource::{Resource, WorkflowResource};
pub use schema::{SCHEMA, SCHEMA_ORIGIN};
pub use sources::{PolicySource, PolicySources, DEFAULT_POLICIES, DEFAULT_POLICIES_ORIGIN};
