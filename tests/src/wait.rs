//! Waiting for a state instead of sleeping: every wait has a deadline, and a wait that runs
//! out says what it was waiting for and what it saw last.

use std::future::Future;
use std::time::Duration;

/// Long enough for anything a test waits for on a loaded two-core machine.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// Runs `probe` every 100 ms until it answers `Ok`, and returns that. `Err` is what it saw
/// instead (for the failure message). Fails after `within`.
pub async fn until<T, F, Fut>(what: &str, within: Duration, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let seen = match probe().await {
            Ok(value) => return value,
            Err(seen) => seen,
        };
        if tokio::time::Instant::now() >= deadline {
            panic!("{what}: not within {within:?}; last seen: {seen}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `Ok(())` when `condition` holds, otherwise `Err(seen)`: for `until` probes.
pub fn check(condition: bool, seen: impl std::fmt::Debug) -> Result<(), String> {
    if condition {
        Ok(())
    } else {
        Err(format!("{seen:?}"))
    }
}
