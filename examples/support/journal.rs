//! The journal of `stale --withdraw`: one JSON line per event, appended and synced to disk
//! before and after each withdrawal, so that a run stopped at any point (Ctrl-C, kill -9, a
//! crash, a power cut) and run again never withdraws an invitation twice, and never pays twice
//! for one it withdrew.
//!
//! ```text
//! {"at":"2026-11-26T09:00:01.250Z","invitation_id":"7453486530700017665","event":"attempting"}
//! {"at":"2026-11-26T09:00:02.011Z","invitation_id":"7453486530700017665","event":"withdrawn"}
//! ```
//!
//! An id's last event is its state. `attempting` with nothing after it (the run stopped during
//! the call) and `unknown` (sent, no answer) are unsettled: the invitation may be withdrawn. The
//! next run's listing settles them: still listed as pending is `still_pending` (withdrawable
//! again), gone from a listing that covers its age is `gone` (withdrawn, or answered), and until
//! then the tool does not touch it. A listing that lags behind a withdrawal can make an
//! unknown one look still pending; it is then sent once more, and refused: nothing happens
//! twice. One run at a time per journal. Ids are strings: JSON numbers above 2^53 lose digits
//! in many readers. `tests/journal_sim.rs` runs this code through crashes at every step.
#![allow(dead_code)] // each tool uses a different part

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

/// What happened to an invitation, as the journal records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// About to send the withdrawal (written, and synced, before sending).
    Attempting,
    /// LinkUp confirmed it.
    Withdrawn,
    /// Refused, or not sent at all: it is still pending, as far as anyone knows.
    Failed,
    /// Sent, and no answer said what happened.
    Unknown,
    /// A later listing still holds it as pending: the earlier attempt did not withdraw it.
    StillPending,
    /// A later listing that covers its age no longer holds it as pending.
    Gone,
}

impl Event {
    /// Whether an invitation in this state is not to be withdrawn (again): done, or unsettled.
    pub fn hands_off(self) -> bool {
        !matches!(self, Event::Failed | Event::StillPending)
    }

    /// Whether the invitation may have been withdrawn, with nothing yet to say if it was.
    pub fn unsettled(self) -> bool {
        matches!(self, Event::Attempting | Event::Unknown)
    }
}

/// What a listing showed of an invitation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seen {
    Pending,
    NotPending,
    NotListed,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    at: String,
    invitation_id: String,
    event: Event,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

/// The invitation and event of a journal line, if it is one.
fn read_entry(line: &[u8]) -> Option<(u64, Event)> {
    let entry = serde_json::from_slice::<Entry>(line).ok()?;
    Some((entry.invitation_id.parse().ok()?, entry.event))
}

/// An open journal: its file, appended to, and the last event of each id in it.
pub struct Journal {
    file: File,
    path: PathBuf,
    last: HashMap<u64, Event>,
}

impl Journal {
    /// Opens the journal at `path`, creating it if missing, and reads its state. A last line cut
    /// short (the run was stopped while writing it) is dropped from the file: it recorded
    /// nothing that the lines before it and the next listing do not settle, and left in place
    /// it would sit among the next run's lines. Any other line that is not an entry is an
    /// error, as a journal that cannot be read cannot keep its promise.
    pub fn open(path: &Path) -> Result<Journal, String> {
        let shown = path.display();
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(|err| format!("cannot open the journal {shown}: {err}"))?;
        let mut text = Vec::new();
        file.read_to_end(&mut text)
            .map_err(|err| format!("cannot read the journal {shown}: {err}"))?;
        let complete = text.last().is_none_or(|b| *b == b'\n');
        let mut last = HashMap::new();
        let lines: Vec<&[u8]> = text.split(|b| *b == b'\n').collect();
        for (n, line) in lines.iter().enumerate() {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match read_entry(line) {
                Some((id, event)) => {
                    last.insert(id, event);
                }
                None if n + 1 == lines.len() && !complete => {} // cut short
                None => {
                    return Err(format!(
                        "the journal {shown} has a line that is not a journal entry (line {}): \
                         pass the journal an earlier run wrote, or a new file",
                        n + 1
                    ))
                }
            }
        }
        if !complete {
            let last_line = lines.last().copied().unwrap_or_default();
            let fixed = if read_entry(last_line).is_some() {
                // Whole but for its newline (read above, so kept): end it.
                file.write_all(b"\n")
            } else {
                // Cut short: drop it, so that the next entry starts a line of its own.
                let whole = text.len() - last_line.len();
                file.set_len(whole as u64)
            };
            fixed
                .and_then(|()| file.sync_data())
                .map_err(|err| format!("cannot write the journal {shown}: {err}"))?;
        }
        Ok(Journal {
            file,
            path: path.to_owned(),
            last,
        })
    }

    /// The last event recorded for an invitation.
    pub fn state(&self, invitation_id: u64) -> Option<Event> {
        self.last.get(&invitation_id).copied()
    }

    /// The invitations that may have been withdrawn, with nothing yet to say if they were.
    pub fn unsettled(&self) -> Vec<u64> {
        let mut ids: Vec<u64> = self
            .last
            .iter()
            .filter(|(_, event)| event.unsettled())
            .map(|(id, _)| *id)
            .collect();
        ids.sort_unstable();
        ids
    }

    /// Whether an invitation may be withdrawn, as far as the journal knows: not when it was
    /// withdrawn (or is gone) already, nor while an earlier attempt is unsettled.
    pub fn may_withdraw(&self, invitation_id: u64) -> bool {
        !self.state(invitation_id).is_some_and(Event::hands_off)
    }

    /// Settles the open withdrawals by a listing, and returns how many stay open.
    ///
    /// `seen` says what the listing showed of an invitation; `covered` whether a listing that
    /// did not show it would have, were it pending (it read every page old enough to hold it).
    /// Shown as pending: the attempt did not withdraw it, and it may be withdrawn again. Shown
    /// as not pending, or not shown by a listing that covers it: gone (withdrawn, or answered).
    /// Anything else stays open, and untouched.
    pub fn settle(
        &mut self,
        seen: impl Fn(u64) -> Seen,
        covered: impl Fn(u64) -> bool,
    ) -> Result<u64, String> {
        let mut open = 0;
        for id in self.unsettled() {
            match seen(id) {
                Seen::Pending => self.record(id, Event::StillPending, None)?,
                Seen::NotPending => self.record(id, Event::Gone, None)?,
                Seen::NotListed if covered(id) => self.record(id, Event::Gone, None)?,
                Seen::NotListed => open += 1,
            }
        }
        Ok(open)
    }

    /// Appends an entry and waits until it is on disk: only then may the call it announces be
    /// sent, or the run go on.
    pub fn record(
        &mut self,
        invitation_id: u64,
        event: Event,
        message: Option<&str>,
    ) -> Result<(), String> {
        let entry = Entry {
            at: humantime::format_rfc3339_millis(SystemTime::now()).to_string(),
            invitation_id: invitation_id.to_string(),
            event,
            message: message.map(str::to_owned),
        };
        let mut line = serde_json::to_vec(&entry).expect("an entry always serialises");
        line.push(b'\n');
        self.file
            .write_all(&line)
            .and_then(|()| self.file.sync_data())
            .map_err(|err| format!("cannot write the journal {}: {err}", self.path.display()))?;
        self.last.insert(invitation_id, event);
        Ok(())
    }
}
