//! The withdrawal journal, checked in many seeded batches that crash at random points, against
//! a server that loses answers and a list that lags behind withdrawals.
//!
//! This file is compiled into the crate's unit tests (`src/journal/mod.rs` includes it) because
//! it drives the real `WithdrawalJournal` on a real file, through the two calls its public ones
//! are made of (`withdraw_with`, `settle_with`: the same code, with the time and the request
//! given), with no network and no clock.
//!
//! Each seed holds a list of pending invitations and runs a batch again and again, as a cron
//! job or an impatient user would: open the journal (sometimes while another holder has it),
//! list (the whole list, or only its old end), settle, then withdraw the invitations the
//! journal allows, oldest first, up to a cap. Between any two steps the run may crash: only
//! what was synced stays, and a line being written may be cut short. The server withdraws what
//! is pending and refuses what is not; it may lose its answer; its listing may keep showing a
//! withdrawn invitation for any number of listings; invitees accept invitations between runs;
//! time between runs is shorter or longer than the settling time.
//!
//! Checked at every request and at the end, per invitation:
//!
//! - at most one send before the settling time has passed since the first, at most two ever;
//! - none after the journal recorded a success or a refusal;
//! - a second holder never gets the journal, and sends nothing;
//! - the journal always opens again, cut-short lines included;
//! - after calm runs (no crash, every answer arrives, time passes), every invitation is
//!   withdrawn, refused, gone (accepted), not attempted (the cap), or unknown because a crash
//!   or a lost answer made it so: at most one unknown per crash or lost answer.
//!
//! A failing seed is printed with its trace; run it alone with
//! `LINKUP_JOURNAL_SEED=<seed> cargo test --lib journal -- --nocapture`. `LINKUP_JOURNAL_TALLY=1`
//! counts the failing seeds instead of stopping at the first, for checking that a deliberately
//! broken journal is caught, and how often.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::Write;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::book::Evidence;
use super::clock::{Boot, Stamp};
use super::line::{Line, Record};
use super::{Event, WithdrawalJournal, WithdrawalState};
use crate::classify::Acted;
use crate::{Error, Withdrawal};

use crate::walk::simulation::rng::Rng;

/// The settling time the simulated batches use.
const SETTLING: Duration = Duration::from_secs(600);

/// LinkedIn and LinkUp, as the batch meets them.
struct Server {
    pending: BTreeSet<u64>,
    /// Withdrawn invitations the listing still shows as pending, for so many more listings.
    lagging: HashMap<u64, u32>,
    /// How many listings a withdrawn invitation stays shown.
    lag: u32,
    accepted: HashSet<u64>,
}

impl Server {
    /// The invitations a listing shows as pending, oldest (smallest id) first.
    fn listing(&mut self) -> Vec<u64> {
        let mut shown: BTreeSet<u64> = self.pending.clone();
        self.lagging.retain(|id, left| {
            shown.insert(*id);
            *left -= 1;
            *left > 0
        });
        shown.into_iter().collect()
    }

    /// A withdrawal: whether it happened.
    fn withdraw(&mut self, id: u64) -> bool {
        if self.pending.remove(&id) {
            if self.lag > 0 {
                self.lagging.insert(id, self.lag);
            }
            true
        } else {
            false
        }
    }
}

/// What the world did to one invitation, as the test sees it (not as the journal records it).
#[derive(Default)]
struct Truth {
    /// Each send's true time, and the boot it was in.
    sends: Vec<(Duration, Arc<str>)>,
    /// The journal recorded a success or a refusal for it (the line is whole on disk).
    recorded_final: bool,
    /// Crashes and lost answers that touched it.
    accidents: u32,
}

/// How hostile a run is.
struct Weather {
    /// Percent chance of a crash at each step.
    crash: u64,
    /// Percent chance that an answer is lost.
    lost: u64,
    /// Percent chance that a run lists the old end of the list only.
    partial: u64,
}

