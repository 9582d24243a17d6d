//! The public calls: one listing page, connecting an account, withdrawing an invitation.

use crate::classify::{Acted, CallKind};
use crate::config::{Config, Params, Who};
use crate::error::{invalid, Error};
use crate::ground::Generation;
use crate::redact::MAX_MESSAGE_CHARS;
use crate::transport::{fetch_page, send, Call, Credits};
use crate::types::{Country, SentInvitationsPage, Withdrawal};
use crate::wire::v2::{returned_account_ids, LoginData, LoginRequest, LOGIN_PATH};
use crate::wire::Reply;
#[cfg(doc)] // named by the docs
use crate::{Invitation, Paginator};

/// Fetches one response page: the pages (or total results) that `params` ask for.
///
/// Costs one credit per page the API fetches: one for the defaults, `end - start + 1` for
/// [`Params::pages`], `⌈total_results / 10⌉` for [`Params::total_results`]. To walk all
/// invitations, use a [`Paginator`], which stops exactly where the data ends.
///
/// # Errors
///
/// - [`Error::InvalidParams`], with nothing sent, for: an empty or blank API key or
///   `login_token`; an API key with spaces or control characters; page 0; an end page before
///   the start page; `total_results(0)`; `total_results` together with pages; a base URL that
///   is `http://` to anything but a loopback host.
/// - [`Error::Unauthorized`], [`Error::InsufficientCredits`], [`Error::RateLimited`],
///   [`Error::Server`], [`Error::Api`] when the API refuses (by HTTP status or by a
///   `"status":"error"` body), after the retries that [`Config::max_retries`] allows.
/// - [`Error::Transport`] when the network fails, [`Error::Decode`] when the reply is not the
///   documented shape.
///
/// # Examples
///
/// ```
/// # let server = httpmock::MockServer::start();
/// # let mock = server.mock(|when, then| {
/// #     when.method("POST").path("/v1/network/sent-invitations")
/// #         .header("x-api-key", "your-api-key")
/// #         .json_body(serde_json::json!({"login_token": "your-login-token",
/// #             "invitation_type": "CONNECTION", "start_page": 2, "end_page": 3}));
/// #     then.status(200).body(r#"{"status":"success","data":{"total_results":0,"invitations":[]}}"#);
/// # });
/// use linkup_sent_invitations::{fetch_sent_invitations, Config, Error, Params};
///
/// let config = Config::new("your-api-key");
/// # let config = config.base_url(server.base_url());
/// let page = fetch_sent_invitations(&config, &Params::new("your-login-token").pages(2, 3))?;
/// assert!(page.invitations.is_empty());
///
/// // Refused locally: nothing is sent, no credit is spent.
/// let err = fetch_sent_invitations(&config, &Params::new("your-login-token").pages(3, 2));
/// assert!(matches!(err, Err(Error::InvalidParams(_))));
/// # mock.assert_calls(1);
/// # Ok::<(), Error>(())
/// ```
pub fn fetch_sent_invitations(
    config: &Config,
    params: &Params,
) -> Result<SentInvitationsPage, Error> {
    config.validate()?;
    params.validate()?;
    if params.total_results.is_some() && params.start_page.is_some() {
        return Err(invalid(
            "total_results and pages are two different modes: set one or the other \
             (the API does not document what both do)",
        ));
    }
    let mut credits = Credits::default();
    fetch_page(config, params, None, &mut credits)
}

