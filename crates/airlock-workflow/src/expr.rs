//! CEL expressions in workflow files: compiling them, and the static check
//! that an expression only names the variables a run provides (`input`,
//! `steps`) and only steps that ran before it.
//!
//! The reference check walks the parsed expression tree (not the source
//! text), so identifiers inside string literals are never mistaken for
//! references and comprehension variables (`x` in `list.exists(x, ...)`)
//! are known to be bound.

use crate::definition::Expression;
use cel::common::ast::{operators, EntryExpr, Expr, LiteralValue};
use cel::IdedExpr;

/// Variables every expression may use.
pub const ROOT_VARIABLES: &[&str] = &["input", "steps"];

/// Every function the runtime's CEL environment provides: the standard
/// library and the strings extension (`airlock-engine/src/context.rs`).
/// Kept by hand because the `cel` crate does not list its functions; a test
/// in `airlock-engine` checks each one resolves in the real environment, so
/// the list cannot claim a function that does not exist.
pub const KNOWN_FUNCTIONS: &[&str] = &[
    // standard library
    "size",
    "contains",
    "startsWith",
    "endsWith",
    "matches",
    "bool",
    "bytes",
    "double",
    "int",
    "uint",
    "string",
    "dyn",
    "type",
    "duration",
    "timestamp",
    "getDate",
    "getDayOfMonth",
    "getDayOfWeek",
    "getDayOfYear",
    "getFullYear",
    "getHours",
    "getMilliseconds",
    "getMinutes",
    "getMonth",
    "getSeconds",
    // strings extension
    "charAt",
    "indexOf",
    "lastIndexOf",
    "join",
    "lowerAscii",
    "upperAscii",
    "trim",
    "replace",
    "split",
    "substring",
    "format",
    "reverse",
];

/// Parses `source`; on failure, one message per syntax error with the
/// column inside the expression.
pub fn compile(source: &str) -> Result<Expression, Vec<String>> {
    match cel::Program::compile(source) {
        Ok(program) => Ok(Expression {
            source: source.to_string(),
            program,
        }),
        Err(errors) => Err(errors
            .errors
            .iter()
            .map(|e| {
                let (line, column) = e.pos;
                if line > 1 {
                    format!("line {line}, column {}: {}", column + 1, e.msg)
                } else {
                    format!("column {}: {}", column + 1, e.msg)
                }
            })
            .collect()),
    }
}

/// A reference the expression makes that a run cannot satisfy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BadReference {
    /// A top-level identifier other than `input` or `steps`.
    UnknownVariable(String),
    /// `steps.X` where no step is called X.
    UnknownStep(String),
    /// `steps.X` where X runs at or after the point the expression is evaluated.
    LaterStep(String),
    /// A call to a function the runtime does not provide.
    UnknownFunction(String),
}

/// Checks the references of `expr`: `earlier` are the steps that have run
/// when it is evaluated, `all` every step of the workflow.
pub fn check_references(expr: &Expression, earlier: &[&str], all: &[&str]) -> Vec<BadReference> {
    let mut found = References::default();
    walk(expr.program.expression(), &mut Vec::new(), &mut found);
    let mut bad = Vec::new();
    for variable in found.variables {
        if !ROOT_VARIABLES.contains(&variable.as_str()) {
            bad.push(BadReference::UnknownVariable(variable));
        }
    }
    for step in found.steps {
        if earlier.contains(&step.as_str()) {
            continue;
        }
        if all.contains(&step.as_str()) {
            bad.push(BadReference::LaterStep(step));
        } else {
            bad.push(BadReference::UnknownStep(step));
        }
    }
    for function in found.functions {
        if !KNOWN_FUNCTIONS.contains(&function.as_str()) {
            bad.push(BadReference::UnknownFunction(function));
        }
    }
    bad.dedup();
    bad
}

#[derive(Default)]
struct References {
    variables: Vec<String>,
    steps: Vec<String>,
    functions: Vec<String>,
}

impl References {
    fn add_variable(&mut self, name: &str) {
        if !self.variables.iter().any(|v| v == name) {
            self.variables.push(name.to_string());
        }
    }

    /// Records a call, unless it is an operator (`_+_`, `@in`, `!_`, ...).
    fn add_function(&mut self, name: &str) {
        let operator = name.starts_with('_') || name.starts_with('@') || name.ends_with('_');
        if !operator && !self.functions.iter().any(|f| f == name) {
            self.functions.push(name.to_string());
        }
    }

    fn add_step(&mut self, name: &str) {
        if !self.steps.iter().any(|s| s == name) {
            self.steps.push(name.to_string());
        }
    }
}

