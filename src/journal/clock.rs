//! The journal's clocks. A settling time is measured by the wall clock its lines carry and,
//! within one boot of the machine, by the boot clock too, which no step of the wall clock
//! moves: a wall clock stepped forward (NTP syncing a clock that was behind) cannot make a
//! listing count as settled early, since the boot clock says how much time really passed.
//!
//! On Linux the boot clock is the kernel's (`/proc/uptime`, with `/proc/sys/kernel/random/boot_id`
//! naming the boot), so it holds across runs of a cron job; elsewhere it is this process's own
//! monotonic clock, which holds within one run. Across a reboot only the wall clock is left.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime};

/// A moment, by every clock the journal has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Stamp {
    pub(crate) wall: SystemTime,
    pub(crate) boot: Option<Boot>,
}

/// A moment by the boot clock: which boot, and how long after it began.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Boot {
    pub(crate) id: Arc<str>,
    pub(crate) since: Duration,
}

impl Stamp {
    /// Now, by the system's clocks.
    pub(crate) fn now() -> Stamp {
        Stamp {
            wall: SystemTime::now(),
            boot: boot_now(),
        }
    }

    /// Whether `later` is at least `settling` after this moment by every clock both carry:
    /// the wall clock, and the boot clock when both are of one boot.
    pub(crate) fn settled_by(&self, later: &Stamp, settling: Duration) -> bool {
        let by_wall = self
            .wall
            .checked_add(settling)
            .is_some_and(|settled| settled <= later.wall);
        let by_boot = match (&self.boot, &later.boot) {
            (Some(then), Some(now)) if then.id == now.id => then
                .since
                .checked_add(settling)
                .is_some_and(|settled| settled <= now.since),
            _ => true,
        };
        by_wall && by_boot
    }

    /// This moment, `back` earlier by every clock: when a listing that ran `back` ago began.
    pub(crate) fn earlier(&self, back: Duration) -> Stamp {
        Stamp {
            wall: self
                .wall
                .checked_sub(back)
                .unwrap_or(SystemTime::UNIX_EPOCH),
            boot: self.boot.as_ref().map(|boot| Boot {
                id: boot.id.clone(),
                since: boot.since.saturating_sub(back),
            }),
        }
    }
}

/// Now by the boot clock: the kernel's where it can be read, else this process's.
fn boot_now() -> Option<Boot> {
    static KERNEL_BOOT: OnceLock<Option<Arc<str>>> = OnceLock::new();
    let kernel = KERNEL_BOOT.get_or_init(|| {
        let id = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok()?;
        let id = id.trim();
        (!id.is_empty() && id.len() <= 64).then(|| Arc::from(format!("boot {id}")))
    });
    if let Some(id) = kernel {
        if let Some(since) = uptime() {
            return Some(Boot {
                id: id.clone(),
                since,
            });
        }
    }
    // This process's own clock: comparable within this run only.
    static PROCESS: OnceLock<(Arc<str>, Instant)> = OnceLock::new();
    let (id, started) = PROCESS.get_or_init(|| {
        use std::hash::{BuildHasher, Hasher};
        let random = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        let id = format!("process {} {random:016x}", std::process::id());
        (Arc::from(id), Instant::now())
    });
    Some(Boot {
        id: id.clone(),
        since: started.elapsed(),
    })
}

/// The time since the machine booted, from `/proc/uptime` (seconds, to the hundredth).
fn uptime() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/uptime").ok()?;
    let seconds: f64 = text.split_whitespace().next()?.parse().ok()?;
    Duration::try_from_secs_f64(seconds).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(wall_secs: u64, boot: Option<(&str, u64)>) -> Stamp {
        Stamp {
            wall: SystemTime::UNIX_EPOCH + Duration::from_secs(wall_secs),
            boot: boot.map(|(id, since)| Boot {
                id: id.into(),
                since: Duration::from_secs(since),
            }),
        }
    }

    #[test]
    fn a_settling_time_is_measured_by_every_clock_both_moments_carry() {
        let hour = Duration::from_secs(3600);
        let sent = at(10_000, Some(("a", 500)));
        // The wall clock stepped 2 h forward, 5 s later by the boot clock: not settled.
        assert!(!sent.settled_by(&at(10_000 + 7_205, Some(("a", 505))), hour));
        // An hour by both: settled.
        assert!(sent.settled_by(&at(10_000 + 3_600, Some(("a", 4_100))), hour));
        // The wall clock stepped back: the wall clock must catch up too.
        assert!(!sent.settled_by(&at(9_000, Some(("a", 9_000))), hour));
        // Another boot, or a moment without one: the wall clock alone.
        assert!(sent.settled_by(&at(13_600, Some(("b", 5))), hour));
        assert!(sent.settled_by(&at(13_600, None), hour));
        assert!(!sent.settled_by(&at(13_599, None), hour));
        // At the limits of the clocks: never settled by an overflow.
        assert!(!at(u64::MAX / 4, None).settled_by(&at(0, None), Duration::MAX));
        assert!(!sent.settled_by(&at(u64::MAX / 4, Some(("a", 501))), Duration::MAX));
    }

    #[test]
    fn the_boot_clock_moves_on_and_names_its_boot() {
        let (a, b) = (Stamp::now(), Stamp::now());
        let (a, b) = (a.boot.unwrap(), b.boot.unwrap());
        assert_eq!(a.id, b.id);
        assert!(b.since >= a.since);
    }
}
