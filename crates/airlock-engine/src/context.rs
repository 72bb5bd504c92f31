//! What expressions and templates of one run see: `input` and `steps`.
//!
//! `steps.<name>` is the step's typed output merged with three fields every
//! step has: `ran` (false when skipped), `ok` (ran without error) and
//! `error` (the message, or null). Steps that have not run yet are absent,
//! which the loader already guarantees no expression refers to.

use airlock_workflow::Expression;
use cel::common::types::CelNull;
use cel::common::value::{CowVal, Val};
use cel::context::VariableResolver;
use serde_json::{Map, Value};
use std::sync::{Arc, LazyLock};

/// The functions expressions may call: CEL's standard library plus the
/// strings extension (`trim`, `lowerAscii`, `upperAscii`, `replace`,
/// `split`, `substring`, `indexOf`, `join`, `format`, ...), built once.
static CEL_ENV: LazyLock<Arc<cel::Env>> = LazyLock::new(|| {
    let mut env = cel::Env::stdlib();
    if let Err(e) = env.add_extension(cel::extensions::strings) {
        // The extension's overloads do not clash with the stdlib's; if a
        // future cel release made them, expressions would just lack them.
        tracing::error!(error = %e, "cannot register the CEL strings extension");
    }
    Arc::new(env)
});

/// The variables of one run, updated as its steps finish.
///
/// Each is kept twice: as JSON (for templates) and converted once into
/// CEL's value form, which every evaluation borrows through a
/// [`cel::context::VariableResolver`]. Converting on each evaluation
/// instead was three quarters of the engine's own CPU time
/// (BENCHMARKS.md, "Workflow runtime over HTTP").
pub struct RunContext {
    input: Value,
    steps: Map<String, Value>,
    cel: CelVariables,
}

/// `input` and `steps` in CEL's form.
struct CelVariables {
    input: Box<dyn Val>,
    steps: Box<dyn Val>,
}

impl VariableResolver for CelVariables {
    fn resolve<'b>(&'b self, variable: &str) -> Option<CowVal<'b, 'b>> {
        match variable {
            "input" => Some(CowVal::Borrowed(self.input.as_ref())),
            "steps" => Some(CowVal::Borrowed(self.steps.as_ref())),
            _ => None,
        }
    }
}

/// `value` as a CEL value object (conversion of plain JSON cannot fail;
/// should a future `cel` disagree, the value reads as null and the
/// expression that uses it reports the mismatch).
fn to_val(value: cel::Value) -> Box<dyn Val> {
    let converted: Result<Box<dyn Val>, cel::ExecutionError> = value.try_into();
    converted.unwrap_or_else(|_| Box::new(CelNull))
}

impl RunContext {
    pub fn new(input: Value) -> Self {
        let cel = CelVariables {
            input: to_val(to_cel(&input)),
            steps: to_val(to_cel_map(&Map::new())),
        };
        RunContext {
            input,
            steps: Map::new(),
            cel,
        }
    }

    /// The input as later steps see it (redacted once a `redact` step ran).
    pub fn input(&self) -> &Value {
        &self.input
    }

    /// Replaces the input later steps see (a `redact` step's result).
    pub fn replace_input(&mut self, input: Value) {
        self.cel.input = to_val(to_cel(&input));
        self.input = input;
    }

    /// Records what step `name` produced, as later expressions see it.
    pub fn record_step(&mut self, name: &str, ran: bool, output: &Value, error: Option<&str>) {
        let mut entry = match output {
            Value::Object(fields) => fields.clone(),
            _ => Map::new(),
        };
        entry.insert("ran".into(), Value::Bool(ran));
        entry.insert("ok".into(), Value::Bool(ran && error.is_none()));
        entry.insert(
            "error".into(),
            error.map_or(Value::Null, |e| Value::String(e.to_string())),
        );
        self.steps.insert(name.to_string(), Value::Object(entry));
        self.cel.steps = to_val(to_cel_map(&self.steps));
    }

    /// Evaluates `expr`; the error names what went wrong, not where (the
    /// caller knows which step or rule it is evaluating).
    pub fn eval(&self, expr: &Expression) -> Result<Value, String> {
        let mut context = cel::Context::with_env(Arc::clone(&CEL_ENV));
        context.set_variable_resolver(&self.cel);
        let value = expr
            .program
            .execute(&context)
            .map_err(|e| format!("`{}` failed: {e}", one_line(&expr.source)))?;
        value.json().map_err(|e| {
            format!(
                "`{}` gave a value that has no JSON form: {e}",
                one_line(&expr.source)
            )
        })
    }

    /// Evaluates a condition, which must give `true` or `false`.
    pub fn eval_bool(&self, expr: &Expression) -> Result<bool, String> {
        match self.eval(expr)? {
            Value::Bool(b) => Ok(b),
            other => Err(format!(
                "`{}` must be true or false, got {}",
                one_line(&expr.source),
                describe(&other)
            )),
        }
    }

    /// Renders template `name` of the workflow with `input` and `steps`.
    pub fn render(
        &self,
        templates: &minijinja::Environment<'_>,
        name: &str,
    ) -> Result<String, String> {
        let template = templates
            .get_template(name)
            .map_err(|e| format!("template {name}: {e}"))?;
        template
            .render(minijinja::context! { input => &self.input, steps => &self.steps })
            .map_err(|e| format!("template {name}: {e:#}"))
    }
}

