//! The journal's file format: one JSON object per line, appended.
//!
//! ```text
//! {"at":"2026-11-26T08:59:58.010Z","scope":{"generation":"v2","account":{"salt":"…","digest":"…"},"invitation_type":"CONNECTION"}}
//! {"at":"2026-11-26T09:00:01.250Z","invitation_id":"7453486530700017665","event":"attempting","boot":"boot 7b7b…","boot_ms":3888720}
//! {"at":"2026-11-26T09:00:02.011Z","invitation_id":"7453486530700017665","event":"withdrawn","boot":"boot 7b7b…","boot_ms":3889481}
//! ```
//!
//! Ids are strings (JSON numbers above 2^53 lose digits in many readers), times RFC 3339 in
//! UTC to the millisecond; `boot` and `boot_ms` are the boot clock's (see `clock.rs`), left
//! out by older versions, and a `scope` line says what the journal is for (see `scope.rs`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::book::Event;
use super::clock::{Boot, Stamp};
use super::scope::{Scope, WireScope};
use crate::ground::{civil_from_days, days_from_civil};

#[derive(Serialize, Deserialize)]
struct Wire {
    at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    invitation_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    event: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    boot: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    boot_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scope: Option<WireScope>,
}

/// One line of the journal: an invitation's event, or the journal's scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Record {
    Entry(Line),
    Scope { at: SystemTime, scope: Scope },
}

/// An invitation's event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Line {
    pub(crate) at: Stamp,
    pub(crate) invitation_id: u64,
    pub(crate) event: Event,
    pub(crate) message: Option<String>,
}

impl Record {
    /// The line's bytes, with its newline.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let wire = match self {
            Record::Entry(line) => Wire {
                at: rfc3339(line.at.wall),
                invitation_id: Some(line.invitation_id.to_string()),
                event: Some(line.event.name().to_owned()),
                message: line.message.clone(),
                boot: line.at.boot.as_ref().map(|b| b.id.to_string()),
                boot_ms: line
                    .at
                    .boot
                    .as_ref()
                    .map(|b| u64::try_from(b.since.as_millis()).unwrap_or(u64::MAX)),
                scope: None,
            },
            Record::Scope { at, scope } => Wire {
                at: rfc3339(*at),
                invitation_id: None,
                event: None,
                message: None,
                boot: None,
                boot_ms: None,
                scope: Some(scope.to_wire()),
            },
        };
        // Strings and integers always serialise.
        let mut bytes = serde_json::to_vec(&wire).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }

    /// The record these bytes (without the newline) hold, if they are one.
    pub(crate) fn decode(bytes: &[u8]) -> Option<Record> {
        let wire: Wire = serde_json::from_slice(bytes).ok()?;
        let wall = parse_rfc3339(&wire.at)?;
        if let Some(scope) = &wire.scope {
            let entry = wire.invitation_id.is_some() || wire.event.is_some();
            return (!entry)
                .then(|| Scope::from_wire(scope))
                .flatten()
                .map(|scope| Record::Scope { at: wall, scope });
        }
        let id = wire.invitation_id.as_deref()?;
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let boot = match (wire.boot, wire.boot_ms) {
            (Some(id), Some(ms)) => Some(Boot {
                id: id.into(),
                since: Duration::from_millis(ms),
            }),
            (None, None) => None,
            _ => return None,
        };
        Some(Record::Entry(Line {
            at: Stamp { wall, boot },
            invitation_id: id.parse().ok()?,
            event: Event::from_name(wire.event.as_deref()?)?,
            message: wire.message,
        }))
    }
}

/// `2026-11-26T09:00:01.250Z`.
pub(crate) fn rfc3339(at: SystemTime) -> String {
    let ms = at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
    let secs = u64::try_from(ms / 1000).unwrap_or(u64::MAX);
    let days = i64::try_from(secs / 86_400).unwrap_or(i64::MAX);
    let (y, m, d) = civil_from_days(days);
    let rest = secs % 86_400;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60,
        ms % 1000
    )
}

