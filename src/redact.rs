//! Keeping secrets out of every text the crate shows: the one redaction step, [`Secrets::shown`].
//!
//! Every text that leaves the crate and may hold what a server sent, what ureq said, or a URL
//! the caller gave passes [`Secrets::shown`] on its whole text, and only then is cut to its
//! length. Errors pass it where they are made and once more at the boundary of each attempt
//! ([`Error::scrubbed`](crate::Error)), log records are made from scrubbed errors, and the
//! `Debug` of [`Config`](crate::Config) shows its URLs through it.
//!
//! What it removes is not a secret's exact spelling but any 8 consecutive characters of one,
//! read through every encoding a server may use: raw, JSON-escaped (`\/`, `\"`, `\uXXXX` for
//! any character, surrogate pairs), Rust's `Debug` escapes (`\u{2f}`), percent-encoded
//! (`%2F` or `%2f`, UTF-8 sequences too), HTML character references (`&#47;`, `&#x2F;`, with
//! any leading zeros, with or without the `;`; named ones such as `&sol;`, `&plus;`, `&amp;`),
//! and up to four of these nested (`%5Cu002F` is two; a value quoted with `{:?}` adds one), in
//! any letter case (a host name, a header name or a server that folds text changes it). So
//! a secret cut short (by a server quoting its start, or by a cut before this step) still goes,
//! and what is left of one never holds 8 of its characters in a row. Not covered: a secret the
//! server transforms otherwise (base64-encoded, hashed, split by other text, or spelled in
//! escapes no JSON, URL or HTML reader undoes, such as `%u002F` or `\x2f`).

use std::borrow::Cow;
use std::collections::HashSet;

/// How much of a server's message, or of a reason, is shown.
pub(crate) const MAX_MESSAGE_CHARS: usize = 300;
/// How much of a body is shown as a snippet.
pub(crate) const MAX_SNIPPET_CHARS: usize = 200;

/// Secrets shorter than this are left in messages. Real API keys, LinkedIn session tokens and
/// account ids are far longer, so a shorter one is a test's stand-in (`Config::new("k")`), and
/// redacting every `k` of a message would only make it unreadable. It is also the length of the
/// runs of a secret that are redacted: no 8 characters of one in a row are ever shown.
pub(crate) const MIN_SECRET_CHARS: usize = 8;

/// What replaces a secret.
const MARKER: &str = "[redacted]";

/// How much of a text is read to decide what to show: far more than is ever shown, so that a
/// huge body costs a bounded amount of work on its error path.
const SCAN_BYTES: usize = 256 * 1024;

/// How many encodings deep a secret is looked for (`%5Cu002F` is two; a value the crate quotes
/// with `{:?}` spends one more).
const LAYERS: usize = 4;

/// The secrets to keep out of a text: the API key, the login token or account id, passwords in
/// URLs the caller gave, an account id a reply returned.
#[derive(Default)]
pub(crate) struct Secrets<'a> {
    items: Vec<Cow<'a, str>>,
}

