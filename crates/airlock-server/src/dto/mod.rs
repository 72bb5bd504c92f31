//! The JSON bodies the API answers with. Each derives `ToSchema` so the
//! OpenAPI document describes exactly what is sent; they are built from the
//! engine's and the store's types and never read back.

mod error;
mod health;
mod quarantine;
mod run;
mod words;
mod workflow;

pub use error::{ErrorDetail, ErrorResponse};
pub use health::{HealthView, ReadinessView};
pub use quarantine::{QuarantinePage, QuarantineView};
pub use run::{RunDetailView, RunPage, RunView, StepView};
pub use words::{DataClassView, DecisionView, OnErrorView, RiskView, RunStatusView, StepKindView};
pub use workflow::{
    CheckView, DecisionRuleView, StepDefinitionView, WorkflowDetailView, WorkflowList,
    WorkflowSummaryView,
};
