//! v2's wire format: `POST /v2/network` and `/v2/login` bodies and the
//! `{"success": ...}` envelope.

use serde::{Deserialize, Serialize};

use super::Reply;
use crate::error::Error;
use crate::ground::V2_PAGE_SIZE;
use crate::redact::Secrets;
use crate::types::{
    null_as_default, Invitation, InvitationState, InvitationType, OffsetPagination, Pagination,
    SentInvitationsPage,
};

/// Where a v1 login token is turned into a v2 account (v2 only, free and idempotent).
pub(crate) const LOGIN_PATH: &str = "/v2/login";

#[derive(Serialize)]
pub(crate) struct LoginRequest<'a> {
    pub(crate) platform: &'static str,
    pub(crate) login_token: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) country: Option<&'static str>,
}

/// Every value under `data.account_id` of a `/v2/login` reply, whatever its shape: the id of
/// the account, as secret as the token it came from.
pub(crate) fn returned_account_ids(body: &[u8]) -> Secrets<'static> {
    fn leaves(value: &serde_json::Value, out: &mut Secrets<'static>) {
        match value {
            serde_json::Value::String(text) => out.add(text.clone()),
            serde_json::Value::Number(number) => out.add(number.to_string()),
            serde_json::Value::Array(items) => items.iter().for_each(|v| leaves(v, out)),
            serde_json::Value::Object(map) => map.values().for_each(|v| leaves(v, out)),
            serde_json::Value::Bool(_) | serde_json::Value::Null => {}
        }
    }
    let mut out = Secrets::none();
    let text = String::from_utf8_lossy(body);
    let text = text.trim_start_matches('\u{feff}');
    if let Ok(reply) = serde_json::from_str::<serde_json::Value>(text) {
        leaves(&reply["data"]["account_id"], &mut out);
    }
    // And wherever the body names one, whole JSON or not (a duplicate key, a body cut short,
    // trailing bytes): every string or number of the value after each "account_id".
    for (at, _) in text.match_indices("\"account_id\"") {
        let rest = text[at + 12..].trim_start();
        let Some(rest) = rest.strip_prefix(':') else {
            continue;
        };
        let value: String = rest.chars().take(512).collect();
        let mut stream =
            serde_json::Deserializer::from_str(value.trim_start()).into_iter::<serde_json::Value>();
        match stream.next() {
            Some(Ok(value)) => leaves(&value, &mut out),
            // Cut short or malformed: every run of characters an id is made of.
            _ => {
                for word in value.split(|c: char| !(c.is_alphanumeric() || "_-.".contains(c))) {
                    out.add(word.to_owned());
                }
            }
        }
    }
    out
}

#[derive(Deserialize)]
pub(crate) struct LoginData {
    pub(crate) account_id: Option<String>,
}

/// A v2 withdrawal.
#[derive(Serialize)]
pub(crate) struct V2Withdraw<'a> {
    pub(crate) account_id: &'a str,
    pub(crate) action: &'static str,
    pub(crate) params: V2WithdrawParams,
}

#[derive(Serialize)]
pub(crate) struct V2WithdrawParams {
    pub(crate) invitation_id: String,
}

#[derive(Deserialize)]
pub(crate) struct V2Withdrawn {
    pub(crate) withdrawn: Option<bool>,
}

/// A v2 request: `count` invitations after the first `offset`.
#[derive(Serialize)]
pub(crate) struct V2Request<'a> {
    pub(crate) account_id: &'a str,
    pub(crate) action: &'static str,
    pub(crate) params: V2RequestParams<'a>,
}

#[derive(Serialize)]
pub(crate) struct V2RequestParams<'a> {
    pub(crate) count: u64,
    pub(crate) offset: u64,
    pub(crate) invitation_type: &'a str,
}

/// The v2 envelope: `{"success": true, "data": {...}, "metadata": {...}}` or
/// `{"success": false, "error": {"code": ..., "message": ...}, "metadata": {...}}`.
#[derive(Deserialize)]
struct V2Envelope<D> {
    success: Option<bool>,
    data: Option<D>,
    error: Option<V2Error>,
    metadata: Option<V2Metadata>,
}

