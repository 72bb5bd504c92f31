//! The kinds of personal data Airlock detects, with their canonical names
//! (`EMAIL_ADDRESS`, the names Presidio and its datasets use) and the short
//! names workflow configuration uses (`email`).

use airlock_core::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A kind of personal data.
///
/// The order of the variants is the order in which overlapping findings are
/// resolved (see [`crate::pii::resolve_overlaps`]): a checksum-validated or
/// tightly-shaped kind wins over a looser one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EntityType {
    #[serde(rename = "EMAIL_ADDRESS")]
    Email,
    #[serde(rename = "IBAN_CODE")]
    Iban,
    #[serde(rename = "CREDIT_CARD")]
    PaymentCard,
    #[serde(rename = "IP_ADDRESS")]
    IpAddress,
    #[serde(rename = "US_SSN")]
    UsSsn,
    #[serde(rename = "PHONE_NUMBER")]
    Phone,
    #[serde(rename = "PERSON")]
    Person,
}

impl EntityType {
    /// Every kind, in resolution priority order.
    pub const ALL: [EntityType; 7] = [
        EntityType::Email,
        EntityType::Iban,
        EntityType::PaymentCard,
        EntityType::IpAddress,
        EntityType::UsSsn,
        EntityType::Phone,
        EntityType::Person,
    ];

    /// The canonical name: `EMAIL_ADDRESS`, `PHONE_NUMBER`, `CREDIT_CARD`,
    /// `IBAN_CODE`, `US_SSN`, `IP_ADDRESS`, `PERSON`. Placeholders and
    /// reports use it.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityType::Email => "EMAIL_ADDRESS",
            EntityType::Phone => "PHONE_NUMBER",
            EntityType::PaymentCard => "CREDIT_CARD",
            EntityType::Iban => "IBAN_CODE",
            EntityType::UsSsn => "US_SSN",
            EntityType::IpAddress => "IP_ADDRESS",
            EntityType::Person => "PERSON",
        }
    }

    /// The short name used in workflow configuration: `email`, `phone`,
    /// `credit_card`, `iban`, `us_ssn`, `ip_address`, `person`.
    pub fn config_name(self) -> &'static str {
        match self {
            EntityType::Email => "email",
            EntityType::Phone => "phone",
            EntityType::PaymentCard => "credit_card",
            EntityType::Iban => "iban",
            EntityType::UsSsn => "us_ssn",
            EntityType::IpAddress => "ip_address",
            EntityType::Person => "person",
        }
    }

    /// Resolution priority: lower wins when two findings overlap.
    pub(crate) fn priority(self) -> usize {
        EntityType::ALL
            .iter()
            .position(|e| *e == self)
            .unwrap_or(EntityType::ALL.len())
    }
}

impl fmt::Display for EntityType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EntityType {
    type Err = Error;

    /// Accepts the short configuration name (`email`), a few aliases
    /// (`ssn`, `ip`, `card`, `name`) and the canonical name in any case
    /// (`EMAIL_ADDRESS`).
    fn from_str(s: &str) -> Result<Self> {
        let lower = s.trim().to_ascii_lowercase();
        let found = match lower.as_str() {
            "email" | "email_address" => Some(EntityType::Email),
            "phone" | "phone_number" => Some(EntityType::Phone),
            "credit_card" | "card" | "payment_card" => Some(EntityType::PaymentCard),
            "iban" | "iban_code" => Some(EntityType::Iban),
            "us_ssn" | "ssn" => Some(EntityType::UsSsn),
            "ip_address" | "ip" => Some(EntityType::IpAddress),
            "person" | "name" => Some(EntityType::Person),
            _ => None,
        };
        found.ok_or_else(|| {
            let names: Vec<&str> = EntityType::ALL.iter().map(|e| e.config_name()).collect();
            Error::invalid_config(format!("unknown PII entity type `{s}`"))
                .with_hint(format!("use one of: {}", names.join(", ")))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for entity in EntityType::ALL {
            assert_eq!(
                entity.config_name().parse::<EntityType>().ok(),
                Some(entity)
            );
            assert_eq!(entity.as_str().parse::<EntityType>().ok(), Some(entity));
            let json = serde_json::to_value(entity).ok();
            assert_eq!(json, Some(serde_json::json!(entity.as_str())));
        }
        assert_eq!("SSN".parse::<EntityType>().ok(), Some(EntityType::UsSsn));
    }

    #[test]
    fn unknown_name_is_a_config_error_with_the_choices() {
        let err = "passport".parse::<EntityType>().err();
        let err = err.as_ref();
        assert_eq!(
            err.map(|e| e.kind()),
            Some(airlock_core::ErrorKind::InvalidConfig)
        );
        assert!(err
            .and_then(|e| e.hint())
            .is_some_and(|h| h.contains("us_ssn")));
    }
}
