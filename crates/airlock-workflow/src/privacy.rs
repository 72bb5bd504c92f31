//! The compiled privacy settings of a workflow: which personal data is
//! redacted and how (`[pii]`, and `redact` steps), how long payloads are
//! kept (`[retention]`), and what a `guard` step does with a suspected
//! prompt injection.

use std::time::Duration;

/// A kind of personal data a detector finds (config words on the left).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PiiEntity {
    Email,
    Phone,
    PaymentCard,
    Iban,
    UsSsn,
    IpAddress,
    Person,
}

impl PiiEntity {
    pub const ALL: &'static [PiiEntity] = &[
        PiiEntity::Email,
        PiiEntity::Phone,
        PiiEntity::PaymentCard,
        PiiEntity::Iban,
        PiiEntity::UsSsn,
        PiiEntity::IpAddress,
        PiiEntity::Person,
    ];
    pub const NAMES: &'static [&'static str] = &[
        "email",
        "phone",
        "credit_card",
        "iban",
        "us_ssn",
        "ip_address",
        "person",
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::NAMES
            .iter()
            .position(|n| *n == s)
            .map(|i| Self::ALL[i])
    }

    pub fn as_str(self) -> &'static str {
        let index = Self::ALL.iter().position(|e| *e == self).unwrap_or(0);
        Self::NAMES[index]
    }
}

/// How found personal data is replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PiiMode {
    /// A fixed mask.
    Mask,
    /// Typed placeholders (`<EMAIL_1>`), the same value the same
    /// placeholder throughout a run.
    Placeholder,
    /// A keyed hash (HMAC-SHA256 under the server's PII hash key): the
    /// same value the same token across runs, irreversible without the key.
    Hash,
}

impl PiiMode {
    pub const NAMES: &'static [&'static str] = &["mask", "placeholder", "hash"];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "mask" => Some(PiiMode::Mask),
            "placeholder" => Some(PiiMode::Placeholder),
            "hash" => Some(PiiMode::Hash),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PiiMode::Mask => "mask",
            PiiMode::Placeholder => "placeholder",
            PiiMode::Hash => "hash",
        }
    }
}

/// `[pii]`: what stored payloads (and `redact` steps, unless they say
/// otherwise) redact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PiiPolicy {
    pub entities: Vec<PiiEntity>,
    pub mode: PiiMode,
    /// Keep the unredacted payload, encrypted, for roles allowed to read
    /// raw data (default true). `false` keeps only the redacted copy.
    pub keep_raw: bool,
}

impl Default for PiiPolicy {
    fn default() -> Self {
        PiiPolicy {
            entities: PiiEntity::ALL.to_vec(),
            mode: PiiMode::Placeholder,
            keep_raw: true,
        }
    }
}

/// `[retention]`: how long run payloads are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RetentionPolicy {
    /// Payloads (input, steps, output, raw copy) of runs and quarantined
    /// inputs older than this are purged; `None` keeps them.
    pub payloads: Option<Duration>,
}

/// What a `guard` step does when the score reaches its threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuardAction {
    /// The run ends `block` at once: no later step (no model) runs.
    Block,
    /// The run ends `review` at once: a person decides.
    Review,
}

impl GuardAction {
    pub const NAMES: &'static [&'static str] = &["block", "review"];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "block" => Some(GuardAction::Block),
            "review" => Some(GuardAction::Review),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            GuardAction::Block => "block",
            GuardAction::Review => "review",
        }
    }
}
