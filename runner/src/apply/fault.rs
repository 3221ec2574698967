//! Fault injection for the crash tests: abort the process at a named point.
//!
//! `LOCKSTEP_FAULT=<where>:<step id>[#<n>]` makes the runner call `std::process::abort()` (no
//! destructors, no flush, no `COMMIT`: as abrupt as `SIGKILL` for the database) the `n`-th time
//! (default 1) it reaches that point. Points: `before` (journal says `running`, nothing done),
//! `inside` (the work done, not committed or not journaled: in a transaction before `COMMIT`,
//! after an autocommit statement, before a backfill batch commits, after Django's command),
//! `batch` (after a backfill batch committed) and `after` (the step committed). Unset, this
//! costs one environment lookup.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// The configured fault: the point's name and which occurrence aborts.
fn configured() -> Option<&'static (String, u32)> {
    static FAULT: OnceLock<Option<(String, u32)>> = OnceLock::new();
    FAULT
        .get_or_init(|| {
            let value = std::env::var("LOCKSTEP_FAULT").ok()?;
            match value.rsplit_once('#') {
                Some((point, n)) => Some((point.to_owned(), n.parse().ok()?)),
                None => Some((value, 1)),
            }
        })
        .as_ref()
}

/// Aborts here if `LOCKSTEP_FAULT` names `<kind>:<step>` and this is its occurrence.
pub(crate) fn point(kind: &str, step: &str) {
    static SEEN: AtomicU32 = AtomicU32::new(0);
    let Some((point, occurrence)) = configured() else {
        return;
    };
    if point
        .strip_prefix(kind)
        .and_then(|rest| rest.strip_prefix(':'))
        != Some(step)
    {
        return;
    }
    if SEEN.fetch_add(1, Ordering::SeqCst) + 1 == *occurrence {
        #[allow(clippy::print_stderr, reason = "the test reads which point fired")]
        {
            eprintln!("lockstep: fault injected at {kind}:{step}");
        }
        std::process::abort();
    }
}