#[derive(Deserialize)]
struct V2Error {
    code: Option<String>,
    message: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct V2Metadata {
    credits_consumed: Option<u64>,
}

#[derive(Deserialize)]
struct V2Data {
    #[serde(default, deserialize_with = "null_as_default")]
    invitations: Vec<V2Invitation>,
    #[serde(default, deserialize_with = "null_as_default")]
    total_results: u64,
    total_available_results: Option<u64>,
    pagination: Option<OffsetPagination>,
}

#[derive(Deserialize)]
struct V2Invitation {
    entity_urn: Option<String>,
    recipient: Option<V2Recipient>,
    invitation_type: Option<InvitationType>,
    sent_time: Option<String>,
    sent_time_days: Option<u32>,
}

#[derive(Default, Deserialize)]
struct V2Recipient {
    first_name: Option<String>,
    last_name: Option<String>,
    headline: Option<String>,
    linkedin_url: Option<String>,
    profile_picture: Option<String>,
}

impl V2Data {
    /// The same page a v1 call gives: pages of 50 from `offset` and `count`, each invitation
    /// with its id from the end of its URN. v2 lists pending invitations only.
    fn into_page(self, credits_consumed: Option<u64>) -> Result<SentInvitationsPage, String> {
        let invitations = self
            .invitations
            .into_iter()
            .map(|invitation| invitation.into_invitation())
            .collect::<Result<Vec<_>, _>>()?;
        let per_page = u64::from(V2_PAGE_SIZE);
        let pagination = self.pagination.as_ref().map(|p| {
            let start = p.offset / per_page + 1;
            let pages = p.count.div_ceil(per_page).max(1);
            Pagination {
                start_page: u32::try_from(start).unwrap_or(u32::MAX),
                end_page: u32::try_from(start + pages - 1).unwrap_or(u32::MAX),
                results_per_page: V2_PAGE_SIZE,
                pages_fetched: p.pages_fetched,
            }
        });
        Ok(SentInvitationsPage {
            total_results: self.total_results,
            total_available_results: self.total_available_results,
            invitations,
            pagination,
            offset_pagination: self.pagination,
            credits_consumed,
        })
    }
}

impl V2Invitation {
    fn into_invitation(self) -> Result<Invitation, String> {
        let urn = self.entity_urn.unwrap_or_default();
        let digits = urn.rsplit(':').next().unwrap_or("");
        let invitation_id = match digits.parse::<u64>() {
            Ok(id) if digits.bytes().all(|b| b.is_ascii_digit()) => id,
            _ => {
                // The value last, whole: the redaction step reads all of it, then cuts.
                return Err(format!(
                    "entity_urn does not end in an invitation id: {urn:?}"
                ));
            }
        };
        let recipient = self.recipient.unwrap_or_default();
        let name = [recipient.first_name, recipient.last_name]
            .into_iter()
            .flatten()
            .filter(|part| !part.trim().is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        Ok(Invitation {
            name,
            profile_url: recipient.linkedin_url,
            subtitle: recipient.headline,
            sent_time: self.sent_time,
            invitation_id,
            invitation_state: Some(InvitationState::Pending),
            message: None,
            entity_urn: Some(urn),
            profile_picture: recipient.profile_picture,
            invitation_type: self.invitation_type,
            sent_time_days: self.sent_time_days,
        })
    }
}

impl Reply<'_> {
    /// A v2 reply: `{"success":true,"data":{...},"metadata":{...}}`, or an error by its `code`;
    /// with the credits the reply says it consumed.
    pub(crate) fn read_v2(&self) -> (Result<SentInvitationsPage, Error>, Option<u64>) {
        let (data, consumed) = self.read_v2_data::<V2Data>();
        let page = data.and_then(|data| {
            data.into_page(consumed)
                .map_err(|reason| self.decode_error(&reason))
        });
        (page, consumed)
    }

    /// The `data` of a v2 reply, or the error its `code` says; with the credits the reply says
    /// it consumed.
    pub(crate) fn read_v2_data<D: serde::de::DeserializeOwned>(
        &self,
    ) -> (Result<D, Error>, Option<u64>) {
        let envelope = match serde_json::from_slice::<V2Envelope<D>>(self.body) {
            Ok(envelope) => envelope,
            Err(e) if (200..300).contains(&self.status) => {
                let reason = format!("not the documented v2 JSON: {e}");
                return (Err(self.decode_error(&reason)), None);
            }
            // An error page that is not v2 JSON (a proxy's 502, say): judged by its status.
            Err(_) => return (Err(self.refusal(None, false)), None),
        };
        let consumed = envelope.metadata.and_then(|m| m.credits_consumed);
        if (200..300).contains(&self.status) && envelope.success == Some(true) {
            let result = envelope
                .data
                .ok_or_else(|| self.decode_error("\"success\":true without \"data\""));
            return (result, consumed);
        }
        let Some(error) = envelope.error else {
            if (200..300).contains(&self.status) {
                let reason = "neither \"success\":true nor an \"error\"";
                return (Err(self.decode_error(reason)), consumed);
            }
            return (Err(self.refusal(None, false)), consumed);
        };
        let message = error.message.map(|m| match m {
            serde_json::Value::String(text) => text,
            other => other.to_string(),
        });
        let Some(code) = error.code else {
            return (Err(self.refusal(message.as_deref(), false)), consumed);
        };
        self.note_refusal(message.as_deref(), Some(&code), true);
        let text = format!("{} ({code})", self.error_text(message.as_deref()));
        let status = self.status;
        let err = match code.as_str() {
            "INVALID_API_KEY" | "ACCOUNT_INACTIVE" => Error::Unauthorized {
                status,
                message: text,
            },
            "INSUFFICIENT_CREDITS" => Error::InsufficientCredits {
                status,
                message: text,
            },
            "RATE_LIMITED" => Error::RateLimited {
                status,
                message: text,
                retry_after: self.retry_after,
            },
            "INTERNAL_ERROR" => Error::Server {
                status,
                message: text,
            },
            _ => Error::Api {
                status,
                message: text,
            },
        };
        (Err(err), consumed)
    }
}
