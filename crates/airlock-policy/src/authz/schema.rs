//! The Cedar schema of Airlock's entity model (`airlock.cedarschema`,
//! embedded), against which every policy set is validated in strict mode.

use cedar_policy::Schema;

use super::problem::PolicyProblem;

/// The schema text: entity types `Airlock::Key`, `Role`, `Workflow`,
/// `Service` and the `Airlock::Action`s.
pub const SCHEMA: &str = include_str!("airlock.cedarschema");

/// The origin schema problems are reported under.
pub const SCHEMA_ORIGIN: &str = "builtin/airlock.cedarschema";

/// The parsed schema. It is embedded, so a failure here is a bug in this
/// crate; it is still reported as a problem rather than a panic.
pub(crate) fn airlock_schema() -> Result<Schema, PolicyProblem> {
    Schema::from_cedarschema_str(SCHEMA)
        .map(|(schema, _warnings)| schema)
        .map_err(|err| PolicyProblem::new(SCHEMA_ORIGIN, format!("invalid built-in schema: {err}")))
}
