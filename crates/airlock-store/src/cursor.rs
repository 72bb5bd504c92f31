//! Cursor pagination: pages are ordered newest first by id (ids are
//! time-ordered ULIDs), and a cursor is the id of the last item of the
//! previous page; the next page holds the ids strictly below it, so pages
//! never overlap and never skip, even while new runs arrive.

use airlock_core::{Error, Result};
use ulid_text::is_ulid;

/// Page size when the caller gives none.
pub const DEFAULT_PAGE_LIMIT: u32 = 50;
/// The largest page a caller may ask for.
pub const MAX_PAGE_LIMIT: u32 = 1000;

/// Checks a requested page size; `None` means the default.
pub(crate) fn page_limit(limit: Option<u32>) -> Result<u32> {
    match limit {
        None => Ok(DEFAULT_PAGE_LIMIT),
        Some(0) => Err(Error::invalid_input("limit must be at least 1")
            .with_field("limit")
            .with_hint(format!("use 1..={MAX_PAGE_LIMIT}"))),
        Some(n) if n > MAX_PAGE_LIMIT => Err(Error::invalid_input(format!(
            "limit {n} is larger than the maximum {MAX_PAGE_LIMIT}"
        ))
        .with_field("limit")
        .with_hint(format!("use 1..={MAX_PAGE_LIMIT} and follow next_cursor"))),
        Some(n) => Ok(n),
    }
}

/// Checks an opaque cursor given back by a caller and returns the id bound.
pub(crate) fn parse_cursor(cursor: &str) -> Result<String> {
    if is_ulid(cursor) {
        Ok(cursor.to_string())
    } else {
        Err(
            Error::invalid_input(format!("`{cursor}` is not a valid cursor"))
                .with_field("cursor")
                .with_hint("pass the next_cursor of the previous page unchanged"),
        )
    }
}

/// Splits one extra fetched row off: `rows` were fetched with `limit + 1`;
/// returns the page and the cursor for the next one, if any.
pub(crate) fn split_page<T>(
    mut rows: Vec<T>,
    limit: u32,
    id_of: impl Fn(&T) -> String,
) -> (Vec<T>, Option<String>) {
    let limit = limit as usize;
    if rows.len() > limit {
        rows.truncate(limit);
        let next = rows.last().map(&id_of);
        (rows, next)
    } else {
        (rows, None)
    }
}

mod ulid_text {
    //! Shape check for ULID text, so a cursor cannot inject anything odd
    //! into a query (it is bound as a parameter anyway).
    use airlock_core::RunId;

    pub(super) fn is_ulid(text: &str) -> bool {
        text.parse::<RunId>().is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use airlock_core::ErrorKind;

    #[test]
    fn limits_are_checked() {
        assert_eq!(page_limit(None).expect("default"), DEFAULT_PAGE_LIMIT);
        assert_eq!(page_limit(Some(7)).expect("valid"), 7);
        for bad in [0, MAX_PAGE_LIMIT + 1] {
            let err = page_limit(Some(bad)).expect_err("out of range");
            assert_eq!(err.field(), Some("limit"));
            assert_eq!(err.kind(), ErrorKind::InvalidInput);
        }
    }

    #[test]
    fn cursor_must_be_an_id() {
        let err = parse_cursor("'; drop table runs; --").expect_err("not an id");
        assert_eq!(err.field(), Some("cursor"));
        assert!(parse_cursor("01J9ZQ3V6T8K2M4N5P7R9S1T3V").is_ok());
    }

    #[test]
    fn split_page_returns_cursor_only_when_more_rows_exist() {
        let (page, next) = split_page(vec![5, 4, 3], 2, |n| n.to_string());
        assert_eq!(page, vec![5, 4]);
        assert_eq!(next.as_deref(), Some("4"));
        let (page, next) = split_page(vec![5, 4], 2, |n| n.to_string());
        assert_eq!(page, vec![5, 4]);
        assert_eq!(next, None);
    }
}
