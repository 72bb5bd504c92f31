//! The tail every list query shares on both backends: keyset pagination by
//! descending id (ids are time-ordered ULIDs), fetching one row more than the
//! page to learn whether another page follows.

use crate::cursor::{parse_cursor, split_page};
use crate::traits::Page;
use airlock_core::Result;
use sqlx::{Database, Encode, QueryBuilder, Type};

/// Appends the cursor condition (if any) and `ORDER BY id DESC LIMIT n+1`
/// to a query whose `WHERE` clause is open.
pub(crate) fn push_page_tail<'a, DB>(
    query: &mut QueryBuilder<'a, DB>,
    cursor: Option<&str>,
    limit: u32,
) -> Result<()>
where
    DB: Database,
    String: Encode<'a, DB> + Type<DB>,
    i64: Encode<'a, DB> + Type<DB>,
{
    if let Some(cursor) = cursor {
        query.push(" AND id < ").push_bind(parse_cursor(cursor)?);
    }
    query
        .push(" ORDER BY id DESC LIMIT ")
        .push_bind(i64::from(limit) + 1);
    Ok(())
}

/// Decodes the fetched rows and cuts them into a page and the next cursor.
pub(crate) fn into_page<R, T>(
    rows: &[R],
    limit: u32,
    decode: impl Fn(&R) -> Result<T>,
    id_of: impl Fn(&T) -> String,
) -> Result<Page<T>> {
    let records = rows.iter().map(decode).collect::<Result<Vec<_>>>()?;
    let (items, next_cursor) = split_page(records, limit, id_of);
    Ok(Page { items, next_cursor })
}

/// Appends ` AND workflow IN (…)` for an allow-list of workflow names (an
/// empty list matches nothing) to a query whose `WHERE` clause is open.
pub(crate) fn push_workflow_allowlist<'a, DB>(query: &mut QueryBuilder<'a, DB>, allowed: &[String])
where
    DB: Database,
    String: Encode<'a, DB> + Type<DB>,
{
    if allowed.is_empty() {
        query.push(" AND 1 = 0");
        return;
    }
    query.push(" AND workflow IN (");
    let mut list = query.separated(", ");
    for name in allowed {
        list.push_bind(name.clone());
    }
    query.push(")");
}
