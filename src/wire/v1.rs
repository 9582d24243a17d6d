//! v1's wire format: `POST /v1/network/...` bodies and the `{"status": ...}` envelope.

use serde::{Deserialize, Serialize};

use super::Reply;
use crate::error::Error;
use crate::types::SentInvitationsPage;

/// A v1 withdrawal: the invitation id as a string, as the API takes it.
#[derive(Serialize)]
pub(crate) struct V1Withdraw<'a> {
    pub(crate) invitation_id: String,
    pub(crate) login_token: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) country: Option<&'static str>,
}

/// A v1 request: `invitation_type` always, the other optional fields only when set, so the
/// API's documented defaults apply.
#[derive(Serialize)]
pub(crate) struct V1Request<'a> {
    pub(crate) login_token: &'a str,
    pub(crate) invitation_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) total_results: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) start_page: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) end_page: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) country: Option<&'static str>,
}

/// The documented envelope: `{"status": "success", "data": {...}}` or
/// `{"status": "error", "message": "..."}`.
#[derive(Deserialize)]
struct Envelope {
    status: Option<String>,
    message: Option<serde_json::Value>,
    detail: Option<serde_json::Value>,
    data: Option<SentInvitationsPage>,
}

/// The envelope for error replies whose `data` is not a page: some v1 errors carry their text
/// there (`{"status":"error","data":"Invalid or expired LinkedIn cookie"}`).
#[derive(Deserialize)]
struct ErrorEnvelope {
    status: Option<String>,
    message: Option<serde_json::Value>,
    detail: Option<serde_json::Value>,
    data: Option<serde_json::Value>,
}

impl Reply<'_> {
    /// A v1 reply: `{"status":"success","data":{...}}`, or an error by status and message.
    pub(crate) fn read_v1(&self) -> Result<SentInvitationsPage, Error> {
        let success_status = (200..300).contains(&self.status);
        let (status_field, message, parse_error) =
            match serde_json::from_slice::<Envelope>(self.body) {
                Ok(envelope) => {
                    if success_status && envelope.status.as_deref() == Some("success") {
                        if let Some(page) = envelope.data {
                            return Ok(page);
                        }
                        return Err(self.decode_error("\"status\":\"success\" without \"data\""));
                    }
                    (envelope.status, envelope.message.or(envelope.detail), None)
                }
                Err(full) => match serde_json::from_slice::<ErrorEnvelope>(self.body) {
                    Ok(envelope) => {
                        let text = envelope.data.filter(serde_json::Value::is_string);
                        let message = envelope.message.or(envelope.detail).or(text);
                        (envelope.status, message, Some(full))
                    }
                    Err(_) => (None, None, Some(full)),
                },
            };
        let message = message.map(|m| match m {
            serde_json::Value::String(text) => text,
            other => other.to_string(),
        });
        let is_error_body = status_field.as_deref() == Some("error");
        // A 2xx that is neither a success nor a documented error is a shape we do not know.
        if success_status && !is_error_body {
            let reason = match (&parse_error, status_field.as_deref()) {
                (Some(e), Some("success")) => format!("\"data\" is not a page: {e}"),
                (Some(e), _) => format!("not the documented JSON: {e}"),
                (None, Some(other)) => format!("unknown \"status\" {other:?}"),
                (None, None) => "no \"status\" field".to_owned(),
            };
            return Err(self.decode_error(&reason));
        }
        Err(self.refusal(message.as_deref(), is_error_body))
    }

    /// A v1 reply that acknowledges an action: `{"status":"success","message":...}`, or an
    /// error by status and message.
    pub(crate) fn read_v1_ack(&self) -> Result<Option<String>, Error> {
        let envelope = match serde_json::from_slice::<ErrorEnvelope>(self.body) {
            Ok(envelope) => envelope,
            Err(e) if (200..300).contains(&self.status) => {
                let reason = format!("not the documented JSON: {e}");
                return Err(self.decode_error(&reason));
            }
            Err(_) => return Err(self.refusal(None, false)),
        };
        let text = envelope.data.filter(serde_json::Value::is_string);
        let message = envelope
            .message
            .or(envelope.detail)
            .or(text)
            .map(|m| match m {
                serde_json::Value::String(text) => text,
                other => other.to_string(),
            });
        let success = envelope.status.as_deref() == Some("success");
        if (200..300).contains(&self.status) && success {
            return Ok(message);
        }
        if (200..300).contains(&self.status) && envelope.status.as_deref() != Some("error") {
            let reason = match envelope.status {
                Some(other) => format!("unknown \"status\" {other:?}"),
                None => "no \"status\" field".to_owned(),
            };
            return Err(self.decode_error(&reason));
        }
        let envelope = envelope.status.as_deref() == Some("error");
        Err(self.refusal(message.as_deref(), envelope))
    }
}