/// Reads what [`rfc3339`] writes (the fraction optional, of any length).
pub(crate) fn parse_rfc3339(text: &str) -> Option<SystemTime> {
    let text = text.strip_suffix('Z')?;
    let (date, time) = text.split_once('T')?;
    let mut date = date.split('-');
    let (y, m, d) = (date.next()?, date.next()?, date.next()?);
    if date.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let number = |s: &str| -> Option<u64> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (y, m, d) = (number(y)?, number(m)?, number(d)?);
    let (clock, fraction) = time.split_once('.').unwrap_or((time, ""));
    let mut clock = clock.split(':');
    let (h, min, s) = (
        number(clock.next()?)?,
        number(clock.next()?)?,
        number(clock.next()?)?,
    );
    if clock.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    if h > 23 || min > 59 || s > 60 {
        return None;
    }
    let ms = match fraction {
        "" => 0,
        f => number(&format!("{:0<3}", &f[..f.len().min(3)]))?,
    };
    let days = days_from_civil(i64::try_from(y).ok()?, m, d);
    let secs = u64::try_from(days).ok()? * 86_400 + h * 3600 + min * 60 + s;
    UNIX_EPOCH.checked_add(Duration::from_millis(
        secs.checked_mul(1000)?.checked_add(ms)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_back_as_written() {
        for ms in [0u64, 1_747_411_891_812, 951_825_600_000, 4_102_444_799_999] {
            let at = UNIX_EPOCH + Duration::from_millis(ms);
            assert_eq!(parse_rfc3339(&rfc3339(at)), Some(at), "{ms}");
        }
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_millis(1_747_411_891_812)),
            "2025-05-16T16:11:31.812Z"
        );
        assert_eq!(
            parse_rfc3339("2026-11-26T09:00:01Z"),
            parse_rfc3339("2026-11-26T09:00:01.000Z")
        );
        for bad in [
            "",
            "2026-11-26",
            "2026-13-01T00:00:00Z",
            "2026-11-26T09:00:01",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn lines_read_back_as_written_and_ids_stay_exact() {
        let at = |boot: Option<Boot>| Stamp {
            wall: UNIX_EPOCH + Duration::from_millis(1_764_147_601_250),
            boot,
        };
        let booted = Some(Boot {
            id: "boot 7b7b1336".into(),
            since: Duration::from_millis(3_888_720),
        });
        for at in [at(None), at(booted)] {
            let line = Record::Entry(Line {
                at,
                invitation_id: 7_453_486_530_700_017_665,
                event: Event::Refused,
                message: Some("not pending \"any more\"".into()),
            });
            let bytes = line.encode();
            assert!(bytes.ends_with(b"\n"));
            let text = String::from_utf8(bytes.clone()).unwrap();
            assert!(
                text.contains(r#""invitation_id":"7453486530700017665""#),
                "{text}"
            );
            assert_eq!(Record::decode(&bytes[..bytes.len() - 1]), Some(line));
        }
        assert_eq!(Record::decode(b"{\"at\":\"x\"}"), None);
        let old = br#"{"at":"2026-11-26T09:00:01.250Z","invitation_id":"1","event":"failed"}"#;
        let Some(Record::Entry(old)) = Record::decode(old) else {
            panic!("an older journal's line reads")
        };
        assert_eq!(
            old.event,
            Event::Refused,
            "an older journal's failed is read as refused"
        );
        assert_eq!(old.at.boot, None);
        // A boot without its time, or the other way round, is no line this crate wrote.
        let half =
            br#"{"at":"2026-11-26T09:00:01.250Z","invitation_id":"1","event":"gone","boot":"b"}"#;
        assert_eq!(Record::decode(half), None);
    }

    #[test]
    fn a_scope_line_reads_back_and_is_no_entry() {
        let params = crate::Params::new("a-login-token");
        let scope = Scope::of(&params, Some("alice"));
        let at = UNIX_EPOCH + Duration::from_secs(1_764_147_601);
        let record = Record::Scope {
            at,
            scope: scope.clone(),
        };
        let bytes = record.encode();
        assert_eq!(Record::decode(&bytes[..bytes.len() - 1]), Some(record));
        let both = br#"{"at":"2026-11-26T09:00:01Z","invitation_id":"1","event":"gone","scope":{"generation":"v1","account":null,"invitation_type":"CONNECTION"}}"#;
        assert_eq!(Record::decode(both), None);
    }
}
