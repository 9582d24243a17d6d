//! [`Paginator`] and [`Items`]: the walk over pages, driving the I/O-free
//! [`Walk`](crate::walk::Walk).

use crate::config::{Config, Params};
use crate::error::Error;
#[cfg(doc)] // named by the docs
use crate::fetch_sent_invitations;
use crate::transport::{fetch_page, Credits};
use crate::types::{Invitation, SentInvitationsPage};
use crate::walk::{End, Order, Poll, ResumePoint, Spec, Walk};

/// A lazy iterator over the pages of sent invitations: one request, one credit, per `next()`.
///
/// - Creating it sends nothing. It starts at the start page of its [`Params`] (default 1) and
///   stops after their end page, if set.
/// - It never asks for a page past the data: every reply tells it how many invitations there
///   are ([`total_pages`](Paginator::total_pages)). A short page ends it only where the total
///   agrees that the data ends (LinkedIn sometimes hides an entry it still counts). A walk
///   that finds nothing (an empty list, a start past the end) yields the one page it paid
///   for, empty, with the total the reply gave, then `None`.
/// - `total_results` on its `Params` caps the invitations it yields; only the pages needed are
///   fetched and the last one is cut to fit.
/// - [`max_credits`](Paginator::max_credits) caps paid requests (retries included, and at
///   least one credit for every paid reply, whatever the reply says it cost); the iteration
///   then ends with `None`, and [`resume_point`](Paginator::resume_point) says where to go on.
/// - After an error it yields `None` without sending anything; the resume point is where it
///   stood.
/// - [`oldest_first`](Paginator::oldest_first) walks from the other end.
///
/// # A list that changes during the walk
///
/// Invitations are sent, accepted and withdrawn all day, and page numbers are offsets into that
/// moving list: each change shifts every older invitation, across page boundaries. Ids are
/// time-ordered, so the list is sorted by id, and every reply also says how long the list is;
/// from the two, the paginator proves for each page boundary that nothing slid past it
/// unseen, or reads again until it can. For every invitation present for the whole walk:
///
/// - **Nothing twice.** It is yielded at most once: the paginator keeps the ids it yielded
///   (with the ids it has seen, about 30 bytes of memory an invitation walked, as measured in
///   BENCHMARKS.md: 30 KB a thousand).
/// - **Nothing lost.** It is yielded, or counted in
///   [`possibly_missed`](Paginator::possibly_missed), which may over-count but is `0` on a
///   list that only grows or does not change and never exceeds the removals during the walk.
///   It counts only what churn kept from proof through 3 re-reads in a row.
/// - **In order.** Invitations come newest first (oldest first after `oldest_first()`).
///
/// An unchanged list costs exactly one credit a page. A change costs at most one extra read
/// per change, and the paginator never asks for more than the pages the final list needs, plus
/// one extra read per change it saw, plus one. If 5 paid pages in a row bring nothing new (a
/// server that ignores the page asked for, or repeats pages), it stops with
/// [`Error::RepeatedPage`].
///
/// One case cannot be seen on v1 walking oldest first: between two of its requests, a new
/// invitation sent *and* an already walked older one withdrawn leave the total unchanged while
/// shifting one invitation onto the page just walked. Only reading every page twice would
/// catch it. v2 walks anchor each page on one invitation already seen, and newest-first walks
/// are proven by the totals, so neither has this blind spot.
///
/// A page whose ids are not newest first, or an invitation appearing where a proof said there
/// was none (a server that serves pages out of order), sets
/// [`out_of_order`](Paginator::out_of_order); it is still yielded, once.
///
/// # Examples
///
/// ```
/// # let server = httpmock::MockServer::start();
/// # server.mock(|when, then| {
/// #     when.method("POST");
/// #     then.status(200).body(r#"{"status":"success","data":{"total_results":2,
/// #       "total_available_results":2,"invitations":[{"name":"A","invitation_id":2},
/// #       {"name":"B","invitation_id":"1"}],
/// #       "pagination":{"start_page":1,"end_page":1,"results_per_page":10,"pages_fetched":1}}}"#);
/// # });
/// use linkup_sent_invitations::{Config, Paginator, Params};
///
/// let config = Config::new("your-api-key");
/// # let config = config.base_url(server.base_url());
/// let mut items = Paginator::new(&config, Params::new("your-login-token")).items();
/// let names: Vec<String> = items.by_ref().map(|i| i.map(|i| i.name)).collect::<Result<_, _>>()?;
/// assert_eq!(names, ["A", "B"]);
/// assert_eq!(items.paginator().credits_used(), 1); // a short first page: no second request
/// assert_eq!(items.paginator().next_page(), None); // done: nothing to resume
/// # Ok::<(), linkup_sent_invitations::Error>(())
/// ```
#[derive(Debug)]
pub struct Paginator {
    config: Config,
    params: Params,
    /// What the walk is built from; a builder call rebuilds it (nothing is sent before the
    /// first `next()`).
    spec: Spec,
    walk: Walk,
    /// Where each invitation of the page last yielded was read, for [`Items::resume_point`].
    last_read: Vec<End>,
}

