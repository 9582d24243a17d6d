//! The walk: what to read next, what to yield, when to stop, as decisions without I/O.
//!
//! The paginator drives a [`Walk`] the way ureq drives ureq-proto's state machine, through a
//! closed surface: it is built from a [`Spec`], asked what to do ([`poll`](Walk::poll): send
//! this window, yield these invitations, or done), and handed each reply with what it cost
//! ([`handle`](Walk::handle)); its counts are read back. No socket, clock or sleep in here, so
//! every decision can be run, in the tests, against a simulated list that changes between any
//! two requests.
//!
//! The walk's state is a [`Phase`] and what every phase shares (the ids seen and yielded, the
//! edge, the credits, the totals read). Its phases:
//!
//! ```text
//!   Fresh ──first poll──► Walking { course, proof } ──range walked, cap reached──► Done
//!                           │    course: Ahead ──the list grew past the old end──► Ending
//!                           │            Ending ──the end is found──► Ahead (turned round)
//!                           │            Ahead ──oldest first, no totals──► Reversed
//!                           │    proof:  Joined ◄──► Held (a gap being proven)
//!                           │            Joined/Held ──a page out of order──► Unordered
//!                           └──budget, error, no progress──► Stopped (resumable)
//! ```
//!
//! The requested order never changes; the direction the walk reads in does, while it is
//! `Ending` or `Reversed` (newest first, for an oldest-first walk).

mod proof;
mod resume;

use std::collections::{HashSet, VecDeque};
use std::fmt;

use proof::{between, Bound, Key, PageRead, Pending, BOTTOM, TOP};
pub(crate) use proof::{End, Window};
pub use resume::ResumePoint;

use crate::config::Params;
use crate::error::{invalid, Error};
use crate::ground::{within_budget, Generation};
use crate::types::{Invitation, SentInvitationsPage};

/// The walk against a simulated live list. It lives with the other tests, but is compiled here
/// because it drives the private walk core.
#[cfg(test)]
#[path = "../../tests/simulation/mod.rs"]
pub(crate) mod simulation;

/// Reads the walk spends on one unproven boundary before it counts what the boundary may hide
/// as possibly missed and goes on.
const MAX_GAP_READS: u32 = 3;
/// Paid reads in a row that neither bring an invitation the walk has not seen nor let it yield
/// one, after which it stops with [`Error::RepeatedPage`]. An honest list needs at most
/// `MAX_GAP_READS + 1` in a row (a read that finds a gap, and the reads spent on it, after
/// which the walk yields), unless it grows by a page between two requests, faster than any
/// walk can follow.
const MAX_IDLE_READS: u32 = 5;

/// Which end of the list a walk starts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Order {
    NewestFirst,
    OldestFirst,
}

/// What a walk is asked to do: everything it is built from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Spec {
    pub(crate) generation: Generation,
    pub(crate) order: Order,
    /// The first page of the range, from 1, and the last, if any.
    pub(crate) start_page: Option<u32>,
    pub(crate) end_page: Option<u32>,
    /// `total_results`: the invitations to yield at most.
    pub(crate) cap: Option<u32>,
    /// The most the walk may spend, in credits.
    pub(crate) budget: Option<u64>,
    pub(crate) resume: Option<ResumePoint>,
}

impl Spec {
    /// The walk `params` describe, newest first, with no budget and no resume point.
    pub(crate) fn new(params: &Params) -> Spec {
        Spec {
            generation: params.generation(),
            order: Order::NewestFirst,
            start_page: params.start_page,
            end_page: params.end_page,
            cap: params.total_results,
            budget: None,
            resume: None,
        }
    }
}

/// Why the walk asked for a window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ask {
    /// Newest first: the start window.
    First,
    /// Oldest first without an end page: the start window, for the total.
    Top,
    /// Oldest first: the window at the old end.
    Bottom,
    /// The window past the anchor.
    Next,
    /// The window on the anchor's side of a gap, again.
    Near,
    /// The window on the far side of a gap, again.
    Far,
}

/// What the walk wants next.
pub(crate) enum Poll {
    Send(Window),
    Yield(Release),
    Done,
}

/// Invitations ready to yield, and where each was read.
pub(crate) struct Release {
    pub(crate) page: SentInvitationsPage,
    pub(crate) read: Vec<End>,
}

/// Where a walk stands. (One per walk: its size does not matter, boxing would only add an
/// allocation.)
#[allow(clippy::large_enum_variant)]
enum Phase {
    /// Built, not yet polled: the resume point is checked on the first poll.
    Fresh,
    /// Reading: which way (`course`), and how far what it read is proven (`proof`).
    Walking { course: Course, proof: Proof },
    /// The range is walked, or the cap reached: nothing to resume.
    Done,
    /// The budget, an error or a server that brings nothing new stopped it: it can be resumed.
    Stopped,
}

/// Which way a walk is reading.
#[allow(clippy::large_enum_variant)] // one per walk, like `Phase`
enum Course {
    /// In the requested order. Oldest first: `jump` is the window at the old end still to read
    /// once the total is known, `far` the start window, read first for the total and joined
    /// last.
    Ahead {
        jump: Option<Window>,
        far: Option<PageRead>,
    },
    /// Oldest first, when the list grew past the window at the old end: reading newest first
    /// from that window (its newest end is `top`) to the end found past it, holding what it
    /// yields, then turning round to walk up from `top`.
    Ending {
        top: End,
        far: Option<PageRead>,
        held: Vec<Release>,
    },
    /// Oldest first without totals: reading newest first, yielding `held` reversed at the end.
    Reversed { held: Vec<Release> },
}

/// How far what the walk read is proven to join up.
#[allow(clippy::large_enum_variant)] // one per walk, like `Phase`
enum Proof {
    /// Everything read joins the edge.
    Joined,
    /// A read beyond the edge, held until the gap before it is proven empty.
    Held(Pending),
    /// A page came out of order: ids prove nothing, so every window is read in walk order,
    /// `next` the next one.
    Unordered { next: u64 },
}

