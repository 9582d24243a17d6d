//! The journal's decisions, without I/O: what each invitation's history says, whether it may be
//! sent, and what a listing settles.
//!
//! The file replays into a [`Book`] line by line, and every line written is applied the same
//! way, so what is decided live is what is read back after a crash. Time comes in as a value.
//!
//! An invitation's history, as its outcome moves:
//!
//! ```text
//!            attempting               unknown / (no line: a crash)
//!   Open ───────────────► sent ─────────────────────────────► Unknown
//!    ▲                     │ withdrawn       refused              │ a listing that began a
//!    │ not_sent            ├────────► Withdrawn  ├──► Refused     │ settling time after the
//!    └─────────────────────┘                                      │ first send still shows it
//!                                                                 ▼
//!   Gone ◄── a listing that no longer shows it (from Unknown  StillPending ── attempting ──►
//!            or StillPending)                                 (the one resend; never a third)
//! ```

use std::collections::{HashMap, HashSet};
use std::time::{Duration, SystemTime};

use super::clock::Stamp;
use super::WithdrawalState;
use crate::ground::Withheld;

/// One line's event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Event {
    /// About to send (written, and synced, before sending).
    Attempting,
    /// LinkUp confirmed it.
    Withdrawn,
    /// LinkUp refused this invitation (not pending any more, say): never sent again.
    Refused,
    /// The attempt cannot have reached LinkedIn (nothing sent, or refused before acting).
    NotSent,
    /// Sent, and no answer said what happened.
    Unknown,
    /// A listing that began a settling time after the first send still shows it pending.
    StillPending,
    /// A listing no longer shows it pending.
    Gone,
}

impl Event {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Event::Attempting => "attempting",
            Event::Withdrawn => "withdrawn",
            Event::Refused => "refused",
            Event::NotSent => "not_sent",
            Event::Unknown => "unknown",
            Event::StillPending => "still_pending",
            Event::Gone => "gone",
        }
    }

    /// The event a line names; `failed`, the word of journals written before `refused` and
    /// `not_sent` were told apart, is read as the safe one of the two.
    pub(crate) fn from_name(name: &str) -> Option<Event> {
        Some(match name {
            "attempting" => Event::Attempting,
            "withdrawn" => Event::Withdrawn,
            "refused" | "failed" => Event::Refused,
            "not_sent" => Event::NotSent,
            "unknown" => Event::Unknown,
            "still_pending" => Event::StillPending,
            "gone" => Event::Gone,
            _ => return None,
        })
    }
}

/// Where an invitation's history stands.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Outcome {
    /// Never sent, as far as anyone can tell.
    Open,
    /// Sent (`at`, by the wall clock), no word of what happened.
    Unknown {
        at: SystemTime,
    },
    /// Shown pending by a listing that settles the first send: it may be sent once more.
    StillPending,
    Withdrawn,
    Gone,
    Refused {
        message: String,
    },
}

/// One invitation's history, folded.
#[derive(Clone, Debug)]
struct Entry {
    /// Attempts that may have reached LinkedIn.
    sends: u32,
    first_sent: Option<Stamp>,
    last_sent: Option<Stamp>,
    outcome: Outcome,
    /// The outcome before the attempt under way, for a `not_sent` to restore.
    before: Outcome,
}

impl Entry {
    fn new() -> Entry {
        Entry {
            sends: 0,
            first_sent: None,
            last_sent: None,
            outcome: Outcome::Open,
            before: Outcome::Open,
        }
    }

    fn is_final(&self) -> bool {
        matches!(
            self.outcome,
            Outcome::Withdrawn | Outcome::Gone | Outcome::Refused { .. }
        )
    }
}

/// What a listing showed, for [`Book::settle`].
pub(crate) struct Evidence<'a> {
    /// When it began: it can tell only of sends before this.
    pub(crate) began: Stamp,
    pub(crate) pending: &'a HashSet<u64>,
    pub(crate) not_pending: &'a HashSet<u64>,
    /// The ids (inclusive) among which it handed out every pending invitation, when it can
    /// vouch for that.
    pub(crate) covered: Option<(u64, u64)>,
}

/// Every invitation's history, folded from the journal's lines.
#[derive(Debug, Default)]
pub(crate) struct Book {
    entries: HashMap<u64, Entry>,
    /// The latest time any line carries: a clock behind it is wrong (see [`Book::stamp`]).
    latest: Option<SystemTime>,
}

