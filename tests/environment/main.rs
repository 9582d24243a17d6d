//! The tests that change process-wide state: the environment (`Config::from_env`, the proxy
//! variables) and the logger. They live in a binary of their own, so that no other test reads
//! a variable one of them set, and they run one at a time, each holding [`global`].

#[path = "../support/mod.rs"]
mod support;

mod env;
mod log_warning;
mod proxy;

use std::sync::{Mutex, MutexGuard, OnceLock};

/// What the logger of this binary recorded: the wire dump's target and the crate's warnings
/// (see `log_warning`), installed before any test sends a request, so that the crate's
/// one-time warning is always among them.
pub fn logged() -> &'static Mutex<Vec<String>> {
    static LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());
    &LINES
}

/// Held by every test here for its whole run: one test at a time, so that no test reads what
/// another set in the environment; the logger is installed by the first.
pub fn global() -> MutexGuard<'static, ()> {
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    static LOGGER: OnceLock<()> = OnceLock::new();
    let guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    LOGGER.get_or_init(log_warning::install);
    guard
}
