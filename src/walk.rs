//! The walk: what to read next, what to yield, when to stop, as decisions without I/O.
//!
//! The paginator drives a `Walk` the way ureq drives ureq-proto's state machine: it asks what
//! to do (`poll`), sends the request, and feeds the reply back (`feed`). No socket, clock or
//! sleep in here, so every decision can be run, in the tests, against a simulated list that
//! changes between any two requests.
//!
//! The arithmetic (see the Paginator docs): the list is sorted by id, newest first. A read of
//! positions [o, o + c) at one instant holds every invitation present then with an id between
//! its first and last, so what two reads cover joins up in id space unless something moved
//! across the boundary between them in between. Moving back (towards the top) across a
//! boundary needs removals above it, and the totals bound how many: between a read whose last
//! invitation was at position p (total n1) and a later one whose first was at q (total n2), at
//! most (q - p - 1) - (n2 - n1) invitations can lie between them. Moving forward needs an
//! insertion, which the totals cannot bound (one sent and one withdrawn cancel out), so a gap
//! of that shape is closed by a read that overlaps both sides, by counting what such a read
//! found against an earlier bound, or (v1 oldest first only) assumed.

use std::fmt;

use crate::config::Params;
use crate::error::{invalid, Error};
use crate::paginator::ResumePoint;
use crate::transport::Credits;
use crate::types::{Invitation, SentInvitationsPage};
use crate::wire::Generation;

/// The walk against a simulated live list. It lives with the other tests, but is compiled here
/// because it drives the private walk core.
#[cfg(test)]
#[path = "../tests/simulation/mod.rs"]
pub(crate) mod simulation;

/// An invitation id in the walk's arithmetic, with room for the two ends of the list.
type Key = i128;
/// Newer than any id: the top of the list.
const TOP: Key = 1 << 64;
/// Older than any id: past the end of the list.
const BOTTOM: Key = -1;
/// Reads the walk spends on one unproven boundary before it counts what the boundary may hide
/// as possibly missed and goes on.
const MAX_GAP_READS: u32 = 3;
/// Paid reads in a row that neither bring an invitation the walk has not seen nor let it yield
/// one, after which it stops with [`Error::RepeatedPage`]. An honest list needs at most
/// `MAX_GAP_READS + 1` in a row (a read that finds a gap, and the reads spent on it, after
/// which the walk yields), unless it grows by a page between two requests, faster than any
/// walk can follow.
const MAX_IDLE_READS: u32 = 5;

/// `count` invitations after the first `offset`: what one request asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Window {
    pub(crate) offset: u64,
    pub(crate) count: u64,
}

/// One end of what a read covered: the id there, its position and the list's total when it was
/// read, and when (the walk's clock counts reads).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct End {
    id: Key,
    pos: u64,
    total: Option<u64>,
    seq: u64,
}

/// How many invitations a gap between two reads can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Bound {
    At(u64),
    /// The later read is on the newer side: only ids or an earlier bound can tell.
    Unknown,
    /// A reply gave no total (not the documented shape): nothing can be proven or counted.
    NoTotals,
}

impl Bound {
    fn closed(self) -> bool {
        matches!(self, Bound::At(0) | Bound::NoTotals)
    }

    /// The tighter of two bounds on the same gap.
    fn min(self, other: Bound) -> Bound {
        match (self, other) {
            (Bound::At(a), Bound::At(b)) => Bound::At(a.min(b)),
            (Bound::At(a), _) | (_, Bound::At(a)) => Bound::At(a),
            (Bound::NoTotals, _) | (_, Bound::NoTotals) => Bound::NoTotals,
            _ => Bound::Unknown,
        }
    }
}