impl<'a> Secrets<'a> {
    /// No secrets: for text that quotes only the caller's own input.
    pub(crate) fn none() -> Secrets<'static> {
        Secrets::default()
    }

    /// These secrets; those under 8 characters are left out (see [`MIN_SECRET_CHARS`]).
    pub(crate) fn of(items: impl IntoIterator<Item = &'a str>) -> Secrets<'a> {
        let mut secrets = Secrets::default();
        for item in items {
            secrets.add(item);
        }
        secrets
    }

    /// Adds a secret (left out under 8 characters).
    pub(crate) fn add(&mut self, item: impl Into<Cow<'a, str>>) {
        let item = item.into();
        if item.chars().count() >= MIN_SECRET_CHARS && !self.items.contains(&item) {
            self.items.push(item);
        }
    }

    /// Adds every secret of `other`.
    pub(crate) fn add_all(&mut self, other: Secrets<'static>) {
        for item in other.items {
            self.add(item);
        }
    }

    /// `text` as it may be shown: every run of 8 or more characters of a secret, in any
    /// spelling, replaced by `[redacted]`, decided on the whole text; then trimmed, control
    /// characters as spaces, [`invisible`] ones as `�`, and cut to at most `max` characters
    /// (with `…` when cut).
    ///
    /// Applying it again to its own output changes nothing.
    pub(crate) fn shown(&self, text: &str, max: usize) -> String {
        let text = text.trim_start();
        let mut limit = text.len().min(SCAN_BYTES);
        while !text.is_char_boundary(limit) {
            limit -= 1;
        }
        let region = &text[..limit];
        let truncated = limit < text.len();
        let mut marked = self.marked(region);
        // Past the scan, decoding may be cut mid-escape: show nothing from its last stretch.
        let safe_end = if truncated {
            limit.saturating_sub(1024)
        } else {
            limit
        };
        let mut out = String::new();
        let mut chars = 0;
        let mut more = false;
        let mut pos = 0;
        marked.sort_unstable();
        let mut ranges = marked.into_iter().peekable();
        while pos < safe_end {
            while ranges.peek().is_some_and(|&(_, end)| end <= pos) {
                ranges.next();
            }
            if let Some(&(start, end)) = ranges.peek() {
                if start <= pos {
                    // A marked stretch, merged with any that overlap or touch it.
                    let mut end = end;
                    while let Some(&(s, e)) = ranges.peek() {
                        if s > end {
                            break;
                        }
                        end = end.max(e);
                        ranges.next();
                    }
                    if chars + MARKER.len() > max {
                        more = true;
                        break;
                    }
                    out.push_str(MARKER);
                    chars += MARKER.len();
                    pos = end;
                    continue;
                }
            }
            let Some(c) = region[pos..].chars().next() else {
                break;
            };
            if chars == max {
                more = true;
                break;
            }
            out.push(if c.is_control() {
                ' '
            } else if invisible(c) {
                '\u{FFFD}'
            } else {
                c
            });
            chars += 1;
            pos += c.len_utf8();
        }
        if !more && pos < text.len() && !text[pos..].trim().is_empty() {
            more = true;
        }
        if more {
            out.push('…');
        } else {
            out.truncate(out.trim_end().len());
        }
        out
    }

    /// The byte ranges of `region` that hold 8 or more characters of a secret in a row, read
    /// through every encoding (see the module's docs).
    fn marked(&self, region: &str) -> Vec<(usize, usize)> {
        // A secret as it reads after each layer of decoding too: one that holds an escape of
        // its own (`%41`) is then found in a text that escapes it further (`\/`).
        let mut windows: HashSet<[char; MIN_SECRET_CHARS]> = HashSet::new();
        for secret in &self.items {
            let mut layer = Decoded::all(secret);
            for _ in 0..=LAYERS {
                windows.extend(layer.windows(MIN_SECRET_CHARS).map(Decoded::key));
                let next = decode(&layer);
                if next.len() == layer.len() {
                    break;
                }
                layer = next;
            }
        }
        if windows.is_empty() {
            return Vec::new();
        }
        let mut layer = Decoded::all(region);
        let mut marked = Vec::new();
        for depth in 0..=LAYERS {
            for window in layer.windows(MIN_SECRET_CHARS) {
                if windows.contains(&Decoded::key(window)) {
                    marked.push((window[0].start, window[MIN_SECRET_CHARS - 1].end));
                }
            }
            if depth == LAYERS {
                break;
            }
            let next = decode(&layer);
            if next.len() == layer.len() {
                break; // nothing left to decode
            }
            layer = next;
        }
        marked
    }
}

/// Whether `c` is a character a terminal shows as nothing while it changes what is around it:
/// the bidirectional controls (which reorder a line, U+202A–U+202E, U+2066–U+2069, U+061C,
/// U+200E, U+200F) and the zero-width and invisible format characters (U+200B–U+200D,
/// U+2060–U+2064, U+FEFF, U+180E, U+FFF9–U+FFFB). A server's text shows each as `�`.
pub(crate) fn invisible(c: char) -> bool {
    matches!(c,
        '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}')
}

