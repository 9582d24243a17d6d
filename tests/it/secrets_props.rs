//! The secrets promise as a property, through the public API: for any secret of 8 or more
//! characters (an API key, a login token in LinkedIn's base64 alphabet, an account id, a proxy
//! password, an account id a login reply gives), echoed by a server in any spelling (raw,
//! JSON-escaped, `\u`-escaped, percent-encoded, HTML references, mixed, or only part of it),
//! anywhere in a reply (body, a value the crate quotes, a header, the status line, a redirect),
//! after padding that moves it across every point where a message is cut, no text the crate
//! produces (an error's `Display` and `Debug`, its sources, a `Withdrawal`, `Debug` of the
//! config, the crate's log records), read with its escapes undone, holds 8 consecutive
//! characters of it.
//!
//! The cases come from proptest with a seeded generator: a failure prints the seed, the case
//! and the offending text. `LINKUP_SECRETS_SEED=<n>` runs another seed, and
//! `LINKUP_SECRETS_CASES=<n>` more cases; `LINKUP_SECRETS_TALLY=1` runs every case and counts
//! the ones that leak, for checking how often a deliberately broken crate is caught.

use crate::support;

use std::sync::{Arc, Mutex};

use linkup_sent_invitations::{
    connect_account, fetch_sent_invitations, withdraw_invitation, Config, Paginator, Params,
};
use proptest::prelude::*;
use proptest::test_runner::{RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use support::{Action, RawServer};

// ---------------------------------------------------------------------------------------------
// The case
// ---------------------------------------------------------------------------------------------

/// What is called.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Call {
    FetchV1,
    FetchV2,
    PagesV1,
    WithdrawV1,
    WithdrawV2,
    Connect,
    /// A base URL whose path holds the API key.
    BasePath,
    /// The same over https to a server that speaks plain http: a TLS error.
    BasePathTls,
    /// An https call through a proxy whose URL carries a password; the proxy answers CONNECT.
    Proxy,
    /// A base URL with the key and token as its user name and password: refused.
    BaseUserinfo,
    /// A base URL whose query holds a gateway's own code (the proxy password's secret).
    BaseQuery,
}

/// Which secret the server echoes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Which {
    Key,
    Credential,
    /// The account id a `/v2/login` reply gives, in a shape the crate does not expect.
    Returned,
    ProxyPassword,
}

/// How it is spelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    Raw,
    /// serde_json's escaping, with `/` as `\/` (PHP's default).
    Json,
    UnicodeLower,
    UnicodeUpper,
    PercentReservedUpper,
    PercentReservedLower,
    PercentAllUpper,
    PercentAllLower,
    HtmlDecimal,
    HtmlHex,
    /// `&#00047` and `&#x0002f`: leading zeros, no `;` (HTML reads the legacy form).
    HtmlPadded,
    /// `&sol;`, `&plus;`, `&AMP;`: named references where the character has one.
    HtmlNamed,
    /// Each character in one of the above, at random, and in either letter case.
    Mixed(u64),
    /// Folded to lower or upper case, as a host name or a server that folds text shows it.
    Folded {
        upper: bool,
    },
}

/// Where in the reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    Body(Template),
    Header(&'static str),
    Location,
    StatusLine,
}

/// A reply body, with `{E}` where the echo goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Template {
    V1Error,
    V1ErrorData,
    V1BadId,
    V1BadType,
    V1UnknownStatus,
    V1Ack,
    V2Error,
    V2ErrorCode,
    V2BadUrn,
    LoginOddObject,
    LoginOddArray,
    LoginNumber,
    Html,
    Text,
}