/// Connects the LinkedIn account behind a v1 login token to LinkUp's v2 API, and returns its
/// `account_id`: the id [`Params::account`] takes. This is the one step of moving to v2.
///
/// It posts `{"platform": "linkedin", "login_token": ..., "country": ...}` to `/v2/login`
/// (`country` only when set on `params`). LinkUp documents the call as free and idempotent:
/// calling it again for the same token returns the same id, and costs nothing, so it is
/// retried like a listing. Keep the id (this crate treats it as a secret, like the token) and
/// use it from then on.
///
/// # Errors
///
/// - [`Error::InvalidParams`], with nothing sent, for `params` made with [`Params::account`]
///   (the account is connected already), an empty or blank login token, or what
///   [`Config::check`] refuses.
/// - [`Error::Unauthorized`] for a bad API key or an expired login token, and the other
///   refusals as for a listing (v2's codes), after the retries [`Config::max_retries`] allows.
/// - [`Error::Decode`] for a reply without `data.account_id`.
///
/// # Examples
///
/// ```
/// # let server = httpmock::MockServer::start();
/// # server.mock(|when, then| {
/// #     when.method("POST").path("/v2/login").json_body(serde_json::json!(
/// #         {"platform": "linkedin", "login_token": "your-login-token", "country": "US"}));
/// #     then.status(200).body(r#"{"success":true,"data":{"account_id":"acc_abc123"}}"#);
/// # });
/// use linkup_sent_invitations::{connect_account, Config, Country, Params};
///
/// let config = Config::new("your-api-key");
/// # let config = config.base_url(server.base_url());
/// let v1 = Params::new("your-login-token").country(Country::Us);
/// let account_id = connect_account(&config, &v1)?;
/// assert_eq!(account_id, "acc_abc123");
/// let v2 = Params::account(account_id); // five times fewer credits from here on
/// # let _ = v2;
/// # Ok::<(), linkup_sent_invitations::Error>(())
/// ```
pub fn connect_account(config: &Config, params: &Params) -> Result<String, Error> {
    config.validate()?;
    params.validate()?;
    let Who::LoginToken(token) = &params.who else {
        return Err(invalid(
            "connect_account takes the login token of Params::new: Params::account names an \
             account that is connected already",
        ));
    };
    let json = serde_json::to_vec(&LoginRequest {
        platform: "linkedin",
        login_token: token,
        country: params.country.map(Country::as_str),
    })
    .unwrap_or_default();
    let endpoint = format!("{}{LOGIN_PATH}", config.base_url);
    let read = |reply: &Reply<'_>| {
        let (data, consumed) = reply.read_v2_data::<LoginData>();
        let id = data.and_then(|data| {
            data.account_id
                .filter(|id| !id.trim().is_empty())
                .ok_or_else(|| reply.decode_error("no \"account_id\" in \"data\""))
        });
        let facts = reply.facts(consumed, &id, 0);
        (id, facts)
    };
    let call = Call {
        endpoint: &endpoint,
        json: &json,
        credential: token,
        // An id the reply gives for the account, in whatever shape, is as secret as the token.
        learn: Some(returned_account_ids),
        read: &read,
        kind: CallKind::Login,
        generation: Generation::V2,
    };
    send(config, &call, &mut Credits::default())
}