impl Paginator {
    /// A paginator over the sent invitations that `params` describe. Sends nothing.
    ///
    /// Invalid parameters (see [`fetch_sent_invitations`]) are reported by the first `next()`,
    /// still before anything is sent.
    pub fn new(config: &Config, params: Params) -> Paginator {
        let spec = Spec::new(&params);
        Paginator {
            config: config.clone(),
            walk: Walk::new(spec),
            spec,
            params,
            last_read: Vec::new(),
        }
    }

    /// The same paginator with its walk built from `spec`.
    fn respec(mut self, spec: Spec) -> Paginator {
        self.spec = spec;
        self.walk = Walk::new(spec);
        self
    }

    /// Walks from the oldest invitation to the newest: pages from the last to the first, and
    /// each page's invitations reversed, so [`items`](Paginator::items) runs strictly from the
    /// oldest. Stopping early pays only for the pages read: the 25 oldest of 138 invitations
    /// (`total_results(25)`) take 4 requests.
    ///
    /// - Without an end page in the params, the first `next()` reads the start page to learn
    ///   the total, then the last page. The start page is kept and yielded last, never paid
    ///   for twice unless the list shrank so that it no longer joins the pages walked. With an
    ///   end page (`pages(1, 11)`), the walk starts there; an end page past the data costs one
    ///   request, then the walk starts at the last real page.
    /// - v2 walks read each page so that it ends on the first invitation of the page walked
    ///   before it: 49 new invitations a credit instead of 50 (1,000 invitations: 21 credits
    ///   instead of 20), which proves that nothing slipped between them.
    /// - A reply without `total_available_results` cannot say where the end is: the paginator
    ///   then walks forward, reading every page in its first `next()` (the same credits as a
    ///   full walk, within `max_credits`), and yields the pages in reverse.
    ///
    /// # Examples
    ///
    /// ```
    /// # let server = httpmock::MockServer::start();
    /// # for page in 1..=3u64 {
    /// #   let ids = (0..10).map(|i| 130 - (page - 1) * 10 - i).filter(|id| *id > 105);
    /// #   let invitations: Vec<_> = ids
    /// #       .map(|id| serde_json::json!({"name": format!("n{id}"), "invitation_id": id})).collect();
    /// #   let body = serde_json::json!({"status": "success", "data": {"total_results": 10,
    /// #       "total_available_results": 25, "invitations": invitations,
    /// #       "pagination": {"start_page": page, "end_page": page, "results_per_page": 10}}});
    /// #   server.mock(|when, then| {
    /// #       when.method("POST").json_body_includes(format!(r#"{{"start_page":{page}}}"#));
    /// #       then.status(200).body(body.to_string());
    /// #   });
    /// # }
    /// use linkup_sent_invitations::{Config, Paginator, Params};
    ///
    /// let config = Config::new("your-api-key");
    /// # let config = config.base_url(server.base_url());
    /// let params = Params::new("your-login-token").total_results(8); // the 8 oldest of 25
    /// let mut items = Paginator::new(&config, params).oldest_first().items();
    /// let ids: Vec<u64> = items.by_ref().map(|i| i.map(|i| i.invitation_id)).collect::<Result<_, _>>()?;
    /// assert_eq!(ids, [106, 107, 108, 109, 110, 111, 112, 113]);
    /// assert_eq!(items.paginator().credits_used(), 3); // page 1 for the total, then pages 3 and 2
    /// # Ok::<(), linkup_sent_invitations::Error>(())
    /// ```
    pub fn oldest_first(self) -> Paginator {
        let spec = Spec {
            order: Order::OldestFirst,
            ..self.spec
        };
        self.respec(spec)
    }

    /// The most paid requests this paginator may make, retries and re-reads included. It never
    /// sends the request that would go over: iteration ends with `None` instead, and
    /// [`resume_point`](Paginator::resume_point) is where to go on. A reply counts for the
    /// credits it says it cost, and never for less than the API's documented price (a v2 page
    /// that claims to have cost nothing still counts one).
    ///
    /// Defaults to no limit (the paginator still stops where the data ends).
    pub fn max_credits(self, max_credits: u64) -> Paginator {
        let spec = Spec {
            budget: Some(max_credits),
            ..self.spec
        };
        self.respec(spec)
    }

