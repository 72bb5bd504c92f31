//! The JSON bodies the API answers with. Each derives `ToSchema` so the
//! OpenAPI document describes exactly what is sent; they are built from the
//! engine's and the store's types and never read back.

mod audit;
mod error;
mod feedback;
mod health;
mod keys;
mod quality;
mod quarantine;
mod review;
mod run;
mod session;
mod timeline;
mod webhook;
mod words;
mod workflow;

pub use audit::{AuditPage, AuditRecordView, AuditVerificationView};
pub use error::{ErrorDetail, ErrorResponse};
pub use feedback::{FeedbackPage, FeedbackRequestBody, FeedbackView};
pub use health::{HealthView, ReadinessView};
pub use keys::{CreateKeyBody, CreatedKeyView, KeyList, KeyView, MeView};
pub use quality::{
    BacklogView, DecisionTallyView, FeedbackSummaryView, LabelQualityView, QualityFiguresView,
    QualityReportView, ReviewTallyView, VersionQualityView,
};
pub use quarantine::{QuarantinePage, QuarantineView};
pub use review::{
    ClaimRequest, ClaimView, ResolutionView, ResolveRequestBody, ReviewDetailView, ReviewPage,
    ReviewView, SuggestionView, VoteView,
};
pub use run::{RunDetailView, RunPage, RunReviewView, RunView, StepView, StoredRunView};
pub use session::{SessionView, SignInBody};
pub use timeline::{TimelineBucketView, TimelineView};
pub use webhook::{AttemptView, DeliveryDetailView, DeliveryPage, DeliveryView};
pub use words::{
    DataClassView, DecisionView, DeliveryStatusView, EventTypeView, OnErrorView, ReviewActionView,
    ReviewStatusView, RiskView, RunStatusView, StepKindView,
};
pub use workflow::{
    CheckView, DecisionRuleView, ReviewPolicyView, StepDefinitionView, WorkflowDetailView,
    WorkflowList, WorkflowSummaryView,
};
