//! [`WithdrawalJournal`]: withdrawing in a batch, safely repeated. The file, its lock and the
//! calls are here; the decisions (may this id be sent, what a listing settles) are the
//! I/O-free [`Book`](book::Book).

mod book;
mod clock;
mod line;
mod scope;

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use book::{Book, Event, Evidence};
use clock::Stamp;
use line::{Line, Record};
use scope::Scope;

use crate::calls::{check_withdrawal, withdraw};
use crate::classify::Acted;
use crate::config::{Config, Params};
use crate::error::Error;
use crate::paginator::Paginator;
use crate::types::{InvitationState, SentInvitationsPage, Withdrawal};
#[cfg(doc)] // named by the docs
use crate::withdraw_invitation;

/// How long after a withdrawal whose outcome is unknown a listing must begin before it may
/// show that the withdrawal did not happen: LinkedIn's list can lag behind a withdrawal.
const DEFAULT_SETTLING_TIME: Duration = Duration::from_secs(60 * 60);

/// A journal bigger than this is not a journal (40 withdrawals a day write about 8 KB).
const MAX_JOURNAL_BYTES: u64 = 256 * 1024 * 1024;

/// A record on disk of every withdrawal, that makes a batch of withdrawals safe to stop at any
/// point and run again: no invitation is sent twice before the settling time has passed, none
/// more than twice ever, and none again after LinkUp confirmed or refused it.
///
/// - [`open`](WithdrawalJournal::open) takes the file (JSON Lines, created if missing) and
///   holds it, with a lock that dies with its process, for as long as the value lives: a second
///   holder, in this process or another, gets [`Error::JournalInUse`] at once.
/// - [`settle`](WithdrawalJournal::settle) learns from a [`Listing`] what happened to the
///   withdrawals whose outcome is unknown: one a listing no longer shows was withdrawn.
/// - [`withdraw`](WithdrawalJournal::withdraw) writes the attempt to disk (synced) before it
///   sends anything, and the outcome after. It sends nothing for an invitation the journal holds
///   as withdrawn, gone, refused, or sent with an outcome still unknown: it returns
///   [`Error::Journaled`] with that state instead.
///
/// **The one resend.** A withdrawal sent with no answer (a timeout, a dropped connection, a
/// server error) may have happened. It is sent once more, and only once, when a listing that
/// began at least the [settling time](WithdrawalJournal::settling_time) after the first send
/// still shows the invitation pending (LinkedIn's list may lag behind a withdrawal; if it
/// lagged longer, LinkUp refuses the resend as not pending, and that is final).
///
/// # Examples
///
/// A batch on the crate's fake (feature `test-util`): list, settle, withdraw, and the unknown
/// case.
///
/// ```
/// # #[cfg(feature = "test-util")] {
/// use linkup_sent_invitations::{
///     Config, Error, FakeApi, FakeFailure, Listing, Paginator, Params, WithdrawalJournal,
///     WithdrawalState,
/// };
///
/// let fake = FakeApi::start(30);
/// let config = Config::new("your-api-key").base_url(fake.base_url()).requests_per_minute(0);
/// let params = Params::new("your-login-token");
/// # let dir = std::env::temp_dir().join(format!("linkup-doc-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// # let path = dir.join("withdrawals.jsonl");
/// # let _ = std::fs::remove_file(&path);
/// let mut journal = WithdrawalJournal::open(&path)?;
/// // A second run cannot take the journal while this one holds it.
/// assert!(matches!(WithdrawalJournal::open(&path), Err(Error::JournalInUse { .. })));
///
/// // List the oldest page, oldest first, then settle what earlier runs left unknown.
/// let mut listing = Listing::new(Paginator::new(&config, params.clone()).oldest_first());
/// let page = listing.next().expect("a page")?;
/// let oldest: Vec<u64> = page.invitations.iter().take(5).map(|i| i.invitation_id).collect();
/// journal.settle(&listing)?;
///
/// // The second withdrawal is sent, and its answer lost: its outcome is unknown.
/// fake.fail_withdraw(oldest[1], FakeFailure::hang_up());
/// for id in &oldest {
///     match journal.withdraw(&config, &params, *id) {
///         Ok(done) => assert_eq!(done.credits, 1),
///         Err(Error::OutcomeUnknown { .. }) => assert_eq!(*id, oldest[1]),
///         Err(err) => return Err(err),
///     }
/// }
/// // Running it again sends nothing for any of them.
/// for id in &oldest {
///     assert!(matches!(journal.withdraw(&config, &params, *id), Err(Error::Journaled { .. })));
/// }
/// assert!(matches!(journal.state(oldest[1]), WithdrawalState::Unknown { sends: 1, .. }));
///
/// // The next listing no longer shows it: it was withdrawn after all.
/// let mut listing = Listing::new(Paginator::new(&config, params.clone()).oldest_first());
/// for page in &mut listing {
///     page?;
/// }
/// let settled = journal.settle(&listing)?;
/// assert_eq!(settled.gone, [oldest[1]]);
/// assert_eq!(journal.state(oldest[1]), WithdrawalState::Gone);
/// # drop(journal);
/// # std::fs::remove_dir_all(&dir).ok();
/// # }
/// # Ok::<(), linkup_sent_invitations::Error>(())
/// ```
#[derive(Debug)]
pub struct WithdrawalJournal {
    file: File,
    /// The path the caller named (made absolute, symbolic links left as they are): what the
    /// lock and [`WithdrawalJournal::still_held`] follow.
    path: PathBuf,
    /// `FILE.lock` beside that path, held locked: a second run that names the same path is
    /// refused, even once a symbolic link there points elsewhere or the file was replaced.
    lock: File,
    lock_path: PathBuf,
    /// The same beside the file the path led to when opened (a symbolic link resolved), for a
    /// run that names the file by another path; and, on Linux, the two paths claimed as names
    /// no file system holds (see [`claim`]), which a moved folder cannot take along. Kept for
    /// what holding them does, never read.
    #[allow(dead_code)]
    holds: Vec<Hold>,
    /// Why nothing more may be written: a failed write that could not be undone.
    broken: Option<String>,
    book: Book,
    /// What the journal is for, once a call or a line said so.
    scope: Option<Scope>,
    /// The label of a v1 account ([`WithdrawalJournal::account_label`]).
    label: Option<String>,
    /// The calls found of the journal's scope, by a keyed hash of what decides it (a v2
    /// account's digest is slow to compute on purpose): no secret is kept.
    admitted: HashSet<u64>,
    keys: std::hash::RandomState,
    settling: Duration,
}

