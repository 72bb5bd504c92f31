//! The cursor of the review queue. Tasks are listed oldest due first, ties
//! broken by id, so a position is the pair (due time, id), written
//! `<due_at in Unix ms>.<task id>`; the next page holds the tasks strictly
//! after it in that order, so pages neither overlap nor skip. Callers treat
//! it as opaque.

use airlock_core::{Error, Result, ReviewId, ReviewTask};

/// A position in the queue: after the task due at `due_ms` with id `id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DueCursor {
    pub due_ms: i64,
    pub id: String,
}

impl DueCursor {
    /// Parses a cursor a caller gave back; `invalid_input` on field
    /// `cursor` if it is not one this store wrote.
    pub(crate) fn parse(text: &str) -> Result<Self> {
        let bad = || {
            Error::invalid_input(format!("`{text}` is not a valid review cursor"))
                .with_field("cursor")
                .with_hint("pass the next_cursor of the previous page unchanged")
        };
        let (due, id) = text.split_once('.').ok_or_else(bad)?;
        let well_formed_number = !due.is_empty()
            && due
                .strip_prefix('-')
                .unwrap_or(due)
                .bytes()
                .all(|b| b.is_ascii_digit());
        if !well_formed_number {
            return Err(bad());
        }
        let due_ms = due.parse::<i64>().map_err(|_| bad())?;
        let id = id.parse::<ReviewId>().map_err(|_| bad())?;
        Ok(DueCursor {
            due_ms,
            id: id.to_string(),
        })
    }

    /// The cursor that resumes after `task`.
    pub(crate) fn after(task: &ReviewTask) -> String {
        format!("{}.{}", task.due_at.unix_ms(), task.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use airlock_core::ErrorKind;

    #[test]
    fn cursors_round_trip_and_reject_anything_else() {
        let id = "01J9ZQ3V6T8K2M4N5P7R9S1T3V";
        assert_eq!(
            DueCursor::parse(&format!("1700000000123.{id}")).expect("valid"),
            DueCursor {
                due_ms: 1_700_000_000_123,
                id: id.into()
            }
        );
        assert_eq!(
            DueCursor::parse(&format!("-5.{id}"))
                .expect("before 1970")
                .due_ms,
            -5
        );
        for bad in [
            "",
            id,
            "12",
            "12.",
            &format!(".{id}"),
            &format!("+12.{id}"),
            &format!("1 2.{id}"),
            &format!("99999999999999999999.{id}"),
            "12.not-an-id",
            "'; drop table review_tasks; --",
        ] {
            let err = DueCursor::parse(bad).expect_err(bad);
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad}");
            assert_eq!(err.field(), Some("cursor"), "{bad}");
        }
    }
}
