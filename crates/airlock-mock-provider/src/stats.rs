//! What the mock has been asked: request counters (atomics, lock-free) and
//! a bounded log of the last requests for tests to inspect.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use serde::Serialize;

/// How many requests the log keeps (the oldest are forgotten first).
pub const MAX_RECORDED: usize = 10_000;

/// The API paths the mock serves, each with its own counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ApiPath {
    ChatCompletions,
    Embeddings,
    Models,
    Messages,
    Unknown,
}

impl ApiPath {
    const ALL: [ApiPath; 5] = [
        ApiPath::ChatCompletions,
        ApiPath::Embeddings,
        ApiPath::Models,
        ApiPath::Messages,
        ApiPath::Unknown,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ApiPath::ChatCompletions => "/v1/chat/completions",
            ApiPath::Embeddings => "/v1/embeddings",
            ApiPath::Models => "/v1/models",
            ApiPath::Messages => "/v1/messages",
            ApiPath::Unknown => "other",
        }
    }
}

/// One request the mock received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordedRequest {
    pub path: String,
    /// The model named in the body, when the body parsed and named one.
    pub model: Option<String>,
    pub stream: bool,
    /// Whether it carried the expected key (always true without one).
    pub authorized: bool,
}

#[derive(Debug)]
struct Entry {
    path: ApiPath,
    model: Option<String>,
    stream: bool,
    authorized: bool,
}

/// Counters and the request log of one mock.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    total: AtomicU64,
    by_path: [AtomicU64; ApiPath::ALL.len()],
    log: Mutex<VecDeque<Entry>>,
}

/// The body of `GET /_mock/stats`.
#[derive(Debug, Serialize)]
pub(crate) struct StatsSnapshot {
    pub requests: u64,
    pub by_path: BTreeMap<&'static str, u64>,
}

impl Stats {
    pub(crate) fn record(
        &self,
        path: ApiPath,
        model: Option<&str>,
        stream: bool,
        authorized: bool,
    ) {
        self.total.fetch_add(1, Ordering::Relaxed);
        self.by_path[path as usize].fetch_add(1, Ordering::Relaxed);
        let entry = Entry {
            path,
            model: model.map(str::to_owned),
            stream,
            authorized,
        };
        let mut log = self.log();
        if log.len() >= MAX_RECORDED {
            log.pop_front();
        }
        log.push_back(entry);
    }

    pub(crate) fn count(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }

    pub(crate) fn requests(&self) -> Vec<RecordedRequest> {
        self.log()
            .iter()
            .map(|entry| RecordedRequest {
                path: entry.path.as_str().to_owned(),
                model: entry.model.clone(),
                stream: entry.stream,
                authorized: entry.authorized,
            })
            .collect()
    }

    pub(crate) fn snapshot(&self) -> StatsSnapshot {
        let by_path = ApiPath::ALL
            .iter()
            .map(|path| {
                (
                    path.as_str(),
                    self.by_path[*path as usize].load(Ordering::Relaxed),
                )
            })
            .filter(|(_, count)| *count > 0)
            .collect();
        StatsSnapshot {
            requests: self.count(),
            by_path,
        }
    }

    pub(crate) fn reset(&self) {
        self.total.store(0, Ordering::Relaxed);
        for counter in &self.by_path {
            counter.store(0, Ordering::Relaxed);
        }
        self.log().clear();
    }

    fn log(&self) -> std::sync::MutexGuard<'_, VecDeque<Entry>> {
        // Every change is one VecDeque operation: poisoning cannot leave it
        // half-changed, so it is ignored.
        self.log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