#[derive(Default, Debug)]
struct Tally {
    runs: u64,
    crashes: u64,
    cut_lines: u64,
    lost: u64,
    sends: u64,
    resends: u64,
    withdrawn: u64,
    refused_on_resend: u64,
    rivals_refused: u64,
    /// Attempts refused before anything was done: recorded `not_sent`.
    refused_early: u64,
    unknown_at_end: u64,
    /// The wall clock's steps forward and back, and the reboots.
    steps_forward: u64,
    steps_back: u64,
    reboots: u64,
}

/// A crash: the process dies here.
struct Crash;

struct World {
    path: PathBuf,
    server: Server,
    truth: HashMap<u64, Truth>,
    /// The true time since the batch began: what the promises are measured in.
    now: Duration,
    /// How far the wall clock is off the true time, in seconds (it steps, forward and back).
    offset: i64,
    /// The machine's boot: its id, and the true time it began.
    boot: (Arc<str>, Duration),
    /// When the wall clock stepped forward, in true time; how often back; the reboots.
    forward_steps: Vec<Duration>,
    steps_back: u64,
    reboots: u64,
    rng: Rng,
    trace: Vec<String>,
}

impl World {
    /// Now, by the clocks the journal reads: the wall clock (off by `offset`), and the boot's.
    fn stamp(&self) -> Stamp {
        let base = SystemTime::UNIX_EPOCH + Duration::from_secs(1_764_000_000) + self.now;
        let wall = if self.offset >= 0 {
            base + Duration::from_secs(self.offset.unsigned_abs())
        } else {
            base - Duration::from_secs(self.offset.unsigned_abs())
        };
        Stamp {
            wall,
            boot: Some(Boot {
                id: self.boot.0.clone(),
                since: self.now - self.boot.1,
            }),
        }
    }

    /// Between runs: the wall clock may step (NTP putting a wrong clock right, or a person
    /// setting it wrong), by up to 3 hours either way; the machine may reboot.
    fn weather_the_clocks(&mut self) {
        if self.rng.chance(20) {
            let step = self.rng.below(3 * 3_600) as i64;
            let step = if self.rng.chance(50) { step } else { -step };
            if step > 0 {
                self.forward_steps.push(self.now);
            } else {
                self.steps_back += 1;
            }
            self.offset = (self.offset + step).clamp(-6 * 3_600, 6 * 3_600);
            self.note(format!("-- the wall clock steps {step}s"));
        }
        if self.rng.chance(5) {
            let id = format!("boot {}", self.rng.next());
            self.boot = (Arc::from(id), self.now);
            self.reboots += 1;
            self.note("-- a reboot".into());
        }
    }

    fn note(&mut self, line: String) {
        self.trace.push(line);
    }

    /// Cuts the last line of the journal short, as a crash while writing it would.
    fn cut_last_line(&mut self) {
        let bytes = std::fs::read(&self.path).unwrap();
        let end = bytes.len().saturating_sub(1); // the newline of the last line
        let start = bytes[..end]
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1);
        if end > start {
            let keep = start + 1 + self.rng.below((end - start - 1) as u64) as usize;
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(&self.path)
                .unwrap();
            file.set_len(keep as u64).unwrap();
        }
    }

    /// Writes the start of a line, as a crash while writing it would, before any request.
    fn write_cut_line(&mut self, id: u64, event: Event) {
        let line = Record::Entry(Line {
            at: self.stamp(),
            invitation_id: id,
            event,
            message: None,
        })
        .encode();
        let keep = 1 + self.rng.below(line.len() as u64 - 2) as usize;
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&self.path)
            .unwrap();
        file.write_all(&line[..keep]).unwrap();
    }
}