/// Why a walk ends: the one place that says what each cause means ([`Walk::end`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Why {
    /// The range is walked to its far end.
    Walked,
    /// `total_results` invitations are yielded.
    Capped,
    /// The next request would go over the budget.
    Budget,
    /// An error, or a server that brings nothing new.
    Failed,
}

/// A walk's decisions: which window to read, what a reply proves, what to yield.
pub(crate) struct Walk {
    /// What it was asked: the generation, the order, the range, the cap, the budget, the
    /// resume point. The order asked for never changes; `direction` is the one the walk reads
    /// in now.
    spec: Spec,
    direction: Order,
    phase: Phase,
    /// How many are left to yield under `total_results`.
    remaining: Option<u64>,
    counts: Counts,
    /// What the replies said of the list's length.
    list: Lengths,
    /// The growing side of what the walk has covered and yielded: newest first its oldest end,
    /// oldest first its newest.
    edge: Option<End>,
    /// Ids on the start side of this are not the walk's: newer than its first read (newest
    /// first), older than its bottom (oldest first), or yielded by the walk it resumes.
    start: Key,
    asked: Option<(Ask, Window)>,
    /// The furthest edge in walk order the walk has reached (reset when it turns round): the
    /// budget of gap reads is per place.
    reach: Option<Key>,
    /// Whether the last reply brought an id never seen, and its window.
    news: Option<(bool, Window)>,
    yielded: HashSet<u64>,
    /// Every id read, yielded or not.
    seen: HashSet<u64>,
    /// Id ranges the walk accepted without proof; an invitation found there later is a rescue,
    /// not a sign of disorder.
    assumed: Vec<(Key, Key)>,
    ready: VecDeque<Release>,
    out_of_order: bool,
    /// The facts of the last reply, and whether any page was handed out: a walk that paid for
    /// replies and found nothing still hands out one empty page, with the total it read.
    last_reply: Option<SentInvitationsPage>,
    handed_out: bool,
}

/// What a walk counts as it goes.
#[derive(Default)]
struct Counts {
    /// Credits spent so far, as the replies' costs said.
    spent: u64,
    /// Reads: when each end was seen.
    clock: u64,
    /// Reads in a row that brought no id the walk had not seen and let it yield nothing.
    idle: u32,
    /// How many it had yielded before the last request.
    yielded_then: usize,
    /// Re-reads spent on gaps since the walk last got further (a gap closed without getting
    /// further may be followed by another at the same place).
    gap_reads: u32,
    possibly_missed: u64,
}

/// What the replies said of the list's length.
#[derive(Default)]
struct Lengths {
    /// The newest total and when it was read.
    latest: Option<(u64, u64)>,
    /// Every total read, with when: a rise between two reads is an insertion, even where a
    /// withdrawal later cancelled it out.
    totals: Vec<(u64, u64)>,
    /// The pages there are to walk, as the latest total says.
    pages: Option<u32>,
}

impl fmt::Debug for Walk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let phase = match &self.phase {
            Phase::Fresh => "fresh",
            Phase::Walking { proof, .. } => match proof {
                Proof::Joined => "walking",
                Proof::Held(_) => "proving a gap",
                Proof::Unordered { .. } => "walking out of order",
            },
            Phase::Done => "done",
            Phase::Stopped => "stopped",
        };
        f.debug_struct("Walk")
            .field("generation", &self.spec.generation)
            .field("order", &self.spec.order)
            .field("phase", &phase)
            .field("spent", &self.counts.spent)
            .field("budget", &self.spec.budget)
            .field("edge", &self.edge)
            .field("yielded", &self.yielded.len())
            .field("possibly_missed", &self.counts.possibly_missed)
            .field("out_of_order", &self.out_of_order)
            .finish_non_exhaustive()
    }
}

impl Walk {
    pub(crate) fn new(spec: Spec) -> Walk {
        Walk {
            direction: spec.order,
            remaining: spec.cap.map(u64::from),
            spec,
            phase: Phase::Fresh,
            counts: Counts::default(),
            list: Lengths::default(),
            edge: None,
            start: TOP,
            asked: None,
            reach: None,
            news: None,
            yielded: HashSet::new(),
            seen: HashSet::new(),
            assumed: Vec::new(),
            ready: VecDeque::new(),
            out_of_order: false,
            last_reply: None,
            handed_out: false,
        }
    }

    /// Invitations per page.
    fn size(&self) -> u64 {
        u64::from(self.spec.generation.page_size())
    }

    /// The offset of a page, from 1.
    fn page_offset(&self, page: u32) -> u64 {
        u64::from(page)
            .saturating_sub(1)
            .saturating_mul(self.size())
    }

    /// The range, as offsets: from `first`...
    fn first(&self) -> u64 {
        self.page_offset(self.spec.start_page.unwrap_or(1))
    }

    /// ...up to this (exclusive), if an end page was given.
    fn end_offset(&self) -> Option<u64> {
        self.spec
            .end_page
            .map(|page| self.page_offset(page).saturating_add(self.size()))
    }

    // -- What the paginator reads back -------------------------------------------------------

    /// Credits spent so far.
    pub(crate) fn spent(&self) -> u64 {
        self.counts.spent
    }

    /// What the budget leaves for the next request and its retries (`None`: no budget).
    pub(crate) fn credits_left(&self) -> Option<u64> {
        self.spec
            .budget
            .map(|budget| budget.saturating_sub(self.counts.spent))
    }

    pub(crate) fn total_pages(&self) -> Option<u32> {
        self.list.pages
    }

    pub(crate) fn possibly_missed(&self) -> u64 {
        self.counts.possibly_missed
    }

    pub(crate) fn out_of_order(&self) -> bool {
        self.out_of_order
    }

