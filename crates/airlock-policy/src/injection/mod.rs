//! Prompt-injection heuristics.