impl Book {
    /// Notes a line's time, for [`Book::stamp`].
    pub(crate) fn saw(&mut self, at: SystemTime) {
        self.latest = self.latest.max(Some(at));
    }

    /// The time to write a new line with: `now`, but never earlier by the wall clock than the
    /// latest line (a clock behind the journal's own records is a clock that is wrong, and a
    /// settling time measured from it would end early once it is put right); with how far
    /// behind the clock was, when it was.
    pub(crate) fn stamp(&self, now: Stamp) -> (Stamp, Option<Duration>) {
        match self.latest {
            Some(latest) if latest > now.wall => {
                let behind = latest.duration_since(now.wall).unwrap_or_default();
                let stamp = Stamp {
                    wall: latest,
                    ..now
                };
                (stamp, Some(behind))
            }
            _ => (now, None),
        }
    }

    /// Folds one line into the history.
    pub(crate) fn apply(&mut self, id: u64, event: Event, at: &Stamp, message: Option<&str>) {
        self.saw(at.wall);
        let entry = self.entries.entry(id).or_insert_with(Entry::new);
        match event {
            Event::Attempting => {
                entry.sends = entry.sends.saturating_add(1);
                entry.first_sent.get_or_insert_with(|| at.clone());
                entry.last_sent = Some(at.clone());
                if !entry.is_final() {
                    let unknown = Outcome::Unknown { at: at.wall };
                    entry.before = std::mem::replace(&mut entry.outcome, unknown);
                }
            }
            Event::NotSent => {
                entry.sends = entry.sends.saturating_sub(1);
                if entry.sends == 0 {
                    entry.first_sent = None;
                    entry.last_sent = None;
                }
                if matches!(entry.outcome, Outcome::Unknown { .. }) {
                    entry.outcome = std::mem::replace(&mut entry.before, Outcome::Open);
                }
            }
            Event::Unknown => {
                if !entry.is_final() {
                    let at = entry.last_sent.as_ref().map_or(at.wall, |sent| sent.wall);
                    entry.outcome = Outcome::Unknown { at };
                }
            }
            Event::StillPending => {
                if !entry.is_final() {
                    entry.outcome = Outcome::StillPending;
                }
            }
            Event::Withdrawn => entry.outcome = Outcome::Withdrawn,
            Event::Gone => entry.outcome = Outcome::Gone,
            Event::Refused => {
                entry.outcome = Outcome::Refused {
                    message: message.unwrap_or("").to_owned(),
                }
            }
        }
    }

    /// What the journal holds of an invitation.
    pub(crate) fn state(&self, id: u64) -> WithdrawalState {
        let Some(entry) = self.entries.get(&id) else {
            return WithdrawalState::NotSent;
        };
        let unknown = |since| WithdrawalState::Unknown {
            sends: entry.sends,
            since,
        };
        match &entry.outcome {
            Outcome::Open if entry.sends == 0 => WithdrawalState::NotSent,
            Outcome::Open => unknown(
                entry
                    .last_sent
                    .as_ref()
                    .map_or(SystemTime::UNIX_EPOCH, |sent| sent.wall),
            ),
            Outcome::StillPending => WithdrawalState::StillPending,
            Outcome::Unknown { at } => unknown(*at),
            Outcome::Withdrawn => WithdrawalState::Withdrawn,
            Outcome::Gone => WithdrawalState::Gone,
            Outcome::Refused { message } => WithdrawalState::Refused {
                message: message.clone(),
            },
        }
    }

    /// The may-I-send rule, in one place: an invitation is sent when nothing may have reached
    /// LinkedIn yet, or once more when a listing that settles the first send still shows it
    /// pending; never a third time, never after a refusal or a success, never while an outcome
    /// is unknown. `Err` holds the state that forbids it.
    pub(crate) fn may_send(&self, id: u64) -> Result<(), Withheld> {
        match self.state(id) {
            WithdrawalState::NotSent | WithdrawalState::StillPending => Ok(()),
            WithdrawalState::Withdrawn => Err(Withheld::Withdrawn),
            WithdrawalState::Gone => Err(Withheld::Gone),
            WithdrawalState::Refused { message } => Err(Withheld::Refused { message }),
            WithdrawalState::Unknown { sends, since } => Err(Withheld::Unknown { sends, since }),
        }
    }