/// One run of the batch. `Err` is a broken promise; a crash ends the run early with `Ok`.
fn run(world: &mut World, max: usize, weather: &Weather, tally: &mut Tally) -> Result<(), String> {
    tally.runs += 1;
    let mut journal = WithdrawalJournal::open(&world.path)
        .map_err(|e| format!("the journal did not open: {e}"))?
        .settling_time(SETTLING);
    // A second holder, now and then: it must be refused at once.
    if world.rng.chance(10) {
        match WithdrawalJournal::open(&world.path) {
            Err(Error::JournalInUse { .. }) => tally.rivals_refused += 1,
            Ok(_) => return Err("a second holder got the journal".into()),
            Err(e) => return Err(format!("a second holder got another error: {e}")),
        }
    }
    // The listing: all of it, or its old end only (a tool that stops at the first young one).
    let began = world.stamp();
    let shown = world.server.listing();
    let (shown, covered) = if world.rng.chance(weather.partial) && !shown.is_empty() {
        let cut = shown[world.rng.below(shown.len() as u64) as usize];
        (
            shown
                .iter()
                .copied()
                .filter(|id| *id <= cut)
                .collect::<Vec<_>>(),
            Some((0, cut)),
        )
    } else {
        (shown, Some((0, u64::MAX)))
    };
    let pending: HashSet<u64> = shown.iter().copied().collect();
    let evidence = Evidence {
        began,
        pending: &pending,
        not_pending: &HashSet::new(),
        covered,
    };
    journal
        .settle_with(&evidence, world.stamp())
        .map_err(|e| format!("settling failed: {e}"))?;
    world.now += Duration::from_secs(1 + world.rng.below(5));
    if world.rng.chance(weather.crash) {
        tally.crashes += 1;
        return Ok(());
    }
    let candidates: Vec<u64> = shown
        .iter()
        .copied()
        .filter(|id| journal.state(*id).may_send())
        .take(max)
        .collect();
    for id in candidates {
        world.now += Duration::from_secs(world.rng.below(10));
        if world.rng.chance(weather.crash) {
            // Before the attempt is on disk: maybe while writing it.
            tally.crashes += 1;
            if world.rng.chance(50) {
                tally.cut_lines += 1;
                world.write_cut_line(id, Event::Attempting);
            }
            world.note(format!("{id}: crash before sending"));
            return Ok(());
        }
        let before = journal.state(id);
        let crash_after = world.rng.chance(weather.crash);
        let lose = world.rng.chance(weather.lost);
        let refused_early = world.rng.chance(weather.lost / 2);
        let now = world.stamp();
        let true_now = world.now;
        let boot = world.boot.0.clone();
        let result = {
            let world = &mut *world;
            let mut broken = None;
            let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
                journal.withdraw_with(id, now, || {
                    // Refused before anything is done (a rate limit): nothing reached
                    // LinkedIn, and the journal may send it again.
                    if refused_early {
                        let limited = Error::RateLimited {
                            status: 429,
                            message: "Rate limit exceeded. Please try again later".into(),
                            retry_after: None,
                        };
                        return (Err(limited), Acted::No);
                    }
                    // The promises, at the moment a request goes out.
                    let truth = world.truth.entry(id).or_default();
                    if truth.recorded_final {
                        broken = Some(format!("{id} sent after its outcome was recorded"));
                    }
                    if truth.sends.len() >= 2 {
                        broken = Some(format!("{id} sent a third time"));
                    }
                    if let Some((first, first_boot)) = truth.sends.first() {
                        // Across a reboot only the wall clock is left: a forward step since
                        // then may end the settling time early, as the docs say.
                        let blind =
                            *first_boot != boot && world.forward_steps.iter().any(|at| at > first);
                        if true_now - *first < SETTLING && !blind {
                            broken = Some(format!(
                                "{id} sent twice within the settling time (true time {:?} \
                                 apart)",
                                true_now - *first
                            ));
                        }
                    }
                    truth.sends.push((true_now, boot.clone()));
                    let done = world.server.withdraw(id);
                    if crash_after {
                        std::panic::resume_unwind(Box::new(Crash));
                    }
                    if lose {
                        let lost = Error::OutcomeUnknown {
                            invitation_id: id,
                            source: Box::new(Error::Server {
                                status: 504,
                                message: "gateway timeout".into(),
                            }),
                        };
                        return (Err(lost), Acted::Maybe);
                    }
                    if done {
                        let done = Withdrawal {
                            invitation_id: id,
                            credits: 1,
                            message: None,
                        };
                        (Ok(done), Acted::Done)
                    } else {
                        let refused = Error::Api {
                            status: 400,
                            message: "Invitation not found or not pending".into(),
                        };
                        (Err(refused), Acted::Refused)
                    }
                })
            }));
            if let Some(broken) = broken {
                return Err(broken);
            }
            outcome
        };
        let sends = world.truth.get(&id).map_or(0, |t| t.sends.len());
        if sends == 2 && before == WithdrawalState::StillPending {
            tally.resends += 1;
        }
        match &result {
            Ok(Err(Error::RateLimited { .. })) => tally.refused_early += 1,
            _ => tally.sends += 1,
        }
        match result {
            Err(_) => {
                // Crashed after sending: the attempt is on disk, the outcome never will be.
                tally.crashes += 1;
                world.truth.entry(id).or_default().accidents += 1;
                world.note(format!("{id}: sent, then a crash"));
                return Ok(());
            }
            Ok(Err(Error::Journaled { .. })) => {
                return Err(format!("{id} was a candidate the journal then refused"));
            }
            Ok(Err(Error::RateLimited { .. })) => {
                world.note(format!("{id}: refused before acting (not sent)"));
                if journal.state(id) != before {
                    return Err(format!("{id}: refused before acting, yet recorded as sent"));
                }
            }
            Ok(outcome) => {
                let name = match &outcome {
                    Ok(_) => "withdrawn",
                    Err(Error::OutcomeUnknown { .. }) => "unknown",
                    Err(_) => "refused",
                };
                world.note(format!("{id}: sent ({sends}), {name}"));
                match &outcome {
                    Ok(_) => tally.withdrawn += 1,
                    Err(Error::OutcomeUnknown { .. }) => {
                        tally.lost += 1;
                        world.truth.entry(id).or_default().accidents += 1;
                    }
                    Err(_) if sends == 2 => tally.refused_on_resend += 1,
                    Err(_) => {}
                }
                if world.rng.chance(weather.crash) {
                    // While writing the outcome: the line is cut short.
                    tally.crashes += 1;
                    tally.cut_lines += 1;
                    world.cut_last_line();
                    world.truth.entry(id).or_default().accidents += 1;
                    world.note(format!("{id}: its outcome line cut short"));
                    return Ok(());
                }
                if !matches!(outcome, Err(Error::OutcomeUnknown { .. })) {
                    world.truth.entry(id).or_default().recorded_final = true;
                }
            }
        }
    }
    Ok(())
}

