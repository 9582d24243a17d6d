//! [`ResumePoint`]: where a walk stopped, as the walk and the text a run keeps hold it.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;
use crate::ground::Generation;
use crate::redact::Secrets;
#[cfg(doc)] // named by the docs
use crate::Paginator;

/// Where a walk stopped, to go on later without losing or repeating an invitation:
/// [`Paginator::resume_point`] gives it, [`Paginator::resume`] takes it.
///
/// It names the last invitation yielded, where it stood in the list and how long the list was
/// then, which is what the resumed walk needs to prove that nothing moved past it in between.
/// Its text form, such as `v1:newest:7329176687475109888:59:138`, is for keeping it between
/// runs (a file, a command-line flag); it holds an invitation id, no secret.
///
/// # Examples
///
/// ```
/// use linkup_sent_invitations::ResumePoint;
///
/// let point: ResumePoint = "v1:newest:7329176687475109888:59:138".parse()?;
/// assert_eq!(point.invitation_id(), 7329176687475109888);
/// assert_eq!(point.page(), 7); // a resumed walk starts with page 7
/// assert_eq!(point.to_string(), "v1:newest:7329176687475109888:59:138");
/// assert!("page 7".parse::<ResumePoint>().is_err());
/// # Ok::<(), linkup_sent_invitations::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ResumePoint {
    pub(crate) generation: Generation,
    pub(crate) oldest_first: bool,
    pub(crate) invitation_id: u64,
    /// Where the invitation stood in the list (from 0) when it was read.
    pub(crate) position: u64,
    /// How long the list was then, when the reply said.
    pub(crate) total: Option<u64>,
}

impl ResumePoint {
    /// The last invitation the stopped walk yielded: the resumed walk yields only older ones
    /// (newer ones, walking oldest first).
    pub fn invitation_id(&self) -> u64 {
        self.invitation_id
    }

    /// The page, from 1, that a resumed walk asks for first.
    pub fn page(&self) -> u32 {
        let size = u64::from(self.generation.page_size());
        let offset = match self.oldest_first {
            false => self.position.saturating_add(1),
            true => self.position.saturating_sub(1),
        };
        u32::try_from(offset / size + 1).unwrap_or(u32::MAX)
    }
}

impl fmt::Display for ResumePoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let generation = match self.generation {
            Generation::V1 => "v1",
            Generation::V2 => "v2",
        };
        let order = if self.oldest_first {
            "oldest"
        } else {
            "newest"
        };
        write!(
            f,
            "{generation}:{order}:{}:{}:",
            self.invitation_id, self.position
        )?;
        match self.total {
            Some(total) => write!(f, "{total}"),
            None => f.write_str("-"),
        }
    }
}

impl FromStr for ResumePoint {
    type Err = Error;

    /// Reads the text a [`ResumePoint`] displays as.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParams`] for anything else, such as a page number (`"7"`), a point cut
    /// short (`"v1:newest:7329176687475109888"`) or with more after it, and for a point no walk
    /// can have given: invitation id 0, a position past the total it names, or a page
    /// past the last page number (2^32 - 1). Nothing is sent for such a point.
    fn from_str(s: &str) -> Result<ResumePoint, Error> {
        let bad = || {
            Error::InvalidParams(format!(
                "{:?} is not a resume point: pass the text a stopped walk printed, such as \
                 v1:newest:7329176687475109888:59:138",
                Secrets::none().shown(s, 60)
            ))
        };
        let mut parts = s.trim().split(':');
        let mut next = || parts.next().ok_or_else(bad);
        let generation = match next()? {
            "v1" => Generation::V1,
            "v2" => Generation::V2,
            _ => return Err(bad()),
        };
        let oldest_first = match next()? {
            "newest" => false,
            "oldest" => true,
            _ => return Err(bad()),
        };
        let number = |text: &str| {
            (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
                .then(|| text.parse::<u64>().ok())
                .flatten()
        };
        let invitation_id = number(next()?).ok_or_else(bad)?;
        let position = number(next()?).ok_or_else(bad)?;
        let total = match next()? {
            "-" => None,
            text => Some(number(text).ok_or_else(bad)?),
        };
        if parts.next().is_some() {
            return Err(bad());
        }
        let point = ResumePoint {
            generation,
            oldest_first,
            invitation_id,
            position,
            total,
        };
        // What no walk gives: an invitation that is none, a place past the list's length, a
        // page no request can ask for.
        let size = u64::from(generation.page_size());
        let real = invitation_id != 0
            && total.is_none_or(|total| position <= total)
            && position.saturating_add(1) / size < u64::from(u32::MAX);
        if !real {
            return Err(Error::InvalidParams(format!(
                "{:?} cannot be a resume point (no walk stops at invitation 0, past the list's \
                 length or past page 4294967295): pass the text a stopped walk printed",
                Secrets::none().shown(s, 60)
            )));
        }
        Ok(point)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extreme_points_a_walk_can_give_are_taken_and_no_further() {
        let ok = |text: &str| text.parse::<ResumePoint>().is_ok();
        // A position up to the total it names; one past it is no walk's.
        assert!(ok("v1:newest:7329176687475109888:138:138"));
        assert!(!ok("v1:newest:7329176687475109888:139:138"));
        assert!(ok("v1:newest:7329176687475109888:139:-"));
        // The last page a request can ask for, 2^32 - 1, and one page more.
        for (generation, size) in [("v1", 10), ("v2", 50)] {
            let last = u64::from(u32::MAX) * size - 2;
            let point: ResumePoint = format!("{generation}:newest:7:{last}:-").parse().unwrap();
            assert_eq!(point.page(), u32::MAX);
            assert!(!ok(&format!("{generation}:newest:7:{}:-", last + 1)));
        }
        assert!(!ok("v1:newest:0:1:10"), "invitation 0");
        assert!(!ok("v1:newest:7:1:10:extra"));
    }
}