/// What the journal holds of an invitation: [`WithdrawalJournal::state`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WithdrawalState {
    /// Never sent, or only in attempts that cannot have reached LinkedIn: it may be sent.
    NotSent,
    /// Sent `sends` times (1, or 2 after the one resend), the last at `since`, and no answer
    /// said what happened: it may have been withdrawn. A listing settles it.
    Unknown {
        /// How many times it was sent.
        sends: u32,
        /// When it was last sent.
        since: SystemTime,
    },
    /// A listing that began at least the settling time after it was sent still showed it
    /// pending: it may be sent once more.
    StillPending,
    /// LinkUp confirmed the withdrawal.
    Withdrawn,
    /// A listing no longer shows it pending: withdrawn, accepted or declined.
    Gone,
    /// LinkUp refused it (`message` says why, such as not pending any more): never sent again.
    Refused {
        /// The refusal, as the error said it.
        message: String,
    },
}

impl WithdrawalState {
    /// Whether [`WithdrawalJournal::withdraw`] would send it.
    pub fn may_send(&self) -> bool {
        matches!(
            self,
            WithdrawalState::NotSent | WithdrawalState::StillPending
        )
    }
}

/// What a person saw on LinkedIn of an invitation: [`WithdrawalJournal::record_seen`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seen {
    /// No longer in the sent list: withdrawn (or accepted, declined).
    Gone,
    /// Still in the sent list, pending.
    Pending,
}

/// What [`WithdrawalJournal::settle`] learnt from a listing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Settlement {
    /// Withdrawals whose outcome was unknown that the listing no longer shows: done.
    pub gone: Vec<u64>,
    /// Withdrawals whose outcome was unknown that the listing still shows, long enough after:
    /// they may be sent once more.
    pub still_pending: Vec<u64>,
    /// Withdrawals whose outcome stays unknown: the listing could not tell.
    pub unknown: Vec<u64>,
}

