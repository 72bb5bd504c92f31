//! Loading a policy set: parse every source, give each policy its stable
//! id, validate everything against the schema in strict mode, and report
//! every problem of every source at once. The result, [`LoadedPolicies`],
//! is what an [`super::Authorizer`] decides with.

use std::collections::HashMap;
use std::str::FromStr;

use cedar_policy::{Effect, Policy, PolicyId, PolicySet, ValidationMode, Validator};
use miette::Diagnostic;
use sha2::{Digest, Sha256};

use super::problem::PolicyProblem;
use super::schema::airlock_schema;
use super::sources::PolicySources;

/// The annotation naming a policy (`@id("...")`).
pub const ID_ANNOTATION: &str = "id";
/// The annotation explaining a policy to the caller it decides for
/// (`@reason("...")`).
pub const REASON_ANNOTATION: &str = "reason";

const WORKFLOW_TYPE: &str = "Airlock::Workflow";

/// Whether a policy permits or forbids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyEffect {
    Permit,
    Forbid,
}

/// One loaded policy, as listings and audit tooling show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyInfo {
    /// Its stable id: the `@id` annotation, else `<origin>#<n>` with `n`
    /// its 1-based position in the source.
    pub id: String,
    /// The source it came from.
    pub origin: String,
    /// 1-based line it starts at, when known.
    pub line: Option<u32>,
    pub effect: PolicyEffect,
    /// Its `@reason` annotation, if any.
    pub reason: Option<String>,
}

/// A validated policy set with its fingerprint.
#[derive(Debug, Clone)]
pub struct LoadedPolicies {
    set: PolicySet,
    policies: Vec<PolicyInfo>,
    /// Policy id to how decisions name it: ``"`id` (reason)"``. Built once
    /// here: looking annotations up in the Cedar set parses the key each
    /// time, which was a seventh of a decision's cost.
    described: HashMap<String, String>,
    /// Whether a policy names an `Airlock::Workflow` entity literally.
    names_workflow_entities: bool,
    warnings: Vec<PolicyProblem>,
    fingerprint: String,
}

