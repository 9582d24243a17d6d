//! LinkedIn's wording of an invitation's age, in the languages it has been seen in.

/// How one language words the age of an invitation on LinkedIn: the whole phrases with a fixed
/// age, the frames around "N unit", the words for a count of one, and the units with their
/// length in days (minutes and hours are day 0). Adding a language is adding one of these,
/// from real samples only: LinkedIn's wording is not guessed.
struct Wording {
    fixed: &'static [(&'static str, u32)],
    frames: &'static [(&'static str, &'static str)],
    one: &'static [&'static str],
    units: &'static [(&'static str, u32)],
}

const WORDINGS: &[Wording] = &[
    // English: "Sent 11 hours ago", "Sent yesterday", "Sent 3 weeks ago", "Sent 1 year ago".
    Wording {
        fixed: &[
            ("sent today", 0),
            ("today", 0),
            ("sent just now", 0),
            ("just now", 0),
            ("now", 0),
            ("sent yesterday", 1),
            ("yesterday", 1),
        ],
        frames: &[("sent ", " ago"), ("", " ago")],
        one: &["a", "an", "one"],
        units: &[
            ("second", 0),
            ("seconds", 0),
            ("sec", 0),
            ("secs", 0),
            ("minute", 0),
            ("minutes", 0),
            ("min", 0),
            ("mins", 0),
            ("hour", 0),
            ("hours", 0),
            ("hr", 0),
            ("hrs", 0),
            ("day", 1),
            ("days", 1),
            ("week", 7),
            ("weeks", 7),
            ("wk", 7),
            ("wks", 7),
            ("month", 30),
            ("months", 30),
            ("mo", 30),
            ("mos", 30),
            ("year", 365),
            ("years", 365),
            ("yr", 365),
            ("yrs", 365),
        ],
    },
    // German: "Gestern gesendet", "Vor 3 Wochen gesendet" (the count after "vor", the verb last,
    // units in the dative: "vor 1 Tag", "vor 2 Tagen"). A bare "Gesendet" has no age.
    Wording {
        fixed: &[("gestern gesendet", 1)],
        frames: &[("vor ", " gesendet")],
        one: &[],
        units: &[
            ("sekunde", 0),
            ("sekunden", 0),
            ("minute", 0),
            ("minuten", 0),
            ("stunde", 0),
            ("stunden", 0),
            ("tag", 1),
            ("tagen", 1),
            ("woche", 7),
            ("wochen", 7),
            ("monat", 30),
            ("monaten", 30),
            ("jahr", 365),
            ("jahren", 365),
        ],
    },
    // Portuguese (Brazil): "Enviado ontem", "Enviado há 1 semana"; "Enviada" for some
    // recipients; "há" also written without its accent.
    Wording {
        fixed: &[("enviado ontem", 1), ("enviada ontem", 1)],
        frames: &[
            ("enviado há ", ""),
            ("enviada há ", ""),
            ("enviado ha ", ""),
            ("enviada ha ", ""),
        ],
        one: &[],
        units: &[
            ("segundo", 0),
            ("segundos", 0),
            ("minuto", 0),
            ("minutos", 0),
            ("hora", 0),
            ("horas", 0),
            ("dia", 1),
            ("dias", 1),
            ("semana", 7),
            ("semanas", 7),
            ("mês", 30),
            ("mes", 30),
            ("meses", 30),
            ("ano", 365),
            ("anos", 365),
        ],
    },
    // LinkUp v2's short form: "5d", with the count beside it in `sent_time_days`. Only days
    // have been seen.
    Wording {
        fixed: &[],
        frames: &[("", "")],
        one: &[],
        units: &[("d", 1)],
    },
];

/// Reads "Sent 3 weeks ago", "Vor 3 Wochen gesendet", "Enviado há 1 semana", "5d"; see
/// [`Invitation::sent_days_ago`].
pub(crate) fn days_ago(sent_time: &str) -> Option<u32> {
    let text = sent_time
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    WORDINGS.iter().find_map(|wording| wording.days(&text))
}