impl WithdrawalJournal {
    /// Opens the journal at `path`, creating it if missing, reads what it holds, and holds it
    /// until the value is dropped. A last line cut short (a run stopped while writing it) is
    /// dropped: it recorded nothing the lines before it and the next listing do not settle.
    ///
    /// The lock is held on the path as named, with `FILE.lock` beside it (created once and
    /// left there, empty), on the file itself, beside the file a symbolic link led to, and on
    /// Linux on both paths as abstract socket names (which a moved folder cannot take along):
    /// a second run that names the same path is refused whatever was done to it meanwhile (a
    /// symbolic link repointed, the file or its folder replaced), and so is one that reaches
    /// the same file by another name.
    ///
    /// # Errors
    ///
    /// - [`Error::JournalInUse`] when another holder, in this process or another, has it.
    /// - [`Error::Journal`] for a path that is not a regular file (a folder, `/dev/null`, a
    ///   FIFO, a device), one that cannot be created, read or written (its lock file
    ///   included), or a line in it that is not a journal entry.
    pub fn open(path: impl AsRef<Path>) -> Result<WithdrawalJournal, Error> {
        let named = path.as_ref();
        let fail = |reason: String| Error::Journal {
            path: named.to_owned(),
            reason,
        };
        // Absolute, so that a later check names the same place whatever the working folder;
        // symbolic links are left as they are: the lock and the checks follow the name.
        let path = std::path::absolute(named)
            .map_err(|err| fail(format!("cannot be found ({err}): check the path")))?;
        let mut lock_name = path.file_name().unwrap_or_default().to_owned();
        lock_name.push(".lock");
        let lock_path = path.with_file_name(lock_name);
        let existed = std::fs::metadata(&path).is_ok();
        let mut file = open_regular(&path, true).map_err(fail)?;
        let lock = open_regular(&lock_path, false).map_err(|why| {
            fail(format!(
                "cannot be locked: its lock file {} {why}",
                lock_path.display()
            ))
        })?;
        // All held before anything is read: the name's lock, the file's, the target's.
        hold(&lock, named, &fail)?;
        hold(&file, named, &fail)?;
        let target = std::fs::canonicalize(&path)
            .map_err(|err| fail(format!("cannot be found again ({err})")))?;
        let mut holds = Vec::new();
        if target != path {
            let mut name = target.file_name().unwrap_or_default().to_owned();
            name.push(".lock");
            let target_lock = target.with_file_name(name);
            let lock = open_regular(&target_lock, false).map_err(|why| {
                fail(format!(
                    "cannot be locked: its lock file {} {why}",
                    target_lock.display()
                ))
            })?;
            hold(&lock, named, &fail)?;
            holds.push(Hold::File(lock));
        }
        holds.extend(claim(&path, named)?);
        if target != path {
            holds.extend(claim(&target, named)?);
        }
        if !existed {
            // A new file survives a crash only once its folder's entry is on disk too.
            sync_folder(&path).map_err(|err| fail(format!("cannot be created ({err})")))?;
        }
        let meta = file
            .metadata()
            .map_err(|err| fail(format!("cannot be read ({err})")))?;
        if meta.len() > MAX_JOURNAL_BYTES {
            return Err(fail(format!(
                "is larger than {} MiB: it is not a journal this crate wrote",
                MAX_JOURNAL_BYTES >> 20
            )));
        }
        let mut text = Vec::new();
        file.read_to_end(&mut text)
            .map_err(|err| fail(format!("cannot be read ({err})")))?;
        let mut book = Book::default();
        let mut scope = None;
        let complete = text.last().is_none_or(|b| *b == b'\n');
        let lines: Vec<&[u8]> = text.split(|b| *b == b'\n').collect();
        let not_an_entry = |n: usize| {
            fail(format!(
                "has a line that is not a journal entry (line {n}): pass the journal an earlier \
                 run wrote, or a new file"
            ))
        };
        for (n, bytes) in lines.iter().enumerate() {
            if bytes.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match Record::decode(bytes) {
                Some(Record::Entry(line)) => book.apply(
                    line.invitation_id,
                    line.event,
                    &line.at,
                    line.message.as_deref(),
                ),
                // One scope a journal: a second one is a hand edit, or two journals joined.
                Some(Record::Scope { at, scope: found }) => match &scope {
                    None => {
                        book.saw(at);
                        scope = Some(found);
                    }
                    Some(_) => return Err(not_an_entry(n + 1)),
                },
                None if n + 1 == lines.len() && !complete => {} // cut short: dropped below
                None => return Err(not_an_entry(n + 1)),
            }
        }
        if !complete {
            let last = lines.last().copied().unwrap_or_default();
            let fixed = if Record::decode(last).is_some() {
                // Whole but for its newline (read above, so kept): end it.
                file.write_all(b"\n")
            } else if serde_json::from_slice::<serde::de::IgnoredAny>(last).is_ok() {
                // Whole JSON, but no entry (a hand edit?): not a line cut short, so not
                // dropped either, as a `refused` written by hand would be.
                return Err(not_an_entry(lines.len()));
            } else {
                // Cut short: dropped, so that the next line starts a line of its own.
                file.set_len((text.len() - last.len()) as u64)
            };
            fixed
                .and_then(|()| file.sync_data())
                .map_err(|err| fail(format!("cannot be written ({err})")))?;
        }
        Ok(WithdrawalJournal {
            file,
            path,
            lock,
            lock_path,
            holds,
            broken: None,
            book,
            scope,
            label: None,
            admitted: HashSet::new(),
            keys: std::hash::RandomState::new(),
            settling: DEFAULT_SETTLING_TIME,
        })
    }

    /// Names the LinkedIn account a v1 journal is for: v1 calls carry a login token, which
    /// LinkedIn rotates, and no account id, so the journal cannot tell one v1 account from
    /// another by itself. With a label, a journal first used for `"alice"` refuses a call
    /// labelled `"bob"` (or none): one account's listing never settles another's withdrawals.
    /// v2 journals know their account by its id and need none. The label is written in the
    /// journal as given, so use a name, not a secret.
    ///
    /// Defaults to none: a v1 journal then takes any v1 account.
    pub fn account_label(mut self, label: impl Into<String>) -> WithdrawalJournal {
        self.label = Some(label.into());
        self
    }

