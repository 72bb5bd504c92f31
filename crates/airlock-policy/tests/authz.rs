//! The authorization module against its specification: the default
//! policies role by role (the table below is the spec), operator policies
//! that add or forbid, loading problems with their positions, and reloads.

#![allow(clippy::unwrap_used)] // test helpers: a failed setup should panic loudly

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use airlock_core::{Principal, Role, WorkflowGrant};
use airlock_policy::authz::{
    Action, Authorizer, PolicyProblem, PolicySources, Resource, WorkflowResource,
    DEFAULT_POLICIES_ORIGIN,
};

const GRANTED: &str = "support-triage";
const UNGRANTED: &str = "payroll-review";

fn principal(role: Role, grant: WorkflowGrant) -> Principal {
    Principal {
        key_id: "k_123".to_string(),
        name: "crm".to_string(),
        role,
        workflows: grant,
    }
}

fn granted_only(role: Role) -> Principal {
    principal(
        role,
        WorkflowGrant::Only([GRANTED.to_string()].into_iter().collect()),
    )
}

fn workflow(name: &str, risk: &str) -> WorkflowResource {
    WorkflowResource::new(name, "support-team", risk, "internal")
}

fn on_workflow(name: &str) -> Resource {
    Resource::Workflow(workflow(name, "low"))
}

fn defaults() -> Authorizer {
    Authorizer::new(&PolicySources::defaults()).unwrap()
}

fn load_problems(sources: &PolicySources) -> Vec<PolicyProblem> {
    match Authorizer::new(sources) {
        Ok(_) => panic!("expected the sources to be rejected"),
        Err(problems) => problems,
    }
}

