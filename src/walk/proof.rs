//! The walk's proofs: what a read covers (its two ends in id space, with positions and the
//! list's total), and what the gap between two reads can hold.
//!
//! The list is sorted by id, newest first. A read of positions [o, o + c) at one instant holds
//! every invitation present then with an id between its first and last, so what two reads
//! cover joins up in id space unless something moved across the boundary between them in
//! between. Moving back (towards the top) across a boundary needs removals above it, and the
//! totals bound how many: between a read whose last invitation was at position p (total n1)
//! and a later one whose first was at q (total n2), at most (q - p - 1) - (n2 - n1)
//! invitations can lie between them. Moving forward needs an insertion, which the totals cannot
//! bound (one sent and one withdrawn cancel out), so a gap of that shape is closed by a read
//! that overlaps both sides, by counting what such a read found against an earlier bound, or
//! (v1 oldest first only) assumed.

pub(crate) use crate::ground::Window;
use crate::types::{Invitation, SentInvitationsPage};

/// An invitation id in the walk's arithmetic, with room for the two ends of the list.
pub(crate) type Key = i128;
/// Newer than any id: the top of the list.
pub(crate) const TOP: Key = 1 << 64;
/// Older than any id: past the end of the list.
pub(crate) const BOTTOM: Key = -1;
/// One end of what a read covered: the id there, its position and the list's total when it was
/// read, and when (the walk's clock counts reads).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct End {
    pub(crate) id: Key,
    pub(crate) pos: u64,
    pub(crate) total: Option<u64>,
    pub(crate) seq: u64,
}

/// How many invitations a gap between two reads can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Bound {
    At(u64),
    /// The later read is on the newer side: only ids or an earlier bound can tell.
    Unknown,
    /// A reply gave no total (not the documented shape): nothing can be proven or counted.
    NoTotals,
}

impl Bound {
    pub(crate) fn closed(self) -> bool {
        matches!(self, Bound::At(0) | Bound::NoTotals)
    }

    /// The tighter of two bounds on the same gap.
    pub(crate) fn min(self, other: Bound) -> Bound {
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
pub(crate) fn between(upper: &End, lower: &End) -> Bound {
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
pub(crate) struct PageRead {
    pub(crate) window: Window,
    /// The newest and oldest ends of what it covers (`TOP` from offset 0, `BOTTOM` when it
    /// reaches the end of the list); `None` for an empty page short of the end, which covers
    /// nothing.
    pub(crate) ends: Option<(End, End)>,
    /// Its invitations as the list has them, newest first.
    pub(crate) items: Vec<Invitation>,
    /// The reply's other facts.
    pub(crate) page: SentInvitationsPage,
}

impl PageRead {
    /// A reply as the walk holds it: its ends in id space, with positions and the total.
    pub(crate) fn of(window: Window, mut page: SentInvitationsPage, clock: u64) -> PageRead {
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
            seq: clock,
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

    /// How many invitations of `read` lie strictly between the ids `from` and `to`.
    pub(crate) fn count_between(&self, from: Key, to: Key) -> u64 {
        let (low, high) = (from.min(to), from.max(to));
        self.items
            .iter()
            .map(|i| Key::from(i.invitation_id))
            .filter(|key| low < *key && *key < high)
            .count() as u64
    }
}

/// A read beyond the anchor that the walk cannot yet prove joins it.
#[derive(Debug)]
pub(crate) struct Pending {
    pub(crate) read: PageRead,
    /// What the gap between them may hold.
    pub(crate) bound: Bound,
    /// The far end of the last re-read on the anchor's side, which borders this read's window.
    pub(crate) side: Option<End>,
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