impl Wording {
    fn days(&self, text: &str) -> Option<u32> {
        if let Some((_, days)) = self.fixed.iter().find(|(phrase, _)| *phrase == text) {
            return Some(*days);
        }
        self.frames.iter().find_map(|(before, after)| {
            let middle = text.strip_prefix(before)?.strip_suffix(after)?;
            // "3 weeks", or the short form's "3w" with no space.
            let split = middle
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(middle.len());
            let (count, unit) = match middle.split_once(' ') {
                Some((count, unit)) => (count, unit),
                None if before.is_empty() && after.is_empty() => middle.split_at(split),
                None => return None,
            };
            let count: u32 = if self.one.contains(&count) {
                1
            } else if !count.is_empty() && count.bytes().all(|b| b.is_ascii_digit()) {
                count.parse().ok()?
            } else {
                return None;
            };
            let (_, per_unit) = self.units.iter().find(|(word, _)| *word == unit)?;
            count.checked_mul(*per_unit)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_ago_reads_linkedin_wording() {
        let cases = [
            ("Sent today", Some(0)),
            ("sent yesterday", Some(1)),
            ("SENT YESTERDAY", Some(1)),
            ("yesterday", Some(1)),
            ("Sent 3 days ago", Some(3)),
            ("Sent 1 day ago", Some(1)),
            ("Sent 5 hours ago", Some(0)),
            ("Sent 10 minutes ago", Some(0)),
            ("Sent a week ago", Some(7)),
            ("Sent 2 weeks ago", Some(14)),
            ("Sent 1 month ago", Some(30)),
            ("Sent 4 months ago", Some(120)),
            ("Sent 2 years ago", Some(730)),
            ("  Sent   3   days   ago  ", Some(3)),
            ("Sent 11 hours ago", Some(0)),
            ("Sent 1 year ago", Some(365)),
            ("Gestern gesendet", Some(1)),
            ("Vor 3 Wochen gesendet", Some(21)),
            ("Vor 1 Woche gesendet", Some(7)),
            ("vor 1 tag gesendet", Some(1)),
            ("Vor 5 Tagen gesendet", Some(5)),
            ("Vor 2 Monaten gesendet", Some(60)),
            ("Vor 1 Monat gesendet", Some(30)),
            ("Vor 1 Jahr gesendet", Some(365)),
            ("Vor 3 Jahren gesendet", Some(1095)),
            ("Vor 4 Stunden gesendet", Some(0)),
            ("Vor 1 Stunde gesendet", Some(0)),
            ("Vor 10 Minuten gesendet", Some(0)),
            ("Vor 1 Minute gesendet", Some(0)),
            ("Gesendet", None),
            ("Vor drei Wochen gesendet", None),
            ("Vor 3 Wochen", None),
            ("Enviado ontem", Some(1)),
            ("Enviada ontem", Some(1)),
            ("Enviado há 1 semana", Some(7)),
            ("Enviado ha 2 semanas", Some(14)),
            ("ENVIADA HÁ 3 MESES", Some(90)),
            ("Enviado há 1 mês", Some(30)),
            ("Enviado há 1 mes", Some(30)),
            ("Enviado há 4 dias", Some(4)),
            ("Enviado há 1 dia", Some(1)),
            ("Enviado há 1 ano", Some(365)),
            ("Enviado há 2 anos", Some(730)),
            ("Enviado há 5 horas", Some(0)),
            ("Enviado há 1 hora", Some(0)),
            ("Enviado há 30 minutos", Some(0)),
            ("Enviado", None),
            ("5d", Some(5)),
            ("d", None),
            ("5", None),
            ("5x", None),
            ("3w", None),
            ("Enviado há uma semana", None),
            ("Envoyée il y a 3 semaines", None),
            ("Hace 3 semanas", None),
            ("Sent on Tuesday", None),
            ("Sent 3 fortnights ago", None),
            ("Sent -3 days ago", None),
            ("Sent 99999999999 days ago", None),
            ("Sent 4294967295 years ago", None),
            ("ago", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(days_ago(text), want, "{text:?}");
        }
    }
}