fn rendered(problems: &[PolicyProblem]) -> String {
    problems
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// What each role may do with the default policies. Per role, three
/// characters for the three targets: `G` allowed on a granted workflow,
/// `U` allowed on a workflow the key is not granted, `S` allowed on the
/// service; `.` denied there. Workflow actions never apply to the service
/// and service actions never to a workflow.
#[rustfmt::skip]
const DEFAULT_POLICY_TABLE: &[(Action, [&str; 5])] = &[
    //                          admin  developer reviewer auditor app
    (Action::Run,              ["GU.", "G..",    "...",   "...",  "G.."]),
    (Action::ReadWorkflow,     ["GU.", "G..",    "G..",   "GU.",  "G.."]),
    (Action::ReadRun,          ["GU.", "G..",    "G..",   "GU.",  "G.."]),
    (Action::ReadRaw,          ["GU.", "...",    "...",   "...",  "..."]),
    (Action::AddFeedback,      ["GU.", "G..",    "...",   "...",  "G.."]),
    (Action::ReadReview,       ["GU.", "G..",    "G..",   "GU.",  "..."]),
    (Action::ResolveReview,    ["GU.", "...",    "G..",   "...",  "..."]),
    (Action::ReadQuarantine,   ["GU.", "G..",    "...",   "GU.",  "..."]),
    (Action::ManageKeys,       ["..S", "...",    "...",   "...",  "..."]),
    (Action::ReadKeys,         ["..S", "...",    "...",   "..S",  "..."]),
    (Action::ReadAudit,        ["..S", "...",    "...",   "..S",  "..."]),
    (Action::ReadMetrics,      ["..S", "..S",    "...",   "..S",  "..."]),
    (Action::ReadApiDocs,      ["..S", "..S",    "..S",   "..S",  "..S"]),
    (Action::ReadDeliveries,   ["..S", "..S",    "...",   "..S",  "..."]),
    (Action::ReloadPolicies,   ["..S", "...",    "...",   "...",  "..."]),
    (Action::CallModels,       ["..S", "..S",    "...",   "...",  "..S"]),
    (Action::ReadUsage,        ["..S", "..S",    "...",   "..S",  "..."]),
];

const TABLE_ROLES: [Role; 5] = [
    Role::Admin,
    Role::Developer,
    Role::Reviewer,
    Role::Auditor,
    Role::App,
];

#[test]
fn the_table_covers_every_role_and_action_once() {
    assert_eq!(TABLE_ROLES.len(), Role::ALL.len());
    let actions: Vec<Action> = DEFAULT_POLICY_TABLE.iter().map(|(a, _)| *a).collect();
    assert_eq!(actions, Action::ALL);
}

#[test]
fn default_policies_decide_exactly_as_the_table_says() {
    let authorizer = defaults();
    let targets = [
        ('G', on_workflow(GRANTED)),
        ('U', on_workflow(UNGRANTED)),
        ('S', Resource::Service),
    ];
    let mut wrong = Vec::new();
    for (action, per_role) in DEFAULT_POLICY_TABLE {
        for (role, expected) in TABLE_ROLES.iter().zip(per_role) {
            let caller = granted_only(*role);
            for (position, (letter, resource)) in targets.iter().enumerate() {
                let want = expected.chars().nth(position) == Some(*letter);
                let decision = authorizer.authorize(&caller, *action, resource);
                if decision.allowed != want {
                    wrong.push(format!(
                        "{role} {action} on {}: expected {}, got {} ({})",
                        resource.describe(),
                        if want { "allow" } else { "deny" },
                        if decision.allowed { "allow" } else { "deny" },
                        decision.reason
                    ));
                }
                assert!(decision.errors.is_empty(), "{:?}", decision.errors);
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_grant_of_all_workflows_covers_every_workflow() {
    let authorizer = defaults();
    for role in [Role::Developer, Role::Reviewer, Role::App] {
        let caller = principal(role, WorkflowGrant::All);
        let decision = authorizer.authorize(&caller, Action::ReadRun, &on_workflow(UNGRANTED));
        assert!(decision.allowed, "{role}: {}", decision.reason);
    }
    let nothing = principal(Role::App, WorkflowGrant::Only(Default::default()));
    assert!(
        !authorizer
            .authorize(&nothing, Action::Run, &on_workflow(GRANTED))
            .allowed
    );
}

#[test]
fn an_allow_names_the_permitting_policy_and_its_reason() {
    let decision = defaults().authorize(
        &granted_only(Role::Developer),
        Action::Run,
        &on_workflow(GRANTED),
    );
    assert!(decision.allowed);
    assert_eq!(decision.policies, ["developer-workflows"]);
    assert!(decision
        .reason
        .starts_with("permitted by policy `developer-workflows` ("));
}

#[test]
fn a_default_deny_says_who_may_not_do_what_where() {
    let authorizer = defaults();
    let decision = authorizer.authorize(
        &granted_only(Role::App),
        Action::ResolveReview,
        &on_workflow(GRANTED),
    );
    assert!(!decision.allowed);
    assert!(decision.policies.is_empty());
    assert_eq!(
        decision.reason,
        "no policy permits role `app` (key k_123, crm) to `resolve_review` on workflow `support-triage`"
    );

    let ungranted = authorizer.authorize(
        &granted_only(Role::App),
        Action::Run,
        &on_workflow(UNGRANTED),
    );
    assert_eq!(
        ungranted.reason,
        "no policy permits role `app` (key k_123, crm) to `run` on workflow `payroll-review`; \
         the key is not granted workflow `payroll-review`"
    );
}

#[test]
fn an_action_on_the_wrong_kind_of_resource_is_denied_even_for_admins() {
    let authorizer = defaults();
    let admin = granted_only(Role::Admin);
    let decision = authorizer.authorize(&admin, Action::Run, &Resource::Service);
    assert!(!decision.allowed);
    assert_eq!(
        decision.reason,
        "action `run` applies to a workflow, not to the service"
    );
    let decision = authorizer.authorize(&admin, Action::ManageKeys, &on_workflow(GRANTED));
    assert!(!decision.allowed);
    assert!(decision.reason.contains("applies to a service"));
}

const FORBID_HIGH_RISK_FOR_APPS: &str = r#"
@id("apps-no-high-risk")
@reason("applications may not run high-risk workflows")
forbid (
  principal in Airlock::Role::"app",
  action == Airlock::Action::"run",
  resource is Airlock::Workflow
)
when { resource.risk == "high" };
"#;

#[test]
fn an_operator_forbid_wins_over_a_default_permit() {
    let sources = PolicySources::defaults().with("ops.cedar", FORBID_HIGH_RISK_FOR_APPS);
    let authorizer = Authorizer::new(&sources).unwrap();
    let app = granted_only(Role::App);

    let high = Resource::Workflow(workflow(GRANTED, "high"));
    let decision = authorizer.authorize(&app, Action::Run, &high);
    assert!(!decision.allowed);
    assert_eq!(decision.policies, ["apps-no-high-risk"]);
    assert_eq!(
        decision.reason,
        "forbidden by policy `apps-no-high-risk` (applications may not run high-risk workflows)"
    );

    let low = Resource::Workflow(workflow(GRANTED, "low"));
    assert!(authorizer.authorize(&app, Action::Run, &low).allowed);
    // Other roles and other actions are untouched.
    assert!(
        authorizer
            .authorize(&granted_only(Role::Developer), Action::Run, &high)
            .allowed
    );
    assert!(authorizer.authorize(&app, Action::ReadRun, &high).allowed);
}

#[test]
fn an_operator_permit_adds_rights_such_as_auditors_reading_raw_payloads() {
    let extra = r#"
@id("auditor-read-raw")
permit (principal in Airlock::Role::"auditor", action == Airlock::Action::"read_raw", resource is Airlock::Workflow);
"#;
    let auditor = granted_only(Role::Auditor);
    assert!(
        !defaults()
            .authorize(&auditor, Action::ReadRaw, &on_workflow(UNGRANTED))
            .allowed
    );
    let authorizer =
        Authorizer::new(&PolicySources::defaults().with("auditors.cedar", extra)).unwrap();
    let decision = authorizer.authorize(&auditor, Action::ReadRaw, &on_workflow(UNGRANTED));
    assert!(decision.allowed);
    assert_eq!(decision.policies, ["auditor-read-raw"]);
}

#[test]
fn without_defaults_only_the_operator_policies_apply() {
    let only_runs = r#"permit (principal in Airlock::Role::"app", action == Airlock::Action::"run", resource);"#;
    let authorizer =
        Authorizer::new(&PolicySources::without_defaults().with("mine.cedar", only_runs)).unwrap();
    let admin = granted_only(Role::Admin);
    assert!(
        !authorizer
            .authorize(&admin, Action::ManageKeys, &Resource::Service)
            .allowed
    );
    let decision = authorizer.authorize(
        &granted_only(Role::App),
        Action::Run,
        &on_workflow(UNGRANTED),
    );
    assert!(decision.allowed);
    // A policy without `@id` is named after its origin and position.
    assert_eq!(decision.policies, ["mine.cedar#1"]);
    let current = authorizer.current();
    let ids: Vec<&str> = current.policies().iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["mine.cedar#1"]);

    let empty = Authorizer::new(&PolicySources::without_defaults()).unwrap();
    assert!(
        !empty
            .authorize(&admin, Action::ReadApiDocs, &Resource::Service)
            .allowed
    );
    assert!(rendered(empty.current().warnings()).contains("every request will be denied"));
}

#[test]
fn generated_ids_count_policies_in_source_order() {
    let text = r#"
permit (principal in Airlock::Role::"app", action == Airlock::Action::"read_metrics", resource);
@id("named")
permit (principal in Airlock::Role::"app", action == Airlock::Action::"read_keys", resource);
permit (principal in Airlock::Role::"app", action == Airlock::Action::"read_audit", resource);
"#;
    let authorizer =
        Authorizer::new(&PolicySources::without_defaults().with("ops.cedar", text)).unwrap();
    let current = authorizer.current();
    let listed: Vec<(&str, Option<u32>)> = current
        .policies()
        .iter()
        .map(|p| (p.id.as_str(), p.line))
        .collect();
    assert_eq!(
        listed,
        [
            ("ops.cedar#1", Some(2)),
            ("named", Some(3)),
            ("ops.cedar#3", Some(5))
        ]
    );
    let decision = authorizer.authorize(
        &granted_only(Role::App),
        Action::ReadAudit,
        &Resource::Service,
    );
    assert_eq!(decision.policies, ["ops.cedar#3"]);
}

#[test]
fn schema_violations_are_reported_with_file_and_line() {
    let text = r#"// two mistakes
@id("unknown-action")
permit (principal, action == Airlock::Action::"delete_everything", resource);

@id("unknown-attribute")
permit (principal, action == Airlock::Action::"run", resource)
when { resource.colour == "red" };
"#;
    let problems = load_problems(&PolicySources::defaults().with("ops.cedar", text));
    let all = rendered(&problems);
    assert_eq!(problems.len(), 2, "{all}");

    let action = problems
        .iter()
        .find(|p| p.policy.as_deref() == Some("unknown-action"))
        .unwrap_or_else(|| panic!("{all}"));
    assert_eq!(
        (action.origin.as_str(), action.line),
        ("ops.cedar", Some(3)),
        "{all}"
    );
    assert!(action.message.contains("delete_everything"), "{all}");
    assert!(action.to_string().starts_with("ops.cedar:3:"), "{all}");

    let attribute = problems
        .iter()
        .find(|p| p.policy.as_deref() == Some("unknown-attribute"))
        .unwrap_or_else(|| panic!("{all}"));
    assert_eq!(attribute.line, Some(7), "{all}");
    assert!(attribute.column.is_some(), "{all}");
    assert!(attribute.message.contains("colour"), "{all}");
}

#[test]
fn parse_errors_are_reported_with_line_and_column() {
    let text =
        "@id(\"broken\")\npermit (principal, action, resource)\nwhen { principal.name == };\n";
    let problems = load_problems(&PolicySources::defaults().with("broken.cedar", text));
    assert!(!problems.is_empty());
    let first = &problems[0];
    assert_eq!(first.origin, "broken.cedar");
    assert_eq!(first.line, Some(3), "{}", rendered(&problems));
    assert_eq!(first.column, Some(26), "{}", rendered(&problems));
    assert!(
        first.to_string().starts_with("broken.cedar:3:26: "),
        "{first}"
    );
}

#[test]
fn every_problem_in_every_source_is_reported_at_once() {
    let parse_error = "permit (principal, action, resource";
    let schema_error =
        "@id(\"bad-attr\")\npermit (principal, action == Airlock::Action::\"run\", resource)\nwhen { principal.team == \"x\" };\n";
    let duplicate = "@id(\"admin-all\")\npermit (principal, action == Airlock::Action::\"read_api_docs\", resource);\n";
    let template = "permit (principal == ?principal, action, resource);\n";
    let sources = PolicySources::defaults()
        .with("a.cedar", parse_error)
        .with("b.cedar", schema_error)
        .with("c.cedar", duplicate)
        .with("d.cedar", template);
    let problems = load_problems(&sources);
    let all = rendered(&problems);
    let origins: Vec<&str> = problems.iter().map(|p| p.origin.as_str()).collect();
    assert_eq!(
        origins,
        ["a.cedar", "b.cedar", "c.cedar", "d.cedar"],
        "{all}"
    );
    assert!(problems[1].message.contains("team"), "{all}");
    assert_eq!(problems[1].line, Some(3), "{all}");
    assert_eq!(problems[2].line, Some(1), "{all}");
    assert!(
        problems[2].message.contains(&format!(
            "`admin-all` is already used at {DEFAULT_POLICIES_ORIGIN}:"
        )),
        "{all}"
    );
    assert!(problems[3].message.contains("templates"), "{all}");
    assert_eq!(problems[3].line, Some(1), "{all}");
}

#[test]
fn duplicate_ids_within_one_source_are_a_problem() {
    let text = "@id(\"x\")\npermit (principal, action == Airlock::Action::\"run\", resource);\n@id(\"x\")\nforbid (principal, action == Airlock::Action::\"run\", resource);\n";
    let problems = load_problems(&PolicySources::without_defaults().with("ops.cedar", text));
    assert_eq!(problems.len(), 1, "{}", rendered(&problems));
    assert_eq!(
        problems[0].to_string(),
        "ops.cedar:3: policy id `x` is already used at ops.cedar:1 (hint: policy ids (`@id`) must be unique across all policy sources)"
    );
}

#[test]
fn evaluation_errors_deny_and_are_reported() {
    // Strict validation accepts reading an attribute of an entity literal,
    // but the entity is not in the request, so evaluation fails.
    let failing_permit = r#"
@id("needs-missing-entity")
permit (principal in Airlock::Role::"reviewer", action == Airlock::Action::"run", resource)
when { Airlock::Workflow::"elsewhere".owner == "x" };
"#;
    let failing_forbid = r#"
@id("broken-guard")
forbid (principal in Airlock::Role::"admin", action == Airlock::Action::"read_raw", resource)
when { Airlock::Workflow::"elsewhere".risk == "high" };
"#;
    let sources = PolicySources::defaults()
        .with("permit.cedar", failing_permit)
        .with("forbid.cedar", failing_forbid);
    let authorizer = Authorizer::new(&sources).unwrap();

    let decision = authorizer.authorize(
        &granted_only(Role::Reviewer),
        Action::Run,
        &on_workflow(GRANTED),
    );
    assert!(!decision.allowed);
    assert_eq!(decision.policies, ["needs-missing-entity"]);
    assert_eq!(decision.errors.len(), 1);
    assert!(decision.errors[0].starts_with("policy `needs-missing-entity`: "));
    assert!(decision
        .reason
        .starts_with("denied because policy `needs-missing-entity` could not be evaluated"));

    // Cedar alone would allow here (the admin permit holds, the erroring
    // forbid is skipped); Airlock fails closed.
    let decision = authorizer.authorize(
        &granted_only(Role::Admin),
        Action::ReadRaw,
        &on_workflow(GRANTED),
    );
    assert!(!decision.allowed, "{}", decision.reason);
    assert_eq!(decision.policies, ["broken-guard"]);
    assert!(decision
        .reason
        .contains("`broken-guard` could not be evaluated"));
}

#[test]
fn allowed_workflows_filters_a_listing() {
    let authorizer = defaults();
    let listing = [
        workflow("a", "low"),
        workflow("b", "low"),
        workflow("c", "high"),
    ];
    let developer = principal(
        Role::Developer,
        WorkflowGrant::Only(["a".to_string(), "c".to_string()].into_iter().collect()),
    );
    assert_eq!(
        authorizer.allowed_workflows(&developer, Action::ReadRun, &listing),
        ["a", "c"]
    );
    let auditor = granted_only(Role::Auditor);
    assert_eq!(
        authorizer.allowed_workflows(&auditor, Action::ReadRun, &listing),
        ["a", "b", "c"]
    );
    assert!(authorizer
        .allowed_workflows(&auditor, Action::ReadRaw, &listing)
        .is_empty());
    assert!(authorizer
        .allowed_workflows(&auditor, Action::ReadAudit, &listing)
        .is_empty());
}

/// `allowed_workflows` must say exactly what `authorize` says, workflow by
/// workflow.
fn assert_listing_agrees(
    authorizer: &Authorizer,
    caller: &Principal,
    listing: &[WorkflowResource],
) {
    for action in Action::ALL {
        let one_by_one: Vec<String> = listing
            .iter()
            .filter(|w| {
                authorizer
                    .authorize(caller, *action, &Resource::Workflow((*w).clone()))
                    .allowed
            })
            .map(|w| w.name.clone())
            .collect();
        assert_eq!(
            authorizer.allowed_workflows(caller, *action, listing),
            one_by_one,
            "{} {action}",
            caller.role
        );
    }
}

#[test]
fn allowed_workflows_agrees_with_authorize_for_every_role_and_action() {
    let sources = PolicySources::defaults().with("ops.cedar", FORBID_HIGH_RISK_FOR_APPS);
    let authorizer = Authorizer::new(&sources).unwrap();
    let listing = [
        workflow(GRANTED, "high"),
        workflow(UNGRANTED, "low"),
        workflow("third", "medium"),
        workflow(GRANTED, "low"),
    ];
    for role in Role::ALL {
        assert_listing_agrees(&authorizer, &granted_only(*role), &listing);
        assert_listing_agrees(&authorizer, &principal(*role, WorkflowGrant::All), &listing);
    }
}

#[test]
fn allowed_workflows_agrees_when_a_policy_names_a_workflow_entity() {
    // Alone, a request for `other` does not hold `elsewhere`, so this
    // policy fails to evaluate and denies; the listing must not differ
    // because `elsewhere` is in the same listing.
    let text = r#"
@id("owner-of-elsewhere")
permit (principal in Airlock::Role::"reviewer", action == Airlock::Action::"run", resource)
when { Airlock::Workflow::"elsewhere".owner == "support-team" };
"#;
    let authorizer = Authorizer::new(&PolicySources::defaults().with("ops.cedar", text)).unwrap();
    let reviewer = granted_only(Role::Reviewer);
    let listing = [workflow("elsewhere", "low"), workflow("other", "low")];
    assert_eq!(
        authorizer.allowed_workflows(&reviewer, Action::Run, &listing),
        ["elsewhere"]
    );
    assert_listing_agrees(&authorizer, &reviewer, &listing);
}

#[test]
fn a_bad_reload_keeps_the_old_set_and_a_good_one_takes_effect() {
    let authorizer = defaults();
    let app = granted_only(Role::App);
    let high = Resource::Workflow(workflow(GRANTED, "high"));
    let before = authorizer.fingerprint();
    assert!(authorizer.authorize(&app, Action::Run, &high).allowed);

    let bad = PolicySources::defaults()
        .with("ops.cedar", FORBID_HIGH_RISK_FOR_APPS)
        .with(
            "typo.cedar",
            "forbid (principal, action, resource) when { resource.rsk == \"high\" };",
        );
    let problems = authorizer.reload(&bad).unwrap_err();
    // Reported once per resource type the unconstrained policy could see.
    assert!(!problems.is_empty());
    assert!(
        problems
            .iter()
            .all(|p| p.origin == "typo.cedar" && p.message.contains("`rsk`")),
        "{}",
        rendered(&problems)
    );
    assert_eq!(authorizer.fingerprint(), before);
    assert!(authorizer.authorize(&app, Action::Run, &high).allowed);

    let good = PolicySources::defaults().with("ops.cedar", FORBID_HIGH_RISK_FOR_APPS);
    authorizer.reload(&good).unwrap();
    let after = authorizer.fingerprint();
    assert_ne!(after, before);
    let decision = authorizer.authorize(&app, Action::Run, &high);
    assert!(!decision.allowed);
    assert_eq!(decision.fingerprint, after);
}

#[test]
fn fingerprints_follow_the_policy_texts() {
    let fingerprint = |sources: &PolicySources| Authorizer::new(sources).unwrap().fingerprint();
    let defaults_only = fingerprint(&PolicySources::defaults());
    assert_eq!(defaults_only.len(), 64);
    assert_eq!(defaults_only, fingerprint(&PolicySources::defaults()));
    let with_forbid = PolicySources::defaults().with("ops.cedar", FORBID_HIGH_RISK_FOR_APPS);
    assert_ne!(defaults_only, fingerprint(&with_forbid));
    let renamed = PolicySources::defaults().with("other.cedar", FORBID_HIGH_RISK_FOR_APPS);
    assert_ne!(fingerprint(&with_forbid), fingerprint(&renamed));
    assert_ne!(
        defaults_only,
        fingerprint(&PolicySources::without_defaults())
    );
}

#[test]
fn decisions_during_concurrent_reloads_each_come_from_one_whole_set() {
    let open = PolicySources::defaults();
    let closed = PolicySources::defaults().with("ops.cedar", FORBID_HIGH_RISK_FOR_APPS);
    let authorizer = Arc::new(Authorizer::new(&open).unwrap());
    let open_fingerprint = authorizer.fingerprint();
    authorizer.reload(&closed).unwrap();
    let closed_fingerprint = authorizer.fingerprint();

    let stop = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let authorizer = Arc::clone(&authorizer);
            let stop = Arc::clone(&stop);
            let (open_fp, closed_fp) = (open_fingerprint.clone(), closed_fingerprint.clone());
            std::thread::spawn(move || {
                let app = granted_only(Role::App);
                let high = Resource::Workflow(workflow(GRANTED, "high"));
                let mut seen = (0u32, 0u32);
                while !stop.load(Ordering::Relaxed) || seen.0 + seen.1 < 200 {
                    let decision = authorizer.authorize(&app, Action::Run, &high);
                    // Each decision matches the set it names.
                    if decision.fingerprint == open_fp {
                        assert!(decision.allowed, "{}", decision.reason);
                        seen.0 += 1;
                    } else {
                        assert_eq!(decision.fingerprint, closed_fp);
                        assert!(!decision.allowed, "{}", decision.reason);
                        seen.1 += 1;
                    }
                }
                seen
            })
        })
        .collect();
    for round in 0..40 {
        let sources = if round % 2 == 0 { &open } else { &closed };
        authorizer.reload(sources).unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    for reader in readers {
        let (allowed, denied) = reader.join().unwrap();
        assert!(allowed + denied >= 200);
    }
    // 40 reloads end on `closed`.
    assert_eq!(authorizer.fingerprint(), closed_fingerprint);
}
