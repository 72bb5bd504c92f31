//! [`PiiDetector`]: runs the recognizers of the enabled entity types over a
//! text and resolves their findings into a sorted, non-overlapping list.

use super::entity::EntityType;
use super::finding::{resolve_overlaps, Finding};
use super::person::PersonRecognizer;
use super::recognizers::email::EmailRecognizer;
use super::recognizers::iban::IbanRecognizer;
use super::recognizers::ip_address::IpAddressRecognizer;
use super::recognizers::payment_card::PaymentCardRecognizer;
use super::recognizers::phone::PhoneRecognizer;
use super::recognizers::us_ssn::UsSsnRecognizer;
use super::recognizers::Recognizer;
use airlock_core::{Error, Result};
use std::fmt;
use std::sync::{Arc, LazyLock};

/// Every recognizer, compiled once per process and shared by all detectors.
struct Recognizers(Vec<Box<dyn Recognizer>>);

fn build_recognizers() -> Result<Recognizers> {
    Ok(Recognizers(vec![
        Box::new(EmailRecognizer::new()?),
        Box::new(IbanRecognizer::new()?),
        Box::new(PaymentCardRecognizer::new()?),
        Box::new(IpAddressRecognizer::new()?),
        Box::new(UsSsnRecognizer::new()?),
        Box::new(PhoneRecognizer::new()?),
        Box::new(PersonRecognizer::new()?),
    ]))
}

static RECOGNIZERS: LazyLock<Result<Arc<Recognizers>>> =
    LazyLock::new(|| build_recognizers().map(Arc::new));

/// Finds personal data of the enabled entity types in texts.
///
/// Cheap to create and to clone (the compiled patterns and word lists are
/// built once per process and shared), `Send + Sync`, pure: no I/O.
#[derive(Clone)]
pub struct PiiDetector {
    enabled: [bool; EntityType::ALL.len()],
    recognizers: Arc<Recognizers>,
}

impl fmt::Debug for PiiDetector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PiiDetector")
            .field("entities", &self.entities())
            .finish()
    }
}

impl PiiDetector {
    /// A detector for `entities` (duplicates are ignored).
    ///
    /// Errors: an empty list (a detector that finds nothing is a
    /// configuration mistake), or, as an internal error, a pattern of this
    /// crate that does not compile.
    pub fn new(entities: &[EntityType]) -> Result<Self> {
        if entities.is_empty() {
            return Err(
                Error::invalid_config("a PII detector needs at least one entity type")
                    .with_hint("list entity types such as email, phone, person"),
            );
        }
        let recognizers = match &*RECOGNIZERS {
            Ok(shared) => Arc::clone(shared),
            Err(e) => return Err(e.clone()),
        };
        let mut enabled = [false; EntityType::ALL.len()];
        for entity in entities {
            enabled[entity.priority()] = true;
        }
        Ok(PiiDetector {
            enabled,
            recognizers,
        })
    }

    /// A detector for every entity type.
    pub fn all() -> Result<Self> {
        Self::new(&EntityType::ALL)
    }

    /// A detector for entity types named as in workflow configuration
    /// (`["email", "phone"]`, see [`EntityType`]'s `FromStr`).
    pub fn from_names<S: AsRef<str>>(names: &[S]) -> Result<Self> {
        let entities = names
            .iter()
            .map(|n| n.as_ref().parse())
            .collect::<Result<Vec<EntityType>>>()?;
        Self::new(&entities)
    }

    /// The enabled entity types, in resolution priority order.
    pub fn entities(&self) -> Vec<EntityType> {
        EntityType::ALL
            .into_iter()
            .filter(|e| self.enabled[e.priority()])
            .collect()
    }

    /// Whether `entity` is enabled.
    pub fn detects(&self, entity: EntityType) -> bool {
        self.enabled[entity.priority()]
    }

    /// The personal data in `text`: non-overlapping findings sorted by
    /// start, with byte offsets on character boundaries.
    ///
    /// All recognizers run, even those of disabled types, so that a
    /// disabled type still claims its span: with only `phone` enabled, a
    /// card number is not reported as a phone number. Findings of disabled
    /// types are then dropped.
    pub fn detect(&self, text: &str) -> Vec<Finding> {
        let mut findings = Vec::new();
        for recognizer in &self.recognizers.0 {
            let entity = recognizer.entity();
            // Person names cannot be mistaken for another type's span, so
            // their (most costly) recognizer runs only when enabled.
            if entity == EntityType::Person && !self.detects(entity) {
                continue;
            }
            recognizer.find(text, &mut findings);
        }
        let mut resolved = resolve_overlaps(findings);
        resolved.retain(|f| self.detects(f.entity));
        resolved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(detector: &PiiDetector, text: &str) -> Vec<(EntityType, String)> {
        detector
            .detect(text)
            .iter()
            .map(|f| (f.entity, f.text(text).to_string()))
            .collect()
    }

    #[test]
    fn detector_is_send_sync_and_cheap_to_clone() {
        fn assert_send_sync<T: Send + Sync + Clone>() {}
        assert_send_sync::<PiiDetector>();
    }

    #[test]
    fn only_enabled_types_are_reported_but_all_claim_their_spans() {
        let phone_only = PiiDetector::new(&[EntityType::Phone]);
        let text = "card 4111 1111 1111 1111, call 555-123-4567";
        let found = phone_only.map(|d| shown(&d, text)).unwrap_or_default();
        assert_eq!(found, vec![(EntityType::Phone, "555-123-4567".to_string())]);
    }

    #[test]
    fn empty_or_unknown_configuration_is_an_error() {
        assert!(PiiDetector::new(&[]).is_err());
        assert!(PiiDetector::from_names(&["email", "passport"]).is_err());
        let d = PiiDetector::from_names(&["email", "ssn"])
            .map(|d| d.entities())
            .ok();
        assert_eq!(d, Some(vec![EntityType::Email, EntityType::UsSsn]));
    }
}