/// A character in the one case windows are compared in: a host name, a header or a server
/// that folds text changes the case of what it echoes. (A character whose other case is two,
/// as `ß` and `SS`, only breaks the window it is in.)
fn fold(ch: char) -> char {
    if ch.is_ascii() {
        ch.to_ascii_lowercase()
    } else {
        ch.to_lowercase().next().unwrap_or(ch)
    }
}

/// One character of a text read through its escapes, and the bytes of the text it came from.
#[derive(Clone, Copy)]
struct Decoded {
    ch: char,
    start: usize,
    end: usize,
}

impl Decoded {
    /// Each character of `text` as it stands, no escape undone yet.
    fn all(text: &str) -> Vec<Decoded> {
        text.char_indices()
            .map(|(start, ch)| Decoded {
                ch,
                start,
                end: start + ch.len_utf8(),
            })
            .collect()
    }

    /// What a window of 8 is compared by: its characters, case folded.
    fn key(window: &[Decoded]) -> [char; MIN_SECRET_CHARS] {
        let mut key = ['\0'; MIN_SECRET_CHARS];
        for (slot, decoded) in key.iter_mut().zip(window) {
            *slot = fold(decoded.ch);
        }
        key
    }
}

/// One layer of escapes undone: each escape becomes the character it stands for, spanning the
/// bytes of the whole escape; anything that is no valid escape stays as it is.
fn decode(layer: &[Decoded]) -> Vec<Decoded> {
    let mut out = Vec::with_capacity(layer.len());
    let mut i = 0;
    while i < layer.len() {
        let (ch, used) = unescape(&layer[i..]).unwrap_or((layer[i].ch, 1));
        out.push(Decoded {
            ch,
            start: layer[i].start,
            end: layer[i + used - 1].end,
        });
        i += used;
    }
    out
}