    /// What a listing settles, as the lines to write: of every invitation whose outcome is
    /// unknown (or that may be sent once more), one the listing shows as not pending, or does
    /// not show where it vouches for having shown every pending one, is gone; one it shows
    /// pending may be sent once more if the listing began at least `settling` after the first
    /// send (by every clock both carry: see [`Stamp::settled_by`]) and it was sent only once:
    /// the one place that allows a resend, never a third send.
    /// (Gone needs no such care: an invitation a listing shows as not pending never becomes
    /// pending again, whenever the listing began.)
    pub(crate) fn settle(&self, listing: &Evidence<'_>, settling: Duration) -> Vec<(u64, Event)> {
        let mut ids: Vec<&u64> = self.entries.keys().collect();
        ids.sort_unstable();
        let mut lines = Vec::new();
        for &id in ids {
            let entry = &self.entries[&id];
            let open = matches!(
                entry.outcome,
                Outcome::Unknown { .. } | Outcome::StillPending
            );
            if !open {
                continue;
            }
            let covered = listing
                .covered
                .is_some_and(|(low, high)| low <= id && id <= high);
            if listing.not_pending.contains(&id) || (!listing.pending.contains(&id) && covered) {
                lines.push((id, Event::Gone));
            } else if listing.pending.contains(&id)
                && matches!(entry.outcome, Outcome::Unknown { .. })
                && entry.sends == 1
                && entry
                    .first_sent
                    .as_ref()
                    .is_some_and(|sent| sent.settled_by(&listing.began, settling))
            {
                lines.push((id, Event::StillPending));
            }
        }
        lines
    }

    /// The invitations whose outcome is unknown.
    pub(crate) fn unknown(&self) -> Vec<u64> {
        let mut ids: Vec<u64> = self
            .entries
            .keys()
            .copied()
            .filter(|id| matches!(self.state(*id), WithdrawalState::Unknown { .. }))
            .collect();
        ids.sort_unstable();
        ids
    }

    /// Every invitation the journal holds, by id.
    pub(crate) fn ids(&self) -> Vec<u64> {
        let mut ids: Vec<u64> = self.entries.keys().copied().collect();
        ids.sort_unstable();
        ids
    }

    /// How many sends (attempts that may have reached LinkedIn) began at or after `since`, by
    /// the wall clock the lines carry.
    pub(crate) fn sends_since(&self, since: SystemTime) -> usize {
        self.entries
            .values()
            .map(|entry| {
                let first = entry.first_sent.as_ref().filter(|at| at.wall >= since);
                let last = entry
                    .last_sent
                    .as_ref()
                    .filter(|at| entry.sends >= 2 && at.wall >= since);
                usize::from(first.is_some()) + usize::from(last.is_some())
            })
            .sum()
    }

    /// What a person who looked on LinkedIn may record of an invitation: the line to write,
    /// or why not. Only an unknown outcome (or a settled resend not yet sent) is theirs to
    /// settle; still pending after two sends it is never sent a third time.
    pub(crate) fn seen(&self, id: u64, gone: bool) -> Result<Event, String> {
        match (self.state(id), gone) {
            (WithdrawalState::Unknown { .. } | WithdrawalState::StillPending, true) => {
                Ok(Event::Gone)
            }
            (WithdrawalState::Unknown { sends: 1, .. }, false) => Ok(Event::StillPending),
            (WithdrawalState::StillPending, false) => Ok(Event::StillPending),
            (WithdrawalState::Unknown { .. }, false) => Err(
                "was sent twice with no answer, and is never sent a third time: withdraw it on \
                 LinkedIn by hand"
                    .into(),
            ),
            (WithdrawalState::NotSent, _) => Err(
                "has no withdrawal sent in this journal (another journal's, or a typo?): nothing \
                 to record"
                    .into(),
            ),
            (WithdrawalState::Withdrawn, _) => {
                Err("was withdrawn, as LinkUp answered: nothing to record".into())
            }
            (WithdrawalState::Gone, _) => {
                Err("is recorded as gone already: nothing to record".into())
            }
            (WithdrawalState::Refused { .. }, _) => Err(
                "was refused by LinkUp (its answer is in the journal): nothing to record".into(),
            ),
        }
    }
}