    /// Checks, sending and writing nothing, that calls with `params` are of the journal's
    /// scope: its API generation, its account and its invitation type. A tool calls it before
    /// paying for a listing; [`settle`](WithdrawalJournal::settle) and
    /// [`withdraw`](WithdrawalJournal::withdraw) check it too. A journal with no scope yet
    /// (new, or written by an earlier version) takes the first one used.
    ///
    /// # Errors
    ///
    /// [`Error::Journal`] naming both scopes, when `params` are of another.
    pub fn check_scope(&self, params: &Params) -> Result<(), Error> {
        let Some(scope) = &self.scope else {
            return Ok(());
        };
        if self.admitted.contains(&self.call_key(params)) {
            return Ok(());
        }
        scope
            .admits(params, self.label.as_deref())
            .map_err(|used| Error::Journal {
                path: self.path.clone(),
                reason: format!(
                    "holds the withdrawals of {scope}; this call is for {used}: nothing sent; \
                     use one journal per account and invitation type"
                ),
            })
    }

    /// [`check_scope`](WithdrawalJournal::check_scope), and the scope written down (synced)
    /// if the journal had none: from then on it refuses any other.
    fn claim_scope(&mut self, params: &Params) -> Result<(), Error> {
        self.check_scope(params)?;
        let key = self.call_key(params);
        if self.scope.is_some() {
            self.admitted.insert(key);
            return Ok(());
        }
        let scope = Scope::of(params, self.label.as_deref());
        let (at, _) = self.book.stamp(Stamp::now());
        self.append(&Record::Scope {
            at: at.wall,
            scope: scope.clone(),
        })?;
        self.book.saw(at.wall);
        self.scope = Some(scope);
        self.admitted.insert(key);
        Ok(())
    }

    /// What decides a call's scope, as a hash under this journal's random keys.
    fn call_key(&self, params: &Params) -> u64 {
        use std::hash::BuildHasher;
        let who = (params.generation(), params.credential());
        self.keys
            .hash_one((who, params.invitation_type.as_str(), self.label.as_deref()))
    }

    /// How long after a send whose outcome is unknown a listing must begin before it may show
    /// that the withdrawal did not happen, allowing the one resend. LinkedIn's list can lag
    /// behind a withdrawal; a shorter time risks a resend LinkUp refuses (and v1 charges).
    ///
    /// Defaults to 1 hour.
    pub fn settling_time(mut self, settling_time: Duration) -> WithdrawalJournal {
        self.settling = settling_time;
        self
    }

    /// The file this journal holds.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What the journal holds of an invitation.
    pub fn state(&self, invitation_id: u64) -> WithdrawalState {
        self.book.state(invitation_id)
    }

    /// The invitations whose withdrawal was sent with no answer, and that no listing settled.
    pub fn unknown(&self) -> Vec<u64> {
        self.book.unknown()
    }

    /// Every invitation the journal holds, with its state, by id: what a tool shows.
    pub fn entries(&self) -> Vec<(u64, WithdrawalState)> {
        self.book
            .ids()
            .into_iter()
            .map(|id| (id, self.book.state(id)))
            .collect()
    }

    /// How many withdrawals were sent (attempts that may have reached LinkedIn, resends
    /// included) at or after `since`, across every run that used this journal: what a daily
    /// cap counts (`since` a day ago), whatever the runs' own caps.
    pub fn sends_since(&self, since: SystemTime) -> usize {
        self.book.sends_since(since)
    }

    /// Records what a person saw on LinkedIn of an invitation whose withdrawal's outcome is
    /// unknown: [`Seen::Gone`] (no longer in the sent list) settles it as gone, never sent
    /// again; [`Seen::Pending`] (still there) allows the one resend, as a listing a settling
    /// time later would. Written to disk (synced) like every line.
    ///
    /// # Errors
    ///
    /// [`Error::Journal`] when the journal holds no unknown outcome for it (it is withdrawn,
    /// refused, gone, never sent), when it was sent twice already and is seen pending (never a
    /// third time: withdraw it by hand), or when the journal cannot be written.
    pub fn record_seen(&mut self, invitation_id: u64, seen: Seen) -> Result<(), Error> {
        self.still_held()?;
        let event = self
            .book
            .seen(invitation_id, seen == Seen::Gone)
            .map_err(|why| Error::Journal {
                path: self.path.clone(),
                reason: format!(
                    "cannot record what was seen of invitation {invitation_id}: it {why}"
                ),
            })?;
        self.record(invitation_id, event, Stamp::now(), Some("seen on LinkedIn"))
    }

    /// Learns from a listing what happened to the withdrawals whose outcome is unknown, and
    /// records it: one the listing no longer shows pending was withdrawn ([`Settlement::gone`]);
    /// one it still shows, in a listing that began at least the settling time after the
    /// withdrawal was sent, may be sent once more ([`Settlement::still_pending`]).
    ///
    /// A listing vouches only for what it read: it settles an invitation it did not show only
    /// when it walked, with nothing possibly missed and in order, from one end of the list
    /// (no resume point, no start or end page) past that invitation's place, or to the other
    /// end.
    ///
    /// # Errors
    ///
    /// [`Error::Journal`] when the journal cannot be written, or its path names another file
    /// than the one opened (replaced by a hand edit, say).
    pub fn settle(&mut self, listing: &Listing) -> Result<Settlement, Error> {
        self.claim_scope(listing.pages.params())?;
        let now = Stamp::now();
        // A listing cannot have begun later than now: a `began_at` in the future would allow a
        // resend before the settling time.
        let began = if listing.began.wall > now.wall {
            now.clone()
        } else {
            listing.began.clone()
        };
        let evidence = Evidence {
            began,
            pending: &listing.pending,
            not_pending: &listing.not_pending,
            covered: listing.covered(),
        };
        self.settle_with(&evidence, now)
    }