    /// Goes on from where an earlier walk stopped (its [`resume_point`](Paginator::resume_point)),
    /// keeping the promises of one walk across the two, even if the list changed in between:
    /// nothing yielded by the first is yielded again, nothing between them is lost.
    ///
    /// The params must name the same account and API generation, and `oldest_first()` must be
    /// set as it was; otherwise the first `next()` is an [`Error::InvalidParams`], with nothing
    /// sent. The start page (newest first) or end page (oldest first) of the params is replaced
    /// by the resume point; the other end of the range, the type and the cap still apply.
    ///
    /// # Examples
    ///
    /// ```
    /// # let server = httpmock::MockServer::start(); // 25 invitations, 10 a page
    /// # for page in 1..=3u64 {
    /// #     let ids = (0..10).map(|i| 1000 - (page - 1) * 10 - i).take(if page < 3 { 10 } else { 5 });
    /// #     let invitations: Vec<_> = ids
    /// #         .map(|id| serde_json::json!({"name": format!("n{id}"), "invitation_id": id})).collect();
    /// #     let body = serde_json::json!({"status": "success", "data": {
    /// #         "total_available_results": 25, "invitations": invitations}});
    /// #     server.mock(|when, then| {
    /// #         when.method("POST").json_body_includes(format!(r#"{{"start_page":{page}}}"#));
    /// #         then.status(200).body(body.to_string());
    /// #     });
    /// # }
    /// use linkup_sent_invitations::{Config, Paginator, Params, ResumePoint};
    ///
    /// let config = Config::new("your-api-key");
    /// # let config = config.base_url(server.base_url()).requests_per_minute(0);
    /// let mut first = Paginator::new(&config, Params::new("your-login-token")).max_credits(2).items();
    /// let mut names: Vec<String> = first.by_ref().map(|i| i.map(|i| i.name)).collect::<Result<_, _>>()?;
    /// let point: ResumePoint = first.resume_point().expect("stopped at the budget");
    ///
    /// // Later, maybe in another process: the point reads back from its text.
    /// let point: ResumePoint = point.to_string().parse()?;
    /// let rest = Paginator::new(&config, Params::new("your-login-token")).resume(point);
    /// for invitation in rest.items() {
    ///     names.push(invitation?.name);
    /// }
    /// assert_eq!(names.len(), 25);
    /// # Ok::<(), linkup_sent_invitations::Error>(())
    /// ```
    pub fn resume(self, from: ResumePoint) -> Paginator {
        let spec = Spec {
            resume: Some(from),
            ..self.spec
        };
        self.respec(spec)
    }

    /// Paid requests so far, as credits: every reply except HTTP 500 (v1) or what a v2 reply
    /// says it consumed, at least its documented price; retries and re-reads included.
    pub fn credits_used(&self) -> u64 {
        self.walk.spent()
    }

    /// The page the walk would read next if it went on: where [`Params::start_page`] (newest
    /// first) or the end page (oldest first) would pick up a walk that stopped; `None` once the
    /// data (or the end page, or the cap) is done. For a resume that keeps every promise across
    /// the stop, use [`resume_point`](Paginator::resume_point).
    pub fn next_page(&self) -> Option<u32> {
        self.walk.next_page()
    }

    /// The number of the last page of the walk's range, once a reply has told the paginator
    /// how many invitations there are; also bounded by the end page and the `total_results`
    /// cap. `None` before the first reply, or when the server does not give a total.
    pub fn total_pages(&self) -> Option<u32> {
        self.walk.total_pages()
    }

    /// How many invitations this walk may have missed because the list changed under it in a
    /// way it could not repair within 3 re-reads. `0` means every invitation present for
    /// the whole walk was yielded. It may over-count, never under-count (but for the v1
    /// oldest-first case in [the type's docs](Paginator#a-list-that-changes-during-the-walk)),
    /// and never exceeds the withdrawals and acceptances that happened during the walk.
    pub fn possibly_missed(&self) -> u64 {
        self.walk.possibly_missed()
    }

    /// Whether the server's pages contradicted the list's order: a page whose ids were not
    /// newest first, or an invitation where the pages read so far proved there was none (pages
    /// served in the wrong order). Every invitation is still yielded once; a tool that relies
    /// on the order (stopping at the first young invitation, say) should walk everything.
    pub fn out_of_order(&self) -> bool {
        self.walk.out_of_order()
    }

    /// Where to go on after a stop at the budget or an error: pass it to
    /// [`resume`](Paginator::resume). `None` once the walk is done, or before it read anything
    /// (then simply start again). It names the last invitation yielded; its text form
    /// (`Display`, `FromStr`) is for keeping it between runs.
    pub fn resume_point(&self) -> Option<ResumePoint> {
        self.walk.resume_point(None)
    }