impl Template {
    fn body(self, echo: &str) -> String {
        let e = echo;
        match self {
            Template::V1Error => format!(r#"{{"status":"error","message":"{e}"}}"#),
            Template::V1ErrorData => format!(r#"{{"status":"error","data":"{e}"}}"#),
            Template::V1BadId => format!(
                r#"{{"status":"success","data":{{"total_results":1,"total_available_results":1,"invitations":[{{"name":"n","invitation_id":"{e}"}}]}}}}"#
            ),
            Template::V1BadType => {
                format!(r#"{{"status":"success","data":{{"total_results":"{e}"}}}}"#)
            }
            Template::V1UnknownStatus => format!(r#"{{"status":"{e}"}}"#),
            Template::V1Ack => format!(r#"{{"status":"success","message":"{e}"}}"#),
            Template::V2Error => format!(
                r#"{{"success":false,"error":{{"code":"INVALID_PARAMS","message":"{e}"}}}}"#
            ),
            Template::V2ErrorCode => {
                format!(r#"{{"success":false,"error":{{"code":"{e}","message":"m"}}}}"#)
            }
            Template::V2BadUrn => format!(
                r#"{{"success":true,"data":{{"invitations":[{{"entity_urn":"urn:li:invitation:{e}"}}],"total_results":1}}}}"#
            ),
            Template::LoginOddObject => {
                format!(r#"{{"success":true,"data":{{"account_id":{{"id":"{e}"}}}}}}"#)
            }
            Template::LoginOddArray => {
                format!(r#"{{"success":true,"data":{{"account_id":["{e}"]}}}}"#)
            }
            Template::LoginNumber => {
                format!(r#"{{"success":true,"data":{{"account_id":{e}}}}}"#)
            }
            Template::Html => format!("<html><body><p>{e}</p></body></html>"),
            Template::Text => format!("{e} is not JSON at all"),
        }
    }
}

#[derive(Clone, Debug)]
struct Case {
    key: String,
    token: String,
    account: String,
    returned: String,
    proxy_password: String,
    call: Call,
    which: Which,
    form: Form,
    /// Only part of the secret is echoed: from this char, this many (at least 8).
    part: Option<(usize, usize)>,
    place: Place,
    status: u16,
    /// Characters before the echo, moving it across the cut points.
    pad: usize,
}

impl Case {
    fn secret(&self) -> &str {
        match self.which {
            Which::Key => &self.key,
            Which::Credential if matches!(self.call, Call::FetchV2 | Call::WithdrawV2) => {
                &self.account
            }
            Which::Credential => &self.token,
            Which::Returned => &self.returned,
            Which::ProxyPassword => &self.proxy_password,
        }
    }

    /// What the server writes where the echo goes.
    fn echo(&self) -> String {
        let secret: Vec<char> = self.secret().chars().collect();
        let echoed: String = match self.part {
            Some((start, len)) => {
                let start = start % secret.len().saturating_sub(7).max(1);
                let len = len.clamp(8, secret.len() - start);
                secret[start..start + len].iter().collect()
            }
            None => secret.iter().collect(),
        };
        let pad: String = "pad ".chars().cycle().take(self.pad).collect();
        format!("{pad}{}", encode(&echoed, self.form))
    }

    /// Every secret of the case, to look for.
    fn secrets(&self) -> Vec<(&'static str, &str)> {
        vec![
            ("API key", &self.key),
            ("login token", &self.token),
            ("account id", &self.account),
            ("returned account id", &self.returned),
            ("proxy password", &self.proxy_password),
        ]
    }
}

fn encode(secret: &str, form: Form) -> String {
    let unicode = |c: char, upper: bool| {
        let mut units = [0u16; 2];
        c.encode_utf16(&mut units)
            .iter()
            .map(|u| {
                let hex = format!("{u:04x}");
                format!("\\u{}", if upper { hex.to_uppercase() } else { hex })
            })
            .collect::<String>()
    };
    let percent = |c: char, upper: bool| {
        let mut bytes = [0u8; 4];
        c.encode_utf8(&mut bytes)
            .bytes()
            .map(|b| {
                if upper {
                    format!("%{b:02X}")
                } else {
                    format!("%{b:02x}")
                }
            })
            .collect::<String>()
    };
    let reserved = |c: char| !c.is_ascii_alphanumeric() && !"-_.~".contains(c);
    let one = |c: char, form: Form| -> String {
        match form {
            Form::Raw => c.to_string(),
            Form::Json => match c {
                '/' => "\\/".to_owned(),
                '"' => "\\\"".to_owned(),
                '\\' => "\\\\".to_owned(),
                c => c.to_string(),
            },
            Form::UnicodeLower => unicode(c, false),
            Form::UnicodeUpper => unicode(c, true),
            Form::PercentReservedUpper if reserved(c) => percent(c, true),
            Form::PercentReservedLower if reserved(c) => percent(c, false),
            Form::PercentReservedUpper | Form::PercentReservedLower => c.to_string(),
            Form::PercentAllUpper => percent(c, true),
            Form::PercentAllLower => percent(c, false),
            Form::HtmlDecimal => format!("&#{};", c as u32),
            Form::HtmlHex => format!("&#x{:X};", c as u32),
            Form::HtmlPadded => unreachable!("spelled with what follows, in `encode`"),
            Form::HtmlNamed => match named(c) {
                Some(name) => format!("&{name};"),
                None => c.to_string(),
            },
            Form::Mixed(_) | Form::Folded { .. } => unreachable!(),
        }
    };
    match form {
        Form::Mixed(mut bits) => secret
            .chars()
            .map(|c| {
                let forms = [
                    Form::Raw,
                    Form::Json,
                    Form::UnicodeLower,
                    Form::UnicodeUpper,
                    Form::PercentAllUpper,
                    Form::PercentAllLower,
                    Form::HtmlDecimal,
                    Form::HtmlHex,
                    Form::HtmlNamed,
                ];
                let form = forms[(bits % 9) as usize];
                let c = match bits >> 60 {
                    0 => c.to_ascii_lowercase(),
                    1 => c.to_ascii_uppercase(),
                    _ => c,
                };
                bits = bits.rotate_right(3) ^ 0x9E37_79B9_7F4A_7C15;
                one(c, form)
            })
            .collect(),
        // Decimal, zero-padded, and no `;` unless a digit follows (it would join the number).
        Form::HtmlPadded => {
            let chars: Vec<char> = secret.chars().collect();
            (0..chars.len())
                .map(|i| {
                    let end = match chars.get(i + 1) {
                        Some(next) if next.is_ascii_digit() => ";",
                        _ => "",
                    };
                    format!("&#{:07}{end}", chars[i] as u32)
                })
                .collect()
        }
        Form::Folded { upper: true } => secret.to_ascii_uppercase(),
        Form::Folded { upper: false } => secret.to_ascii_lowercase(),
        form => secret.chars().map(|c| one(c, form)).collect(),
    }
}

/// The named HTML reference of a character of the secrets' alphabets, where HTML has one.
fn named(c: char) -> Option<&'static str> {
    Some(match c {
        '&' => "AMP",
        '"' => "quot",
        '+' => "plus",
        '/' => "sol",
        '=' => "equals",
        '_' => "lowbar",
        '-' => "hyphen",
        '.' => "period",
        ':' => "colon",
        '%' => "percnt",
        '\\' => "bsol",
        '~' => "tilde",
        '@' => "commat",
        _ => return None,
    })
}

fn case() -> impl Strategy<Value = Case> {
    let key = proptest::string::string_regex("[A-Za-z0-9_-]{8,64}").unwrap();
    // LinkedIn's li_at cookie: base64, with the URL-safe and the standard extra characters; half
    // the tokens are dense with the characters that encodings change, in runs shorter than 8.
    let token = prop_oneof![
        proptest::string::string_regex("[A-Za-z0-9+/=_-]{8,200}").unwrap(),
        proptest::string::string_regex("([A-Za-z0-9]{1,6}[+/=]){2,30}").unwrap(),
        proptest::string::string_regex("([A-Za-z0-9+=]{1,6}/){2,30}").unwrap(),
    ]
    .prop_filter("a secret is 8 characters or more", |t| {
        t.chars().count() >= 8
    });
    let account = proptest::string::string_regex("[a-z0-9_-]{8,40}").unwrap();
    let returned = proptest::string::string_regex("[1-9][0-9]{7,17}").unwrap();
    let password = proptest::string::string_regex("[A-Za-z0-9!$*+,;=._~/-]{8,32}").unwrap();
    let call = prop_oneof![
        Just(Call::FetchV1),
        Just(Call::FetchV2),
        Just(Call::PagesV1),
        Just(Call::WithdrawV1),
        Just(Call::WithdrawV2),
        Just(Call::Connect),
        Just(Call::BasePath),
        Just(Call::BasePathTls),
        Just(Call::Proxy),
        Just(Call::BaseUserinfo),
        Just(Call::BaseQuery),
    ];
    let form = prop_oneof![
        1 => Just(Form::Raw),
        3 => Just(Form::Json),
        1 => Just(Form::UnicodeLower),
        1 => Just(Form::UnicodeUpper),
        1 => Just(Form::PercentReservedUpper),
        1 => Just(Form::PercentReservedLower),
        1 => Just(Form::PercentAllUpper),
        1 => Just(Form::PercentAllLower),
        1 => Just(Form::HtmlDecimal),
        1 => Just(Form::HtmlHex),
        1 => Just(Form::HtmlPadded),
        1 => Just(Form::HtmlNamed),
        2 => any::<u64>().prop_map(Form::Mixed),
        1 => any::<bool>().prop_map(|upper| Form::Folded { upper }),
    ];
    let template = prop_oneof![
        Just(Template::V1Error),
        Just(Template::V1ErrorData),
        Just(Template::V1BadId),
        Just(Template::V1BadType),
        Just(Template::V1UnknownStatus),
        Just(Template::V1Ack),
        Just(Template::V2Error),
        Just(Template::V2ErrorCode),
        Just(Template::V2BadUrn),
        Just(Template::LoginOddObject),
        Just(Template::LoginOddArray),
        Just(Template::LoginNumber),
        Just(Template::Html),
        Just(Template::Text),
    ];
    let place = prop_oneof![
        6 => template.prop_map(Place::Body),
        1 => Just(Place::Header("server")),
        1 => Just(Place::Header("x-echo")),
        1 => Just(Place::Header("retry-after")),
        1 => Just(Place::Location),
        1 => Just(Place::StatusLine),
    ];
    let which = prop_oneof![
        Just(Which::Key),
        Just(Which::Credential),
        Just(Which::Returned),
        Just(Which::ProxyPassword),
    ];
    let status = prop::sample::select(vec![200u16, 400, 401, 402, 403, 404, 407, 429, 500, 502]);
    let part = prop::option::weighted(0.25, (0..200usize, 8..60usize));
    (
        (key, token, account, returned, password),
        (call, which, form, part, place, status, 0..420usize),
    )
        .prop_map(
            |(
                (key, token, account, returned, proxy_password),
                (call, which, form, part, place, status, pad),
            )| {
                let mut case = Case {
                    key,
                    token,
                    account,
                    returned,
                    proxy_password,
                    call,
                    which,
                    form,
                    part,
                    place,
                    status,
                    pad,
                };
                // Make the case one that can happen: the secret echoed is one the call knows
                // (or, for the two that come from elsewhere, is given one).
                match case.which {
                    Which::Returned => case.call = Call::Connect,
                    Which::ProxyPassword => case.call = Call::Proxy,
                    _ => {}
                }
                if case.which == Which::Returned {
                    // The crate knows it for a secret by where it is: `data.account_id`.
                    let login = match case.place {
                        Place::Body(t @ (Template::LoginOddObject | Template::LoginOddArray)) => t,
                        _ => Template::LoginNumber,
                    };
                    case.place = Place::Body(login);
                    if case.place == Place::Body(Template::LoginNumber) {
                        case.form = Form::Raw; // a JSON number is digits
                        case.part = None;
                        case.pad = 0;
                    }
                    case.status = 200;
                } else if matches!(
                    case.place,
                    Place::Body(
                        Template::LoginOddObject | Template::LoginOddArray | Template::LoginNumber
                    )
                ) {
                    case.place = Place::Body(Template::V1Error);
                }
                case
            },
        )
}

// ---------------------------------------------------------------------------------------------
// The server and the logger
// ---------------------------------------------------------------------------------------------

/// The reply the server gives to every request (and to a proxy's CONNECT).
fn reply(case: &Case) -> Vec<u8> {
    let echo = case.echo();
    let mut status = case.status;
    let mut reason = "X".to_owned();
    let mut headers = String::new();
    let mut body = "{}".to_owned();
    match case.place {
        Place::Body(template) => body = template.body(&echo),
        Place::Header(name) => headers = format!("{name}: {echo}\r\n"),
        Place::Location => {
            status = 302;
            headers = format!("location: https://evil.example/callback?k={echo}\r\n");
        }
        Place::StatusLine => reason = echo,
    }
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n{headers}\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body.as_bytes());
    out
}

// ---------------------------------------------------------------------------------------------
// Reading a text with its escapes undone, independently of the crate's own decoder
// ---------------------------------------------------------------------------------------------

fn json_unescape(text: &str) -> String {
    let mut out = String::new();
    let mut units: Vec<u16> = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let flush = |units: &mut Vec<u16>, out: &mut String| {
        out.push_str(&String::from_utf16_lossy(units));
        units.clear();
    };
    while i < chars.len() {
        if chars[i] == '\\' && i + 6 <= chars.len() && chars[i + 1] == 'u' {
            let hex: String = chars[i + 2..(i + 6).min(chars.len())].iter().collect();
            if let Ok(unit) = u16::from_str_radix(&hex, 16) {
                units.push(unit);
                i += 6;
                continue;
            }
        }
        flush(&mut units, &mut out);
        if chars[i] == '\\' && i + 1 < chars.len() {
            let mapped = match chars[i + 1] {
                '/' => Some('/'),
                '"' => Some('"'),
                '\\' => Some('\\'),
                'n' => Some('\n'),
                't' => Some('\t'),
                'r' => Some('\r'),
                _ => None,
            };
            if let Some(c) = mapped {
                out.push(c);
                i += 2;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    flush(&mut units, &mut out);
    out
}

fn rust_unescape(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("\\u{") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 3..];
        match after.find('}').and_then(|end| {
            let c = char::from_u32(u32::from_str_radix(&after[..end], 16).ok()?)?;
            Some((c, end))
        }) {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push_str("\\u{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.replace("\\\"", "\"")
        .replace("\\'", "'")
        .replace("\\\\", "\\")
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What an HTML reader makes of the text: numeric references with or without their `;`, and
/// the named ones of [`named`] (either case for the XML five).
fn html_unescape(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        match html_reference(after) {
            Some((c, used)) => {
                out.push(c);
                rest = &after[used..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The character the reference at the start of `after` (just past its `&`) names, and how many
/// bytes it takes.
fn html_reference(after: &str) -> Option<(char, usize)> {
    if let Some(number) = after.strip_prefix('#') {
        let (radix, digits_at) = match number.strip_prefix(['x', 'X']) {
            Some(_) => (16, 2),
            None => (10, 1),
        };
        let digits: String = after[digits_at..]
            .chars()
            .take_while(|c| c.is_digit(radix))
            .collect();
        let code = u32::from_str_radix(&digits, radix).ok()?;
        let end = digits_at + digits.len();
        let used = if after[end..].starts_with(';') {
            end + 1
        } else {
            end
        };
        return Some((char::from_u32(code)?, used));
    }
    let close = after.find(';')?;
    let name = &after[..close];
    let c = match name {
        "amp" | "AMP" => '&',
        "quot" | "QUOT" => '"',
        "lt" | "LT" => '<',
        "gt" | "GT" => '>',
        "apos" => '\'',
        name => (' '..='~').find(|&c| named(c) == Some(name))?,
    };
    Some((c, close + 1))
}

/// The text read every way a reader may undo its escapes: each decoding, and each pair.
fn readings(text: &str) -> Vec<String> {
    let decoders: [fn(&str) -> String; 4] =
        [json_unescape, rust_unescape, percent_decode, html_unescape];
    let mut out = vec![text.to_owned()];
    for first in decoders {
        let once = first(text);
        for second in decoders {
            out.push(second(&once));
        }
        out.push(once);
    }
    out
}

/// The first 8 characters of a secret, in a row, that `text` shows, read any way and in any
/// letter case.
fn leak(text: &str, secret: &str) -> Option<String> {
    let chars: Vec<char> = secret.chars().collect();
    let readings: Vec<String> = readings(text)
        .iter()
        .map(|reading| reading.to_ascii_lowercase())
        .collect();
    chars.windows(8).find_map(|window| {
        let window: String = window.iter().collect();
        readings
            .iter()
            .any(|reading| reading.contains(&window.to_ascii_lowercase()))
            .then_some(window)
    })
}

// ---------------------------------------------------------------------------------------------
// One case
// ---------------------------------------------------------------------------------------------

fn run(case: &Case, server: &RawServer, next: &Mutex<Vec<u8>>) -> Result<(), TestCaseError> {
    *next.lock().unwrap() = reply(case);
    let base = server.base_url();
    let port = server.addr.port();
    let mut config = Config::new(case.key.as_str())
        .base_url(&base)
        .requests_per_minute(0)
        .max_retries(1)
        .retry_backoff(std::time::Duration::from_millis(1))
        .timeout(std::time::Duration::from_secs(5));
    match case.call {
        Call::BasePath => config = config.base_url(format!("{base}/{}", case.key)),
        Call::BasePathTls => {
            config = config.base_url(format!("https://127.0.0.1:{port}/x/{}", case.key))
        }
        Call::BaseUserinfo => {
            config = config.base_url(format!(
                "http://{}:{}@127.0.0.1:{port}",
                case.key, case.token
            ))
        }
        Call::BaseQuery => {
            config = config.base_url(format!("{base}/?code={}", case.proxy_password))
        }
        Call::Proxy => {
            config = config.base_url("https://api.linkupapi.com").proxy(format!(
                "http://user:{}@127.0.0.1:{port}",
                case.proxy_password
            ));
        }
        _ => {}
    }
    let v1 = Params::new(case.token.as_str());
    let v2 = Params::account(case.account.as_str());
    let mark = support::logs().mark();
    let mut texts: Vec<(&str, String)> = vec![("Debug of the config", format!("{config:?}"))];
    let outcome: Result<String, linkup_sent_invitations::Error> = match case.call {
        Call::FetchV1
        | Call::BasePath
        | Call::BasePathTls
        | Call::Proxy
        | Call::BaseUserinfo
        | Call::BaseQuery => fetch_sent_invitations(&config, &v1).map(|page| format!("{page:?}")),
        Call::FetchV2 => fetch_sent_invitations(&config, &v2).map(|page| format!("{page:?}")),
        Call::PagesV1 => {
            let mut pages = Paginator::new(&config, v1.clone());
            let first = pages.next().unwrap_or(Ok(Default::default()));
            texts.push(("Debug of the paginator", format!("{pages:?}")));
            first.map(|page| format!("{page:?}"))
        }
        Call::WithdrawV1 | Call::WithdrawV2 => {
            let params = if case.call == Call::WithdrawV1 {
                &v1
            } else {
                &v2
            };
            withdraw_invitation(&config, params, 7329176687475109888).map(|w| format!("{w:?}"))
        }
        Call::Connect => connect_account(&config, &v1),
    };
    match outcome {
        Ok(value) => {
            // A success holds the server's data (names, ids: not messages), but for a withdrawal
            // its message and a connected account's id, which is the answer asked for.
            if matches!(case.call, Call::WithdrawV1 | Call::WithdrawV2) {
                texts.push(("Debug of the Withdrawal", value));
            }
        }
        Err(err) => {
            texts.push(("Display of the error", err.to_string()));
            texts.push(("Debug of the error", format!("{err:?}")));
            let mut source = std::error::Error::source(&err);
            while let Some(cause) = source {
                texts.push(("Display of a source", cause.to_string()));
                texts.push(("Debug of a source", format!("{cause:?}")));
                source = cause.source();
            }
        }
    }
    for line in support::logs().mine_since(mark) {
        texts.push(("a log record", line));
    }
    for (what, text) in &texts {
        for (name, secret) in case.secrets() {
            if let Some(window) = leak(text, secret) {
                return Err(TestCaseError::fail(format!(
                    "{what} shows {window:?} of the {name} {secret:?}:\n{text}"
                )));
            }
        }
    }
    Ok(())
}

#[test]
fn no_text_the_crate_produces_holds_8_characters_of_a_secret() {
    let seed: u64 = std::env::var("LINKUP_SECRETS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5EC2_E75E_ED00_0001);
    let cases: u32 = std::env::var("LINKUP_SECRETS_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    let next = Arc::new(Mutex::new(Vec::new()));
    let script = next.clone();
    let server =
        RawServer::start(move |_, _| Action::WriteAndClose(script.lock().unwrap().clone()));
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let config = proptest::test_runner::Config {
        cases,
        failure_persistence: None,
        ..proptest::test_runner::Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes));
    if std::env::var("LINKUP_SECRETS_TALLY").is_ok() {
        // For checking that a deliberately broken crate is caught, and how often: every case
        // runs, and the ones that leak are counted.
        let failed = std::cell::Cell::new(0u32);
        let first = std::cell::RefCell::new(None);
        let outcome = runner.run(&case(), |case| {
            if let Err(why) = run(&case, &server, &next) {
                failed.set(failed.get() + 1);
                first.borrow_mut().get_or_insert(why.to_string());
            }
            Ok(())
        });
        if let Err(err) = outcome {
            panic!("seed {seed}: a case did not run: {err}");
        }
        if let Some(first) = first.borrow().as_ref() {
            eprintln!("the first leak: {first}");
        }
        eprintln!("seed {seed}: {} of {cases} cases leaked", failed.get());
        assert_eq!(failed.get(), 0, "{} of {cases} cases leaked", failed.get());
        return;
    }
    match runner.run(&case(), |case| run(&case, &server, &next)) {
        Ok(()) => {}
        Err(TestError::Fail(why, case)) => panic!(
            "seed {seed} (rerun: LINKUP_SECRETS_SEED={seed} cargo test --test it secrets_props): \
             {why}\ncase: {case:#?}\nreply: {}",
            String::from_utf8_lossy(&reply(&case))
        ),
        Err(err) => panic!("seed {seed}: {err}"),
    }
}

/// The readers above find what they must: a check of the check.
#[test]
fn the_checker_sees_every_spelling() {
    let secret = "AQEDAR+abc/def=ghi_jkl";
    for form in [
        Form::Raw,
        Form::Json,
        Form::UnicodeLower,
        Form::UnicodeUpper,
        Form::PercentReservedUpper,
        Form::PercentReservedLower,
        Form::PercentAllUpper,
        Form::PercentAllLower,
        Form::HtmlDecimal,
        Form::HtmlHex,
        Form::HtmlPadded,
        Form::HtmlNamed,
        Form::Mixed(12345),
        Form::Mixed(u64::MAX),
        Form::Folded { upper: true },
        Form::Folded { upper: false },
    ] {
        let text = format!("x {} y", encode(secret, form));
        assert!(leak(&text, secret).is_some(), "{form:?}: {text}");
    }
    assert!(leak("x AQEDAR+ y", secret).is_none());
    assert!(leak("x AQEDAR+a y", secret).is_some());
    assert!(leak("x AQEDAR&plus;a y", secret).is_some());
    assert!(leak("x &#065QEDAR+a y", secret).is_some());
    assert!(leak("x aqedar+a y", secret).is_some());
}