/// JSON to CEL. Hand-written rather than `cel::to_value` because serde
/// hands CEL every non-negative JSON integer as `uint`, and CEL does no
/// arithmetic across `uint` and `int` (`input.n + 1` would fail): JSON has
/// one integer type, so integers become `int` (those above `i64::MAX`
/// stay `uint`) and other numbers `double`.
fn to_cel(value: &Value) -> cel::Value {
    match value {
        Value::Null => cel::Value::Null,
        Value::Bool(b) => cel::Value::Bool(*b),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => cel::Value::Int(i),
            (None, Some(u)) => cel::Value::UInt(u),
            _ => cel::Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => cel::Value::String(s.clone().into()),
        Value::Array(items) => {
            cel::Value::List(items.iter().map(to_cel).collect::<Vec<_>>().into())
        }
        Value::Object(fields) => to_cel_map(fields),
    }
}

fn to_cel_map(fields: &Map<String, Value>) -> cel::Value {
    let map: std::collections::HashMap<String, cel::Value> =
        fields.iter().map(|(k, v)| (k.clone(), to_cel(v))).collect();
    cel::Value::from(map)
}

/// An expression's source on one line, shortened, for error messages.
fn one_line(source: &str) -> String {
    let joined = source.split_whitespace().collect::<Vec<_>>().join(" ");
    if joined.chars().count() > 80 {
        let cut: String = joined.chars().take(77).collect();
        format!("{cut}...")
    } else {
        joined
    }
}

/// A JSON value's kind and a short rendering, for error messages.
pub fn describe(value: &Value) -> String {
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a map",
    };
    let text = value.to_string();
    if text.len() > 40 {
        kind.to_string()
    } else {
        format!("{kind} ({text})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn expr(source: &str) -> Expression {
        airlock_workflow::expr::compile(source).expect("test expression parses")
    }

    #[test]
    fn steps_carry_ran_ok_and_error() {
        let mut ctx = RunContext::new(json!({"message": "hi"}));
        ctx.record_step(
            "intent",
            true,
            &json!({"label": "x", "confidence": 0.9}),
            None,
        );
        ctx.record_step("reply", false, &Value::Null, None);
        ctx.record_step("draft", true, &Value::Null, Some("boom"));
        assert_eq!(ctx.eval(&expr("steps.intent.label")).unwrap(), json!("x"));
        assert!(ctx
            .eval_bool(&expr("steps.intent.ok && steps.intent.confidence > 0.5"))
            .unwrap());
        assert!(!ctx.eval_bool(&expr("steps.reply.ran")).unwrap());
        assert!(!ctx.eval_bool(&expr("steps.draft.ok")).unwrap());
        assert_eq!(ctx.eval(&expr("steps.draft.error")).unwrap(), json!("boom"));
        assert_eq!(ctx.eval(&expr("size(input.message)")).unwrap(), json!(2));
    }

    #[test]
    fn non_boolean_condition_is_named() {
        let ctx = RunContext::new(json!({"n": 3}));
        let err = ctx.eval_bool(&expr("input.n + 1")).unwrap_err();
        assert!(
            err.contains("must be true or false") && err.contains("4"),
            "{err}"
        );
    }

    #[test]
    fn missing_key_is_an_error_naming_the_expression() {
        let ctx = RunContext::new(json!({}));
        let err = ctx.eval(&expr("input.missing")).unwrap_err();
        assert!(err.contains("input.missing"), "{err}");
    }

    #[test]
    fn json_integers_are_cel_ints_and_mix_with_doubles() {
        let ctx = RunContext::new(json!({"n": 3, "x": 0.5, "big": u64::MAX}));
        assert_eq!(ctx.eval(&expr("input.n + 1")).unwrap(), json!(4));
        assert!(ctx
            .eval_bool(&expr("input.x < 0.85 && input.n > 2"))
            .unwrap());
        assert_eq!(ctx.eval(&expr("input.big")).unwrap(), json!(u64::MAX));
    }

    #[test]
    fn string_extension_functions_are_available() {
        let ctx = RunContext::new(json!({"message": "  Hi There  "}));
        assert_eq!(
            ctx.eval(&expr("input.message.trim().lowerAscii()"))
                .unwrap(),
            json!("hi there")
        );
        assert!(!ctx
            .eval_bool(&expr("size(input.message.trim()) == 0"))
            .unwrap());
    }

    #[test]
    fn every_function_check_accepts_exists_in_the_runtime() {
        let ctx = RunContext::new(json!({}));
        let undeclared = |source: &str| {
            ctx.eval(&expr(source))
                .err()
                .is_some_and(|e| e.contains("Undeclared reference"))
        };
        for name in airlock_workflow::expr::KNOWN_FUNCTIONS {
            let global = undeclared(&format!("{name}()"));
            let member = undeclared(&format!("''.{name}()"));
            assert!(
                !(global && member),
                "`{name}` is not in the CEL environment"
            );
        }
        assert!(
            undeclared("''.strip()") && undeclared("strip()"),
            "the probe detects a missing function"
        );
    }

    #[test]
    fn builds_maps_for_outputs() {
        let ctx = RunContext::new(json!({"a": 1}));
        let v = ctx
            .eval(&expr("{'x': input.a, 'y': [1, 'two', null]}"))
            .unwrap();
        assert_eq!(v, json!({"x": 1, "y": [1, "two", null]}));
    }
}