    /// The ids (inclusive) among which this walk yielded every pending invitation present
    /// throughout it, up to `last` (the last one yielded), or everywhere once `exhausted`:
    /// `None` where it cannot vouch for that (see [`Walk::covered`]).
    /// The parameters it walks with: whose invitations, and which.
    pub(crate) fn params(&self) -> &Params {
        &self.params
    }

    pub(crate) fn covered(&self, last: Option<u64>, exhausted: bool) -> Option<(u64, u64)> {
        self.walk.covered(last, exhausted)
    }

    /// The invitations across pages, one by one, fetching pages as needed. After an `Err` the
    /// iteration ends.
    ///
    /// The [`Items`] keep the paginator, so its counts stay at hand after the walk: iterate
    /// with `for invitation in &mut items`, then read
    /// [`items.paginator().credits_used()`](Paginator::credits_used) or
    /// [`items.resume_point()`](Items::resume_point).
    pub fn items(self) -> Items {
        Items {
            pages: self,
            current: Vec::new().into_iter().zip(Vec::new()),
            last: None,
        }
    }
}

impl Iterator for Paginator {
    type Item = Result<SentInvitationsPage, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let window = match self.walk.poll() {
                Ok(Poll::Yield(release)) => {
                    self.last_read = release.read;
                    return Some(Ok(release.page));
                }
                Ok(Poll::Done) => return None,
                Ok(Poll::Send(window)) => window,
                Err(err) => return Some(Err(err)),
            };
            // A few string checks: cheap next to a request, and a bad input then costs nothing.
            let checked = self.config.validate().and_then(|()| self.params.validate());
            // The request path may spend what the budget leaves, retries included; the walk
            // learns what the reply cost.
            let mut credits = Credits::within(self.walk.credits_left());
            let reply = checked
                .and_then(|()| fetch_page(&self.config, &self.params, Some(window), &mut credits));
            if let Err(err) = self.walk.handle(reply, credits.used) {
                return Some(Err(err));
            }
        }
    }
}

impl std::iter::FusedIterator for Paginator {}

/// The invitations of a [`Paginator`], one by one; see [`Paginator::items`]. It keeps the
/// paginator, whose counts it answers for.
///
/// # Examples
///
/// ```
/// # let server = httpmock::MockServer::start(); // 25 invitations, 10 a page
/// # for page in 1..=3u64 {
/// #     let ids = (0..10).map(|i| 1000 - (page - 1) * 10 - i).take(if page < 3 { 10 } else { 5 });
/// #     let invitations: Vec<_> = ids
/// #         .map(|id| serde_json::json!({"name": format!("n{id}"), "invitation_id": id})).collect();
/// #     let body = serde_json::json!({"status": "success", "data": {
/// #         "total_available_results": 25, "invitations": invitations}});
/// #     server.mock(|when, then| {
/// #         when.method("POST").json_body_includes(format!(r#"{{"start_page":{page}}}"#));
/// #         then.status(200).body(body.to_string());
/// #     });
/// # }
/// use linkup_sent_invitations::{Config, Paginator, Params};
///
/// let config = Config::new("your-api-key");
/// # let config = config.base_url(server.base_url()).requests_per_minute(0);
/// let mut items = Paginator::new(&config, Params::new("your-login-token")).items();
/// let mut names = Vec::new();
/// for invitation in &mut items {
///     names.push(invitation?.name);
/// }
/// assert_eq!(names.len(), 25);
/// assert_eq!(items.paginator().credits_used(), 3);
/// assert_eq!(items.paginator().next_page(), None);
/// # Ok::<(), linkup_sent_invitations::Error>(())
/// ```
#[derive(Debug)]
pub struct Items {
    pages: Paginator,
    current: std::iter::Zip<std::vec::IntoIter<Invitation>, std::vec::IntoIter<End>>,
    /// Where the invitation last handed out was read.
    last: Option<End>,
}

impl Items {
    /// See [`Paginator::resume_point`]; here it names the last invitation this iterator handed
    /// out, so a walk stopped in the middle of a page goes on from exactly there.
    pub fn resume_point(&self) -> Option<ResumePoint> {
        let mid_page = self.current.len() > 0;
        self.pages.walk.resume_point(self.last.filter(|_| mid_page))
    }

    /// The paginator behind these invitations.
    pub fn paginator(&self) -> &Paginator {
        &self.pages
    }
}

impl Iterator for Items {
    type Item = Result<Invitation, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some((invitation, read)) = self.current.next() {
                self.last = Some(read);
                return Some(Ok(invitation));
            }
            match self.pages.next()? {
                Ok(page) => {
                    let read = std::mem::take(&mut self.pages.last_read);
                    self.current = page.invitations.into_iter().zip(read);
                }
                Err(err) => return Some(Err(err)),
            }
        }
    }
}

impl std::iter::FusedIterator for Items {}