    /// [`settle`](WithdrawalJournal::settle) with what the listing showed and the time given:
    /// what the simulation drives.
    pub(crate) fn settle_with(
        &mut self,
        evidence: &Evidence<'_>,
        now: Stamp,
    ) -> Result<Settlement, Error> {
        self.still_held()?;
        let mut settlement = Settlement::default();
        for (id, event) in self.book.settle(evidence, self.settling) {
            self.record(id, event, now.clone(), None)?;
            match event {
                Event::Gone => settlement.gone.push(id),
                _ => settlement.still_pending.push(id),
            }
        }
        settlement.unknown = self.book.unknown();
        Ok(settlement)
    }

    /// Withdraws one invitation, as [`withdraw_invitation`] does, with the journal's promise:
    /// the attempt is on disk before anything is sent, and the outcome after.
    ///
    /// # Errors
    ///
    /// - [`Error::Journaled`] with nothing sent, when the journal holds the invitation as
    ///   withdrawn, gone, refused, or sent with an outcome still unknown (see
    ///   [`WithdrawalState`]).
    /// - [`Error::Journal`] when the journal cannot be written, or its path names another file
    ///   than the one opened (replaced by a hand edit that saves a new file, as `sed -i` and
    ///   most editors do): before sending, nothing is sent; after, the message says what
    ///   happened, and the journal holds it as unknown. Either way this journal writes nothing
    ///   more once its file was replaced: open it again.
    /// - What [`withdraw_invitation`] returns, [`Error::OutcomeUnknown`] included.
    pub fn withdraw(
        &mut self,
        config: &Config,
        params: &Params,
        invitation_id: u64,
    ) -> Result<Withdrawal, Error> {
        // Mistakes are refused before anything is written or sent.
        check_withdrawal(config, params, invitation_id)?;
        self.claim_scope(params)?;
        self.withdraw_with(invitation_id, Stamp::now(), || {
            withdraw(config, params, invitation_id)
        })
    }

    /// [`withdraw`](WithdrawalJournal::withdraw) with the time and the call given: what the
    /// simulation drives.
    pub(crate) fn withdraw_with(
        &mut self,
        invitation_id: u64,
        now: Stamp,
        send: impl FnOnce() -> (Result<Withdrawal, Error>, Acted),
    ) -> Result<Withdrawal, Error> {
        if let Err(state) = self.book.may_send(invitation_id) {
            return Err(Error::Journaled {
                invitation_id,
                state,
            });
        }
        // On disk before the request: a run stopped during it knows it may have happened.
        self.record(invitation_id, Event::Attempting, now.clone(), None)?;
        // And in the file the path names: one replaced meanwhile (by a hand edit that saves a
        // new file) is not where a later run will look.
        self.still_held()?;
        let (result, acted) = send();
        let event = match acted {
            Acted::Done => Event::Withdrawn,
            Acted::No => Event::NotSent,
            Acted::Maybe => Event::Unknown,
            Acted::Refused => Event::Refused,
        };
        let message = result.as_ref().err().map(ToString::to_string);
        let recorded = self
            .record(invitation_id, event, now, message.as_deref())
            .and_then(|()| self.still_held());
        if let Err(Error::Journal { path, reason }) = recorded {
            let what = match &result {
                Ok(_) => "was withdrawn".to_owned(),
                Err(err) => format!("failed ({err})"),
            };
            return Err(Error::Journal {
                path,
                reason: format!(
                    "{reason}, after invitation {invitation_id} {what}: the journal holds it as \
                     unknown, and the next listing settles it"
                ),
            });
        }
        result
    }

    /// Appends an invitation's line and waits until it is on disk; only then is it applied.
    /// Its time is never earlier than the journal's latest line (see [`Book::stamp`]): a
    /// clock found behind is said, in a warning.
    fn record(
        &mut self,
        invitation_id: u64,
        event: Event,
        at: Stamp,
        message: Option<&str>,
    ) -> Result<(), Error> {
        let (at, behind) = self.book.stamp(at);
        if let Some(behind) = behind {
            log::warn!(
                target: "linkup_sent_invitations",
                "linkup: the system clock is {:.0}s behind the journal {}'s latest line: \
                 recording that line's time instead, so that no settling time ends early; \
                 check the clock (NTP)",
                behind.as_secs_f64(),
                self.path.display()
            );
        }
        let line = Record::Entry(Line {
            at: at.clone(),
            invitation_id,
            event,
            message: message.map(str::to_owned),
        });
        self.append(&line)?;
        self.book.apply(invitation_id, event, &at, message);
        Ok(())
    }

