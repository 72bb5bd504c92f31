//! How the review commands print the API's views: a table for the queue,
//! a readable page for one task, one line after a change; or JSON, one
//! object per line, with `--json`.

use airlock_core::{Error, Result};
use serde_json::Value;

/// Each item of a page as one JSON line; the next cursor, if any, on stderr.
pub fn json_lines(page: &Value) -> Result<()> {
    for item in page["items"].as_array().into_iter().flatten() {
        json_line(item)?;
    }
    if let Some(cursor) = page["next_cursor"].as_str() {
        eprintln!("(more: --cursor {cursor})");
    }
    Ok(())
}

pub fn json_line(value: &Value) -> Result<()> {
    let text = serde_json::to_string(value)
        .map_err(|e| Error::internal(format!("cannot encode JSON: {e}")))?;
    println!("{text}");
    Ok(())
}

/// One line per task: id, due time, status, workflow, priority, the
/// suggestion, the rule, who holds it.
pub fn review_table(page: &Value) {
    println!(
        "{:<26}  {:<24}  {:<9}  {:<18}  {:>4}  {:<24}  {:>5}  {:<18}  CLAIMED BY",
        "REVIEW", "DUE", "STATUS", "WORKFLOW", "PRIO", "SUGGESTED", "CONF", "RULE"
    );
    for task in page["items"].as_array().into_iter().flatten() {
        let due = format!(
            "{}{}",
            text(&task["due_at"]),
            if task["overdue"] == true { "!" } else { "" }
        );
        println!(
            "{:<26}  {:<24}  {:<9}  {:<18}  {:>4}  {:<24}  {:>5}  {:<18}  {}",
            text(&task["review_id"]),
            due,
            text(&task["status"]),
            text(&task["workflow"]),
            task["priority"].as_i64().unwrap_or_default(),
            text(&task["suggestion"]["label"]),
            confidence(&task["suggestion"]["confidence"]),
            text(&task["rule"]),
            live_claimants(task),
        );
    }
    if let Some(cursor) = page["next_cursor"].as_str() {
        println!("(more: --cursor {cursor})");
    }
}

/// One task on several lines, with the run's input and step outputs.
pub fn review_detail(task: &Value) {
    println!(
        "review {}  {}{}",
        text(&task["review_id"]),
        text(&task["status"]),
        if task["overdue"] == true {
            "  OVERDUE"
        } else {
            ""
        }
    );
    println!(
        "  workflow  {} (version {})  priority {}",
        text(&task["workflow"]),
        short(&text(&task["workflow_version"])),
        task["priority"].as_i64().unwrap_or_default()
    );
    println!(
        "  run       {}  created {}  due {}",
        text(&task["run_id"]),
        text(&task["created_at"]),
        text(&task["due_at"])
    );
    println!(
        "  rule      {}{}",
        text(&task["rule"]),
        task["reason"]
            .as_str()
            .map(|r| format!(": {r}"))
            .unwrap_or_default()
    );
    let suggestion = &task["suggestion"];
    println!(
        "  suggested {} ({}){}",
        text(&suggestion["label"]),
        confidence(&suggestion["confidence"]),
        alternatives(&suggestion["alternatives"])
    );
    println!("  output    {}", compact(&suggestion["output"]));
    println!("  input     {}", compact(&task["input"]));
    for step in task["steps"].as_array().into_iter().flatten() {
        let shown = if step["skipped"] == true {
            "(skipped)".to_string()
        } else {
            compact(&step["output"])
        };
        println!(
            "  step      {} ({}): {}",
            text(&step["name"]),
            text(&step["kind"]),
            shown
        );
    }
    println!(
        "  reviews   {} required",
        task["required_reviews"].as_u64().unwrap_or(1)
    );
    for claim in task["claims"].as_array().into_iter().flatten() {
        println!(
            "  claim     {} until {}{}",
            text(&claim["reviewer"]),
            text(&claim["expires_at"]),
            if claim["live"] == true {
                ""
            } else {
                " (lapsed)"
            }
        );
    }
    for vote in task["votes"].as_array().into_iter().flatten() {
        println!("  vote      {}", decision_line(vote, "reviewer", "at"));
    }
    if task["resolution"].is_object() {
        println!(
            "  resolved  {}",
            decision_line(&task["resolution"], "decided_by", "resolved_at")
        );
    }
}

