//! The data types: what a reply holds ([`SentInvitationsPage`], [`Invitation`], ...) and the
//! API's enumerations ([`InvitationType`], [`InvitationState`], [`Country`]).

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::Error;
use crate::redact::Secrets;
use crate::sent_time::days_ago;
#[cfg(doc)] // named by the docs
use crate::withdraw_invitation;

/// `Display` and serde for an enum whose wire form is text: `as_str` out, `from_wire` in, so an
/// unknown value becomes the enum's `Other` instead of failing a page that was paid for.
macro_rules! wire_text {
    ($name:ident) => {
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map($name::from_wire)
            }
        }
    };
}

/// The kind of invitation: to a person, to a company page, or to a newsletter.
///
/// Unknown values from the server decode as [`InvitationType::Other`] rather than failing the
/// page you paid for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum InvitationType {
    /// `CONNECTION`: invitations to connect with people.
    Connection,
    /// `ORGANIZATION`: invitations to follow company pages.
    Organization,
    /// `CONTENT_SERIES`: invitations to subscribe to newsletters.
    ContentSeries,
    /// Any other value, kept as the server spelled it.
    Other(String),
}

impl InvitationType {
    /// The wire form: `CONNECTION`, `ORGANIZATION`, `CONTENT_SERIES`, or the other value.
    pub fn as_str(&self) -> &str {
        match self {
            InvitationType::Connection => "CONNECTION",
            InvitationType::Organization => "ORGANIZATION",
            InvitationType::ContentSeries => "CONTENT_SERIES",
            InvitationType::Other(other) => other,
        }
    }

    fn from_wire(value: String) -> InvitationType {
        match value.as_str() {
            "CONNECTION" => InvitationType::Connection,
            "ORGANIZATION" => InvitationType::Organization,
            "CONTENT_SERIES" => InvitationType::ContentSeries,
            _ => InvitationType::Other(value),
        }
    }
}

impl FromStr for InvitationType {
    type Err = Error;

    /// Parses the three documented types, case-insensitively, with `-` or `_`
    /// (`connection`, `content-series`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParams`] for any other text, such as `"people"` or `""`.
    fn from_str(s: &str) -> Result<InvitationType, Error> {
        match s.trim().to_ascii_uppercase().replace('-', "_").as_str() {
            "CONNECTION" => Ok(InvitationType::Connection),
            "ORGANIZATION" => Ok(InvitationType::Organization),
            "CONTENT_SERIES" => Ok(InvitationType::ContentSeries),
            _ => Err(Error::InvalidParams(format!(
                "unknown invitation type {:?}: use CONNECTION, ORGANIZATION or CONTENT_SERIES",
                Secrets::none().shown(s, 40)
            ))),
        }
    }
}

wire_text!(InvitationType);

/// The state of a sent invitation.
///
/// The endpoint documents `PENDING` (sent, not yet answered); any other value decodes as
/// [`InvitationState::Other`] rather than failing the page.
///
/// # Examples
///
/// ```
/// use linkup_sent_invitations::{Invitation, InvitationState};
///
/// let invitations: Vec<Invitation> = serde_json::from_str(
///     r#"[{"invitation_id": 2, "invitation_state": "PENDING"},
///         {"invitation_id": 1, "invitation_state": "IGNORED"}]"#,
/// )?;
/// let pending: Vec<u64> = invitations
///     .iter()
///     .filter(|i| i.invitation_state == Some(InvitationState::Pending))
///     .map(|i| i.invitation_id)
///     .collect();
/// assert_eq!(pending, [2]);
/// assert_eq!(invitations[1].invitation_state, Some(InvitationState::Other("IGNORED".into())));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum InvitationState {
    /// `PENDING`: sent and not yet answered; the invitations a user may want to withdraw.
    Pending,
    /// Any other value, kept as the server spelled it.
    Other(String),
}

impl InvitationState {
    /// The wire form: `PENDING` or the other value.
    pub fn as_str(&self) -> &str {
        match self {
            InvitationState::Pending => "PENDING",
            InvitationState::Other(other) => other,
        }
    }

    fn from_wire(value: String) -> InvitationState {
        match value.as_str() {
            "PENDING" => InvitationState::Pending,
            _ => InvitationState::Other(value),
        }
    }
}

wire_text!(InvitationState);

