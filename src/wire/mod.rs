//! The wire format: what differs between the API's two generations ([`Generation`]), and the
//! reply as received ([`Reply`]) with what both generations share in reading it.

pub(crate) mod v1;
pub(crate) mod v2;

use std::cell::Cell;
use std::time::Duration;

use crate::classify::{Facts, Said, Shape};
use crate::config::Params;
use crate::error::Error;
use crate::ground::{Generation, Window};
use crate::types::{Country, SentInvitationsPage};
use v1::{V1Request, V1Withdraw};
use v2::{V2Request, V2RequestParams, V2Withdraw, V2WithdrawParams, V2Withdrawn};

impl Generation {
    /// The JSON body for `params`, or for exactly one `window` of them (what a [`Paginator`]
    /// sends; a v1 window is always a whole page).
    pub(crate) fn body(self, params: &Params, window: Option<Window>) -> Vec<u8> {
        let per_page = u64::from(self.page_size());
        let (total_results, start_page, end_page) = match window {
            Some(window) => {
                let page = window.offset / per_page + 1;
                (None, Some(page), Some(page))
            }
            None => (
                params.total_results.map(u64::from),
                params.start_page.map(u64::from),
                params.end_page.map(u64::from),
            ),
        };
        let invitation_type = params.invitation_type.as_str();
        let json = match self {
            Generation::V1 => serde_json::to_vec(&V1Request {
                login_token: params.credential(),
                invitation_type,
                total_results,
                start_page,
                end_page,
                country: params.country.map(Country::as_str),
            }),
            Generation::V2 => {
                let (offset, count) = match window {
                    Some(window) => (window.offset, window.count),
                    None => {
                        let first = start_page.unwrap_or(1);
                        let last = end_page.unwrap_or(first);
                        let pages_count = (last + 1 - first) * per_page;
                        ((first - 1) * per_page, total_results.unwrap_or(pages_count))
                    }
                };
                serde_json::to_vec(&V2Request {
                    account_id: params.credential(),
                    action: "list_sent",
                    params: V2RequestParams {
                        count,
                        offset,
                        invitation_type,
                    },
                })
            }
        };
        // Strings and integers always serialise.
        json.unwrap_or_default()
    }

    /// The JSON body of a withdrawal of `invitation_id` for the account `params` name.
    pub(crate) fn withdraw_body(self, params: &Params, invitation_id: u64) -> Vec<u8> {
        let invitation_id = invitation_id.to_string();
        let json = match self {
            Generation::V1 => serde_json::to_vec(&V1Withdraw {
                invitation_id,
                login_token: params.credential(),
                country: params.country.map(Country::as_str),
            }),
            Generation::V2 => serde_json::to_vec(&V2Withdraw {
                account_id: params.credential(),
                action: "withdraw",
                params: V2WithdrawParams { invitation_id },
            }),
        };
        // Strings always serialise.
        json.unwrap_or_default()
    }

    /// Whether a withdrawal's reply confirms it (with the server's words, if any), or the
    /// error it says; and the facts that set its price. v2's `"withdrawn": false` is no
    /// success.
    pub(crate) fn read_withdrawal(
        self,
        reply: &Reply<'_>,
    ) -> (Result<Option<String>, Error>, Facts) {
        match self {
            Generation::V1 => {
                let result = reply.read_v1_ack();
                let facts = reply.facts(None, &result, 0);
                (result, facts)
            }
            Generation::V2 => {
                let (data, consumed) = reply.read_v2_data::<V2Withdrawn>();
                let result = data.and_then(|data| match data.withdrawn {
                    Some(true) => Ok(None),
                    Some(false) => {
                        // The documented envelope, saying it was not done: a refusal.
                        reply.note_refusal(None, None, true);
                        Err(Error::Api {
                            status: reply.status,
                            message: "LinkUp answered \"withdrawn\": false: the invitation was \
                                      not withdrawn (it may not be pending any more)"
                                .to_owned(),
                        })
                    }
                    None => Err(reply.decode_error("no \"withdrawn\" in \"data\"")),
                });
                let facts = reply.facts(consumed, &result, 0);
                (result, facts)
            }
        }
    }

    /// The page a reply holds, or the error it says; and the facts that set its price.
    pub(crate) fn read(self, reply: &Reply<'_>) -> (Result<SentInvitationsPage, Error>, Facts) {
        let (result, consumed) = match self {
            Generation::V1 => (reply.read_v1(), None),
            Generation::V2 => reply.read_v2(),
        };
        let invitations = result
            .as_ref()
            .map_or(0, |page| page.invitations.len() as u64);
        let facts = reply.facts(consumed, &result, invitations);
        (result, facts)
    }
}

/// v1's documented refusals of a request before anything is done, whole (FACTS-withdraw.md).
const V1_BEFORE_ACTING: [&str; 3] = [
    "Invalid or expired LinkedIn cookie",
    "Insufficient credits available",
    "Rate limit exceeded. Please try again later",
];

/// v1's documented refusal of a parameter: these words, then the parameter's name.
const V1_MISSING: &str = "Missing required parameter:";

/// v2's documented error codes and their statuses (FACTS-v2.md): all refuse before acting,
/// `INVALID_PARAMS` refuses a parameter.
const V2_CODES: [(&str, u16); 7] = [
    ("INVALID_API_KEY", 403),
    ("ACCOUNT_INACTIVE", 403),
    ("INSUFFICIENT_CREDITS", 402),
    ("RATE_LIMITED", 429),
    ("INVALID_ACCOUNT", 404),
    ("INVALID_ACTION", 400),
    ("INVALID_PARAMS", 400),
];