/// The character an escape at the start of `s` stands for, and how many characters it takes.
fn unescape(s: &[Decoded]) -> Option<(char, usize)> {
    let at = |i: usize| s.get(i).map(|d| d.ch);
    match at(0)? {
        '\\' => match at(1)? {
            'u' if at(2) == Some('{') => {
                // Rust's Debug: \u{1F600}.
                let close = (3..s.len().min(10)).find(|&i| at(i) == Some('}'))?;
                let code = hex(&s[3..close])?;
                Some((char::from_u32(code)?, close + 1))
            }
            'u' => {
                let high = hex(s.get(2..6)?)?;
                if (0xD800..0xDC00).contains(&high) {
                    // A surrogate pair: \uD83D\uDE00.
                    if at(6) != Some('\\') || at(7) != Some('u') {
                        return None;
                    }
                    let low = hex(s.get(8..12)?)?;
                    if !(0xDC00..0xE000).contains(&low) {
                        return None;
                    }
                    let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                    return Some((char::from_u32(code)?, 12));
                }
                Some((char::from_u32(high)?, 6))
            }
            c => {
                let plain = match c {
                    '/' | '"' | '\\' | '\'' => c,
                    'b' => '\u{8}',
                    'f' => '\u{c}',
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    '0' => '\0',
                    _ => return None,
                };
                Some((plain, 2))
            }
        },
        '%' => {
            let first = u8::try_from(hex(s.get(1..3)?)?).ok()?;
            let len = match first {
                0x00..=0x7F => return Some((char::from(first), 3)),
                0xC0..=0xDF => 2,
                0xE0..=0xEF => 3,
                0xF0..=0xF7 => 4,
                _ => return None,
            };
            let mut bytes = vec![first];
            for k in 1..len {
                if at(3 * k) != Some('%') {
                    return None;
                }
                bytes.push(u8::try_from(hex(s.get(3 * k + 1..3 * k + 3)?)?).ok()?);
            }
            let text = std::str::from_utf8(&bytes).ok()?;
            Some((text.chars().next()?, 3 * len))
        }
        '&' if at(1) == Some('#') => {
            // A numeric reference, any number of leading zeros, its `;` optional (as HTML
            // reads the legacy form).
            let hex = matches!(at(2), Some('x' | 'X'));
            let digits_at = if hex { 3 } else { 2 };
            let radix = if hex { 16 } else { 10 };
            let end = (digits_at..s.len().min(digits_at + 40))
                .find(|&i| !s[i].ch.is_digit(radix))
                .unwrap_or(s.len().min(digits_at + 40));
            if end == digits_at {
                return None;
            }
            let digits: String = s[digits_at..end].iter().map(|d| d.ch).collect();
            let code = u32::from_str_radix(digits.trim_start_matches('0'), radix)
                .ok()
                .or_else(|| digits.bytes().all(|b| b == b'0').then_some(0))?;
            let used = if at(end) == Some(';') { end + 1 } else { end };
            Some((char::from_u32(code)?, used))
        }
        '&' => {
            // A named reference: the ones for the characters of secrets' alphabets, and the
            // five of XML (HTML also reads those in capitals).
            let close = (1..s.len().min(12)).find(|&i| at(i) == Some(';'))?;
            let name: String = s[1..close].iter().map(|d| d.ch).collect();
            let ch = match name.as_str() {
                "amp" | "AMP" => '&',
                "quot" | "QUOT" => '"',
                "apos" => '\'',
                "lt" | "LT" => '<',
                "gt" | "GT" => '>',
                "plus" => '+',
                "sol" => '/',
                "equals" => '=',
                "lowbar" | "UnderBar" => '_',
                "hyphen" | "dash" => '-',
                "period" => '.',
                "colon" => ':',
                "semi" => ';',
                "comma" => ',',
                "excl" => '!',
                "quest" => '?',
                "num" => '#',
                "dollar" => '$',
                "percnt" => '%',
                "ast" | "midast" => '*',
                "commat" => '@',
                "bsol" => '\\',
                "tilde" => '~',
                "Hat" => '^',
                "grave" => '`',
                "verbar" | "vert" => '|',
                "lpar" => '(',
                "rpar" => ')',
                "lsqb" | "lbrack" => '[',
                "rsqb" | "rbrack" => ']',
                "lcub" | "lbrace" => '{',
                "rcub" | "rbrace" => '}',
                _ => return None,
            };
            Some((ch, close + 1))
        }
        _ => None,
    }
}

/// The number that hex digits (either case) spell, if they are all hex digits.
fn hex(digits: &[Decoded]) -> Option<u32> {
    if digits.is_empty() || digits.len() > 6 {
        return None;
    }
    digits
        .iter()
        .try_fold(0u32, |n, d| Some(n * 16 + d.ch.to_digit(16)?))
}

/// The `user:password` of a URL and what follows its `@`, if it has one. Read conservatively,
/// since what it finds is hidden: the userinfo runs to the last `@`, even across a `/`, `?` or
/// `#` (a password with one of them unencoded), unless that stretch has one of them and no `:`
/// (an `@` in a path or query, `https://host/a@b`).
pub(crate) fn userinfo(url: &str) -> Option<(&str, &str)> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let at = rest.rfind('@')?;
    let info = &rest[..at];
    // An `@` in a path or query (`https://host/a@b`, `https://host?k=a@b`), not a userinfo.
    if info.contains(['/', '?', '#']) && !info.contains(':') {
        return None;
    }
    Some((info, &rest[at + 1..]))
}

