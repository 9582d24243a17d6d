//! The ground: the types several layers share, importing nothing of the crate, so that every
//! other file's imports run down to here and none run back up. The API's two generations
//! ([`Generation`]: what one has that the other has not), the window one request asks for
//! ([`Window`]), the pacer every clone of a config shares ([`Pacer`]).

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

/// Invitations per v1 page, as documented; used when a reply leaves `results_per_page` out.
const V1_PAGE_SIZE: u32 = 10;
/// Invitations per v2 page: what one v2 credit buys.
pub(crate) const V2_PAGE_SIZE: u32 = 50;

/// What differs between the API's two generations, and nothing else: the path, the page size,
/// whether a page may start anywhere (here), and the request bodies and how a reply is read
/// (in `wire/`). Retries, pacing, the budget and the walk are one piece of code for both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Generation {
    V1 = 0,
    V2 = 1,
}

impl Generation {
    pub(crate) fn path(self) -> &'static str {
        match self {
            Generation::V1 => "/v1/network/sent-invitations",
            Generation::V2 => "/v2/network",
        }
    }

    /// Invitations per page: v1's documented 10; for v2, the 50 that one credit buys.
    pub(crate) fn page_size(self) -> u32 {
        match self {
            Generation::V1 => V1_PAGE_SIZE,
            Generation::V2 => V2_PAGE_SIZE,
        }
    }

    /// Whether a request may start at any offset (v2), so that a walk can overlap each page
    /// with one invitation it has seen; v1 pages are fixed.
    pub(crate) fn anchors(self) -> bool {
        self == Generation::V2
    }

    /// Where a withdrawal goes.
    pub(crate) fn withdraw_path(self) -> &'static str {
        match self {
            Generation::V1 => "/v1/network/withdraw-invitation",
            Generation::V2 => "/v2/network",
        }
    }
}

/// `count` invitations after the first `offset`: what one request asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Window {
    pub(crate) offset: u64,
    pub(crate) count: u64,
}

/// Spaces requests `interval` apart, across every clone of a `Config` and every thread.
#[derive(Debug, Default)]
pub(crate) struct Pacer {
    /// The earliest instant the next request may start.
    next_slot: Mutex<Option<Instant>>,
}

impl Pacer {
    /// Takes the next slot and sleeps until it comes; or, when it would come at or after
    /// `deadline`, leaves it free and says how far away it was.
    pub(crate) fn wait(
        &self,
        interval: Duration,
        deadline: Option<Instant>,
    ) -> Result<(), Duration> {
        let slot = {
            // A panic elsewhere while holding the lock leaves a valid Instant: keep going.
            let mut next = self.next_slot.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let slot = next.filter(|t| *t > now).unwrap_or(now);
            if deadline.is_some_and(|deadline| slot >= deadline) {
                return Err(slot - now);
            }
            *next = Some(slot.checked_add(interval).unwrap_or(slot));
            slot
        };
        let now = Instant::now();
        if slot > now {
            std::thread::sleep(slot - now);
        }
        Ok(())
    }
}

/// Why a [`WithdrawalJournal`](crate::WithdrawalJournal) sent nothing for an invitation: what
/// it holds of it, as [`Error::Journaled`](crate::Error::Journaled) says. Each is a state that
/// forbids a send (the journal's full view, sendable states included, is
/// [`WithdrawalState`](crate::WithdrawalState)).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Withheld {
    /// LinkUp confirmed the withdrawal.
    Withdrawn,
    /// A listing no longer shows it pending: withdrawn, accepted or declined.
    Gone,
    /// LinkUp refused it (`message` says why, such as not pending any more).
    Refused {
        /// The refusal, as the error said it.
        message: String,
    },
    /// Sent `sends` times (1, or 2 after the one resend), the last at `since`, with no answer
    /// that said what happened; a listing that began the settling time later settles it.
    Unknown {
        /// How many times it was sent.
        sends: u32,
        /// When it was last sent.
        since: SystemTime,
    },
}

/// The budget rule, in one place: whether a request may still be sent after `spent` (what
/// was charged, and what may have been) under at most `max` credits (`None`: no budget). The
/// walk asks it before each page, the request path before each retry.
pub(crate) fn within_budget(spent: u64, max: Option<u64>) -> bool {
    max.is_none_or(|max| spent < max)
}

// The calendar, once: the journal's times and an HTTP date's.

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
pub(crate) fn days_from_civil(year: i64, month: u64, day: u64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day since 1970-01-01 (Howard Hinnant's `civil_from_days`).
pub(crate) fn civil_from_days(days: i64) -> (i64, u64, u64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u64;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u64;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pacer_spaces_consecutive_slots() {
        let pacer = Pacer::default();
        let start = Instant::now();
        for _ in 0..3 {
            pacer.wait(Duration::from_millis(20), None).unwrap();
        }
        assert!(start.elapsed() >= Duration::from_millis(40));
    }
}