    /// Whether the walk is over: its range walked, or its cap reached.
    pub(crate) fn is_done(&self) -> bool {
        matches!(self.phase, Phase::Done)
    }

    // -- Driving it ---------------------------------------------------------------------------

    /// What to do next: send a window, yield invitations, or nothing more.
    pub(crate) fn poll(&mut self) -> Result<Poll, Error> {
        if matches!(self.phase, Phase::Fresh) {
            self.begin()?;
        }
        loop {
            if let Some(release) = self.ready.pop_front() {
                self.handed_out = true;
                return Ok(Poll::Yield(release));
            }
            match self.phase {
                Phase::Done if !self.handed_out => {
                    // Paid for, and nothing in it: the page and its total, once.
                    if let Some(page) = self.last_reply.take() {
                        self.handed_out = true;
                        let page = SentInvitationsPage {
                            total_results: 0,
                            ..page
                        };
                        return Ok(Poll::Yield(Release {
                            page,
                            read: Vec::new(),
                        }));
                    }
                    return Ok(Poll::Done);
                }
                Phase::Done | Phase::Stopped => return Ok(Poll::Done),
                Phase::Fresh | Phase::Walking { .. } => {}
            }
            let Some((ask, window)) = self.plan() else {
                continue; // the plan changed the state (joined, ended): look again
            };
            if !within_budget(self.counts.spent, self.spec.budget) {
                self.end(Why::Budget);
                continue;
            }
            self.count_idle()?;
            self.asked = Some((ask, window));
            return Ok(Poll::Send(window));
        }
    }

    /// Takes the reply to the window last asked for, and what it cost (a failed request's
    /// cost too, retries included).
    pub(crate) fn handle(
        &mut self,
        reply: Result<SentInvitationsPage, Error>,
        cost: u64,
    ) -> Result<(), Error> {
        self.counts.spent = self.counts.spent.saturating_add(cost);
        let page = match reply {
            Ok(page) => page,
            Err(err) => {
                self.end(Why::Failed);
                return Err(err);
            }
        };
        let fed = self.feed(page);
        if fed.is_err() {
            self.end(Why::Failed);
        }
        fed
    }

    /// Ends the walk, for the one reason it ends: the stop rule, in one place.
    fn end(&mut self, why: Why) {
        self.asked = None;
        let (course, proof) = match std::mem::replace(&mut self.phase, Phase::Stopped) {
            Phase::Walking { course, proof } => (Some(course), Some(proof)),
            _ => (None, None),
        };
        match (why, course) {
            // The end found past the old end: not the end of the walk, which turns round to
            // walk up from the window at the old end, handing out what it held, oldest first.
            (Why::Walked, Some(Course::Ending { top, far, held, .. })) => {
                self.direction = self.spec.order;
                self.reach = None;
                self.start = BOTTOM;
                self.edge = Some(top);
                // A gap held on the way down is the end's own; out of order stays out of order.
                let proof = match proof {
                    Some(Proof::Unordered { next }) => Proof::Unordered { next },
                    _ => Proof::Joined,
                };
                self.phase = Phase::Walking {
                    course: Course::Ahead { jump: None, far },
                    proof,
                };
                self.hand_out_reversed(held);
            }
            (Why::Walked, course) => {
                self.phase = Phase::Done;
                if let Some(Course::Reversed { held }) = course {
                    self.hand_out_reversed(held);
                }
            }
            (Why::Capped, _) => self.phase = Phase::Done,
            // At the budget, a read beyond the edge not proven to join it is dropped, to be read
            // again on resuming, rather than yielded with a possible hole before it.
            (Why::Budget, course) => {
                if let Some(Course::Ending { .. }) = course {
                    // Not yet proven to be the oldest: nothing to yield, nothing to resume.
                    self.edge = None;
                }
                if let Some(Course::Reversed { held }) = course {
                    self.hand_out_reversed(held);
                }
                if !matches!(self.phase, Phase::Done) {
                    self.phase = Phase::Stopped;
                }
            }
            (Why::Failed, _) => {
                self.phase = Phase::Stopped;
                self.ready.clear();
            }
        }
    }

    /// Sets the walk up on its first poll: where a resume point says it stood.
    fn begin(&mut self) -> Result<(), Error> {
        self.phase = Phase::Walking {
            course: Course::Ahead {
                jump: None,
                far: None,
            },
            proof: Proof::Joined,
        };
        self.start = if self.oldest() { BOTTOM } else { TOP };
        let Some(point) = self.spec.resume else {
            return Ok(());
        };
        if point.generation != self.spec.generation {
            self.end(Why::Failed);
            return Err(invalid(
                "this resume point comes from a walk through the other API generation \
                 (Params::new is v1, Params::account v2): resume with the same kind of params",
            ));
        }
        if point.oldest_first != self.oldest() {
            self.end(Why::Failed);
            return Err(invalid(if point.oldest_first {
                "this resume point comes from an oldest-first walk: add .oldest_first()"
            } else {
                "this resume point comes from a newest-first walk: drop .oldest_first()"
            }));
        }
        let id = Key::from(point.invitation_id);
        self.edge = Some(End {
            id,
            pos: point.position,
            total: point.total,
            seq: 0,
        });
        self.start = if self.oldest() { id + 1 } else { id - 1 };
        Ok(())
    }

    // -- The phase's parts ------------------------------------------------------------------------

    /// Whether the walk reads oldest first now.
    fn oldest(&self) -> bool {
        self.direction == Order::OldestFirst
    }

    fn proof(&self) -> Option<&Proof> {
        match &self.phase {
            Phase::Walking { proof, .. } => Some(proof),
            _ => None,
        }
    }

    fn proof_mut(&mut self) -> Option<&mut Proof> {
        match &mut self.phase {
            Phase::Walking { proof, .. } => Some(proof),
            _ => None,
        }
    }