/// A URL as it may be shown: any `user:password@`, every value of its query and its fragment
/// replaced, whatever their length (the whole text still passes [`Secrets::shown`] where it is
/// shown). A gateway may take a key of its own in the query (`?code=...`).
pub(crate) fn shown_url(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, url),
    };
    let (info, after) = match userinfo(url) {
        Some((_, after)) => (Some(MARKER), after),
        None => (None, rest),
    };
    let (address, query, fragment) = url_parts(after);
    let mut shown = String::new();
    if let Some(scheme) = scheme {
        shown = format!("{scheme}://");
    }
    if let Some(marker) = info {
        shown = format!("{shown}{marker}@");
    }
    shown.push_str(address);
    if let Some(query) = query {
        let items: Vec<String> = query
            .split('&')
            .map(|item| match item.split_once('=') {
                Some((name, _)) => format!("{name}={MARKER}"),
                None if item.is_empty() => String::new(),
                None => MARKER.to_owned(),
            })
            .collect();
        shown = format!("{shown}?{}", items.join("&"));
    }
    if fragment.is_some() {
        shown = format!("{shown}#{MARKER}");
    }
    shown
}

/// The secrets a URL holds, raw and percent-decoded: its user name and password, every value
/// of its query (an item without `=` whole) and its fragment.
pub(crate) fn url_secrets(url: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut add = |part: &str| {
        out.push(part.to_owned());
        out.push(percent_decoded(part));
    };
    let after = match userinfo(url) {
        Some((info, after)) => {
            let (user, password) = info.split_once(':').unwrap_or((info, ""));
            add(info);
            add(user);
            add(password);
            after
        }
        None => url.split_once("://").map_or(url, |(_, rest)| rest),
    };
    let (_, query, fragment) = url_parts(after);
    for item in query.into_iter().flat_map(|query| query.split('&')) {
        add(item.split_once('=').map_or(item, |(_, value)| value));
    }
    if let Some(fragment) = fragment {
        add(fragment);
    }
    out
}

/// What follows the scheme and any userinfo, as its address (host, port, path), its query and
/// its fragment.
fn url_parts(after: &str) -> (&str, Option<&str>, Option<&str>) {
    let (before_fragment, fragment) = match after.split_once('#') {
        Some((before, fragment)) => (before, Some(fragment)),
        None => (after, None),
    };
    match before_fragment.split_once('?') {
        Some((address, query)) => (address, Some(query), fragment),
        None => (before_fragment, None, fragment),
    }
}