/// True when `e` is the bare identifier `steps` (not shadowed).
fn is_steps_root(e: &IdedExpr, bound: &[String]) -> bool {
    matches!(&e.expr, Expr::Ident(name) if name == "steps" && !bound.iter().any(|b| b == "steps"))
}

fn walk(e: &IdedExpr, bound: &mut Vec<String>, found: &mut References) {
    match &e.expr {
        Expr::Unspecified | Expr::Literal(_) => {}
        Expr::Ident(name) => {
            if !name.starts_with('@') && !bound.iter().any(|b| b == name) {
                found.add_variable(name);
            }
        }
        Expr::Select(select) => {
            if is_steps_root(&select.operand, bound) {
                found.add_step(&select.field);
            }
            walk(&select.operand, bound, found);
        }
        Expr::Call(call) => {
            found.add_function(&call.func_name);
            let is_index =
                call.func_name == operators::INDEX || call.func_name == operators::OPT_INDEX;
            if is_index {
                if let [operand, key] = call.args.as_slice() {
                    if let (true, Expr::Literal(LiteralValue::String(s))) =
                        (is_steps_root(operand, bound), &key.expr)
                    {
                        found.add_step(s.inner());
                    }
                }
            }
            if let Some(target) = &call.target {
                walk(target, bound, found);
            }
            for arg in &call.args {
                walk(arg, bound, found);
            }
        }
        Expr::Comprehension(comp) => {
            walk(&comp.iter_range, bound, found);
            walk(&comp.accu_init, bound, found);
            let before = bound.len();
            bound.push(comp.iter_var.clone());
            if let Some(second) = &comp.iter_var2 {
                bound.push(second.clone());
            }
            bound.push(comp.accu_var.clone());
            walk(&comp.loop_cond, bound, found);
            walk(&comp.loop_step, bound, found);
            walk(&comp.result, bound, found);
            bound.truncate(before);
        }
        Expr::List(list) => {
            for element in &list.elements {
                walk(element, bound, found);
            }
        }
        Expr::Map(map) => {
            for entry in &map.entries {
                match &entry.expr {
                    EntryExpr::StructField(field) => walk(&field.value, bound, found),
                    EntryExpr::MapEntry(entry) => {
                        walk(&entry.key, bound, found);
                        walk(&entry.value, bound, found);
                    }
                }
            }
        }
        Expr::Struct(s) => {
            for entry in &s.entries {
                match &entry.expr {
                    EntryExpr::StructField(field) => walk(&field.value, bound, found),
                    EntryExpr::MapEntry(entry) => {
                        walk(&entry.key, bound, found);
                        walk(&entry.value, bound, found);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(source: &str, earlier: &[&str], all: &[&str]) -> Vec<BadReference> {
        let expr = compile(source).expect("test expression parses");
        check_references(&expr, earlier, all)
    }

    #[test]
    fn accepts_earlier_steps_and_input() {
        let all = ["validate", "intent", "risky"];
        let bad = refs(
            "steps.intent.label in ['a'] && size(input.message) > 0",
            &["validate", "intent"],
            &all,
        );
        assert!(bad.is_empty(), "{bad:?}");
    }

    #[test]
    fn flags_later_unknown_steps_and_unknown_variables() {
        let all = ["a", "b", "c"];
        let bad = refs(
            "steps.c.value || steps['zzz'].ok || other > 1",
            &["a"],
            &all,
        );
        assert_eq!(
            bad,
            vec![
                BadReference::UnknownVariable("other".into()),
                BadReference::LaterStep("c".into()),
                BadReference::UnknownStep("zzz".into()),
            ]
        );
    }

    #[test]
    fn comprehension_variables_are_bound_and_strings_are_not_references() {
        let bad = refs(
            "input.tags.exists(t, t == 'steps.later.value')",
            &[],
            &["later"],
        );
        assert!(bad.is_empty(), "{bad:?}");
    }

    #[test]
    fn unknown_functions_are_named_and_known_ones_pass() {
        let bad = refs(
            "input.m.trim().lowerAscii().strip() == 'x' && size(input.l) > 0 && !input.b && -input.n < 1",
            &[],
            &[],
        );
        assert_eq!(bad, vec![BadReference::UnknownFunction("strip".into())]);
    }

    #[test]
    fn syntax_errors_name_a_column() {
        let errors = compile("steps.a.value &&").expect_err("incomplete expression");
        assert!(errors.iter().all(|e| e.contains("column")), "{errors:?}");
    }
}
