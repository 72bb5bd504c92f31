//! IPv4 and IPv6 addresses. Candidates are found by shape and accepted
//! only if `std::net` parses them, so `999.1.1.1`, `1.2.3` or a time like
//! `12:30:45` are not addresses.

use super::{compile, Recognizer};
use crate::pii::entity::EntityType;
use crate::pii::finding::Finding;
use crate::pii::text::stands_alone;
use airlock_core::Result;
use regex::Regex;
use std::net::{Ipv4Addr, Ipv6Addr};

pub(crate) struct IpAddressRecognizer {
    v4: Regex,
    v6: Regex,
}

impl IpAddressRecognizer {
    pub(crate) fn new() -> Result<Self> {
        Ok(IpAddressRecognizer {
            v4: compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}")?,
            // Hex groups and colons, optionally ending in a dotted IPv4
            // (`::ffff:192.0.2.1`); what is a valid address is left to
            // `Ipv6Addr`.
            v6: compile(
                r"(?i)(?:[0-9a-f]{1,4}|:)?:(?:[0-9a-f]{0,4}:){0,6}(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9a-f]{1,4}|:)",
            )?,
        })
    }
}

/// Enough of an IPv6 address to be one in prose: at least one decimal digit
/// and four hex digits (so `ab::cd` or `dead::beef` are not taken).
fn looks_like_v6(candidate: &str) -> bool {
    candidate.bytes().any(|b| b.is_ascii_digit())
        && candidate.bytes().filter(u8::is_ascii_hexdigit).count() >= 4
}

impl Recognizer for IpAddressRecognizer {
    fn entity(&self) -> EntityType {
        EntityType::IpAddress
    }

    fn find(&self, text: &str, out: &mut Vec<Finding>) {
        for m in self.v4.find_iter(text) {
            if m.as_str().parse::<Ipv4Addr>().is_ok() && stands_alone(text, m.start(), m.end()) {
                out.push(Finding::new(EntityType::IpAddress, m.start(), m.end()));
            }
        }
        if !text.contains(':') {
            return;
        }
        for m in self.v6.find_iter(text) {
            let candidate = m.as_str();
            if looks_like_v6(candidate)
                && candidate.parse::<Ipv6Addr>().is_ok()
                && stands_alone(text, m.start(), m.end())
            {
                out.push(Finding::new(EntityType::IpAddress, m.start(), m.end()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        IpAddressRecognizer::new()
            .map(|r| r.find(text, &mut out))
            .ok();
        crate::pii::finding::resolve_overlaps(out)
            .iter()
            .map(|f| f.text(text))
            .collect()
    }

    #[test]
    fn ipv4_is_parsed_not_just_shaped() {
        assert_eq!(found("from 192.168.0.1."), vec!["192.168.0.1"]);
        assert!(found("999.1.1.1 and 1.2.3.4.5 and v1.2.3").is_empty());
    }

    #[test]
    fn ipv6_full_compressed_and_mapped() {
        assert_eq!(
            found("host 2001:0db8:85a3:0000:0000:8a2e:0370:7334 up"),
            vec!["2001:0db8:85a3:0000:0000:8a2e:0370:7334"]
        );
        assert_eq!(found("gw fe80::1 and ::1"), vec!["fe80::1"]);
        assert_eq!(
            found("[2001:db8::ff00:42:8329]:443"),
            vec!["2001:db8::ff00:42:8329"]
        );
        assert_eq!(
            found("mapped ::ffff:192.0.2.128"),
            vec!["::ffff:192.0.2.128"]
        );
        assert!(found("at 12:30:45, std::net::Ipv6Addr, MAC 00:1a:2b:3c:4d:5e").is_empty());
    }
}