/// `text` with its `%XX` escapes undone (an escape of no UTF-8 as U+FFFD).
fn percent_decoded(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "lk_live_9f8e7d6c5b4a39281706f5e4d3c2b1a0";
    const TOKEN: &str = "AQEDAR+abc/def=ghi_jkl-mnoPQRstu/vwx+yz==";

    fn both() -> Secrets<'static> {
        Secrets::of([KEY, TOKEN])
    }

    /// Every spelling the module's docs name, for one secret.
    fn spellings(secret: &str) -> Vec<String> {
        let json = serde_json::to_string(secret).unwrap();
        let json = json.trim_matches('"');
        let every_u = |upper: bool| -> String {
            secret
                .chars()
                .map(|c| {
                    let code = format!("{:04x}", c as u32);
                    format!("\\u{}", if upper { code.to_uppercase() } else { code })
                })
                .collect()
        };
        let percent = |all: bool, upper: bool| -> String {
            secret
                .chars()
                .map(|c| {
                    if all || !c.is_ascii_alphanumeric() {
                        let code = format!("%{:02x}", c as u32);
                        if upper {
                            code.to_uppercase()
                        } else {
                            code
                        }
                    } else {
                        c.to_string()
                    }
                })
                .collect()
        };
        vec![
            secret.to_owned(),
            json.to_owned(),
            json.replace('/', "\\/"),
            every_u(false),
            every_u(true),
            percent(false, true),
            percent(false, false),
            percent(true, true),
            secret.chars().map(|c| format!("&#{};", c as u32)).collect(),
            secret
                .chars()
                .map(|c| format!("&#x{:X};", c as u32))
                .collect(),
            secret
                .chars()
                .map(|c| format!("\\u{{{:x}}}", c as u32))
                .collect(),
            // Two layers: JSON-escaped percent signs, and percent-encoded JSON escapes.
            percent(false, true).replace('%', "\\u0025"),
            json.replace('/', "\\/").replace('\\', "%5C"),
            // HTML's other ways: padded numbers, no `;`, names, capitals around them.
            secret
                .chars()
                .map(|c| format!("&#{:010};", c as u32))
                .collect(),
            secret
                .chars()
                .map(|c| format!("&#x{:08x};", c as u32))
                .collect(),
            secret.chars().map(|c| format!("&#{}", c as u32)).collect(),
            secret
                .replace('+', "&plus;")
                .replace('/', "&sol;")
                .replace('=', "&equals;")
                .replace('_', "&lowbar;")
                .replace('-', "&hyphen;"),
            secret.replace('/', "&AMP;#47;"),
            // Four layers: a value quoted with {:?} doubles the backslash of a JSON escape.
            format!("{:?}", percent(false, true).replace('%', "\\u0026#37;")),
            // Folded, as in a host name: lower, upper, and percent-encoded after folding.
            secret.to_ascii_lowercase(),
            secret.to_ascii_uppercase(),
            percent(false, false).to_ascii_lowercase(),
        ]
    }

    #[test]
    fn every_spelling_of_every_secret_is_redacted() {
        for secret in [KEY, TOKEN] {
            for spelling in spellings(secret) {
                let text = format!("before {spelling} after");
                let shown = both().shown(&text, 10_000);
                // (The quotes of a `{:?}` spelling are not the secret's.)
                assert_eq!(
                    shown.replace('"', ""),
                    "before [redacted] after",
                    "{spelling}"
                );
            }
        }
    }

    #[test]
    fn a_secret_is_found_in_any_letter_case_beyond_ascii_too() {
        let token = "jöhnßönëtökénäöü-Ωμέγα";
        let secrets = Secrets::of([token]);
        for echo in [
            token.to_uppercase(),
            token.to_lowercase(),
            token.replace('ö', "Ö"),
        ] {
            let shown = secrets.shown(&format!("bad token {echo} here"), 10_000);
            let chars: Vec<char> = fold_all(token).chars().collect();
            for window in chars.windows(MIN_SECRET_CHARS) {
                let window: String = window.iter().collect();
                assert!(!fold_all(&shown).contains(&window), "{window:?} in {shown}");
            }
        }
    }

    /// The checker's own folding (std's, on the whole text), not the code under test's.
    fn fold_all(text: &str) -> String {
        text.to_lowercase()
    }

    #[test]
    fn a_secret_that_holds_an_escape_of_its_own_is_found_escaped_again() {
        let key = "a/%41b/%42c/%43d/%44e";
        let secrets = Secrets::of([key]);
        let echoed = key.replace('/', "\\/");
        assert_eq!(
            secrets.shown(&format!("x {echoed} y"), 1000),
            "x [redacted] y"
        );
    }

    #[test]
    fn a_secret_cut_short_anywhere_keeps_fewer_than_8_characters() {
        // Cut before this step, or by the server quoting its start: 8 or more characters of a
        // secret in a row are redacted, fewer are left.
        for cut in 0..=TOKEN.len() {
            let start = &TOKEN[..cut];
            let end = &TOKEN[cut..];
            for part in [start, end] {
                let shown = both().shown(&format!("x {part} y"), 10_000);
                if part.len() >= MIN_SECRET_CHARS {
                    assert_eq!(shown, "x [redacted] y", "{part}");
                } else {
                    assert_eq!(shown, format!("x {part} y").trim(), "{part}");
                }
            }
        }
    }

    #[test]
    fn a_secret_at_the_very_end_of_a_cut_is_redacted_first() {
        // The cut falls inside the secret: the whole text is read first, then cut.
        for pad in 180..=210 {
            let text = format!("{}{KEY}", "x".repeat(pad));
            let shown = both().shown(&text, 200);
            assert!(!shown.contains("lk_live"), "pad {pad}: {shown}");
            assert!(shown.chars().count() <= 201, "pad {pad}");
        }
        // And the escaped spelling, cut inside one of its escapes.
        let escaped: String = KEY
            .chars()
            .map(|c| format!("\\u{:04x}", c as u32))
            .collect();
        for pad in 150..=200 {
            let shown = both().shown(&format!("{}{escaped}", "x".repeat(pad)), 200);
            assert!(!shown.contains("\\u006c\\u006b"), "pad {pad}: {shown}");
        }
    }

    #[test]
    fn a_secret_another_begins_with_is_redacted_whole_in_either_order() {
        let token = format!("{KEY}-and-the-rest-of-the-token");
        for secrets in [Secrets::of([KEY, &token]), Secrets::of([&token, KEY])] {
            let text = format!("token {token} key {KEY} end");
            assert_eq!(
                secrets.shown(&text, 1000),
                "token [redacted] key [redacted] end"
            );
        }
    }

    #[test]
    fn short_stand_ins_the_marker_and_the_cut_behave() {
        let short = Secrets::of(["k", "t"]);
        let message = "Missing required parameter: login_token";
        assert_eq!(short.shown(message, 100), message);
        // A secret that is the marker's own text is redacted once, not into.
        let marker = Secrets::of(["redacted-key", "[redacted]"]);
        assert_eq!(
            marker.shown("key redacted-key, token [redacted]", 100),
            "key [redacted], token [redacted]"
        );
        assert_eq!(Secrets::none().shown("a\nb  ", 10), "a b");
        assert_eq!(Secrets::none().shown(&"x".repeat(50), 10), "xxxxxxxxxx…");
        // Shown twice is shown once.
        for text in [format!("{}{KEY}", "y".repeat(195)), "z".repeat(400)] {
            let once = both().shown(&text, 200);
            assert_eq!(both().shown(&once, 200), once);
        }
    }

    #[test]
    fn a_server_s_text_cannot_reorder_or_hide_what_is_around_it() {
        let text = "not \u{202E}gnidnep\u{202C} x\u{200B}y \u{2066}z\u{2069} \u{FEFF}w\u{1b}[2K";
        assert_eq!(
            Secrets::none().shown(text, 100),
            "not \u{FFFD}gnidnep\u{FFFD} x\u{FFFD}y \u{FFFD}z\u{FFFD} \u{FFFD}w [2K"
        );
    }

    #[test]
    fn a_huge_text_costs_a_bounded_scan() {
        let text = format!("{KEY} {}", "a".repeat(20 << 20));
        let started = std::time::Instant::now();
        let shown = both().shown(&text, 200);
        assert!(shown.starts_with("[redacted] aaa") && shown.ends_with('…'));
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn urls_are_shown_without_credentials_query_values_or_fragment() {
        assert_eq!(shown_url("http://u:p@h:1/x"), "http://[redacted]@h:1/x");
        assert_eq!(shown_url("u:p@h:1"), "[redacted]@h:1");
        assert_eq!(shown_url("http://h:1"), "http://h:1");
        let secrets = url_secrets("http://user:pa%40ssword1@proxy:3128");
        assert!(secrets.contains(&"pa@ssword1".to_owned()), "{secrets:?}");
        assert!(url_secrets("https://api.linkupapi.com/x@y").is_empty());
        // A password with an unencoded `/`: still a password, hidden whole.
        let url = "http://key:pass/word/1@127.0.0.1:1";
        assert_eq!(shown_url(url), "http://[redacted]@127.0.0.1:1");
        assert!(url_secrets(url).contains(&"pass/word/1".to_owned()));
        // A query's values (not its names), an item without `=`, and a fragment.
        let url = "https://gw.example/p?code=a%2Fb&v=2&TOKEN#frag";
        assert_eq!(
            shown_url(url),
            "https://gw.example/p?code=[redacted]&v=[redacted]&[redacted]#[redacted]"
        );
        let secrets = url_secrets(url);
        for secret in ["a%2Fb", "a/b", "2", "TOKEN", "frag"] {
            assert!(
                secrets.contains(&secret.to_owned()),
                "{secret}: {secrets:?}"
            );
        }
        assert!(!secrets.contains(&"code".to_owned()), "{secrets:?}");
        // A password holding `?` is a password, not a query.
        assert_eq!(shown_url("http://u:p?w@h:1"), "http://[redacted]@h:1");
    }

    /// Every branch of the decoder, each escape it reads: a secret holding the character,
    /// echoed with it in that spelling, is redacted whole (each window of 8 of it holds the
    /// escaped character, so a spelling the decoder missed would leave it all shown).
    #[test]
    fn every_spelling_the_decoder_reads_is_redacted_in_a_secret() {
        let named = [
            ("amp", '&'),
            ("AMP", '&'),
            ("quot", '"'),
            ("QUOT", '"'),
            ("apos", '\''),
            ("lt", '<'),
            ("LT", '<'),
            ("gt", '>'),
            ("GT", '>'),
            ("plus", '+'),
            ("sol", '/'),
            ("equals", '='),
            ("lowbar", '_'),
            ("UnderBar", '_'),
            ("hyphen", '-'),
            ("dash", '-'),
            ("period", '.'),
            ("colon", ':'),
            ("semi", ';'),
            ("comma", ','),
            ("excl", '!'),
            ("quest", '?'),
            ("num", '#'),
            ("dollar", '$'),
            ("percnt", '%'),
            ("ast", '*'),
            ("midast", '*'),
            ("commat", '@'),
            ("bsol", '\\'),
            ("tilde", '~'),
            ("Hat", '^'),
            ("grave", '`'),
            ("verbar", '|'),
            ("vert", '|'),
            ("lpar", '('),
            ("rpar", ')'),
            ("lsqb", '['),
            ("lbrack", '['),
            ("rsqb", ']'),
            ("rbrack", ']'),
            ("lcub", '{'),
            ("lbrace", '{'),
            ("rcub", '}'),
            ("rbrace", '}'),
        ];
        let mut cases: Vec<(char, String)> = named
            .iter()
            .map(|(name, ch)| (*ch, format!("&{name};")))
            .collect();
        for (escape, ch) in [
            ('/', '/'),
            ('"', '"'),
            ('\\', '\\'),
            ('\'', '\''),
            ('b', '\u{8}'),
            ('f', '\u{c}'),
            ('n', '\n'),
            ('r', '\r'),
            ('t', '\t'),
            ('0', '\0'),
        ] {
            cases.push((ch, format!("\\{escape}")));
        }
        for ch in ['/', '+', 'é', '€', '😀'] {
            let code = ch as u32;
            cases.push((ch, format!("\\u{{{code:x}}}")));
            cases.push((ch, format!("&#{code};")));
            cases.push((ch, format!("&#000{code};")));
            cases.push((ch, format!("&#x{code:X};")));
            cases.push((ch, format!("&#{code}"))); // no `;`: the next is no digit
            let mut units = [0u16; 2];
            let json: String = ch
                .encode_utf16(&mut units)
                .iter()
                .map(|u| format!("\\u{u:04X}"))
                .collect();
            cases.push((ch, json.clone()));
            cases.push((ch, json.to_lowercase()));
            let mut bytes = [0u8; 4];
            let percent: String = ch
                .encode_utf8(&mut bytes)
                .bytes()
                .map(|b| format!("%{b:02X}"))
                .collect();
            cases.push((ch, percent.clone()));
            cases.push((ch, percent.to_lowercase()));
        }
        for (ch, spelling) in cases {
            let secret = format!("abc{ch}defgh");
            let echoed = format!("abc{spelling}defgh");
            let shown = Secrets::of([secret.as_str()]).shown(&format!("x {echoed} y"), 1000);
            assert_eq!(shown, "x [redacted] y", "{spelling:?} of {ch:?}");
        }
    }
}
