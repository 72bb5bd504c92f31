//! Two test workflows, written as files and loaded like real ones:
//!
//! - `triage` (with a validate step): decisions `block` for a message
//!   failing validation or one containing `forbidden`, `review` for risky
//!   (`stolen`) or unsure classifications, `fallback` when generation
//!   fails (`FAIL`, `on_error = "continue"`), `auto` otherwise.
//! - `strict` (no validate step, so the engine checks the contract):
//!   one generate step with the default `on_error = "fail"`.
//! - `panel`: every run goes to review, and two reviewers must agree
//!   (`consensus = 2`); disagreement escalates to an adjudicator.

use std::path::Path;

const TRIAGE_TOML: &str = r#"
name = "triage"
description = "Test triage"
owner = "tests@example.com"
risk = "medium"
data_class = "internal"
runbook = "https://example.com/runbooks/triage"

[input]
schema = "input.schema.json"

[output]
schema = "output.schema.json"
value = "{'intent': steps.intent.label, 'reply': steps.reply.ok ? steps.reply.text : steps.canned.text}"

[review]
priority = 1
sla = "4h"
lease = "15m"
label_field = "intent"

[[steps]]
name = "validate"
kind = "validate"
description = "The contract plus a check the schema does not make"

[[steps.checks]]
expr = "!input.message.startsWith(' ')"
message = "message must not start with a space"

[[steps]]
name = "intent"
kind = "classify"
model = "classifiers/test.json"
text = "input.message"

[[steps]]
name = "banned"
kind = "rule"
expr = "input.message.contains('forbidden')"

[[steps]]
name = "risky"
kind = "rule"
expr = "steps.intent.label in ['lost_or_stolen_card']"

[[steps]]
name = "reply"
kind = "generate"
when = "!steps.banned.value && !steps.risky.value && steps.intent.confidence >= 0.85"
prompt = "reply.prompt.j2"
max_tokens = 64
on_error = "continue"

[[steps]]
name = "canned"
kind = "fallback"
when = "!steps.reply.ok"
template = "canned.txt.j2"

[[decision]]
name = "invalid-input"
when = "!steps.validate.valid"
decision = "block"
reason = "the input failed the contract"

[[decision]]
name = "banned"
when = "steps.banned.value"
decision = "block"

[[decision]]
name = "risky-intent"
when = "steps.risky.value"
decision = "review"
reason = "card loss is handled by a person"
priority = 10

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

const TRIAGE_INPUT: &str = r#"{
  "type": "object",
  "required": ["message"],
  "additionalProperties": false,
  "properties": {
    "message": {"type": "string", "minLength": 1, "maxLength": 500},
    "channel": {"enum": ["email", "chat"]}
  }
}"#;

const TRIAGE_OUTPUT: &str = r#"{
  "type": "object",
  "required": ["intent", "reply"],
  "properties": {"intent": {"type": "string"}, "reply": {"type": "string"}}
}"#;

const STRICT_TOML: &str = r#"
name = "strict"
description = "One generation that must succeed"
owner = "tests@example.com"
risk = "low"
data_class = "public"
runbook = "https://example.com/runbooks/strict"

[input]
schema = "input.schema.json"

[output]
schema = "output.schema.json"
value = "{'draft': steps.draft.text}"

[[steps]]
name = "draft"
kind = "generate"
prompt = "draft.prompt.j2"

[[decision]]
name = "default"
decision = "auto"
"#;

const STRICT_INPUT: &str = r#"{
  "type": "object",
  "required": ["text"],
  "properties": {"text": {"type": "string"}}
}"#;

const STRICT_OUTPUT: &str = r#"{
  "type": "object",
  "required": ["draft"],
  "properties": {"draft": {"type": "string"}}
}"#;

const PANEL_TOML: &str = r#"
name = "panel"
description = "Every answer checked by two people"
owner = "tests@example.com"
risk = "high"
data_class = "internal"
runbook = "https://example.com/runbooks/panel"

[input]
schema = "input.schema.json"

[output]
schema = "output.schema.json"
value = "{'intent': steps.intent.label}"

[review]
consensus = 2
label_field = "intent"

[[steps]]
name = "intent"
kind = "classify"
model = "classifiers/test.json"
text = "input.message"

[[decision]]
name = "always"
decision = "review"
reason = "two reviewers check every answer"
"#;

const PANEL_OUTPUT: &str = r#"{
  "type": "object",
  "required": ["intent"],
  "properties": {"intent": {"type": "string"}}
}"#;

/// Writes the workflows under `root` (one directory each).
pub fn write(root: &Path) {
    write_files(
        &root.join("triage"),
        &[
            ("workflow.toml", TRIAGE_TOML),
            ("input.schema.json", TRIAGE_INPUT),
            ("output.schema.json", TRIAGE_OUTPUT),
            (
                "reply.prompt.j2",
                "Customer: {{ input.message }}\nIntent: {{ steps.intent.label }}\n",
            ),
            (
                "canned.txt.j2",
                "Thanks, we have your message about {{ steps.intent.label }}.",
            ),
        ],
    );
    write_files(
        &root.join("strict"),
        &[
            ("workflow.toml", STRICT_TOML),
            ("input.schema.json", STRICT_INPUT),
            ("output.schema.json", STRICT_OUTPUT),
            ("draft.prompt.j2", "Draft: {{ input.text }}"),
        ],
    );
    write_files(
        &root.join("panel"),
        &[
            ("workflow.toml", PANEL_TOML),
            ("input.schema.json", TRIAGE_INPUT),
            ("output.schema.json", PANEL_OUTPUT),
        ],
    );
}

fn write_files(dir: &Path, files: &[(&str, &str)]) {
    std::fs::create_dir_all(dir).expect("the test can create a workflow directory");
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("the test can write workflow files");
    }
}