/// Withdraws one pending invitation, by the id a listing gave ([`Invitation::invitation_id`]).
///
/// v1 posts `{"invitation_id": "<id>", "login_token": ..., "country": ...}` to
/// `/v1/network/withdraw-invitation` (`country` only when set); v2 posts `{"account_id": ...,
/// "action": "withdraw", "params": {"invitation_id": "<id>"}}` to `/v2/network`. The type and
/// paging fields of `params` play no part. It costs one credit; v2 errors cost nothing.
///
/// It changes the user's LinkedIn, so it is never repeated blindly. Only what cannot have
/// reached LinkedIn is retried: a failure before the request was sent (the host not found, the
/// connection refused) and a rate limit (refused before acting), within
/// [`Config::max_retries`], paced like every call. A timeout or a dropped connection after the
/// request was sent, a server error, or a reply that cannot be read is returned at once as
/// [`Error::OutcomeUnknown`]: it may have happened, and the next listing settles it (a
/// withdrawn invitation is gone from the list).
///
/// LinkedIn then keeps the person from being invited again for up to three weeks.
///
/// # Errors
///
/// - [`Error::InvalidParams`], with nothing sent, for invitation id 0, an empty or blank login
///   token or account id, a country on v2 params, or what [`Config::check`] refuses.
/// - [`Error::OutcomeUnknown`] when the request was sent and no answer came back to say what
///   happened; its `source` says what came instead.
/// - [`Error::Api`] for a refusal of the invitation itself, such as one that is not pending any
///   more (LinkUp does not document its wording for that), or a v2 reply of
///   `"withdrawn": false`; [`Error::Unauthorized`], [`Error::InsufficientCredits`],
///   [`Error::RateLimited`] (after the retries allowed) for the account, as for a listing.
///
/// # Examples
///
/// On the crate's fake (feature `test-util`), which withdraws for real from the list it holds:
///
/// ```
/// # #[cfg(feature = "test-util")]
/// # {
/// use linkup_sent_invitations::{withdraw_invitation, Config, FakeApi, Paginator, Params};
///
/// let fake = FakeApi::start(25);
/// let config = Config::new("your-api-key").base_url(fake.base_url()).requests_per_minute(0);
/// let params = Params::new("your-login-token");
///
/// let oldest = fake.invitation_id(24);
/// let done = withdraw_invitation(&config, &params, oldest).expect("pending, so withdrawn");
/// assert_eq!(done.credits, 1);
///
/// // The next listing no longer holds it; withdrawing it again is refused.
/// let left: Vec<u64> = Paginator::new(&config, params.clone())
///     .items()
///     .map(|i| i.map(|i| i.invitation_id))
///     .collect::<Result<_, _>>()
///     .unwrap();
/// assert_eq!(left.len(), 24);
/// assert!(!left.contains(&oldest));
/// assert!(withdraw_invitation(&config, &params, oldest).is_err());
/// # }
/// ```
pub fn withdraw_invitation(
    config: &Config,
    params: &Params,
    invitation_id: u64,
) -> Result<Withdrawal, Error> {
    withdraw(config, params, invitation_id).0
}

/// [`withdraw_invitation`], and what the server did with it: what a journal records.
pub(crate) fn withdraw(
    config: &Config,
    params: &Params,
    invitation_id: u64,
) -> (Result<Withdrawal, Error>, Acted) {
    if let Err(err) = check_withdrawal(config, params, invitation_id) {
        return (Err(err), Acted::No);
    }
    let generation = params.generation();
    let json = generation.withdraw_body(params, invitation_id);
    let endpoint = format!("{}{}", config.base_url, generation.withdraw_path());
    let read = |reply: &Reply<'_>| generation.read_withdrawal(reply);
    let call = Call {
        endpoint: &endpoint,
        json: &json,
        credential: params.credential(),
        learn: None,
        read: &read,
        kind: CallKind::Withdraw,
        generation,
    };
    let mut credits = Credits::default();
    let result = match send(config, &call, &mut credits) {
        Ok(message) => {
            let mut secrets = config.secrets();
            secrets.add(params.credential());
            Ok(Withdrawal {
                invitation_id,
                credits: credits.used,
                message: message.map(|m| secrets.shown(&m, MAX_MESSAGE_CHARS)),
            })
        }
        Err(err) if credits.acted == Acted::Maybe => Err(Error::OutcomeUnknown {
            invitation_id,
            source: Box::new(err),
        }),
        Err(err) => Err(err),
    };
    (result, credits.acted)
}

/// What a withdrawal refuses before anything is written or sent: what [`Config::check`]
/// refuses, an empty credential, invitation id 0.
pub(crate) fn check_withdrawal(
    config: &Config,
    params: &Params,
    invitation_id: u64,
) -> Result<(), Error> {
    config.validate()?;
    params.validate_who()?;
    if invitation_id == 0 {
        return Err(invalid(
            "invitation id 0 is no invitation: pass the invitation_id a listing gave",
        ));
    }
    Ok(())
}