/// A received reply, before it is judged.
pub(crate) struct Reply<'a> {
    pub(crate) status: u16,
    pub(crate) body: &'a [u8],
    pub(crate) retry_after: Option<Duration>,
    pub(crate) location: Option<&'a str>,
    /// Noted by the reader as it reads a refusal: what the docs name it (see
    /// [`Reply::note_refusal`]).
    said: Cell<Said>,
}

impl<'a> Reply<'a> {
    pub(crate) fn new(
        status: u16,
        body: &'a [u8],
        retry_after: Option<Duration>,
        location: Option<&'a str>,
    ) -> Reply<'a> {
        Reply {
            status,
            body,
            retry_after,
            location,
            said: Cell::new(Said::Unnamed),
        }
    }

    /// Notes what the refusal being read is, as the docs name it (see [`Said`]): one of the
    /// request as a whole before anything is done (a status that refuses it, 401, 402, 403 or
    /// 429; in the documented envelope, v1's messages for an invalid cookie, no credits, the
    /// rate limit, word for word, or v2's codes for the key, the account, the credits, the
    /// rate limit, the action, each with its documented status), one of its parameters (v1's
    /// missing parameter, v2's `INVALID_PARAMS`), another refusal in the documented envelope,
    /// or no documented refusal at all: any words with a status the docs do not pair them
    /// with, such as a 404 or a 409. A server error (5xx) never comes before acting.
    fn note_refusal(&self, message: Option<&str>, code: Option<&str>, envelope: bool) {
        let message = message.unwrap_or("").trim();
        let (whole, parameters, named_status) = match code {
            // v1 names its messages, not their statuses, and answers some errors with HTTP 200:
            // a message counts whole and exact, with 200 or 400 (401, 402, 403 and 429 refuse
            // whatever the body says).
            None => (
                V1_BEFORE_ACTING
                    .iter()
                    .any(|m| message.eq_ignore_ascii_case(m)),
                message
                    .get(..V1_MISSING.len())
                    .is_some_and(|start| start.eq_ignore_ascii_case(V1_MISSING)),
                matches!(self.status, 200 | 400),
            ),
            // v2 names each code's status: a code counts only with it.
            Some(code) => {
                let named = V2_CODES.iter().find(|(c, _)| *c == code);
                (
                    named.is_some_and(|(c, _)| *c != "INVALID_PARAMS"),
                    code == "INVALID_PARAMS",
                    named.map_or(self.status == 400, |(_, status)| *status == self.status),
                )
            }
        };
        self.said.set(match () {
            () if self.status >= 500 => Said::Unnamed,
            () if matches!(self.status, 401 | 402 | 403 | 429) => Said::BeforeActing,
            // Words with a status the docs do not pair them with (a 404 that says "Rate limit
            // exceeded"): nothing said of what was done.
            () if !envelope || !named_status => Said::Unnamed,
            () if whole => Said::BeforeActing,
            () if parameters => Said::Parameters,
            () => Said::Refused,
        });
    }

    /// What this reply was, for its price ([`classify`](crate::classify)): `reported` what it
    /// says it consumed, `read` what it was read as, with `invitations` in it.
    pub(crate) fn facts<T>(
        &self,
        reported: Option<u64>,
        read: &Result<T, Error>,
        invitations: u64,
    ) -> Facts {
        let shape = match read {
            Ok(_) => Shape::Data { invitations },
            Err(Error::Decode { .. }) => Shape::Undocumented,
            Err(_) => Shape::Refusal(self.said.get()),
        };
        Facts {
            status: self.status,
            reported,
            shape,
        }
    }

    /// The error for a refusal, by HTTP status and by the words of the message (v1 sometimes
    /// answers errors with HTTP 200); `envelope` when the body is v1's documented error
    /// envelope (`"status":"error"`).
    fn refusal(&self, message: Option<&str>, envelope: bool) -> Error {
        self.note_refusal(message, None, envelope);
        let text = self.error_text(message);
        let lower = message.unwrap_or("").to_ascii_lowercase();
        let status = self.status;
        if status >= 500 {
            Error::Server {
                status,
                message: text,
            }
        } else if status == 429 || lower.contains("rate limit") {
            Error::RateLimited {
                status,
                message: text,
                retry_after: self.retry_after,
            }
        } else if status == 402 || lower.contains("insufficient credits") {
            Error::InsufficientCredits {
                status,
                message: text,
            }
        } else if status == 401
            || status == 403
            || (lower.contains("cookie")
                && (lower.contains("invalid") || lower.contains("expired")))
            || lower.contains("invalid api key")
        {
            Error::Unauthorized {
                status,
                message: text,
            }
        } else {
            Error::Api {
                status,
                message: text,
            }
        }
    }

    /// The text an error carries: the server's message, or what else there is to show.
    fn error_text(&self, message: Option<&str>) -> String {
        match (message, self.location) {
            (Some(message), _) => message.to_owned(),
            (None, Some(location)) if (300..400).contains(&self.status) => format!(
                "redirect not followed (it would carry the API key), check Config::base_url: \
                 to {location}"
            ),
            (None, _) if self.body.is_empty() => "(empty body)".to_owned(),
            (None, _) => String::from_utf8_lossy(self.body).into_owned(),
        }
    }

    pub(crate) fn decode_error(&self, reason: &str) -> Error {
        Error::Decode {
            status: self.status,
            reason: reason.to_owned(),
            snippet: String::from_utf8_lossy(self.body).into_owned(),
        }
    }
}