/// What lies strictly between `upper` (the oldest end of what covers the newer side) and
/// `lower` (the newest end of what covers the older side).
fn between(upper: &End, lower: &End) -> Bound {
    if upper.id <= lower.id {
        return Bound::At(0); // they overlap
    }
    if upper.seq > lower.seq {
        return Bound::Unknown;
    }
    let (Some(before), Some(after)) = (upper.total, lower.total) else {
        return Bound::NoTotals;
    };
    let slack = i128::from(lower.pos) - i128::from(upper.pos) - 1;
    let bound = slack - (i128::from(after) - i128::from(before));
    Bound::At(u64::try_from(bound.max(0)).unwrap_or(u64::MAX))
}

/// One reply as the walk holds it.
#[derive(Debug)]
struct PageRead {
    window: Window,
    /// The newest and oldest ends of what it covers (`TOP` from offset 0, `BOTTOM` when it
    /// reaches the end of the list); `None` for an empty page short of the end, which covers
    /// nothing.
    ends: Option<(End, End)>,
    /// Its invitations as the list has them, newest first.
    items: Vec<Invitation>,
    /// The reply's other facts.
    page: SentInvitationsPage,
}

/// A read beyond the anchor that the walk cannot yet prove joins it.
#[derive(Debug)]
pub(crate) struct Pending {
    read: PageRead,
    /// What the gap between them may hold.
    bound: Bound,
    /// The far end of the last re-read on the anchor's side, which borders this read's window.
    side: Option<End>,
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

/// A walk's decisions: which window to read, what a reply proves, what to yield.
pub(crate) struct Walk {
    generation: Generation,
    size: u64,
    pub(crate) oldest_first: bool,
    /// The range, as offsets: from `first`, up to `end` (exclusive) if an end page was given.
    first: u64,
    end: Option<u64>,
    /// `total_results`: the invitations to yield at most, and how many are left.
    cap: Option<u64>,
    remaining: Option<u64>,
    pub(crate) credits: Credits,
    pub(crate) resume_from: Option<ResumePoint>,
    started: bool,
    /// Counts reads: when each end was seen.
    clock: u64,
    /// The growing side of what the walk has covered and yielded: newest first its oldest end,
    /// oldest first its newest.
    edge: Option<End>,
    /// Ids on the start side of this are not the walk's: newer than its first read (newest
    /// first), older than its bottom (oldest first), or yielded by the walk it resumes.
    start: Key,
    pending: Option<Pending>,
    /// Oldest first: the start window, read first for the total, joined last.
    far: Option<PageRead>,
    /// Oldest first: the window to jump to once the total is known.
    jump: Option<Window>,
    asked: Option<(Ask, Window)>,
    yielded: std::collections::HashSet<u64>,
    /// Id ranges the walk accepted without proof; an invitation found there later is a rescue,
    /// not a sign of disorder.
    assumed: Vec<(Key, Key)>,
    ready: std::collections::VecDeque<Release>,
    /// Oldest first without totals: the walk runs newest first and yields these reversed.
    reversed: Option<Vec<Release>>,
    /// Oldest first, while walking newest first from the window at the old end to the end
    /// found past it: that window's newest end, where the walk up starts.
    ending: Option<End>,
    /// Once the list proved out of order: the next offset to read, in walk order.
    unordered: Option<u64>,
    /// The newest total and when it was read.
    latest: Option<(u64, u64)>,
    /// Every total read, with when: a rise between two reads is an insertion, even where a
    /// withdrawal later cancelled it out.
    totals: Vec<(u64, u64)>,
    pub(crate) total_pages: Option<u32>,
    /// Reads in a row that brought no id the walk had not seen and let it yield nothing.
    idle: u32,
    /// How many it had yielded before the last request.
    yielded_then: usize,
    /// Whether the last reply brought an id never seen, and its window.
    news: Option<(bool, Window)>,
    /// Re-reads spent on gaps since the walk last got further (a gap closed without getting
    /// further may be followed by another at the same place).
    gap_reads: u32,
    /// The furthest edge in walk order the walk has reached (reset when it turns round): the
    /// budget of gap reads is per place.
    reach: Option<Key>,
    /// Every id read, yielded or not.
    seen: std::collections::HashSet<u64>,
    pub(crate) possibly_missed: u64,
    pub(crate) out_of_order: bool,
    /// The range is walked (or the cap reached): nothing to resume.
    finished: bool,
    /// The budget or an error stopped the walk: it can be resumed.
    stopped: bool,
}

impl fmt::Debug for Walk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Walk")
            .field("generation", &self.generation)
            .field("oldest_first", &self.oldest_first)
            .field("credits", &self.credits)
            .field("edge", &self.edge)
            .field(
                "pending",
                &self.pending.as_ref().map(|p| (p.read.window, p.bound)),
            )
            .field("yielded", &self.yielded.len())
            .field("possibly_missed", &self.possibly_missed)
            .field("out_of_order", &self.out_of_order)
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

impl Walk {
    pub(crate) fn new(params: &Params) -> Walk {
        let generation = params.generation();
        let size = u64::from(generation.page_size());
        let page_offset = |page: u32| u64::from(page).saturating_sub(1).saturating_mul(size);
        Walk {
            generation,
            size,
            oldest_first: false,
            first: page_offset(params.start_page.unwrap_or(1)),
            end: params
                .end_page
                .map(|page| page_offset(page).saturating_add(size)),
            cap: params.total_results.map(u64::from),
            remaining: params.total_results.map(u64::from),
            credits: Credits::default(),
            resume_from: None,
            started: false,
            clock: 0,
            edge: None,
            start: TOP,
            pending: None,
            far: None,
            jump: None,
            asked: None,
            yielded: std::collections::HashSet::new(),
            assumed: Vec::new(),
            ready: std::collections::VecDeque::new(),
            reversed: None,
            ending: None,
            unordered: None,
            latest: None,
            totals: Vec::new(),
            total_pages: None,
            idle: 0,
            yielded_then: 0,
            news: None,
            gap_reads: 0,
            reach: None,
            seen: std::collections::HashSet::new(),
            possibly_missed: 0,
            out_of_order: false,
            finished: false,
            stopped: false,
        }
    }

