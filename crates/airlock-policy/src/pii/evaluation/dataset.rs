//! Labelled texts in the JSON format of Presidio's evaluation data
//! (`presidio-research`): an array of `{"full_text", "spans": [{"entity_type",
//! "entity_value", "start_position", "end_position"}], "template_id"}` whose
//! positions count characters (Unicode scalar values), not bytes.

use airlock_core::{Error, Result};
use serde::Deserialize;

/// One labelled span, with byte offsets into its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelledSpan {
    /// The dataset's type name (`PERSON`, `ADDRESS`, ...); types Airlock
    /// does not detect are kept, they are simply never matched.
    pub entity_type: String,
    pub start: usize,
    pub end: usize,
}

/// One text with its labelled spans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelledText {
    pub text: String,
    pub spans: Vec<LabelledSpan>,
    /// The generator template the sentence came from, when the dataset
    /// says (texts of one template share their wording).
    pub template_id: Option<u64>,
}

#[derive(Deserialize)]
struct RawText {
    full_text: String,
    #[serde(default)]
    spans: Vec<RawSpan>,
    #[serde(default)]
    template_id: Option<u64>,
}

#[derive(Deserialize)]
struct RawSpan {
    entity_type: String,
    start_position: usize,
    end_position: usize,
}

/// Parses a Presidio-format dataset, converting character offsets to byte
/// offsets. Errors name the text and span whose offsets do not fit.
pub fn parse_presidio_dataset(json: &str) -> Result<Vec<LabelledText>> {
    let raw: Vec<RawText> = serde_json::from_str(json)
        .map_err(|e| Error::invalid_input(format!("not a Presidio-format dataset: {e}")))?;
    raw.into_iter()
        .enumerate()
        .map(|(index, text)| {
            // Byte offset of every character index, plus the end.
            let mut byte_at: Vec<usize> = text.full_text.char_indices().map(|(b, _)| b).collect();
            byte_at.push(text.full_text.len());
            let spans = text
                .spans
                .into_iter()
                .map(|span| {
                    let start = byte_at.get(span.start_position).copied();
                    let end = byte_at.get(span.end_position).copied();
                    match (start, end) {
                        (Some(start), Some(end)) if start <= end => Ok(LabelledSpan {
                            entity_type: span.entity_type,
                            start,
                            end,
                        }),
                        _ => Err(Error::invalid_input(format!(
                            "text {index}: span {}..{} does not fit a text of {} characters",
                            span.start_position,
                            span.end_position,
                            byte_at.len() - 1
                        ))),
                    }
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(LabelledText {
                text: text.full_text,
                spans,
                template_id: text.template_id,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn character_offsets_become_byte_offsets() {
        let json = r#"[{"full_text": "Ærø, call Åse", "spans": [
            {"entity_type": "PERSON", "entity_value": "Åse", "start_position": 10, "end_position": 13}
        ], "template_id": 7}]"#;
        let texts = parse_presidio_dataset(json).unwrap_or_default();
        assert_eq!(texts.len(), 1);
        let span = &texts[0].spans[0];
        assert_eq!(&texts[0].text[span.start..span.end], "Åse");
        assert_eq!(texts[0].template_id, Some(7));
    }

    #[test]
    fn offsets_past_the_end_are_an_error() {
        let json = r#"[{"full_text": "abc", "spans": [
            {"entity_type": "PERSON", "start_position": 1, "end_position": 9}
        ]}]"#;
        let err = parse_presidio_dataset(json).err();
        assert!(err.is_some_and(|e| e.message().contains("text 0")));
    }
}