    fn course(&self) -> Option<&Course> {
        match &self.phase {
            Phase::Walking { course, .. } => Some(course),
            _ => None,
        }
    }

    fn course_mut(&mut self) -> Option<&mut Course> {
        match &mut self.phase {
            Phase::Walking { course, .. } => Some(course),
            _ => None,
        }
    }

    /// The read held beyond the edge, taken.
    fn take_pending(&mut self) -> Option<Pending> {
        let proof = self.proof_mut()?;
        if !matches!(proof, Proof::Held(_)) {
            return None;
        }
        match std::mem::replace(proof, Proof::Joined) {
            Proof::Held(pending) => Some(pending),
            _ => None,
        }
    }

    fn hold(&mut self, pending: Pending) {
        if let Some(proof) = self.proof_mut() {
            *proof = Proof::Held(pending);
        }
    }

    fn pending(&self) -> Option<&Pending> {
        match self.proof()? {
            Proof::Held(pending) => Some(pending),
            _ => None,
        }
    }

    fn unordered(&self) -> Option<u64> {
        match self.proof()? {
            Proof::Unordered { next } => Some(*next),
            _ => None,
        }
    }

    /// The start window read first for the total (oldest first), while it is held.
    fn far(&self) -> Option<&PageRead> {
        match self.course()? {
            Course::Ahead { far, .. } | Course::Ending { far, .. } => far.as_ref(),
            Course::Reversed { .. } => None,
        }
    }

    fn take_far(&mut self) -> Option<PageRead> {
        match self.course_mut()? {
            Course::Ahead { far, .. } | Course::Ending { far, .. } => far.take(),
            Course::Reversed { .. } => None,
        }
    }

    fn jump(&self) -> Option<Window> {
        match self.course()? {
            Course::Ahead { jump, .. } => *jump,
            _ => None,
        }
    }

    fn set_jump(&mut self, window: Option<Window>) {
        if let Some(Course::Ahead { jump, .. }) = self.course_mut() {
            *jump = window;
        }
    }

    /// Whether the walk is on a detour: reading newest first for an oldest-first walk.
    fn detour(&self) -> bool {
        matches!(
            self.course(),
            Some(Course::Ending { .. } | Course::Reversed { .. })
        )
    }

    // -- What to read next ------------------------------------------------------------------------

    /// The next request, or `None` after changing the state without one.
    fn plan(&mut self) -> Option<(Ask, Window)> {
        if let Some(offset) = self.unordered() {
            return self.plan_unordered(offset);
        }
        if self.pending().is_some() {
            if self.counts.gap_reads >= MAX_GAP_READS && self.give_up() {
                return None;
            }
            return self.pending().map(|pending| self.resolution(pending));
        }
        if let Some(window) = self.jump() {
            return Some((Ask::Bottom, window));
        }
        let Some(edge) = self.edge else {
            return Some(self.first_window());
        };
        let ending = matches!(self.course(), Some(Course::Ending { .. }));
        if let Some(far) = self.far().filter(|_| !ending) {
            if edge.pos <= far.window.offset.saturating_add(far.window.count) {
                self.reach_far();
                return None;
            }
        }
        let Some(window) = self.next_window(&edge) else {
            self.end(Why::Walked);
            return None;
        };
        if !self.oldest() {
            // A later read said the list now ends before this window: that is what reading it
            // would say, for free.
            if let Some((total, seq)) = self.list.latest {
                if seq > edge.seq && total <= window.offset {
                    let at = End {
                        id: BOTTOM,
                        pos: total,
                        total: Some(total),
                        seq,
                    };
                    self.beyond(PageRead {
                        window,
                        ends: Some((at, at)),
                        items: Vec::new(),
                        page: SentInvitationsPage::default(),
                    });
                    return None;
                }
            }
        }
        Some((Ask::Next, window))
    }

    fn first_window(&self) -> (Ask, Window) {
        let window = |offset| Window {
            offset,
            count: self.size(),
        };
        match (self.oldest(), self.end_offset()) {
            (false, _) => (Ask::First, window(self.first())),
            (true, Some(end)) => (Ask::Bottom, window(end.saturating_sub(self.size()))),
            (true, None) => (Ask::Top, window(self.first())),
        }
    }

    /// The window just past `edge` in walk order, or `None` at the end of the range.
    fn next_window(&self, edge: &End) -> Option<Window> {
        let offset = if self.oldest() {
            if edge.id >= TOP || edge.pos <= self.first() {
                return None;
            }
            if self.spec.generation.anchors() {
                // Ends on the edge's own invitation: found there, nothing slipped between.
                (edge.pos + 1).saturating_sub(self.size()).max(self.first())
            } else {
                self.align(edge.pos - 1).max(self.first())
            }
        } else {
            if edge.id <= BOTTOM {
                return None;
            }
            let offset = self.align(edge.pos.checked_add(1)?);
            if self.end_offset().is_some_and(|end| offset >= end) {
                return None;
            }
            offset
        };
        Some(Window {
            offset,
            count: self.size(),
        })
    }

    /// The start of the page holding `position`.
    fn align(&self, position: u64) -> u64 {
        position / self.size() * self.size()
    }

    /// The re-read that can settle a pending gap: the window holding what slid across it.
    /// Invitations that moved back (towards the top) sit just above the boundary, so a gap
    /// whose upper side was read first is settled by reading the upper side again; one whose
    /// lower side was read first, by reading the lower side.
    fn resolution(&self, pending: &Pending) -> (Ask, Window) {
        let near = self.near_end(&pending.read);
        let edge_seq = self.edge.map_or(0, |edge| edge.seq);
        let read_upper = if self.oldest() {
            near.seq < edge_seq
        } else {
            edge_seq < near.seq
        };
        // Newest first the anchor is the upper side; oldest first, the lower.
        if read_upper != self.oldest() {
            (Ask::Near, self.near_window(&pending.read.window))
        } else {
            (Ask::Far, pending.read.window)
        }
    }