/// The country of the proxy LinkUp uses for a call: the 11 documented codes.
///
/// # Examples
///
/// ```
/// use linkup_sent_invitations::Country;
///
/// assert_eq!("us".parse::<Country>().unwrap(), Country::Us);
/// assert_eq!(Country::Uk.as_str(), "UK");
/// assert!("XX".parse::<Country>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Country {
    /// `US`, United States.
    Us,
    /// `UK`, United Kingdom.
    Uk,
    /// `FR`, France (the API's default).
    Fr,
    /// `DE`, Germany.
    De,
    /// `NL`, Netherlands.
    Nl,
    /// `IT`, Italy.
    It,
    /// `IL`, Israel.
    Il,
    /// `CA`, Canada.
    Ca,
    /// `BR`, Brazil.
    Br,
    /// `ES`, Spain.
    Es,
    /// `IN`, India.
    In,
}

impl Country {
    /// Every documented country, in the documentation's order.
    pub const ALL: [Country; 11] = [
        Country::Us,
        Country::Uk,
        Country::Fr,
        Country::De,
        Country::Nl,
        Country::It,
        Country::Il,
        Country::Ca,
        Country::Br,
        Country::Es,
        Country::In,
    ];

    /// The wire form, such as `"US"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Country::Us => "US",
            Country::Uk => "UK",
            Country::Fr => "FR",
            Country::De => "DE",
            Country::Nl => "NL",
            Country::It => "IT",
            Country::Il => "IL",
            Country::Ca => "CA",
            Country::Br => "BR",
            Country::Es => "ES",
            Country::In => "IN",
        }
    }
}

impl FromStr for Country {
    type Err = Error;

    /// Parses a documented code, case-insensitively (`"us"`, `"FR"`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParams`] for any other text, such as `"GB"`, `"USA"` or `""`.
    fn from_str(s: &str) -> Result<Country, Error> {
        let code = s.trim();
        Country::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(code))
            .ok_or_else(|| {
                Error::InvalidParams(format!(
                    "unknown country {:?}: use one of US, UK, FR, DE, NL, IT, IL, CA, BR, ES, IN",
                    Secrets::none().shown(s, 40)
                ))
            })
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One response: the invitations of the pages asked for, with the totals and paging facts.
///
/// This is the `data` object of the API's reply; it deserialises from it directly and
/// serialises back to the same shape. Unknown fields are ignored.
///
/// # Examples
///
/// The `data` of the documented sample, kept as JSON and read back (say, from a cache):
///
/// ```
/// use linkup_sent_invitations::SentInvitationsPage;
///
/// let page: SentInvitationsPage = serde_json::from_str(r#"{
///     "total_results": 1,
///     "total_available_results": 138,
///     "invitations": [{"name": "Michelle Heppler", "sent_time": "Sent yesterday",
///                      "invitation_id": 7329176687475109888, "invitation_state": "PENDING"}],
///     "pagination": {"start_page": 1, "end_page": 1, "results_per_page": 10, "pages_fetched": 1}
/// }"#)?;
/// assert_eq!(page.invitations[0].invitation_id, 7329176687475109888);
/// assert_eq!(page.total_available_results, Some(138));
/// let text = serde_json::to_string(&page)?;
/// assert_eq!(serde_json::from_str::<SentInvitationsPage>(&text)?, page);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SentInvitationsPage {
    /// How many invitations this response holds (0 when the server leaves it out).
    #[serde(default, deserialize_with = "null_as_default")]
    pub total_results: u64,
    /// How many sent invitations exist in all, when the server says.
    pub total_available_results: Option<u64>,
    /// The invitations, in the server's order (newest first).
    #[serde(default, deserialize_with = "null_as_default")]
    pub invitations: Vec<Invitation>,
    /// Which pages this response covers, when the server says. For a v2 call the pages are of
    /// 50 invitations, computed from `offset` and `count`.
    pub pagination: Option<Pagination>,
    /// v2 only: the offset-based paging facts as the server gave them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset_pagination: Option<OffsetPagination>,
    /// v2 only: the credits the call consumed, as the server reported them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits_consumed: Option<u64>,
}

