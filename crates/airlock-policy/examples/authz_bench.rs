//! Measures `Authorizer::authorize()` per call: the overhead the policy
//! check adds to each HTTP request. Run with
//! `cargo run --release -p airlock-policy --example authz_bench [calls] [only]`
//! (`only`: run just the cases whose label contains it).
//!
//! Cases: the default policies alone, allowed and default-denied; the
//! defaults plus an operator `forbid` that fires; a key granted 100
//! workflows; and `allowed_workflows` over a 100-workflow listing.

use std::hint::black_box;
use std::time::Instant;

use airlock_core::{Principal, Role, WorkflowGrant};
use airlock_policy::authz::{Action, Authorizer, PolicySources, Resource, WorkflowResource};

const FORBID: &str = r#"
@id("apps-no-high-risk")
@reason("applications may not run high-risk workflows")
forbid (principal in Airlock::Role::"app", action == Airlock::Action::"run", resource is Airlock::Workflow)
when { resource.risk == "high" };
"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let calls: u32 = match std::env::args().nth(1) {
        Some(n) => n.parse()?,
        None => 100_000,
    };
    let only = std::env::args().nth(2).unwrap_or_default();
    let time = |label: &str, calls: u32, decide: &mut dyn FnMut() -> bool| {
        if label.contains(&only) {
            time(label, calls, decide);
        }
    };
    let defaults = load(&PolicySources::defaults())?;
    let with_forbid = load(&PolicySources::defaults().with("ops.cedar", FORBID))?;

    let app = principal(Role::App, grant(["support-triage".to_string()]));
    let wide = principal(
        Role::Developer,
        grant((0..100).map(|i| format!("workflow-{i:03}"))),
    );
    let low = Resource::Workflow(workflow("support-triage", "low"));
    let high = Resource::Workflow(workflow("support-triage", "high"));
    let listing: Vec<WorkflowResource> = (0..100)
        .map(|i| workflow(&format!("workflow-{:03}", i * 2), "low"))
        .collect();

    println!("authorize(): {calls} calls per case, µs per call");
    time("defaults, app run (allowed)", calls, &mut || {
        defaults.authorize(&app, Action::Run, &low).allowed
    });
    time(
        "defaults, app resolve_review (default deny)",
        calls,
        &mut || {
            defaults
                .authorize(&app, Action::ResolveReview, &low)
                .allowed
        },
    );
    time(
        "defaults, app read_api_docs on the service",
        calls,
        &mut || {
            defaults
                .authorize(&app, Action::ReadApiDocs, &Resource::Service)
                .allowed
        },
    );
    time(
        "defaults + forbid, app run high risk (forbidden)",
        calls,
        &mut || with_forbid.authorize(&app, Action::Run, &high).allowed,
    );
    time(
        "defaults, developer granted 100 workflows",
        calls,
        &mut || {
            defaults
                .authorize(
                    &wide,
                    Action::ReadRun,
                    &Resource::Workflow(workflow("workflow-099", "low")),
                )
                .allowed
        },
    );
    let listing_calls = (calls / 100).max(1);
    time(
        "allowed_workflows over 100 workflows (per listing)",
        listing_calls,
        &mut || {
            !defaults
                .allowed_workflows(&wide, Action::ReadRun, &listing)
                .is_empty()
        },
    );
    Ok(())
}

fn load(sources: &PolicySources) -> Result<Authorizer, String> {
    Authorizer::new(sources).map_err(|problems| {
        problems
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    })
}

fn time(label: &str, calls: u32, decide: &mut dyn FnMut() -> bool) {
    for _ in 0..calls.min(1_000) {
        black_box(decide());
    }
    let started = Instant::now();
    let mut allowed = 0u32;
    for _ in 0..calls {
        allowed += u32::from(black_box(decide()));
    }
    let micros = started.elapsed().as_secs_f64() * 1e6 / f64::from(calls);
    println!("  {label:<52} {micros:>8.2} µs  (allowed {allowed}/{calls})");
}

fn principal(role: Role, workflows: WorkflowGrant) -> Principal {
    Principal {
        key_id: "k_123".to_string(),
        name: "crm".to_string(),
        role,
        workflows,
    }
}

fn grant(names: impl IntoIterator<Item = String>) -> WorkflowGrant {
    WorkflowGrant::Only(names.into_iter().collect())
}

fn workflow(name: &str, risk: &str) -> WorkflowResource {
    WorkflowResource::new(name, "support-team", risk, "internal")
}