    /// The re-read on the anchor's side of a gap before `window`. v2 straddles the boundary,
    /// half on each side, so one read overlaps both the anchor and the held read whatever slid
    /// across; v1 pages are fixed, so it is the page beside `window`.
    fn near_window(&self, window: &Window) -> Window {
        let boundary = if self.oldest() {
            window.offset.saturating_add(window.count)
        } else {
            window.offset
        };
        let offset = if self.spec.generation.anchors() {
            boundary.saturating_sub(self.size() / 2)
        } else if self.oldest() {
            boundary
        } else {
            boundary.saturating_sub(self.size())
        };
        Window {
            offset,
            count: self.size(),
        }
    }

    // -- What a reply proves ----------------------------------------------------------------------

    /// Takes a reply to the window last asked for.
    fn feed(&mut self, page: SentInvitationsPage) -> Result<(), Error> {
        let Some((ask, window)) = self.asked.take() else {
            return Ok(()); // nothing was asked: nothing to learn
        };
        self.counts.clock += 1;
        if let Some(total) = page.total_available_results {
            self.list.latest = Some((total, self.counts.clock));
            self.list.totals.push((self.counts.clock, total));
        }
        self.count_total_pages();
        self.last_reply = Some(facts(&page));
        let read = PageRead::of(window, page, self.counts.clock);
        let mut fresh = false;
        for invitation in &read.items {
            fresh |= self.seen.insert(invitation.invitation_id);
        }
        let in_order = read
            .items
            .windows(2)
            .all(|w| w[0].invitation_id > w[1].invitation_id);
        if !in_order && self.unordered().is_none() {
            self.out_of_order = true;
            self.start_unordered(&read);
        }
        if self.unordered().is_some() {
            self.take_unordered(read);
        } else {
            match ask {
                Ask::First => self.take_first(read),
                Ask::Top => self.take_top(read),
                Ask::Bottom => self.take_bottom(read),
                Ask::Next => self.beyond(read),
                Ask::Near => self.take_near(read),
                Ask::Far => self.take_far_reread(read),
            }
        }
        let further = self
            .edge
            .is_some_and(|edge| self.reach.is_none_or(|reach| self.after(edge.id, reach)));
        if further {
            self.reach = self.edge.map(|edge| edge.id);
            self.counts.gap_reads = 0;
        }
        self.news = Some((fresh, window));
        Ok(())
    }

    /// Before the next request: whether the last reply brought an invitation never seen or let
    /// the walk yield (then, or in the steps since); after `MAX_IDLE_READS` replies in a row
    /// that did neither, the server is not answering what is asked.
    fn count_idle(&mut self) -> Result<(), Error> {
        let Some((fresh, window)) = self.news.take() else {
            return Ok(());
        };
        let yielded = self.yielded.len() > self.counts.yielded_then;
        self.counts.yielded_then = self.yielded.len();
        if fresh || yielded {
            self.counts.idle = 0;
            return Ok(());
        }
        self.counts.idle += 1;
        if self.counts.idle < MAX_IDLE_READS {
            return Ok(());
        }
        self.end(Why::Failed);
        let page = u32::try_from(window.offset / self.size() + 1).unwrap_or(u32::MAX);
        Err(Error::RepeatedPage { page })
    }

    /// Newest first, the first read: everything in it is the walk's.
    fn take_first(&mut self, read: PageRead) {
        if read.ends.is_none() {
            return; // an empty page short of the end: ask again (the idle count bounds it)
        }
        if let Some(newest) = read.items.iter().map(|i| i.invitation_id).max() {
            self.start = Key::from(newest);
        }
        self.join(read);
    }

    /// Oldest first, the start window read for the total: the whole range, or kept for last.
    fn take_top(&mut self, read: PageRead) {
        let Some((_, lower)) = read.ends else {
            return;
        };
        if lower.id <= BOTTOM {
            self.join(read); // one window holds it all
        } else if let Some(total) = read.page.total_available_results {
            let jump = Some(self.last_window(total));
            if let Some(Course::Ahead { jump: to, far }) = self.course_mut() {
                *to = jump;
                *far = Some(read);
            }
        } else {
            // No total, no way to find the end: walk newest first, yield in reverse.
            self.direction = Order::NewestFirst;
            self.start = TOP;
            if let Some(course) = self.course_mut() {
                *course = Course::Reversed { held: Vec::new() };
            }
            self.take_first(read);
        }
    }

    /// The window at the old end of a list of `total`.
    fn last_window(&self, total: u64) -> Window {
        let last = total.saturating_sub(1);
        let offset = if self.spec.generation.anchors() {
            total.saturating_sub(self.size())
        } else {
            self.align(last)
        };
        Window {
            offset: offset.max(self.first()),
            count: self.size(),
        }
    }

    /// Oldest first, the first read at the old end: the bottom of what the walk covers.
    fn take_bottom(&mut self, read: PageRead) {
        let total = read.page.total_available_results;
        let jumped = self.jump().is_some();
        self.set_jump(None);
        let Some((upper, lower)) = read.ends else {
            self.set_jump(jumped.then_some(read.window));
            return;
        };
        let past_the_end = read.items.is_empty() && lower.id <= BOTTOM;
        if past_the_end {
            // An end page past the data: go to where the data ends.
            match total {
                Some(total) if total > self.first() => {
                    let window = self.last_window(total);
                    self.set_jump(Some(window));
                }
                _ => self.end(Why::Walked),
            }
            return;
        }
        if jumped && lower.id > BOTTOM {
            // The list grew since its total was read, so the end lies past this window (and a
            // jump could miss it again). Walk on to it newest first, with the same proofs,
            // holding what comes; the walk then turns round to walk up from this window.
            self.direction = Order::NewestFirst;
            self.start = read
                .items
                .iter()
                .map(|i| Key::from(i.invitation_id))
                .max()
                .unwrap_or(TOP);
            if let Some(course) = self.course_mut() {
                let far = match course {
                    Course::Ahead { far, .. } => far.take(),
                    _ => None,
                };
                *course = Course::Ending {
                    top: upper,
                    far,
                    held: Vec::new(),
                };
            }
            self.join(read);
            return;
        }
        if lower.id > BOTTOM {
            self.start = lower.id; // an end page short of the end: nothing older is the walk's
        }
        self.join(read);
    }

