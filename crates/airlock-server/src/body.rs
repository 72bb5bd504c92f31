//! [`BodyObject`]: the JSON object body of a reviewer or feedback request,
//! read member by member so every mistake is a `400` naming the member
//! (`reviewer`, `action`...): an unknown member, a wrong type, a missing
//! required one. Like the query parameters, by hand rather than with
//! serde, whose errors do not say which field they are about.

use airlock_core::{Error, Result};
use serde_json::{Map, Value};

/// A request body that must be a JSON object with only `known` members.
#[derive(Debug)]
pub struct BodyObject {
    members: Map<String, Value>,
}

impl BodyObject {
    /// Checks that `body` is an object whose members are all in `known`.
    pub fn new(body: Value, known: &[&str]) -> Result<Self> {
        let Value::Object(members) = body else {
            return Err(Error::invalid_input(format!(
                "the request body must be a JSON object, not {}",
                kind_of(&body)
            ))
            .with_field("body")
            .with_hint(format!("send {{{}}}", quoted(known))));
        };
        let unknown: Vec<&str> = members
            .keys()
            .map(String::as_str)
            .filter(|k| !known.contains(k))
            .collect();
        if let Some(first) = unknown.first() {
            return Err(Error::invalid_input(format!(
                "unknown member{} in the request body: {}",
                if unknown.len() > 1 { "s" } else { "" },
                unknown.join(", ")
            ))
            .with_field(*first)
            .with_hint(format!("known members: {}", known.join(", "))));
        }
        Ok(BodyObject { members })
    }

    /// A string member that must be present and not blank.
    pub fn required_text(&self, name: &str) -> Result<String> {
        self.text(name)?.ok_or_else(|| {
            Error::invalid_input(format!("`{name}` is required"))
                .with_field(name)
                .with_hint(format!("send \"{name}\" as a non-empty string"))
        })
    }

    /// A string member; absent or `null` is `None`, blank is an error.
    pub fn text(&self, name: &str) -> Result<Option<String>> {
        match self.members.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => {
                Err(Error::invalid_input(format!("`{name}` is blank"))
                    .with_field(name)
                    .with_hint(format!("leave \"{name}\" out or give it a value")))
            }
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(wrong_type(name, "a string", other)),
        }
    }

    /// A number member; absent or `null` is `None`.
    pub fn number(&self, name: &str) -> Result<Option<f64>> {
        match self.members.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n
                .as_f64()
                .filter(|f| f.is_finite())
                .map(Some)
                .ok_or_else(|| wrong_type(name, "a finite number", &Value::Number(n.clone()))),
            Some(other) => Err(wrong_type(name, "a number", other)),
        }
    }

    /// Any JSON member; absent or `null` is `None`.
    pub fn value(&self, name: &str) -> Option<Value> {
        match self.members.get(name) {
            None | Some(Value::Null) => None,
            Some(v) => Some(v.clone()),
        }
    }
}

fn wrong_type(name: &str, expected: &str, got: &Value) -> Error {
    Error::invalid_input(format!("`{name}` must be {expected}, not {}", kind_of(got)))
        .with_field(name)
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("\"{n}\": ..."))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn members_are_read_and_mistakes_named() {
        let body = BodyObject::new(
            json!({"reviewer": "alice", "score": 4.5, "output": {"a": 1}, "label": null}),
            &["reviewer", "score", "output", "label"],
        )
        .expect("known members");
        assert_eq!(body.required_text("reviewer").expect("present"), "alice");
        assert_eq!(body.number("score").expect("number"), Some(4.5));
        assert_eq!(body.value("output"), Some(json!({"a": 1})));
        assert_eq!(body.text("label").expect("null is absent"), None);
        assert_eq!(
            body.required_text("label").expect_err("missing").field(),
            Some("label")
        );

        let err = BodyObject::new(json!({"reviewr": "a"}), &["reviewer"]).expect_err("typo");
        assert_eq!(err.field(), Some("reviewr"));
        let err = BodyObject::new(json!(["a"]), &["reviewer"]).expect_err("not an object");
        assert_eq!(err.field(), Some("body"));
        let body = BodyObject::new(
            json!({"reviewer": 3, "score": "x", "label": " "}),
            &["reviewer", "score", "label"],
        )
        .expect("known members");
        for (name, err) in [
            (
                "reviewer",
                body.required_text("reviewer").expect_err("number"),
            ),
            ("score", body.number("score").expect_err("string")),
            ("label", body.text("label").expect_err("blank")),
        ] {
            assert_eq!(err.field(), Some(name), "{err}");
        }
    }
}
