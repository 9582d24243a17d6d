//! The journal's file format: one JSON object per line, appended.
//!
//! ```text
//! {"at":"2026-11-26T09:00:01.250Z","invitation_id":"7453486530700017665","event":"attempting"}
//! {"at":"2026-11-26T09:00:02.011Z","invitation_id":"7453486530700017665","event":"withdrawn"}
//! ```
//!
//! Ids are strings (JSON numbers above 2^53 lose digits in many readers), times RFC 3339 in
//! UTC to the millisecond.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::book::Event;

#[derive(Serialize, Deserialize)]
struct Wire {
    at: String,
    invitation_id: String,
    event: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

/// One line of the journal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Line {
    pub(crate) at: SystemTime,
    pub(crate) invitation_id: u64,
    pub(crate) event: Event,
    pub(crate) message: Option<String>,
}

impl Line {
    /// The line's bytes, with its newline.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let wire = Wire {
            at: rfc3339(self.at),
            invitation_id: self.invitation_id.to_string(),
            event: self.event.name().to_owned(),
            message: self.message.clone(),
        };
        // Strings always serialise.
        let mut bytes = serde_json::to_vec(&wire).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }

    /// The line these bytes (without the newline) hold, if they are one.
    pub(crate) fn decode(bytes: &[u8]) -> Option<Line> {
        let wire: Wire = serde_json::from_slice(bytes).ok()?;
        let id = &wire.invitation_id;
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(Line {
            at: parse_rfc3339(&wire.at)?,
            invitation_id: id.parse().ok()?,
            event: Event::from_name(&wire.event)?,
            message: wire.message,
        })
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

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u64, day: u64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u64, u64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u64;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u64;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
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
        let line = Line {
            at: UNIX_EPOCH + Duration::from_millis(1_764_147_601_250),
            invitation_id: 7_453_486_530_700_017_665,
            event: Event::Refused,
            message: Some("not pending \"any more\"".into()),
        };
        let bytes = line.encode();
        assert!(bytes.ends_with(b"\n"));
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(
            text.contains(r#""invitation_id":"7453486530700017665""#),
            "{text}"
        );
        assert_eq!(Line::decode(&bytes[..bytes.len() - 1]), Some(line));
        assert_eq!(Line::decode(b"{\"at\":\"x\"}"), None);
        assert_eq!(
            Line::decode(
                br#"{"at":"2026-11-26T09:00:01.250Z","invitation_id":"1","event":"failed"}"#
            )
            .map(|l| l.event),
            Some(Event::Refused),
            "an older journal's failed is read as refused"
        );
    }
}