    /// A read past the anchor: joined if the gap between them is proven empty, else held.
    fn beyond(&mut self, read: PageRead) {
        let Some(edge) = self.edge else {
            return self.join(read);
        };
        let Some(_) = read.ends else {
            return; // an empty page short of the end covers nothing: ask again
        };
        let near = self.near_end(&read);
        match self.gap(&edge, &near) {
            bound if bound.closed() => self.join_assuming(read, bound),
            Bound::Unknown if self.may_assume(&edge, &near) => {
                // v1, oldest first: only an insertion can hide here, and the totals show none
                // (unless a withdrawal between the same two requests cancelled it: the
                // documented blind spot).
                self.join_assuming(read, Bound::NoTotals);
            }
            bound => self.hold(Pending {
                read,
                bound,
                side: None,
            }),
        }
    }

    /// A re-read on the anchor's side of a pending gap.
    fn take_near(&mut self, read: PageRead) {
        let (Some(mut pending), Some(edge)) = (self.take_pending(), self.edge) else {
            return self.beyond(read);
        };
        self.counts.gap_reads += 1;
        if read.ends.is_none() {
            self.hold(pending);
            return;
        }
        let near = self.near_end(&read);
        let bound = self.gap(&edge, &near);
        if !bound.closed() {
            // More moved than one window: the held read is stale, this one is the new frontier.
            self.hold(Pending {
                read,
                bound,
                side: None,
            });
            return;
        }
        let held = self.near_end(&pending.read);
        let found = read.count_between(edge.id, held.id);
        let side = self.far_end(&read);
        self.join_assuming(read, bound);
        let Some(edge) = self.edge else { return };
        // The anchor only grew towards the held read, so the gap left is part of the old one:
        // what this read found in the old gap is not in it any more.
        let counted = match pending.bound {
            Bound::At(bound) => Bound::At(bound.saturating_sub(found)),
            other => other,
        };
        pending.bound = self
            .gap(&edge, &held)
            .min(self.gap(&side, &held))
            .min(counted);
        pending.side = Some(side);
        self.settle(pending);
    }

    /// A re-read of a pending gap's far window: it replaces the held read.
    fn take_far_reread(&mut self, read: PageRead) {
        let (Some(pending), Some(edge)) = (self.take_pending(), self.edge) else {
            return self.beyond(read);
        };
        self.counts.gap_reads += 1;
        if read.ends.is_none() {
            self.hold(pending);
            return;
        }
        let near = self.near_end(&read);
        let held = self.near_end(&pending.read);
        let mut bound = self.gap(&edge, &near);
        if let Some(side) = pending.side {
            bound = bound.min(self.gap(&side, &near));
        }
        if let Bound::At(old) = pending.bound {
            if !self.after(near.id, held.id) {
                // The new gap is part of the old one, less what this read found in it.
                let found = read.count_between(edge.id, held.id);
                bound = bound.min(Bound::At(old.saturating_sub(found)));
            }
        }
        self.settle(Pending {
            read,
            bound,
            side: pending.side,
        });
    }

    /// Joins a pending read whose gap is now closed, or keeps holding it.
    fn settle(&mut self, pending: Pending) {
        if pending.bound.closed() {
            self.join_assuming(pending.read, pending.bound);
        } else {
            self.hold(pending);
        }
    }

    /// After `MAX_GAP_READS` reads, a gap whose bound comes from removals counts as possibly
    /// missed and the walk goes on. A gap the list's growth opened (oldest first) holds
    /// invitations pushed across it, which the re-reads keep chasing until they join: counting
    /// them would be giving up on what can be found. Returns whether it gave up.
    fn give_up(&mut self) -> bool {
        let (Some(pending), Some(edge)) = (self.pending(), self.edge) else {
            return false;
        };
        let missed = match pending.bound {
            Bound::At(bound) => bound,
            Bound::NoTotals => 0,
            // v1 oldest first with no growth in sight: the blind spot, as for a normal step.
            Bound::Unknown if self.may_assume(&edge, &self.near_end(&pending.read)) => 0,
            Bound::Unknown => return false,
        };
        let Some(pending) = self.take_pending() else {
            return false;
        };
        self.counts.possibly_missed = self.counts.possibly_missed.saturating_add(missed);
        self.join_assuming(pending.read, Bound::NoTotals);
        true
    }

    /// Oldest first: the anchor has reached the start window read first.
    fn reach_far(&mut self) {
        let Some(edge) = self.edge else {
            return;
        };
        let Some(far) = self.take_far() else {
            return;
        };
        let bound = self.gap(&edge, &self.near_end(&far));
        self.settle(Pending {
            read: far,
            bound,
            side: None,
        });
    }

    /// Joins `read` to the anchor; when `bound` was not a proof, remembers the range as
    /// assumed.
    fn join_assuming(&mut self, read: PageRead, bound: Bound) {
        if bound != Bound::At(0) {
            if let (Some(edge), Some(_)) = (self.edge, read.ends) {
                let near = self.near_end(&read).id;
                self.assumed.push((edge.id.min(near), edge.id.max(near)));
            }
        }
        self.join(read);
    }