    /// Appends a line and waits until it is on disk. A write that fails part way is cut back
    /// off, so that the next line does not join what it left; if even that fails, nothing
    /// more is written (the next [`open`](WithdrawalJournal::open) drops the piece, a last
    /// line cut short).
    fn append(&mut self, record: &Record) -> Result<(), Error> {
        let fail = |reason: String| Error::Journal {
            path: self.path.clone(),
            reason,
        };
        if let Some(why) = &self.broken {
            return Err(fail(why.clone()));
        }
        self.still_held()?;
        let bytes = record.encode();
        // What a failed write is cut back to: the file as it is, ending with a whole line.
        let before = self
            .file
            .metadata()
            .map_err(|err| fail(format!("cannot be read ({err})")))?
            .len();
        if let Err(err) = self
            .file
            .write_all(&bytes)
            .and_then(|()| self.file.sync_data())
        {
            let undone = self
                .file
                .set_len(before)
                .and_then(|()| self.file.sync_data());
            if undone.is_err() {
                self.broken = Some(format!(
                    "could not be written ({err}), nor the piece of a line left undone: nothing \
                     more is written until it is opened again (a new run), which drops it"
                ));
            }
            return Err(fail(format!("cannot be written ({err})")));
        }
        Ok(())
    }

    /// Whether the path as named still leads to the file this journal holds, and its lock
    /// file to the one it holds locked. A symbolic link repointed, a hand edit that saves a
    /// new file under the name (`sed -i`, most editors), a folder renamed: this run would write
    /// where no later run reads, and a later run would take another lock; so from then on this
    /// run refuses.
    fn still_held(&self) -> Result<(), Error> {
        let replaced = || Error::Journal {
            path: self.path.clone(),
            reason: "was replaced while this run held it (a symbolic link repointed, a hand \
                     edit that saves a new file, its folder moved?): this run stops writing to \
                     it; stop whatever replaced it, and run again"
                .into(),
        };
        let same = |named: &Path, held: &File| match (std::fs::metadata(named), held.metadata()) {
            (Ok(named), Ok(held)) => same_file(&named, &held),
            _ => false,
        };
        if same(&self.path, &self.file) && same(&self.lock_path, &self.lock) {
            Ok(())
        } else {
            Err(replaced())
        }
    }
}

/// Opens `path` for reading and appending, creating it if missing, once it is known to be a
/// regular file (checked before opening: a FIFO would block, a device never end or swallow
/// lines) and after (it could have been swapped in between).
fn open_regular(path: &Path, read: bool) -> Result<File, String> {
    let not_regular = || {
        "is not a regular file: pass the path of a file (it is created if \
                          missing)"
            .to_owned()
    };
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() => return Err(not_regular()),
        Ok(_) => {}
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => {
            return Err(format!(
                "cannot be read ({err}): check the path and its permissions"
            ))
        }
    }
    let file = OpenOptions::new()
        .read(read)
        .append(true)
        .create(true)
        .open(path)
        .map_err(|err| {
            format!(
                "cannot be opened for writing ({err}): check that its folder exists and is \
                 writable"
            )
        })?;
    match file.metadata() {
        Ok(meta) if meta.is_file() => Ok(file),
        Ok(_) => Err(not_regular()),
        Err(err) => Err(format!("cannot be read ({err})")),
    }
}

/// A hold a journal keeps besides its file and lock file, released when it is dropped.
#[derive(Debug)]
enum Hold {
    /// The lock file beside the file the named path led to.
    File(#[allow(dead_code)] File), // held, never read
    /// A path claimed as an abstract socket name (Linux).
    #[cfg(target_os = "linux")]
    Name(#[allow(dead_code)] std::os::unix::net::UnixListener),
}

/// Claims `path` for this process as a name no file system holds: on Linux an abstract
/// socket named by a hash of the path, which the kernel releases when the process ends. A
/// folder renamed (or replaced) under a holder takes its lock files along; the name stays.
/// `Ok(None)` where there are no abstract sockets (another system, a sandbox without them):
/// the file locks hold alone.
#[cfg(target_os = "linux")]
fn claim(path: &Path, named: &Path) -> Result<Option<Hold>, Error> {
    use std::os::linux::net::SocketAddrExt;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::net::{SocketAddr, UnixListener};
    // FNV-1a: the same for every build and version, so that two of them see each other.
    let hash = path
        .as_os_str()
        .as_bytes()
        .iter()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(*byte)).wrapping_mul(0x100_0000_01b3)
        });
    let name = format!("linkup-sent-invitations journal {hash:016x}");
    let Ok(addr) = SocketAddr::from_abstract_name(name.as_bytes()) else {
        return Ok(None);
    };
    match UnixListener::bind_addr(&addr) {
        Ok(listener) => Ok(Some(Hold::Name(listener))),
        Err(err) if err.kind() == std::io::ErrorKind::AddrInUse => Err(Error::JournalInUse {
            path: named.to_owned(),
        }),
        Err(_) => Ok(None),
    }
}

#[cfg(not(target_os = "linux"))]
fn claim(_: &Path, _: &Path) -> Result<Option<Hold>, Error> {
    Ok(None)
}