/// One seed: adversarial runs, then calm ones until the list is settled.
fn seed_run(seed: u64, dir: &Path, tally: &mut Tally) -> Result<(), (String, Vec<String>)> {
    let mut rng = Rng(seed);
    let path = dir.join(format!("journal-{seed}.jsonl"));
    let _ = std::fs::remove_file(&path);
    let count = 5 + rng.below(25);
    let lag = if rng.chance(40) {
        1 + rng.below(4) as u32
    } else {
        0
    };
    let weather = Weather {
        crash: 3 + rng.below(25),
        lost: rng.below(30),
        partial: 30,
    };
    let max = 1 + rng.below(6) as usize;
    let mut world = World {
        path,
        server: Server {
            pending: (1..=count).map(|n| 1_000 + n * 7).collect(),
            lagging: HashMap::new(),
            lag,
            accepted: HashSet::new(),
        },
        truth: HashMap::new(),
        now: Duration::ZERO,
        offset: 0,
        boot: (Arc::from("boot 0"), Duration::ZERO),
        forward_steps: Vec::new(),
        steps_back: 0,
        reboots: 0,
        rng,
        trace: Vec::new(),
    };
    let result = (|| {
        for r in 0..(2 + world.rng.below(12)) {
            // Invitees answer some invitations between runs.
            if world.rng.chance(15) {
                let n = world.rng.below(count) as usize;
                if let Some(&id) = world.server.pending.iter().nth(n) {
                    world.server.pending.remove(&id);
                    world.server.accepted.insert(id);
                }
            }
            // Minutes or hours pass: shorter or longer than the settling time.
            world.now += Duration::from_secs(world.rng.below(2 * SETTLING.as_secs()));
            world.weather_the_clocks();
            world.note(format!("-- run {r}"));
            run(&mut world, max, &weather, tally)?;
        }
        // Calm: no crash, every answer arrives, the settling time passes between runs.
        let calm = Weather {
            crash: 0,
            lost: 0,
            partial: 0,
        };
        for _ in 0..world.server.lag + 4 {
            world.now += SETTLING + Duration::from_secs(1);
            world.note("-- calm run".into());
            run(&mut world, usize::MAX, &calm, tally)?;
        }
        let journal = WithdrawalJournal::open(&world.path)
            .map_err(|e| format!("the journal did not open at the end: {e}"))?;
        let mut unknown = 0;
        for (n, id) in (1..=count).map(|n| 1_000 + n * 7).enumerate() {
            let state = journal.state(id);
            let truth = world.truth.get(&id);
            let accidents = truth.map_or(0, |t| t.accidents);
            match state {
                WithdrawalState::Withdrawn | WithdrawalState::Refused { .. } => {}
                WithdrawalState::Gone if !world.server.pending.contains(&id) => {}
                WithdrawalState::NotSent if world.server.accepted.contains(&id) => {}
                WithdrawalState::Unknown { .. } if accidents > 0 => unknown += 1,
                other => {
                    return Err(format!(
                        "invitation {n} ({id}) ends {other:?}, pending on the server: {}, \
                         accidents: {accidents}",
                        world.server.pending.contains(&id)
                    ))
                }
            }
        }
        tally.unknown_at_end += unknown;
        if !world.server.pending.is_empty() {
            return Err(format!(
                "still pending after the calm runs: {:?}",
                world.server.pending
            ));
        }
        Ok(())
    })();
    let _ = std::fs::remove_file(&world.path);
    tally.steps_forward += world.forward_steps.len() as u64;
    tally.steps_back += world.steps_back;
    tally.reboots += world.reboots;
    result.map_err(|broken| (broken, world.trace))
}

