//! Budgets: before a call the most it can cost is reserved on every
//! budget that applies (one conditional upsert each, so concurrent calls
//! can never spend past a limit together); afterwards the reservation is
//! settled to the real cost, or given back when the call failed.

use std::time::Duration;

use airlock_config::{BudgetScope, BudgetSettings};
use airlock_core::{Error, ErrorKind, Principal, Result, Timestamp};
use airlock_store::{Store, UsageStore};

/// A reservation held on one budget's current window.
#[derive(Debug, Clone)]
pub(crate) struct Hold {
    scope: String,
    window_start_ms: i64,
    amount: u64,
}

/// Every hold of one call.
#[derive(Debug, Default)]
pub(crate) struct Holds(Vec<Hold>);

/// Reserves `amount` on every budget of `budgets` that covers this call
/// (the caller's key by name, the workflow by name). On a refusal the
/// holds already taken are given back and a `rate_limited` error names
/// the budget and when its window ends.
pub(crate) async fn reserve(
    store: &Store,
    budgets: &[BudgetSettings],
    principal: &Principal,
    workflow: &str,
    amount: u64,
    now: Timestamp,
) -> Result<Holds> {
    let mut holds = Holds::default();
    for budget in budgets.iter().filter(|b| applies(b, principal, workflow)) {
        let scope = budget.scope.counter();
        let window_start_ms = window_start(now, budget.window);
        let reserved = store
            .reserve_budget(&scope, window_start_ms, amount, budget.limit_micro_usd)
            .await;
        match reserved {
            Ok(Some(_)) => holds.0.push(Hold {
                scope,
                window_start_ms,
                amount,
            }),
            Ok(None) => {
                let spent = store
                    .budget_spent(&scope, window_start_ms)
                    .await
                    .unwrap_or(0);
                release(store, holds).await;
                return Err(exceeded(budget, spent, amount, window_start_ms, now));
            }
            Err(e) => {
                release(store, holds).await;
                return Err(e);
            }
        }
    }
    Ok(holds)
}

/// Turns the holds into the real `cost` (which may be below or, when a
/// provider answered with more tokens than estimated, above the hold).
pub(crate) async fn settle(store: &Store, holds: Holds, cost: u64) {
    for hold in holds.0 {
        let delta = cost as i64 - hold.amount as i64;
        if delta != 0 {
            if let Err(e) = store
                .adjust_budget(&hold.scope, hold.window_start_ms, delta)
                .await
            {
                tracing::error!(scope = %hold.scope, error = %e, "could not settle a budget reservation");
            }
        }
    }
}

/// Gives every hold back (the call failed before costing anything).
pub(crate) async fn release(store: &Store, holds: Holds) {
    settle(store, holds, 0).await
}

fn applies(budget: &BudgetSettings, principal: &Principal, workflow: &str) -> bool {
    match &budget.scope {
        BudgetScope::Key(name) => *name == principal.name,
        BudgetScope::Workflow(name) => name == workflow,
    }
}

/// The start of the fixed window (from the Unix epoch) holding `now`.
pub(crate) fn window_start(now: Timestamp, window: Duration) -> i64 {
    let length = window.as_millis().clamp(1, i64::MAX as u128) as i64;
    now.unix_ms().div_euclid(length) * length
}

fn exceeded(
    budget: &BudgetSettings,
    spent: u64,
    amount: u64,
    window_start_ms: i64,
    now: Timestamp,
) -> Error {
    let length = budget.window.as_millis() as i64;
    // At least a second: the hint and `Retry-After` count whole seconds.
    let resets_in = Duration::from_millis((window_start_ms + length - now.unix_ms()).max(0) as u64)
        .max(Duration::from_secs(1));
    let what = match &budget.scope {
        BudgetScope::Key(name) => format!("the budget of key `{name}`"),
        BudgetScope::Workflow(name) => format!("the budget of `{name}`"),
    };
    Error::new(
        ErrorKind::RateLimited,
        format!(
            "{what} is spent: ${} of ${} used in this {} window, and this call may cost up to ${}",
            usd(spent),
            usd(budget.limit_micro_usd),
            humantime::format_duration(budget.window),
            usd(amount)
        ),
    )
    .with_field("budget")
    .with_hint(format!(
        "the window resets in {}s; ask an admin to raise the budget",
        resets_in.as_secs_f64().ceil() as u64
    ))
    .with_retry_after(resets_in)
}

fn usd(micro: u64) -> String {
    format!("{:.6}", micro as f64 / 1e6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_fixed_from_the_epoch() {
        let day = Duration::from_secs(86_400);
        let now = Timestamp::from_unix_ms(86_400_000 * 3 + 5).unwrap();
        assert_eq!(window_start(now, day), 86_400_000 * 3);
    }
}
