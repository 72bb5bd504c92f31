//! Shared fixtures of the engine tests: two small workflows written into a
//! temporary directory and a deterministic fake [`Models`].

#![allow(dead_code)]

use airlock_core::{Error, Result};
use airlock_engine::{Alternative, Classification, Generation, Models};
use async_trait::async_trait;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Classifies by keyword: "fraud" → `fraud` (0.97), "maybe" → `balance`
/// (0.40), anything else → `balance` (0.95). Generation echoes the label
/// it finds in the prompt and fails when the prompt contains `FAILGEN`.
#[derive(Default)]
pub struct FakeModels {
    pub classify_calls: AtomicUsize,
    pub generate_calls: AtomicUsize,
}

#[async_trait]
impl Models for FakeModels {
    async fn classify(&self, model: &str, text: &str) -> Result<Classification> {
        self.classify_calls.fetch_add(1, Ordering::SeqCst);
        let (label, confidence) = if text.contains("fraud") {
            ("fraud", 0.97)
        } else if text.contains("maybe") {
            ("balance", 0.40)
        } else {
            ("balance", 0.95)
        };
        Ok(Classification {
            label: label.into(),
            confidence,
            alternatives: vec![Alternative {
                label: "other".into(),
                confidence: 1.0 - confidence,
            }],
            model: format!("{model}@fake"),
        })
    }

    async fn generate(&self, prompt: &str, _max_tokens: u32) -> Result<Generation> {
        self.generate_calls.fetch_add(1, Ordering::SeqCst);
        if prompt.contains("FAILGEN") {
            return Err(Error::inference("the fake generator was told to fail"));
        }
        Ok(Generation {
            text: format!("  Reply: {}  ", prompt.trim()),
            model: "fake-generator@0".into(),
            prompt_tokens: 5,
            completion_tokens: 3,
            finish_reason: "stop".into(),
        })
    }

    fn loaded(&self) -> Vec<String> {
        vec!["fake".into()]
    }
}

const INPUT_SCHEMA: &str = r#"{
  "type": "object",
  "required": ["message"],
  "additionalProperties": false,
  "properties": {
    "message": {"type": "string", "minLength": 1, "maxLength": 200},
    "email": {"type": "string", "format": "email"},
    "amount": {"type": "integer", "minimum": 0, "maximum": 1000}
  }
}"#;

const OUTPUT_SCHEMA: &str = r#"{
  "type": "object",
  "required": ["intent", "reply"],
  "properties": {
    "intent": {"type": ["string", "null"]},
    "reply": {"type": "string"}
  }
}"#;

const TRIAGE: &str = r#"
name = "triage"
description = "test triage"
owner = "tests@example.com"
risk = "medium"
data_class = "internal"
runbook = "https://example.com/runbook"

[input]
schema = "input.schema.json"

[output]
schema = "output.schema.json"
value = "{'intent': steps.intent.label, 'reply': steps.reply.ok ? steps.reply.text : steps.canned.text}"

[[steps]]
name = "validate"
kind = "validate"
[[steps.checks]]
expr = "size(input.message.trim()) > 0"
message = "message must not be blank"

[[steps]]
name = "intent"
kind = "classify"
model = "classifiers/fake.json"
text = "input.message"

[[steps]]
name = "risky"
kind = "rule"
expr = "steps.intent.label == 'fraud'"

[[steps]]
name = "reply"
kind = "generate"
when = "!steps.risky.value && steps.intent.confidence >= 0.85"
prompt = "reply.j2"
on_error = "continue"

[[steps]]
name = "canned"
kind = "fallback"
when = "!steps.reply.ok"
template = "canned.j2"

[[decision]]
name = "invalid-input"
when = "!steps.validate.valid"
decision = "block"

[[decision]]
name = "risky-intent"
when = "steps.risky.value"
decision = "review"

[[decision]]
name = "low-confidence"
when = "steps.intent.confidence < 0.85"
decision = "review"

[[decision]]
name = "generation-failed"
when = "!steps.reply.ok"
decision = "fallback"

[[decision]]
name = "default"
decision = "auto"
"#;

/// No validate step; generation failures fail the run; the output must
/// have a `reply` string, which `output.value` breaks for "badoutput".
const STRICT: &str = r#"
name = "strict"
description = "test strict"
owner = "tests@example.com"
risk = "high"
data_class = "confidential"
runbook = "https://example.com/runbook"

[input]
schema = "input.schema.json"

[output]
schema = "output.schema.json"
value = "{'intent': null, 'reply': input.message == 'badoutput' ? 42 : steps.reply.text}"

[[steps]]
name = "reply"
kind = "generate"
prompt = "reply.j2"

[[decision]]
name = "default"
decision = "auto"
"#;

/// Writes the `triage` and `strict` workflows under `root`.
pub fn write_workflows(root: &Path) {
    for (name, toml) in [("triage", TRIAGE), ("strict", STRICT)] {
        let dir = root.join(name);
        std::fs::create_dir_all(&dir).expect("create workflow dir");
        let files = [
            ("workflow.toml", toml),
            ("input.schema.json", INPUT_SCHEMA),
            ("output.schema.json", OUTPUT_SCHEMA),
            ("reply.j2", "{{ input.message }}"),
            ("canned.j2", "Thanks, a person will get back to you."),
        ];
        for (file, text) in files {
            std::fs::write(dir.join(file), text).expect("write workflow file");
        }
    }
}