    /// Joins `read` to the anchor: yields what it holds beyond the edge, in walk order, and
    /// moves the edge to its far end.
    fn join(&mut self, read: PageRead) {
        let edge = self.edge;
        let mut fresh: Vec<(Invitation, End)> = Vec::new();
        let total = read.page.total_available_results;
        let seq = read.ends.map_or(self.counts.clock, |(upper, _)| upper.seq);
        for (index, invitation) in read.items.into_iter().enumerate() {
            let id = invitation.invitation_id;
            let key = Key::from(id);
            if self.yielded.contains(&id) || !self.is_ours(key) {
                continue;
            }
            if let Some(edge) = edge.filter(|edge| !self.after(key, edge.id)) {
                // Behind the edge: gone since a fresher read that did not hold it, or in a
                // range accepted without proof (counted as possibly missed, or the v1
                // oldest-first blind spot), where yielding it now would break the order.
                if seq < edge.seq || self.was_assumed(key) {
                    continue;
                }
                // Where the reads so far proved there was none: the server's pages do not
                // line up. Yielded once, and said.
                self.out_of_order = true;
            }
            let at = End {
                id: key,
                pos: read.window.offset.saturating_add(index as u64),
                total,
                seq,
            };
            fresh.push((invitation, at));
        }
        if self.oldest() {
            fresh.sort_by_key(|(i, _)| i.invitation_id);
        } else {
            fresh.sort_by_key(|(i, _)| std::cmp::Reverse(i.invitation_id));
        }
        if let Some(ends) = read.ends {
            let far = if self.oldest() { ends.0 } else { ends.1 };
            self.edge = Some(match edge {
                Some(edge) if !self.after(far.id, edge.id) => {
                    // All of it lies on the covered side (newer invitations pushed it there):
                    // the edge still stands at least as far as this read reached, now.
                    let further = if self.oldest() {
                        far.pos <= edge.pos
                    } else {
                        far.pos >= edge.pos
                    };
                    if further && far.seq >= edge.seq {
                        End { id: edge.id, ..far }
                    } else {
                        edge
                    }
                }
                _ => far,
            });
        }
        let mut page = read.page;
        self.release(&mut page, fresh);
        // Whether that was the end is for `plan` to see, between steps.
    }

    /// Hands `fresh` out as a page, within the cap; on a detour, holds it for the turn.
    fn release(&mut self, page: &mut SentInvitationsPage, mut fresh: Vec<(Invitation, End)>) {
        let mut capped = false;
        if !self.detour() {
            if let Some(remaining) = self.remaining.as_mut() {
                fresh.truncate(usize::try_from(*remaining).unwrap_or(usize::MAX));
                *remaining -= fresh.len() as u64;
                capped = *remaining == 0;
            }
        }
        if !fresh.is_empty() {
            let (invitations, read): (Vec<Invitation>, Vec<End>) = fresh.into_iter().unzip();
            self.yielded
                .extend(invitations.iter().map(|i| i.invitation_id));
            page.total_results = invitations.len() as u64;
            let release = Release {
                page: SentInvitationsPage {
                    invitations,
                    ..std::mem::take(page)
                },
                read,
            };
            match self.course_mut() {
                Some(Course::Reversed { held } | Course::Ending { held, .. }) => held.push(release),
                _ => self.ready.push_back(release),
            }
        }
        if capped {
            self.end(Why::Capped);
        }
    }

    /// What a detour held, handed out oldest first, within the cap.
    fn hand_out_reversed(&mut self, held: Vec<Release>) {
        for mut release in held.into_iter().rev() {
            release.page.invitations.reverse();
            release.read.reverse();
            let mut page = release.page;
            let fresh = std::mem::take(&mut page.invitations)
                .into_iter()
                .zip(release.read)
                .collect();
            self.release(&mut page, fresh);
        }
    }

    /// Once a page came out of order, ids prove nothing: read every window in walk order and
    /// yield every invitation not yet yielded.
    fn start_unordered(&mut self, read: &PageRead) {
        let next = if self.oldest() {
            read.window.offset.checked_sub(self.size())
        } else {
            read.window.offset.checked_add(read.window.count)
        };
        let held = self.take_pending();
        if let Some(proof) = self.proof_mut() {
            *proof = Proof::Unordered {
                next: next.unwrap_or(u64::MAX),
            };
        }
        if let Some(pending) = held {
            self.take_all(pending.read);
        }
    }

    fn plan_unordered(&mut self, offset: u64) -> Option<(Ask, Window)> {
        let far_end = self.far().map(|far| far.window.offset + far.window.count);
        let done = if self.oldest() {
            offset == u64::MAX || offset < self.first() || far_end.is_some_and(|end| offset < end)
        } else {
            offset == u64::MAX || self.end_offset().is_some_and(|end| offset >= end)
        };
        if done {
            if let Some(far) = self.take_far() {
                self.take_all(far);
            }
            self.end(Why::Walked);
            return None;
        }
        Some((
            Ask::Next,
            Window {
                offset,
                count: self.size(),
            },
        ))
    }

    fn take_unordered(&mut self, read: PageRead) {
        let ended = read.ends.is_some_and(|(_, lower)| lower.id <= BOTTOM);
        let window = read.window;
        self.take_all(read);
        let next = if self.oldest() {
            window
                .offset
                .checked_sub(self.size())
                .map(|o| o.max(self.first()))
        } else if ended {
            None
        } else {
            window.offset.checked_add(window.count)
        };
        let next = match next {
            Some(next) if !(self.oldest() && window.offset <= self.first()) => next,
            _ => u64::MAX,
        };
        if let Some(Proof::Unordered { next: at }) = self.proof_mut() {
            *at = next;
        }
    }

    /// Yields every invitation of `read` not yet yielded, in walk order of the page.
    fn take_all(&mut self, read: PageRead) {
        let (total, seq) = (read.page.total_available_results, self.counts.clock);
        let mut fresh: Vec<(Invitation, End)> = Vec::new();
        for (index, invitation) in read.items.into_iter().enumerate() {
            if self.yielded.contains(&invitation.invitation_id)
                || fresh
                    .iter()
                    .any(|(i, _)| i.invitation_id == invitation.invitation_id)
            {
                continue;
            }
            let at = End {
                id: Key::from(invitation.invitation_id),
                pos: read.window.offset.saturating_add(index as u64),
                total,
                seq,
            };
            fresh.push((invitation, at));
        }
        if self.oldest() {
            fresh.reverse();
        }
        let mut page = read.page;
        self.release(&mut page, fresh);
    }