    /// What to do next: send a window, yield invitations, or nothing more.
    pub(crate) fn poll(&mut self) -> Result<Poll, Error> {
        if !self.started {
            self.begin()?;
        }
        loop {
            if let Some(release) = self.ready.pop_front() {
                return Ok(Poll::Yield(release));
            }
            if self.finished || self.stopped {
                return Ok(Poll::Done);
            }
            let Some((ask, window)) = self.plan() else {
                continue; // the plan changed the state (joined, finished): look again
            };
            if !self.credits.can_spend() {
                // The budget ends the walk at the anchor. A read beyond it that is not proven
                // to join it is dropped, to be read again on resuming, rather than yielded
                // with a possible hole before it.
                self.pending = None;
                self.stopped = true;
                if self.ending.take().is_some() {
                    // Not yet proven to be the oldest: nothing to yield, nothing to resume.
                    self.reversed = None;
                    self.edge = None;
                }
                self.flush_reversed();
                continue;
            }
            self.count_idle()?;
            self.asked = Some((ask, window));
            return Ok(Poll::Send(window));
        }
    }

    /// Sets the walk up on its first poll, when the builder calls are all made.
    fn begin(&mut self) -> Result<(), Error> {
        self.started = true;
        self.start = if self.oldest_first { BOTTOM } else { TOP };
        let Some(point) = self.resume_from else {
            return Ok(());
        };
        if point.generation != self.generation {
            return Err(invalid(
                "this resume point comes from a walk through the other API generation \
                 (Params::new is v1, Params::account v2): resume with the same kind of params",
            ));
        }
        if point.oldest_first != self.oldest_first {
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
        self.start = if self.oldest_first { id + 1 } else { id - 1 };
        Ok(())
    }

    /// The next request, or `None` after changing the state without one.
    fn plan(&mut self) -> Option<(Ask, Window)> {
        if let Some(offset) = self.unordered {
            return self.plan_unordered(offset);
        }
        if self.pending.is_some() {
            if self.gap_reads >= MAX_GAP_READS && self.give_up() {
                return None;
            }
            return self
                .pending
                .as_ref()
                .map(|pending| self.resolution(pending));
        }
        if let Some(window) = self.jump {
            return Some((Ask::Bottom, window));
        }
        let Some(edge) = self.edge else {
            return Some(self.first_window());
        };
        if let Some(far) = self.far.as_ref().filter(|_| self.ending.is_none()) {
            if edge.pos <= far.window.offset.saturating_add(far.window.count) {
                self.reach_far();
                return None;
            }
        }
        let Some(window) = self.next_window(&edge) else {
            self.finish();
            return None;
        };
        if !self.oldest_first {
            // A later read said the list now ends before this window: that is what reading it
            // would say, for free.
            if let Some((total, seq)) = self.latest {
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
            count: self.size,
        };
        match (self.oldest_first, self.end) {
            (false, _) => (Ask::First, window(self.first)),
            (true, Some(end)) => (Ask::Bottom, window(end.saturating_sub(self.size))),
            (true, None) => (Ask::Top, window(self.first)),
        }
    }

    /// The window just past `edge` in walk order, or `None` at the end of the range.
    fn next_window(&self, edge: &End) -> Option<Window> {
        let offset = if self.oldest_first {
            if edge.id >= TOP || edge.pos <= self.first {
                return None;
            }
            if self.generation.anchors() {
                // Ends on the edge's own invitation: found there, nothing slipped between.
                (edge.pos + 1).saturating_sub(self.size).max(self.first)
            } else {
                self.align(edge.pos - 1).max(self.first)
            }
        } else {
            if edge.id <= BOTTOM {
                return None;
            }
            let offset = self.align(edge.pos.checked_add(1)?);
            if self.end.is_some_and(|end| offset >= end) {
                return None;
            }
            offset
        };
        Some(Window {
            offset,
            count: self.size,
        })
    }

    /// The start of the page holding `position`.
    fn align(&self, position: u64) -> u64 {
        position / self.size * self.size
    }

    /// The re-read that can settle a pending gap: the window holding what slid across it.
    /// Invitations that moved back (towards the top) sit just above the boundary, so a gap
    /// whose upper side was read first is settled by reading the upper side again; one whose
    /// lower side was read first, by reading the lower side.
    fn resolution(&self, pending: &Pending) -> (Ask, Window) {
        let near = self.near_end(&pending.read);
        let edge_seq = self.edge.map_or(0, |edge| edge.seq);
        let read_upper = if self.oldest_first {
            near.seq < edge_seq
        } else {
            edge_seq < near.seq
        };
        // Newest first the anchor is the upper side; oldest first, the lower.
        if read_upper != self.oldest_first {
            (Ask::Near, self.near_window(&pending.read.window))
        } else {
            (Ask::Far, pending.read.window)
        }
    }

    /// The re-read on the anchor's side of a gap before `window`. v2 straddles the boundary,
    /// half on each side, so one read overlaps both the anchor and the held read whatever slid
    /// across; v1 pages are fixed, so it is the page beside `window`.
    fn near_window(&self, window: &Window) -> Window {
        let boundary = if self.oldest_first {
            window.offset.saturating_add(window.count)
        } else {
            window.offset
        };
        let offset = if self.generation.anchors() {
            boundary.saturating_sub(self.size / 2)
        } else if self.oldest_first {
            boundary
        } else {
            boundary.saturating_sub(self.size)
        };
        Window {
            offset,
            count: self.size,
        }
    }

    /// Takes a reply to the window last asked for.
    pub(crate) fn feed(&mut self, page: SentInvitationsPage) -> Result<(), Error> {
        let Some((ask, window)) = self.asked.take() else {
            return Ok(()); // nothing was asked: nothing to learn
        };
        self.clock += 1;
        if let Some(total) = page.total_available_results {
            self.latest = Some((total, self.clock));
            self.totals.push((self.clock, total));
        }
        self.count_total_pages();
        let read = self.read(window, page);
        let mut fresh = false;
        for invitation in &read.items {
            fresh |= self.seen.insert(invitation.invitation_id);
        }
        let in_order = read
            .items
            .windows(2)
            .all(|w| w[0].invitation_id > w[1].invitation_id);
        if !in_order && self.unordered.is_none() {
            self.out_of_order = true;
            self.start_unordered(&read);
        }
        if self.unordered.is_some() {
            self.take_unordered(read);
        } else {
            match ask {
                Ask::First => self.take_first(read),
                Ask::Top => self.take_top(read),
                Ask::Bottom => self.take_bottom(read),
                Ask::Next => self.beyond(read),
                Ask::Near => self.take_near(read),
                Ask::Far => self.take_far(read),
            }
        }
        let further = self
            .edge
            .is_some_and(|edge| self.reach.is_none_or(|reach| self.after(edge.id, reach)));
        if further {
            self.reach = self.edge.map(|edge| edge.id);
            self.gap_reads = 0;
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
        let yielded = self.yielded.len() > self.yielded_then;
        self.yielded_then = self.yielded.len();
        if fresh || yielded {
            self.idle = 0;
            return Ok(());
        }
        self.idle += 1;
        if self.idle < MAX_IDLE_READS {
            return Ok(());
        }
        self.stopped = true;
        let page = u32::try_from(window.offset / self.size + 1).unwrap_or(u32::MAX);
        Err(Error::RepeatedPage { page })
    }

    /// Ends the walk after an error: it can be resumed from its edge.
    pub(crate) fn fail(&mut self) {
        self.stopped = true;
        self.asked = None;
        self.pending = None;
        self.far = None;
        self.reversed = None;
        self.ready.clear();
    }

    /// A reply as the walk holds it: its ends in id space, with positions and the total.
    fn read(&self, window: Window, mut page: SentInvitationsPage) -> PageRead {
        let items = std::mem::take(&mut page.invitations);
        let total = page.total_available_results;
        let returned = items.len() as u64;
        let no_more = page.offset_pagination.as_ref().and_then(|p| p.has_more) == Some(false);
        let reaches_end = no_more
            || match total {
                Some(total) => window.offset.saturating_add(window.count) >= total,
                None => returned < window.count,
            };
        let at = |id, pos| End {
            id,
            pos,
            total,
            seq: self.clock,
        };
        let ends = match (items.first(), items.last()) {
            (Some(first), Some(last)) => {
                let upper = if window.offset == 0 {
                    at(TOP, 0)
                } else {
                    at(Key::from(first.invitation_id), window.offset)
                };
                let lower = if reaches_end {
                    at(
                        BOTTOM,
                        total.unwrap_or(window.offset.saturating_add(returned)),
                    )
                } else {
                    // The window covers its positions, hidden entries included.
                    let last_pos = window.offset.saturating_add(window.count.max(returned) - 1);
                    at(Key::from(last.invitation_id), last_pos)
                };
                Some((upper, lower))
            }
            _ if reaches_end => {
                let end = at(
                    BOTTOM,
                    total.map_or(window.offset, |t| t.min(window.offset)),
                );
                let upper = if window.offset == 0 { at(TOP, 0) } else { end };
                Some((upper, end))
            }
            _ => None,
        };
        PageRead {
            window,
            ends,
            items,
            page,
        }
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
            self.jump = Some(self.last_window(total));
            self.far = Some(read);
        } else {
            // No total, no way to find the end: walk newest first, yield in reverse.
            self.oldest_first = false;
            self.start = TOP;
            self.reversed = Some(Vec::new());
            self.take_first(read);
        }
    }

    /// The window at the old end of a list of `total`.
    fn last_window(&self, total: u64) -> Window {
        let last = total.saturating_sub(1);
        let offset = if self.generation.anchors() {
            total.saturating_sub(self.size)
        } else {
            self.align(last)
        };
        Window {
            offset: offset.max(self.first),
            count: self.size,
        }
    }

    /// Oldest first, the first read at the old end: the bottom of what the walk covers.
    fn take_bottom(&mut self, read: PageRead) {
        let total = read.page.total_available_results;
        let jumped = self.jump.take().is_some();
        let Some((_, lower)) = read.ends else {
            self.jump = jumped.then_some(read.window);
            return;
        };
        let past_the_end = read.items.is_empty() && lower.id <= BOTTOM;
        if past_the_end {
            // An end page past the data: go to where the data ends.
            match total {
                Some(total) if total > self.first => self.jump = Some(self.last_window(total)),
                _ => self.finish(),
            }
            return;
        }
        if jumped && lower.id > BOTTOM {
            // The list grew since its total was read, so the end lies past this window (and a
            // jump could miss it again). Walk on to it newest first, with the same proofs,
            // holding what comes; `finish` then turns round to walk up from this window.
            if let Some((upper, _)) = read.ends {
                self.ending = Some(upper);
                self.oldest_first = false;
                self.reversed = Some(Vec::new());
                self.start = read
                    .items
                    .iter()
                    .map(|i| Key::from(i.invitation_id))
                    .max()
                    .unwrap_or(TOP);
                self.join(read);
            }
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
            bound => {
                self.pending = Some(Pending {
                    read,
                    bound,
                    side: None,
                })
            }
        }
    }

    /// A re-read on the anchor's side of a pending gap.
    fn take_near(&mut self, read: PageRead) {
        let (Some(mut pending), Some(edge)) = (self.pending.take(), self.edge) else {
            return self.beyond(read);
        };
        self.gap_reads += 1;
        if read.ends.is_none() {
            self.pending = Some(pending);
            return;
        }
        let near = self.near_end(&read);
        let bound = self.gap(&edge, &near);
        if !bound.closed() {
            // More moved than one window: the held read is stale, this one is the new frontier.
            self.pending = Some(Pending {
                read,
                bound,
                side: None,
            });
            return;
        }
        let held = self.near_end(&pending.read);
        let found = self.count_between(&read, edge.id, held.id);
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
    fn take_far(&mut self, read: PageRead) {
        let (Some(pending), Some(edge)) = (self.pending.take(), self.edge) else {
            return self.beyond(read);
        };
        self.gap_reads += 1;
        if read.ends.is_none() {
            self.pending = Some(pending);
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
                let found = self.count_between(&read, edge.id, held.id);
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
            self.pending = Some(pending);
        }
    }

    /// After `MAX_GAP_READS` reads, a gap whose bound comes from removals counts as possibly
    /// missed and the walk goes on. A gap the list's growth opened (oldest first) holds
    /// invitations pushed across it, which the re-reads keep chasing until they join: counting
    /// them would be giving up on what can be found. Returns whether it gave up.
    fn give_up(&mut self) -> bool {
        let (Some(pending), Some(edge)) = (&self.pending, self.edge) else {
            return false;
        };
        let missed = match pending.bound {
            Bound::At(bound) => bound,
            Bound::NoTotals => 0,
            // v1 oldest first with no growth in sight: the blind spot, as for a normal step.
            Bound::Unknown if self.may_assume(&edge, &self.near_end(&pending.read)) => 0,
            Bound::Unknown => return false,
        };
        let Some(pending) = self.pending.take() else {
            return false;
        };
        self.possibly_missed = self.possibly_missed.saturating_add(missed);
        self.join_assuming(pending.read, Bound::NoTotals);
        true
    }

    /// Oldest first: the anchor has reached the start window read first.
    fn reach_far(&mut self) {
        let (Some(far), Some(edge)) = (self.far.take(), self.edge) else {
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
        let seq = read.ends.map_or(self.clock, |(upper, _)| upper.seq);
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
        if self.oldest_first {
            fresh.sort_by_key(|(i, _)| i.invitation_id);
        } else {
            fresh.sort_by_key(|(i, _)| std::cmp::Reverse(i.invitation_id));
        }
        if let Some(ends) = read.ends {
            let far = if self.oldest_first { ends.0 } else { ends.1 };
            self.edge = Some(match edge {
                Some(edge) if !self.after(far.id, edge.id) => {
                    // All of it lies on the covered side (newer invitations pushed it there):
                    // the edge still stands at least as far as this read reached, now.
                    let further = if self.oldest_first {
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

    /// Hands `fresh` out as a page, within the cap.
    fn release(&mut self, page: &mut SentInvitationsPage, mut fresh: Vec<(Invitation, End)>) {
        if self.reversed.is_none() {
            if let Some(remaining) = self.remaining.as_mut() {
                fresh.truncate(usize::try_from(*remaining).unwrap_or(usize::MAX));
                *remaining -= fresh.len() as u64;
                if *remaining == 0 {
                    self.finished = true;
                    self.pending = None;
                    self.far = None;
                }
            }
        }
        if fresh.is_empty() {
            return;
        }
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
        match self.reversed.as_mut() {
            Some(reversed) => reversed.push(release),
            None => self.ready.push_back(release),
        }
    }

    fn finish(&mut self) {
        if let Some(top) = self.ending.take() {
            // The end is found, proven joined to the window at the old end: turn round.
            self.oldest_first = true;
            self.reach = None;
            self.start = BOTTOM;
            self.edge = Some(top);
            self.pending = None;
            self.flush_reversed();
            return;
        }
        self.finished = true;
        self.pending = None;
        self.flush_reversed();
    }

    /// Oldest first without totals: what the forward walk read, oldest first, within the cap.
    fn flush_reversed(&mut self) {
        let Some(pages) = self.reversed.take() else {
            return;
        };
        for mut release in pages.into_iter().rev() {
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
        let next = if self.oldest_first {
            read.window.offset.checked_sub(self.size)
        } else {
            read.window.offset.checked_add(read.window.count)
        };
        self.unordered = Some(next.unwrap_or(u64::MAX));
        let held: Vec<PageRead> = self.pending.take().map(|p| p.read).into_iter().collect();
        for read in held {
            self.take_all(read);
        }
    }

    fn plan_unordered(&mut self, offset: u64) -> Option<(Ask, Window)> {
        let far_end = self
            .far
            .as_ref()
            .map(|far| far.window.offset + far.window.count);
        let done = if self.oldest_first {
            offset == u64::MAX || offset < self.first || far_end.is_some_and(|end| offset < end)
        } else {
            offset == u64::MAX || self.end.is_some_and(|end| offset >= end)
        };
        if done {
            if let Some(far) = self.far.take() {
                self.take_all(far);
            }
            self.finish();
            return None;
        }
        Some((
            Ask::Next,
            Window {
                offset,
                count: self.size,
            },
        ))
    }

    fn take_unordered(&mut self, read: PageRead) {
        let ended = read.ends.is_some_and(|(_, lower)| lower.id <= BOTTOM);
        let window = read.window;
        self.take_all(read);
        let next = if self.oldest_first {
            window
                .offset
                .checked_sub(self.size)
                .map(|o| o.max(self.first))
        } else if ended {
            None
        } else {
            window.offset.checked_add(window.count)
        };
        let next = match next {
            Some(next) if !(self.oldest_first && window.offset <= self.first) => next,
            _ => u64::MAX,
        };
        self.unordered = Some(next);
    }

    /// Yields every invitation of `read` not yet yielded, in walk order of the page.
    fn take_all(&mut self, read: PageRead) {
        let (total, seq) = (read.page.total_available_results, self.clock);
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
        if self.oldest_first {
            fresh.reverse();
        }
        let mut page = read.page;
        self.release(&mut page, fresh);
    }

    /// Whether `a` comes after `b` in walk order.
    fn after(&self, a: Key, b: Key) -> bool {
        if self.oldest_first {
            a > b
        } else {
            a < b
        }
    }

    fn is_ours(&self, key: Key) -> bool {
        if self.oldest_first {
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
        if self.oldest_first {
            lower
        } else {
            upper
        }
    }

    /// The end of `read` away from the anchor.
    fn far_end(&self, read: &PageRead) -> End {
        let (upper, lower) = read.ends.unwrap_or_default();
        if self.oldest_first {
            upper
        } else {
            lower
        }
    }

    /// What the gap between the anchor's `edge` and a read's `near` end can hold.
    fn gap(&self, edge: &End, near: &End) -> Bound {
        if self.oldest_first {
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
        !self.generation.anchors() && edge.seq > 0 && self.grew(edge, near) == 0
    }

    /// How much the list grew between the reads of `a` and `b`: every rise of the total in
    /// between, even where a later fall cancelled it out.
    fn grew(&self, a: &End, b: &End) -> u64 {
        let (first, last) = if a.seq <= b.seq { (a, b) } else { (b, a) };
        let mut previous = first.total;
        let mut rise = 0u64;
        let later = self
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

    /// How many invitations of `read` lie strictly between the ids `from` and `to`.
    fn count_between(&self, read: &PageRead, from: Key, to: Key) -> u64 {
        let (low, high) = (from.min(to), from.max(to));
        read.items
            .iter()
            .map(|i| Key::from(i.invitation_id))
            .filter(|key| low < *key && *key < high)
            .count() as u64
    }

    fn count_total_pages(&mut self) {
        let Some((total, _)) = self.latest else {
            return;
        };
        let data_last = total.div_ceil(self.size).max(1);
        let first_page = self.first / self.size + 1;
        let cap_last = match self.cap {
            Some(cap) if !self.oldest_first => Some(first_page - 1 + cap.div_ceil(self.size)),
            _ => None,
        };
        let end_last = self.end.map(|end| end / self.size);
        let last = [Some(data_last), cap_last, end_last]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(data_last);
        self.total_pages = Some(u32::try_from(last).unwrap_or(u32::MAX));
    }

    pub(crate) fn next_page(&self) -> Option<u32> {
        if self.finished {
            return None;
        }
        let window = match (self.edge, self.resume_from) {
            (Some(edge), _) => self.next_window(&edge)?,
            (None, Some(point)) => return Some(point.page()),
            (None, None) => self.first_window().1,
        };
        Some(u32::try_from(window.offset / self.size + 1).unwrap_or(u32::MAX))
    }

    /// The ids (inclusive) among which the walk handed out every invitation present throughout
    /// it, up to `last` (the last one handed out) or, once the walk reached the far end of the
    /// list and everything was handed out (`exhausted`), all of them. `None` where it cannot
    /// vouch for that: a walk resumed, limited by a start or end page, with something possibly
    /// missed, out of order, or mid-way through turning round.
    pub(crate) fn covered(&self, last: Option<u64>, exhausted: bool) -> Option<(u64, u64)> {
        let clean = self.started
            && self.resume_from.is_none()
            && self.first == 0
            && self.end.is_none()
            && self.possibly_missed == 0
            && !self.out_of_order
            && self.reversed.is_none()
            && self.ending.is_none();
        if !clean {
            return None;
        }
        if exhausted && self.finished && self.remaining != Some(0) {
            return Some((0, u64::MAX));
        }
        let last = last?;
        Some(if self.oldest_first {
            (0, last)
        } else {
            (last, u64::MAX)
        })
    }

    /// Where a resumed walk goes on: after `last` (an invitation handed out mid-page) or the
    /// edge.
    pub(crate) fn resume_point(
        &self,
        generation: Generation,
        last: Option<End>,
    ) -> Option<ResumePoint> {
        if self.finished || self.reversed.is_some() || self.ending.is_some() {
            return None;
        }
        let at = last.or(self.edge)?;
        Some(ResumePoint {
            generation,
            oldest_first: self.oldest_first,
            invitation_id: u64::try_from(at.id).ok()?,
            position: at.pos,
            total: at.total,
        })
    }
}

impl Default for End {
    fn default() -> End {
        End {
            id: BOTTOM,
            pos: 0,
            total: None,
            seq: 0,
        }
    }
}