/// One sent invitation.
///
/// Like every type that mirrors the API's replies, it is `#[non_exhaustive]`: LinkUp adds
/// fields, and a new one is then no breaking change. Outside this crate, build one from
/// [`Default`] and set its fields (or deserialise it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Invitation {
    /// The invitee's name (a person, a page or a newsletter).
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    /// The invitee's LinkedIn URL.
    pub profile_url: Option<String>,
    /// The invitee's headline.
    pub subtitle: Option<String>,
    /// When it was sent, as LinkedIn words it ("Sent yesterday"); see
    /// [`Invitation::sent_days_ago`].
    pub sent_time: Option<String>,
    /// The invitation's id, exact to the last digit (the server sends a JSON number above
    /// 2^53 or a numeric string; both decode, and it never passes through `f64`).
    #[serde(deserialize_with = "invitation_id")]
    pub invitation_id: u64,
    /// The invitation's state, such as [`InvitationState::Pending`].
    pub invitation_state: Option<InvitationState>,
    /// The note sent with the invitation; `None` when there was none.
    pub message: Option<String>,
    /// LinkedIn's URN for the invitation (`urn:li:fsd_invitation:…`).
    pub entity_urn: Option<String>,
    /// The invitee's picture URL.
    pub profile_picture: Option<String>,
    /// The invitation's type.
    pub invitation_type: Option<InvitationType>,
    /// v2 only: the age in days the server computed (`sent_time_days`), which
    /// [`sent_days_ago`](Invitation::sent_days_ago) prefers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_time_days: Option<u32>,
}

impl Invitation {
    /// When the invitation was sent, exact to the millisecond, read from its id.
    ///
    /// LinkedIn's 19-digit invitation ids are time-ordered: the id shifted right by 22 bits is
    /// the moment it was sent, in milliseconds since the Unix epoch (the layout of LinkedIn's
    /// activity ids; measured, not documented by LinkUp). The documented sample,
    /// 7329176687475109888 with "Sent yesterday", gives 2025-05-16T16:11:31.812Z, and its
    /// profile-picture URL, fetched the same day, expires two months later. This works in every
    /// language, with no text to parse.
    ///
    /// Returns `None` where the id carries no plausible time: older short ids such as
    /// 2906418534, 0, a time before 2010-01-01, or one more than a day ahead of this machine's
    /// clock.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use linkup_sent_invitations::Invitation;
    ///
    /// let mut sample = Invitation::default(); // the type is #[non_exhaustive]: set its fields
    /// sample.invitation_id = 7329176687475109888;
    /// assert_eq!(sample.sent_at(), Some(UNIX_EPOCH + Duration::from_millis(1_747_411_891_812)));
    ///
    /// sample.invitation_id = 2906418534; // an older, short id
    /// assert_eq!(sample.sent_at(), None);
    /// ```
    pub fn sent_at(&self) -> Option<SystemTime> {
        /// 2010-01-01T00:00:00Z: LinkedIn's time-ordered ids are much younger.
        const EARLIEST_MS: u64 = 1_262_304_000_000;
        let ms = self.invitation_id >> 22;
        let at = UNIX_EPOCH + Duration::from_millis(ms);
        let latest = SystemTime::now() + Duration::from_secs(86_400);
        (ms >= EARLIEST_MS && at <= latest).then_some(at)
    }

    /// How many days ago the invitation was sent, read from [`sent_time`](Invitation::sent_time),
    /// rounded down as LinkedIn rounds it. Prefer [`sent_at`](Invitation::sent_at), which is
    /// exact, where the id carries a time.
    ///
    /// Reads LinkedIn's wording in the languages it has been seen in, in any case:
    ///
    /// - English: "Sent today", "Sent yesterday", "Sent 11 hours ago", "Sent 3 weeks ago",
    ///   "Sent a year ago" (with or without "Sent ");
    /// - German: "Gestern gesendet", "Vor 3 Wochen gesendet", "Vor 1 Tag gesendet", every unit
    ///   from seconds to years, singular and dative plural;
    /// - Portuguese (Brazil): "Enviado ontem", "Enviado há 1 semana", "Enviada há 3 meses",
    ///   with "há" or "ha", every unit singular and plural;
    /// - LinkUp v2's short form: "5d".
    ///
    /// Seconds, minutes and hours are day 0, weeks 7 days, months 30 and years 365. Returns
    /// `None` for anything else (another language, a bare "Gesendet" with no age), or when
    /// `sent_time` is absent: wording that has not been seen is not guessed.
    ///
    /// # Examples
    ///
    /// ```
    /// use linkup_sent_invitations::Invitation;
    ///
    /// let sent = |text: &str| {
    ///     let mut invitation = Invitation::default();
    ///     invitation.sent_time = Some(text.into());
    ///     invitation
    /// };
    /// assert_eq!(sent("Sent yesterday").sent_days_ago(), Some(1));
    /// assert_eq!(sent("Sent 3 weeks ago").sent_days_ago(), Some(21));
    /// assert_eq!(sent("Vor 3 Wochen gesendet").sent_days_ago(), Some(21));
    /// assert_eq!(sent("Enviado há 1 semana").sent_days_ago(), Some(7));
    /// assert_eq!(sent("5d").sent_days_ago(), Some(5));
    /// assert_eq!(sent("Envoyée il y a 3 semaines").sent_days_ago(), None); // no sample yet
    /// ```
    pub fn sent_days_ago(&self) -> Option<u32> {
        self.sent_time_days
            .or_else(|| days_ago(self.sent_time.as_deref()?))
    }
}

