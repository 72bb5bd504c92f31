//! The canonical form of a found value, so that one value written two ways
//! (`Jane@Example.com` and `jane@example.com`, `4111 1111 1111 1111` and
//! `4111111111111111`) gets the same placeholder and the same keyed hash.

use crate::pii::entity::EntityType;
use std::net::IpAddr;

/// `value` (the text of a finding of type `entity`) in canonical form:
/// e-mail addresses and names lower-cased (names with whitespace
/// collapsed), card, phone and SSN numbers as their digits, IBANs upper
/// case without spaces, IP addresses as `std::net` prints them (IPv6
/// compressed).
pub(crate) fn canonical(entity: EntityType, value: &str) -> String {
    match entity {
        EntityType::Email => value.to_lowercase(),
        EntityType::Person => value
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase(),
        EntityType::PaymentCard | EntityType::Phone | EntityType::UsSsn => {
            value.chars().filter(char::is_ascii_digit).collect()
        }
        EntityType::Iban => value
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_uppercase())
            .collect(),
        EntityType::IpAddress => match value.parse::<IpAddr>() {
            Ok(ip) => ip.to_string(),
            Err(_) => value.to_lowercase(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_value_written_differently_is_one_canonical_value() {
        assert_eq!(
            canonical(EntityType::Email, "Jane@Example.COM"),
            "jane@example.com"
        );
        assert_eq!(
            canonical(EntityType::PaymentCard, "4111 1111-1111 1111"),
            canonical(EntityType::PaymentCard, "4111111111111111")
        );
        assert_eq!(
            canonical(EntityType::Iban, "gb82 west 1234 5698 7654 32"),
            "GB82WEST12345698765432"
        );
        assert_eq!(
            canonical(EntityType::IpAddress, "2001:DB8:0:0:0:0:0:1"),
            "2001:db8::1"
        );
        assert_eq!(
            canonical(EntityType::Person, "Anna  Karenina"),
            "anna karenina"
        );
    }
}