/// One line saying what a claim, release or vote did, or the task as JSON.
pub fn after_change(task: &Value, json: bool, done: &str) -> Result<()> {
    if json {
        return json_line(task);
    }
    let id = text(&task["review_id"]);
    let status = text(&task["status"]);
    match status.as_str() {
        "resolved" => println!(
            "review {id} resolved: {}",
            decision_line(&task["resolution"], "decided_by", "resolved_at")
        ),
        "escalated" => {
            println!("review {id} escalated: the reviewers disagreed; an adjudicator must decide")
        }
        _ => {
            let votes = task["votes"].as_array().map_or(0, Vec::len);
            let required = task["required_reviews"].as_u64().unwrap_or(1);
            let claimants = live_claimants(task);
            println!(
                "review {id} {done}: {status}{}; {votes} of {required} review(s) in",
                if claimants.is_empty() {
                    String::new()
                } else {
                    format!(" by {claimants}")
                }
            );
        }
    }
    Ok(())
}

/// `override by alice at T: label x; reason "..."; output {...}`.
fn decision_line(decision: &Value, who: &str, when: &str) -> String {
    let by = match &decision[who] {
        Value::Array(names) => names
            .iter()
            .map(|n| n.as_str().unwrap_or("?"))
            .collect::<Vec<_>>()
            .join(", "),
        other => text(other),
    };
    let mut line = format!(
        "{} by {by} at {}",
        text(&decision["action"]),
        text(&decision[when])
    );
    if let Some(label) = decision["label"].as_str() {
        line.push_str(&format!("; label {label}"));
    }
    if let Some(reason) = decision["reason"].as_str() {
        line.push_str(&format!("; reason {reason:?}"));
    }
    if decision["action"] == "override" {
        line.push_str(&format!("; output {}", compact(&decision["output"])));
    }
    line
}

/// The reviewers whose claims are live, comma-separated.
fn live_claimants(task: &Value) -> String {
    task["claims"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["live"] == true)
        .map(|c| text(&c["reviewer"]))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `; also a 0.05, b 0.02` from `[{"label", "confidence"}]`.
fn alternatives(list: &Value) -> String {
    let items: Vec<String> = list
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| format!("{} {}", text(&a["label"]), confidence(&a["confidence"])))
        .collect();
    if items.is_empty() {
        String::new()
    } else {
        format!("; also {}", items.join(", "))
    }
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "-".to_string(),
        other => other.to_string(),
    }
}

fn confidence(value: &Value) -> String {
    value
        .as_f64()
        .map(|c| format!("{c:.2}"))
        .unwrap_or_else(|| "-".to_string())
}

fn compact(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn short(version: &str) -> String {
    version.chars().take(12).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_decision_reads_as_one_line() {
        let resolution = json!({
            "action": "override", "decided_by": ["alice", "bob"],
            "resolved_at": "2024-05-01T12:00:00.000Z", "label": "card_arrival",
            "reason": "wrong intent", "output": {"intent": "card_arrival"}
        });
        assert_eq!(
            decision_line(&resolution, "decided_by", "resolved_at"),
            "override by alice, bob at 2024-05-01T12:00:00.000Z; label card_arrival; \
             reason \"wrong intent\"; output {\"intent\":\"card_arrival\"}"
        );
        assert_eq!(
            alternatives(&json!([{"label": "a", "confidence": 0.051}])),
            "; also a 0.05"
        );
        let task = json!({"claims": [
            {"reviewer": "ann", "live": true}, {"reviewer": "bo", "live": false}
        ]});
        assert_eq!(live_claimants(&task), "ann");
    }
}