/// Which pages a response covers.
///
/// # Examples
///
/// ```
/// use linkup_sent_invitations::SentInvitationsPage;
///
/// let page: SentInvitationsPage = serde_json::from_str(r#"{"total_available_results": 138,
///     "pagination": {"start_page": 2, "end_page": 3, "results_per_page": 10, "pages_fetched": 2}}"#)?;
/// let pagination = page.pagination.expect("v1 replies carry it");
/// assert_eq!(pagination.pages_fetched, 2); // what the call was charged, in credits (v1)
/// let pages = page.total_available_results.unwrap().div_ceil(u64::from(pagination.results_per_page));
/// assert_eq!(pages, 14);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Pagination {
    /// The first page of the response.
    #[serde(default, deserialize_with = "null_as_default")]
    pub start_page: u32,
    /// The last page of the response.
    #[serde(default, deserialize_with = "null_as_default")]
    pub end_page: u32,
    /// Invitations per page (10).
    #[serde(default, deserialize_with = "null_as_default")]
    pub results_per_page: u32,
    /// How many pages the call fetched (and charged).
    #[serde(default, deserialize_with = "null_as_default")]
    pub pages_fetched: u32,
}

/// v2's paging facts: `count` invitations after the first `offset`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OffsetPagination {
    /// How many invitations were skipped.
    #[serde(default, deserialize_with = "null_as_default")]
    pub offset: u64,
    /// How many invitations were returned.
    #[serde(default, deserialize_with = "null_as_default")]
    pub count: u64,
    /// The offset of the next page, when there is one.
    pub next_offset: Option<u64>,
    /// Whether more invitations follow.
    pub has_more: Option<bool>,
    /// LinkedIn's page size behind the call.
    #[serde(default, deserialize_with = "null_as_default")]
    pub results_per_page: u32,
    /// How many upstream pages LinkUp fetched for the call.
    #[serde(default, deserialize_with = "null_as_default")]
    pub pages_fetched: u32,
}

/// A withdrawal LinkUp confirmed: what [`withdraw_invitation`] returns.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Withdrawal {
    /// The invitation withdrawn.
    pub invitation_id: u64,
    /// What the call cost, in credits, retries included: 1 as documented (a v2 reply counts
    /// what it says it consumed, never less than 1; a v1 429 that was retried counts too).
    pub credits: u64,
    /// The server's words, when it gave some ("Connection invitation withdrawn successfully").
    pub message: Option<String>,
}

/// `null` as the type's default, so a `null` where the docs show a value does not fail a page.
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// An id from a JSON number or a numeric string, exact: serde_json hands integers to
/// `visit_u64` without going through `f64`; fractions and negatives are refused.
pub(crate) fn invitation_id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    struct IdVisitor;

    impl serde::de::Visitor<'_> for IdVisitor {
        type Value = u64;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a non-negative integer id, as a number or a string of digits")
        }

        fn visit_u64<E: serde::de::Error>(self, id: u64) -> Result<u64, E> {
            Ok(id)
        }

        fn visit_i64<E: serde::de::Error>(self, id: i64) -> Result<u64, E> {
            u64::try_from(id).map_err(|_| E::custom(format!("negative invitation_id {id}")))
        }

        fn visit_str<E: serde::de::Error>(self, id: &str) -> Result<u64, E> {
            let digits = id.trim();
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(E::custom(format!(
                    // The value last, whole: what shows of it is decided by the redaction
                    // step, which every error passes, and cut only after it.
                    "invitation_id is not a string of digits: {id:?}"
                )));
            }
            digits
                .parse()
                .map_err(|_| E::custom("invitation_id does not fit in 64 bits"))
        }
    }

    deserializer.deserialize_any(IdVisitor)
}