impl LoadedPolicies {
    /// Parses and validates every source; every problem of every source is
    /// returned at once (parse errors, schema-validation errors, templates,
    /// duplicate or empty ids).
    pub fn load(sources: &PolicySources) -> Result<Self, Vec<PolicyProblem>> {
        let schema = airlock_schema().map_err(|problem| vec![problem])?;
        let validator = Validator::new(schema);
        let mut problems = Vec::new();
        let mut warnings = Vec::new();
        let mut first_use: HashMap<String, String> = HashMap::new();
        let mut loaded: Vec<(Policy, PolicyInfo)> = Vec::new();

        for (origin, text) in sources.iter() {
            let problems_before = problems.len();
            let parsed = parse_source(origin, text, &mut problems);
            if parsed.is_empty() {
                if problems.len() == problems_before {
                    warnings.push(PolicyProblem::new(origin, "no policies in this source"));
                }
                continue;
            }
            let mut source_set = PolicySet::new();
            for (policy, info) in parsed {
                let place = describe_place(&info);
                if let Some(first) = first_use.get(&info.id) {
                    problems.push(
                        located(
                            origin,
                            &info,
                            format!("policy id `{}` is already used at {first}", info.id),
                        )
                        .with_hint("policy ids (`@id`) must be unique across all policy sources"),
                    );
                    continue;
                }
                first_use.insert(info.id.clone(), place);
                if let Err(err) = source_set.add(policy.clone()) {
                    problems.push(located(origin, &info, err.to_string()));
                    continue;
                }
                loaded.push((policy, info));
            }
            let result = validator.validate(&source_set, ValidationMode::Strict);
            for error in result.validation_errors() {
                problems.push(
                    diagnostic_problem(origin, text, error)
                        .in_policy(AsRef::<str>::as_ref(error.policy_id())),
                );
            }
            for warning in result.validation_warnings() {
                warnings.push(
                    diagnostic_problem(origin, text, warning)
                        .in_policy(AsRef::<str>::as_ref(warning.policy_id())),
                );
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }

        let mut set = PolicySet::new();
        let mut policies = Vec::with_capacity(loaded.len());
        for (policy, info) in loaded {
            if let Err(err) = set.add(policy) {
                problems.push(located(&info.origin, &info, err.to_string()));
            }
            policies.push(info);
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        if policies.is_empty() {
            warnings.push(PolicyProblem::new(
                "policies",
                "no policies are loaded: every request will be denied",
            ));
        }
        let described = policies
            .iter()
            .map(|info| {
                let text = match &info.reason {
                    Some(reason) => format!("`{}` ({reason})", info.id),
                    None => format!("`{}`", info.id),
                };
                (info.id.clone(), text)
            })
            .collect();
        let names_workflow_entities = set.policies().any(|policy| {
            policy
                .entity_literals()
                .iter()
                .any(|uid| uid.type_name().to_string() == WORKFLOW_TYPE)
        });
        Ok(LoadedPolicies {
            set,
            policies,
            described,
            names_workflow_entities,
            warnings,
            fingerprint: fingerprint(sources),
        })
    }

    /// Hex SHA-256 over every source's origin and text, in load order: the
    /// audit log records it to say which policy set decided.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Every policy, in load order.
    pub fn policies(&self) -> &[PolicyInfo] {
        &self.policies
    }

    /// What the validator warned about (e.g. a policy that can never
    /// apply); these do not stop a load.
    pub fn warnings(&self) -> &[PolicyProblem] {
        &self.warnings
    }

    /// Whether some policy names a workflow entity literally, e.g.
    /// `Airlock::Workflow::"x".owner`.
    pub(crate) fn names_workflow_entities(&self) -> bool {
        self.names_workflow_entities
    }

    pub(crate) fn cedar_set(&self) -> &PolicySet {
        &self.set
    }

    /// How decisions name policy `id`: its id in backquotes, followed by
    /// its `@reason` in parentheses when it has one.
    pub(crate) fn describe(&self, id: &PolicyId) -> String {
        let id: &str = id.as_ref();
        match self.described.get(id) {
            Some(text) => text.clone(),
            None => format!("`{id}`"),
        }
    }
}

/// The policies of one source, renamed to their stable ids, in source
/// order; parse problems go to `problems`.
fn parse_source(
    origin: &str,
    text: &str,
    problems: &mut Vec<PolicyProblem>,
) -> Vec<(Policy, PolicyInfo)> {
    let parsed = match PolicySet::from_str(text) {
        Ok(parsed) => parsed,
        Err(errors) => {
            problems.extend(
                errors
                    .iter()
                    .map(|error| diagnostic_problem(origin, text, error)),
            );
            return Vec::new();
        }
    };
    for template in parsed.templates() {
        let mut problem = PolicyProblem::new(
            origin,
            "templates (policies with `?principal` or `?resource`) are not supported",
        )
        .with_hint("write a static policy naming the principal or resource");
        if let Some(offset) = text.find(&template.to_cedar()) {
            problem = problem.at_offset(text, offset);
        }
        problems.push(problem);
    }

    // `PolicySet::from_str` names the policies `policy0`, `policy1`, ... in
    // source order (documented); sort on that number to recover the order.
    let mut in_order: Vec<(usize, &Policy)> = parsed
        .policies()
        .map(|policy| (parsed_index(policy.id()), policy))
        .collect();
    in_order.sort_by_key(|(index, _)| *index);

    let mut cursor = 0;
    let mut renamed = Vec::with_capacity(in_order.len());
    for (index, policy) in in_order {
        let offset = policy.to_cedar().and_then(|policy_text| {
            let found = text.get(cursor..)?.find(&policy_text)? + cursor;
            cursor = found + policy_text.len();
            Some(found)
        });
        let line =
            offset.and_then(|offset| PolicyProblem::new(origin, "").at_offset(text, offset).line);
        let id = match policy.annotation(ID_ANNOTATION) {
            Some(id) if id.trim().is_empty() => {
                let mut problem = PolicyProblem::new(origin, "`@id` is empty")
                    .with_hint("give the policy a name, e.g. @id(\"apps-no-high-risk\")");
                if let Some(offset) = offset {
                    problem = problem.at_offset(text, offset);
                }
                problems.push(problem);
                continue;
            }
            Some(id) => id.to_string(),
            None => format!("{origin}#{}", index + 1),
        };
        let info = PolicyInfo {
            id: id.clone(),
            origin: origin.to_string(),
            line,
            effect: match policy.effect() {
                Effect::Permit => PolicyEffect::Permit,
                Effect::Forbid => PolicyEffect::Forbid,
            },
            reason: policy.annotation(REASON_ANNOTATION).map(str::to_string),
        };
        renamed.push((policy.new_id(PolicyId::new(id)), info));
    }
    renamed
}

/// The `N` of a parser-given id `policyN` (`usize::MAX` if it is not one,
/// which only reorders, never loses, a policy).
fn parsed_index(id: &PolicyId) -> usize {
    AsRef::<str>::as_ref(id)
        .strip_prefix("policy")
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::MAX)
}

/// A problem at a loaded policy's line.
fn located(origin: &str, info: &PolicyInfo, message: String) -> PolicyProblem {
    let mut problem = PolicyProblem::new(origin, message).in_policy(&info.id);
    problem.line = info.line;
    problem
}

fn describe_place(info: &PolicyInfo) -> String {
    match info.line {
        Some(line) => format!("{}:{line}", info.origin),
        None => info.origin.clone(),
    }
}

/// A Cedar diagnostic (parse error, validation error or warning) as a
/// problem, positioned at its first labelled span. Spans are byte offsets
/// into the source text the policy was parsed from.
fn diagnostic_problem(origin: &str, text: &str, diagnostic: &dyn Diagnostic) -> PolicyProblem {
    let mut problem = PolicyProblem::new(origin, diagnostic.to_string());
    if let Some(label) = diagnostic.labels().and_then(|mut labels| labels.next()) {
        problem = problem.at_offset(text, label.offset());
    }
    if let Some(help) = diagnostic.help() {
        problem = problem.with_hint(help.to_string());
    }
    problem
}

/// Hex SHA-256 of every source, each written as its origin and text with
/// their lengths so that no two different source lists hash alike.
fn fingerprint(sources: &PolicySources) -> String {
    let mut hasher = Sha256::new();
    for (origin, text) in sources.iter() {
        for part in [origin, text] {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
    }
    hex::encode(hasher.finalize())
}
