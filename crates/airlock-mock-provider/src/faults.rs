//! Injectable faults: what a request should suffer instead of (or before)
//! its normal answer, and the queue that hands them out.
//!
//! Rules are kept in FIFO order; a request takes the first rule whose path
//! and model filters match it, using up one of its `times`. When no rule
//! matches, the permanent default fault (if any) applies. The queue is a
//! `Mutex` taken only briefly and never across an await; an atomic flag lets
//! the hot path skip the lock entirely while nothing is configured.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// One misbehaviour. JSON form: `{"kind":"status","status":503}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// Wait `ms` milliseconds, then answer normally.
    Latency { ms: u64 },
    /// Answer with this HTTP status, in the API's error shape (or with
    /// `body` verbatim), plus `Retry-After: <secs>` when given.
    Status {
        status: u16,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<String>,
    },
    /// Never answer: hold the connection open until the client gives up.
    Hang,
    /// Answer 200 with a JSON content type and a truncated, invalid body.
    MalformedJson,
    /// Streams: send `after_chunks` events, then drop the connection with no
    /// terminal event. Non-stream requests: send headers and half the body,
    /// then drop the connection.
    CutStream { after_chunks: u32 },
    /// Streams: send `after_chunks` events, then send nothing more while
    /// keeping the connection open. Non-stream requests: send headers and
    /// half the body, then stall the same way.
    StallStream { after_chunks: u32 },
}

/// A fault to apply to the next `times` matching requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultRule {
    pub fault: Fault,
    /// How many matching requests it applies to (default 1; 0 is dropped).
    #[serde(default = "one")]
    pub times: u32,
    /// Only requests to this exact path, e.g. `/v1/chat/completions`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Only requests naming this exact model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
}

fn one() -> u32 {
    1
}

impl FaultRule {
    /// A rule applying `fault` once to any request.
    pub fn once(fault: Fault) -> Self {
        Self::times(fault, 1)
    }

    /// A rule applying `fault` to the next `times` requests.
    pub fn times(fault: Fault, times: u32) -> Self {
        Self {
            fault,
            times,
            path: None,
            model: None,
        }
    }

    /// Restrict the rule to requests to `path`.
    pub fn on_path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Restrict the rule to requests naming `model`.
    pub fn for_model(mut self, model: impl Into<String>) -> Self {
        self.model = Some(model.into());
        self
    }

    fn matches(&self, path: &str, model: Option<&str>) -> bool {
        self.path.as_deref().is_none_or(|want| want == path)
            && self.model.as_deref().is_none_or(|want| Some(want) == model)
    }
}

#[derive(Debug, Default)]
struct Faults {
    rules: VecDeque<FaultRule>,
    default: Option<Fault>,
}

/// The shared fault configuration of one mock.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    /// True while there is any rule or a default fault.
    armed: AtomicBool,
    inner: Mutex<Faults>,
}

impl FaultQueue {
    pub(crate) fn push(&self, rule: FaultRule) {
        if rule.times == 0 {
            return;
        }
        self.update(|faults| faults.rules.push_back(rule));
    }

    pub(crate) fn set_default(&self, fault: Option<Fault>) {
        self.update(|faults| faults.default = fault);
    }

    pub(crate) fn clear(&self) {
        self.update(|faults| *faults = Faults::default());
    }

    /// The pending rules and the default fault, for the admin API.
    pub(crate) fn snapshot(&self) -> (Vec<FaultRule>, Option<Fault>) {
        let faults = self.lock();
        (
            faults.rules.iter().cloned().collect(),
            faults.default.clone(),
        )
    }

    /// The fault this request suffers, using up one use of its rule.
    pub(crate) fn take(&self, path: &str, model: Option<&str>) -> Option<Fault> {
        if !self.armed.load(Ordering::Acquire) {
            return None;
        }
        let mut faults = self.lock();
        let taken = match faults.rules.iter().position(|r| r.matches(path, model)) {
            Some(index) => {
                let rule = &mut faults.rules[index];
                rule.times -= 1;
                let fault = rule.fault.clone();
                if rule.times == 0 {
                    faults.rules.remove(index);
                }
                Some(fault)
            }
            None => faults.default.clone(),
        };
        self.rearm(&faults);
        taken
    }

    fn update(&self, change: impl FnOnce(&mut Faults)) {
        let mut faults = self.lock();
        change(&mut faults);
        self.rearm(&faults);
    }

    fn rearm(&self, faults: &Faults) {
        let armed = !faults.rules.is_empty() || faults.default.is_some();
        self.armed.store(armed, Ordering::Release);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Faults> {
        // A panic while holding this lock leaves the queue consistent (every
        // change is a single VecDeque operation), so poisoning is ignored.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_used_up_in_order_and_filtered() {
        let queue = FaultQueue::default();
        assert_eq!(queue.take("/a", None), None);
        queue.push(FaultRule::times(Fault::Hang, 2).on_path("/a"));
        queue.push(FaultRule::once(Fault::MalformedJson).for_model("m"));
        assert_eq!(queue.take("/b", Some("x")), None);
        assert_eq!(queue.take("/b", Some("m")), Some(Fault::MalformedJson));
        assert_eq!(queue.take("/a", Some("m")), Some(Fault::Hang));
        assert_eq!(queue.take("/a", None), Some(Fault::Hang));
        assert_eq!(queue.take("/a", None), None);
        queue.set_default(Some(Fault::Latency { ms: 1 }));
        assert_eq!(queue.take("/a", None), Some(Fault::Latency { ms: 1 }));
        queue.clear();
        assert_eq!(queue.take("/a", None), None);
    }

    #[test]
    fn rule_json_has_the_documented_shape() {
        let rule: FaultRule =
            serde_json::from_str(r#"{"fault":{"kind":"status","status":503,"retry_after":2}}"#)
                .expect("valid rule");
        assert_eq!(rule.times, 1);
        assert_eq!(
            rule.fault,
            Fault::Status {
                status: 503,
                retry_after: Some(2),
                body: None
            }
        );
        let cut: Fault =
            serde_json::from_str(r#"{"kind":"cut_stream","after_chunks":3}"#).expect("valid");
        assert_eq!(cut, Fault::CutStream { after_chunks: 3 });
    }
}