/// Locks `file` for this process, or says who has it.
fn hold(file: &File, named: &Path, fail: &dyn Fn(String) -> Error) -> Result<(), Error> {
    match file.try_lock() {
        Ok(()) => Ok(()),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::JournalInUse {
            path: named.to_owned(),
        }),
        Err(std::fs::TryLockError::Error(err)) => Err(fail(format!("cannot be locked ({err})"))),
    }
}

/// Whether two metadata are of one file: same device and inode where there are such things.
#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    (a.dev(), a.ino()) == (b.dev(), b.ino())
}

#[cfg(not(unix))]
fn same_file(_: &std::fs::Metadata, _: &std::fs::Metadata) -> bool {
    // No inode to compare (and Windows does not let a file held open be replaced).
    true
}

/// Syncs the folder that holds `path`, so that a file just created there is found after a
/// crash.
fn sync_folder(path: &Path) -> std::io::Result<()> {
    let folder = match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    };
    File::open(folder)?.sync_all()
}

/// A listing as [`WithdrawalJournal::settle`] reads it: the pages of a [`Paginator`], with
/// what each invitation showed, when the listing began and how far it can vouch it read.
///
/// Iterate it as the `Paginator` it wraps; stop whenever you like (a listing that stops early
/// settles only what it covered).
#[derive(Debug)]
pub struct Listing {
    pages: Paginator,
    began: Stamp,
    pending: HashSet<u64>,
    not_pending: HashSet<u64>,
    /// The last invitation yielded, whether the walk ended, and whether it failed.
    last: Option<u64>,
    exhausted: bool,
    failed: bool,
}

impl Listing {
    /// A listing over `pages`, begun now.
    pub fn new(pages: Paginator) -> Listing {
        Listing::begun(pages, Stamp::now())
    }

    /// A listing over `pages`, begun at `began`: for a walk that started earlier. (The
    /// journal's boot clock then counts the listing as begun as long before now as `began`
    /// is, by the wall clock.)
    pub fn began_at(pages: Paginator, began: SystemTime) -> Listing {
        let now = Stamp::now();
        let back = now.wall.duration_since(began).unwrap_or_default();
        let began = Stamp {
            wall: began,
            ..now.earlier(back)
        };
        Listing::begun(pages, began)
    }

    fn begun(pages: Paginator, began: Stamp) -> Listing {
        Listing {
            pages,
            began,
            pending: HashSet::new(),
            not_pending: HashSet::new(),
            last: None,
            exhausted: false,
            failed: false,
        }
    }

    /// When the listing began: it can tell only of withdrawals sent before.
    pub fn began(&self) -> SystemTime {
        self.began.wall
    }

    /// The paginator behind it, for its counts ([`Paginator::credits_used`], ...).
    pub fn paginator(&self) -> &Paginator {
        &self.pages
    }

    /// The ids among which it read every pending invitation, when it can vouch for that.
    fn covered(&self) -> Option<(u64, u64)> {
        if self.failed {
            return None;
        }
        self.pages.covered(self.last, self.exhausted)
    }
}

impl Iterator for Listing {
    type Item = Result<SentInvitationsPage, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let next = self.pages.next();
        match &next {
            None => self.exhausted = true,
            Some(Ok(page)) => {
                for invitation in &page.invitations {
                    let id = invitation.invitation_id;
                    // v2 lists pending invitations only; v1 says so, when it says.
                    match &invitation.invitation_state {
                        Some(InvitationState::Pending) | None => self.pending.insert(id),
                        Some(_) => self.not_pending.insert(id),
                    };
                    self.last = Some(id);
                }
            }
            Some(Err(_)) => self.failed = true,
        }
        next
    }
}

impl std::iter::FusedIterator for Listing {}

/// The journal, driven through crashes, lost answers, lagging lists and rival holders.
#[cfg(test)]
#[path = "../../tests/journal_sim/mod.rs"]
mod simulation;

#[cfg(test)]
mod tests {
    //! The journal's clock, with time as a value: steps of the wall clock after a lost answer.

    use super::clock::Boot;
    use super::*;

    const ID: u64 = 7_453_486_530_700_017_665;

    fn at(wall_secs: u64, boot: Option<(&str, u64)>) -> Stamp {
        Stamp {
            wall: SystemTime::UNIX_EPOCH + Duration::from_secs(1_764_000_000 + wall_secs),
            boot: boot.map(|(id, since)| Boot {
                id: id.into(),
                since: Duration::from_secs(since),
            }),
        }
    }