#[test]
fn a_journaled_batch_never_sends_twice_early_nor_three_times_whatever_crashes() {
    // tmpfs where there is one: the journal syncs each line, which a disk makes slow.
    let shm = Path::new("/dev/shm");
    let base = if shm.is_dir() {
        shm.to_owned()
    } else {
        std::env::temp_dir()
    };
    let dir = base.join(format!("linkup-journal-sim-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let only: Option<u64> = std::env::var("LINKUP_JOURNAL_SEED")
        .ok()
        .and_then(|s| s.parse().ok());
    let tally_mode = std::env::var("LINKUP_JOURNAL_TALLY").is_ok();
    let seeds = 0x5EED_0000..0x5EED_0000 + 3_000;
    let mut tally = Tally::default();
    let mut failed = Vec::new();
    for seed in seeds {
        if only.is_some_and(|only| only != seed) {
            continue;
        }
        if let Err((broken, trace)) = seed_run(seed, &dir, &mut tally) {
            if tally_mode {
                failed.push(seed);
                continue;
            }
            let _ = std::fs::remove_dir_all(&dir);
            panic!(
                "seed {seed}: {broken}\n{}\nrerun: LINKUP_JOURNAL_SEED={seed} cargo test --lib \
                 journal -- --nocapture",
                trace.join("\n")
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!("journal simulation: {tally:?}");
    if tally_mode {
        eprintln!(
            "{} seeds failed, the first {:?}",
            failed.len(),
            failed.first()
        );
    }
    assert!(failed.is_empty(), "{} seeds failed", failed.len());
    if only.is_none() {
        // The weather was as hostile as intended: each hazard happened many times.
        assert!(
            tally.crashes > 3_000 && tally.cut_lines > 1_000,
            "{tally:?}"
        );
        assert!(tally.lost > 1_000 && tally.resends > 200, "{tally:?}");
        assert!(
            tally.refused_on_resend > 50 && tally.rivals_refused > 500,
            "{tally:?}"
        );
        assert!(tally.refused_early > 500, "{tally:?}");
        assert!(
            tally.steps_forward > 1_000 && tally.steps_back > 1_000 && tally.reboots > 500,
            "{tally:?}"
        );
    }
}
