//! Watches generated text for user stop sequences while streaming.
//!
//! Text is only released to the caller once it can no longer be the start of
//! a stop sequence, so a stop sequence never reaches the stream even when the
//! model produces it across several tokens.

/// Accumulates the reply and decides what may be streamed.
#[derive(Debug, Default)]
pub struct StopWatcher {
    stops: Vec<String>,
    text: String,
    released: usize,
    stopped: bool,
}

impl StopWatcher {
    /// Empty stop strings are ignored (they would match everywhere).
    pub fn new(stops: &[String]) -> Self {
        StopWatcher {
            stops: stops.iter().filter(|s| !s.is_empty()).cloned().collect(),
            ..Default::default()
        }
    }

    /// Adds a decoded piece; returns the text that is now safe to stream
    /// (possibly empty). After a stop sequence is seen, [`Self::stopped`] is
    /// true and the reply is cut just before it.
    pub fn push(&mut self, piece: &str) -> &str {
        let start = self.released;
        if self.stopped {
            return "";
        }
        self.text.push_str(piece);
        let pending = &self.text[self.released..];
        // A match always starts in the unreleased tail: released text never
        // holds the start of a stop sequence.
        let first_stop = self
            .stops
            .iter()
            .filter_map(|stop| pending.find(stop.as_str()))
            .min();
        if let Some(at) = first_stop {
            self.text.truncate(self.released + at);
            self.stopped = true;
        } else {
            let held = self.held_back(pending);
            self.released = self.text.len() - held;
        }
        if self.stopped {
            self.released = self.text.len();
        }
        &self.text[start..self.released]
    }

    /// Releases whatever was held back (the reply ended another way).
    pub fn finish(&mut self) -> &str {
        let start = self.released;
        self.released = self.text.len();
        &self.text[start..]
    }

    pub fn stopped(&self) -> bool {
        self.stopped
    }

    pub fn into_text(self) -> String {
        self.text
    }

    /// Length in bytes of the longest suffix of `pending` that is a proper
    /// prefix of some stop sequence (always at a char boundary).
    fn held_back(&self, pending: &str) -> usize {
        let mut longest = 0;
        for stop in &self.stops {
            for (i, _) in stop.char_indices().skip(1) {
                if i > longest && pending.ends_with(&stop[..i]) {
                    longest = i;
                }
            }
        }
        longest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(stops: &[&str], pieces: &[&str]) -> (String, String, bool) {
        let stops: Vec<String> = stops.iter().map(|s| s.to_string()).collect();
        let mut watcher = StopWatcher::new(&stops);
        let mut streamed = String::new();
        for piece in pieces {
            streamed.push_str(watcher.push(piece));
            if watcher.stopped() {
                break;
            }
        }
        if !watcher.stopped() {
            streamed.push_str(watcher.finish());
        }
        let stopped = watcher.stopped();
        (streamed, watcher.into_text(), stopped)
    }

    #[test]
    fn cuts_before_a_stop_split_across_pieces() {
        let (streamed, text, stopped) = run(&["END"], &["one two E", "N", "D three"]);
        assert_eq!(text, "one two ");
        assert_eq!(streamed, text);
        assert!(stopped);
    }

    #[test]
    fn releases_a_false_start() {
        let (streamed, text, stopped) = run(&["END"], &["a E", "Nx", " b"]);
        assert_eq!(text, "a ENx b");
        assert_eq!(streamed, text);
        assert!(!stopped);
    }

    #[test]
    fn earliest_of_several_stops_wins() {
        let (_, text, stopped) = run(&["\n\n", "3"], &["1, 2, 3\n\n4"]);
        assert_eq!(text, "1, 2, ");
        assert!(stopped);
    }

    #[test]
    fn multibyte_prefixes_are_held_at_char_boundaries() {
        let stops = vec!["é!".to_string()];
        let mut watcher = StopWatcher::new(&stops);
        assert_eq!(watcher.push("café"), "caf");
        assert_eq!(watcher.push(" ok"), "é ok");
        assert!(!watcher.stopped());
    }

    #[test]
    fn no_stops_streams_everything() {
        let (streamed, text, stopped) = run(&[""], &["a", "b"]);
        assert_eq!(
            (streamed.as_str(), text.as_str(), stopped),
            ("ab", "ab", false)
        );
    }
}