    fn journal(test: &str) -> (WithdrawalJournal, PathBuf) {
        let dir = std::env::temp_dir().join(format!("linkup-clock-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("journal.jsonl");
        (WithdrawalJournal::open(&path).unwrap(), dir)
    }

    /// A withdrawal sent, its answer lost.
    fn lost(journal: &mut WithdrawalJournal, now: Stamp) {
        let lost = || {
            let source = Box::new(Error::Server {
                status: 504,
                message: String::new(),
            });
            let err = Error::OutcomeUnknown {
                invitation_id: ID,
                source,
            };
            (Err(err), Acted::Maybe)
        };
        assert!(journal.withdraw_with(ID, now, lost).is_err());
    }

    /// What a listing that began at `began` and still shows the invitation settles.
    fn listing_at(journal: &mut WithdrawalJournal, began: Stamp) -> Settlement {
        let pending = HashSet::from([ID]);
        let evidence = Evidence {
            began: began.clone(),
            pending: &pending,
            not_pending: &HashSet::new(),
            covered: Some((0, u64::MAX)),
        };
        journal.settle_with(&evidence, began).unwrap()
    }

    #[test]
    fn a_wall_clock_stepped_2_hours_forward_after_a_lost_answer_allows_no_early_resend() {
        let (mut journal, dir) = journal("forward");
        // Sent with the clock 2 h behind (before NTP synced), the answer lost.
        lost(&mut journal, at(0, Some(("boot a", 100))));
        // NTP steps it forward: 2 h later by the wall clock, 5 s by the boot clock.
        let settled = listing_at(&mut journal, at(7_205, Some(("boot a", 105))));
        assert_eq!(
            settled.still_pending,
            Vec::<u64>::new(),
            "no resend 5 s later"
        );
        assert!(!journal.state(ID).may_send());
        // An hour later by both clocks: the one resend.
        let settled = listing_at(&mut journal, at(7_205 + 3_600, Some(("boot a", 3_700))));
        assert_eq!(settled.still_pending, [ID]);
        drop(journal);
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn a_clock_behind_the_journal_s_records_is_taken_as_wrong_and_the_later_time_recorded() {
        let (mut journal, dir) = journal("behind");
        // Another invitation, withdrawn at 10:00 (a line at that time).
        let done = || {
            let withdrawal = Withdrawal {
                invitation_id: 1,
                credits: 1,
                message: None,
            };
            (Ok(withdrawal), Acted::Done)
        };
        journal
            .withdraw_with(1, at(10 * 3_600, None), done)
            .unwrap();
        // The clock is then set 2 h back, and a send's answer is lost: it is recorded at 10:00,
        // the journal's latest time, not 08:00.
        lost(&mut journal, at(8 * 3_600, None));
        let WithdrawalState::Unknown { since, .. } = journal.state(ID) else {
            panic!("{:?}", journal.state(ID))
        };
        assert_eq!(since, at(10 * 3_600, None).wall);
        // Put right again, in another boot (no boot clock to compare): 10:30 is 30 minutes
        // after the recorded time, not 2 h 30: no resend.
        let settled = listing_at(&mut journal, at(10 * 3_600 + 1_800, None));
        assert!(settled.still_pending.is_empty());
        // And the journal read again knows it too.
        drop(journal);
        let mut journal = WithdrawalJournal::open(dir.join("journal.jsonl")).unwrap();
        let settled = listing_at(&mut journal, at(10 * 3_600 + 1_800, None));
        assert!(settled.still_pending.is_empty());
        let settled = listing_at(&mut journal, at(11 * 3_600, None));
        assert_eq!(settled.still_pending, [ID]);
        drop(journal);
        std::fs::remove_dir_all(dir).ok();
    }

    /// An attempt refused before anything was done is no send: the settling time runs from the
    /// first attempt that may have reached LinkedIn.
    #[test]
    fn the_settling_time_runs_from_the_first_send_not_from_an_attempt_that_sent_nothing() {
        let (mut journal, dir) = journal("not-sent-first");
        let limited = || {
            let err = Error::RateLimited {
                status: 429,
                message: String::new(),
                retry_after: None,
            };
            (Err(err), Acted::No)
        };
        assert!(journal.withdraw_with(ID, at(0, None), limited).is_err());
        assert_eq!(journal.state(ID), WithdrawalState::NotSent);
        lost(&mut journal, at(50 * 60, None));
        // 61 minutes after the refused attempt, 11 after the send: not settled.
        let settled = listing_at(&mut journal, at(61 * 60, None));
        assert!(settled.still_pending.is_empty(), "{settled:?}");
        let settled = listing_at(&mut journal, at(110 * 60, None));
        assert_eq!(settled.still_pending, [ID]);
        drop(journal);
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn the_defaults_are_an_hour_to_settle_and_256_mib_of_journal() {
        let (mut journal, dir) = journal("defaults");
        lost(&mut journal, at(0, None));
        let settled = listing_at(&mut journal, at(3_599, None));
        assert!(settled.still_pending.is_empty());
        let settled = listing_at(&mut journal, at(3_600, None));
        assert_eq!(settled.still_pending, [ID]);
        drop(journal);
        // A file of 256 MiB is read (and refused for what it holds); one byte more is not read.
        let big = dir.join("big.jsonl");
        std::fs::write(&big, "no entry\n").unwrap();
        let file = OpenOptions::new().write(true).open(&big).unwrap();
        file.set_len(256 << 20).unwrap();
        let err = WithdrawalJournal::open(&big).unwrap_err().to_string();
        assert!(err.contains("not a journal entry"), "{err}");
        file.set_len((256 << 20) + 1).unwrap();
        let err = WithdrawalJournal::open(&big).unwrap_err().to_string();
        assert!(err.contains("larger than 256 MiB"), "{err}");
        std::fs::remove_dir_all(dir).ok();
    }
}
