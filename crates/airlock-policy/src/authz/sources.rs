//! The policy texts an [`super::Authorizer`] is loaded from: Airlock's
//! embedded defaults (unless left out) followed by the operator's sources,
//! each an origin (the file name, for messages) and its text. Reading the
//! files is the caller's job; this crate does no I/O.

/// Airlock's default policies (`default.cedar`, shipped in the binary).
pub const DEFAULT_POLICIES: &str = include_str!("default.cedar");

/// The origin the default policies are reported under.
pub const DEFAULT_POLICIES_ORIGIN: &str = "builtin/default.cedar";

/// One policy text and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySource {
    /// The file name (or other label) problems and generated ids name.
    pub origin: String,
    /// The Cedar policies.
    pub text: String,
}

/// Everything a policy set is built from, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySources {
    include_defaults: bool,
    operator: Vec<PolicySource>,
}

impl PolicySources {
    /// The default policies alone.
    pub fn defaults() -> Self {
        PolicySources {
            include_defaults: true,
            operator: Vec::new(),
        }
    }

    /// No default policies: the operator's sources are the whole policy
    /// set (with none, every request is denied).
    pub fn without_defaults() -> Self {
        PolicySources {
            include_defaults: false,
            operator: Vec::new(),
        }
    }

    /// Adds an operator source after the ones already added.
    pub fn with(mut self, origin: impl Into<String>, text: impl Into<String>) -> Self {
        self.push(origin, text);
        self
    }

    /// Adds an operator source after the ones already added.
    pub fn push(&mut self, origin: impl Into<String>, text: impl Into<String>) {
        self.operator.push(PolicySource {
            origin: origin.into(),
            text: text.into(),
        });
    }

    pub fn includes_defaults(&self) -> bool {
        self.include_defaults
    }

    /// The operator's sources, in the order they were added.
    pub fn operator_sources(&self) -> &[PolicySource] {
        &self.operator
    }

    /// Every source as `(origin, text)`, the defaults first when included.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        let defaults = self
            .include_defaults
            .then_some((DEFAULT_POLICIES_ORIGIN, DEFAULT_POLICIES));
        defaults.into_iter().chain(
            self.operator
                .iter()
                .map(|source| (source.origin.as_str(), source.text.as_str())),
        )
    }
}

impl Default for PolicySources {
    fn default() -> Self {
        PolicySources::defaults()
    }
}