    // -- The arithmetic, in the direction the walk reads ------------------------------------------

    /// Whether `a` comes after `b` in walk order.
    fn after(&self, a: Key, b: Key) -> bool {
        if self.oldest() {
            a > b
        } else {
            a < b
        }
    }

    fn is_ours(&self, key: Key) -> bool {
        if self.oldest() {
            key >= self.start
        } else {
            key <= self.start
        }
    }

    fn was_assumed(&self, key: Key) -> bool {
        self.assumed
            .iter()
            .any(|(low, high)| *low < key && key < *high)
    }

    /// The end of `read` that faces the anchor.
    fn near_end(&self, read: &PageRead) -> End {
        let (upper, lower) = read.ends.unwrap_or_default();
        if self.oldest() {
            lower
        } else {
            upper
        }
    }

    /// The end of `read` away from the anchor.
    fn far_end(&self, read: &PageRead) -> End {
        let (upper, lower) = read.ends.unwrap_or_default();
        if self.oldest() {
            upper
        } else {
            lower
        }
    }

    /// What the gap between the anchor's `edge` and a read's `near` end can hold.
    fn gap(&self, edge: &End, near: &End) -> Bound {
        if self.oldest() {
            between(near, edge)
        } else {
            between(edge, near)
        }
    }

    /// v1 oldest first: whether a gap of the forward shape between `edge` and `near` may be
    /// taken as empty. Only an insertion can fill it; every total in between is known and none
    /// rose. Not across a resume, whose edge was read in another run, hours of sends and
    /// withdrawals ago: that gap costs a re-read.
    fn may_assume(&self, edge: &End, near: &End) -> bool {
        !self.spec.generation.anchors() && edge.seq > 0 && self.grew(edge, near) == 0
    }

    /// How much the list grew between the reads of `a` and `b`: every rise of the total in
    /// between, even where a later fall cancelled it out.
    fn grew(&self, a: &End, b: &End) -> u64 {
        let (first, last) = if a.seq <= b.seq { (a, b) } else { (b, a) };
        let mut previous = first.total;
        let mut rise = 0u64;
        let later = self
            .list
            .totals
            .iter()
            .filter(|(seq, _)| *seq > first.seq && *seq <= last.seq);
        for &(_, total) in later {
            if let Some(previous) = previous {
                rise = rise.saturating_add(total.saturating_sub(previous));
            }
            previous = Some(total);
        }
        rise
    }

    // -- Where the walk stands, for a resume ------------------------------------------------------

    fn count_total_pages(&mut self) {
        let Some((total, _)) = self.list.latest else {
            return;
        };
        let data_last = total.div_ceil(self.size()).max(1);
        let first_page = self.first() / self.size() + 1;
        let cap_last = match self.spec.cap.map(u64::from) {
            Some(cap) if !self.oldest() => Some(first_page - 1 + cap.div_ceil(self.size())),
            _ => None,
        };
        let end_last = self.end_offset().map(|end| end / self.size());
        let last = [Some(data_last), cap_last, end_last]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(data_last);
        self.list.pages = Some(u32::try_from(last).unwrap_or(u32::MAX));
    }

    pub(crate) fn next_page(&self) -> Option<u32> {
        if self.is_done() {
            return None;
        }
        let window = match (self.edge, self.spec.resume) {
            (Some(edge), _) => self.next_window(&edge)?,
            (None, Some(point)) => return Some(point.page()),
            (None, None) => self.first_window().1,
        };
        Some(u32::try_from(window.offset / self.size() + 1).unwrap_or(u32::MAX))
    }

    /// The ids (inclusive) among which the walk handed out every invitation present throughout
    /// it, up to `last` (the last one handed out) or, once the walk reached the far end of the
    /// list and everything was handed out (`exhausted`), all of them. `None` where it cannot
    /// vouch for that: a walk resumed, limited by a start or end page, with something possibly
    /// missed, out of order, or mid-way through turning round.
    pub(crate) fn covered(&self, last: Option<u64>, exhausted: bool) -> Option<(u64, u64)> {
        let clean = !matches!(self.phase, Phase::Fresh)
            && self.spec.resume.is_none()
            && self.first() == 0
            && self.end_offset().is_none()
            && self.counts.possibly_missed == 0
            && !self.out_of_order
            && !self.detour();
        if !clean {
            return None;
        }
        if exhausted && self.is_done() && self.remaining != Some(0) {
            return Some((0, u64::MAX));
        }
        let last = last?;
        Some(if self.oldest() {
            (0, last)
        } else {
            (last, u64::MAX)
        })
    }

    /// Where a resumed walk goes on: after `last` (an invitation handed out mid-page) or the
    /// edge.
    pub(crate) fn resume_point(&self, last: Option<End>) -> Option<ResumePoint> {
        if self.is_done() || self.detour() {
            return None;
        }
        let at = last.or(self.edge)?;
        Some(ResumePoint {
            generation: self.spec.generation,
            oldest_first: self.oldest(),
            invitation_id: u64::try_from(at.id).ok()?,
            position: at.pos,
            total: at.total,
        })
    }
}

/// A reply's facts without its invitations: what an empty walk hands out.
fn facts(page: &SentInvitationsPage) -> SentInvitationsPage {
    SentInvitationsPage {
        total_results: page.total_results,
        total_available_results: page.total_available_results,
        invitations: Vec::new(),
        pagination: page.pagination.clone(),
        offset_pagination: page.offset_pagination.clone(),
        credits_consumed: page.credits_consumed,
    }
}
