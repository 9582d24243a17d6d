//! Keeping secrets out of messages: [`Secrets`] and the cut that follows it.

pub(crate) const MAX_MESSAGE_CHARS: usize = 300;
pub(crate) const MAX_SNIPPET_CHARS: usize = 200;

/// The secrets of one call, to scrub from anything the server sends back.
pub(crate) struct Secrets<'a> {
    pub(crate) api_key: &'a str,
    /// The login token (v1) or account id (v2).
    pub(crate) credential: &'a str,
}

/// Secrets shorter than this are left in messages. Real API keys, LinkedIn session tokens and
/// account ids are far longer, so a shorter one is a test's stand-in (`Config::new("k")`), and
/// redacting every `k` of a message would only make it unreadable.
const MIN_SECRET_CHARS: usize = 8;

impl Secrets<'_> {
    /// `text` without the secrets (raw or JSON-escaped), on one line, at most `max` chars.
    /// One pass, longest match first: a marker is never redacted into, and a secret inside
    /// another goes whole.
    pub(crate) fn clean(&self, text: &str, max: usize) -> String {
        let mut patterns: Vec<String> = Vec::new();
        for secret in [self.api_key, self.credential] {
            if secret.chars().count() < MIN_SECRET_CHARS {
                continue;
            }
            let escaped = serde_json::to_string(secret).unwrap_or_default();
            let escaped = escaped.trim_matches('"');
            if escaped != secret {
                patterns.push(escaped.to_owned());
            }
            patterns.push(secret.to_owned());
        }
        patterns.sort_by_key(|pattern| std::cmp::Reverse(pattern.len()));
        let mut out = String::with_capacity(text.len().min(max * 4));
        let mut rest = text;
        // Past `max` chars and a margin for the trim, the rest is cut anyway.
        let mut chars = 0;
        while chars <= max + 64 {
            if let Some(pattern) = patterns.iter().find(|p| rest.starts_with(p.as_str())) {
                out.push_str("[redacted]");
                rest = &rest[pattern.len()..];
                chars += 10;
                continue;
            }
            let Some(c) = rest.chars().next() else { break };
            out.push(c);
            rest = &rest[c.len_utf8()..];
            chars += 1;
        }
        bounded(&out, max)
    }
}

/// At most `max` chars of `text`, with control characters (newlines of an HTML page) as spaces.
pub(crate) fn bounded(text: &str, max: usize) -> String {
    let mut out: String = text
        .trim()
        .chars()
        .take(max)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.trim().chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

/// A proxy URL as it may be shown: any `user:password@` replaced.
pub(crate) fn redact_userinfo(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let shown = match rest[..authority_end].rsplit_once('@') {
        Some((_, host)) => format!("[redacted]@{host}{}", &rest[authority_end..]),
        None => rest.to_owned(),
    };
    let shown = bounded(&shown, 100);
    if scheme.is_empty() {
        shown
    } else {
        format!("{scheme}://{shown}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_scrubs_raw_and_escaped_secrets_and_bounds_length() {
        let secrets = Secrets {
            api_key: "KEY123KEY123",
            credential: "token\"token",
        };
        let text = r#"key KEY123KEY123 token token\"token raw token"token"#;
        let cleaned = secrets.clean(text, 1000);
        assert_eq!(cleaned, "key [redacted] token [redacted] raw [redacted]");
        let long = "x".repeat(5000);
        assert_eq!(secrets.clean(&long, 10).chars().count(), 11);

        // One pass: a secret that is the marker's own text is redacted once, not into.
        let marker = Secrets {
            api_key: "redacted-key",
            credential: "[redacted]",
        };
        assert_eq!(
            marker.clean("key redacted-key, token [redacted]", 100),
            "key [redacted], token [redacted]"
        );
        // A test's one-letter stand-ins leave messages readable.
        let short = Secrets {
            api_key: "k",
            credential: "t",
        };
        let message = "Missing required parameter: login_token";
        assert_eq!(short.clean(message, 100), message);
        // A secret cut by the length limit is still not shown in part.
        let cut = format!("{}KEY123KEY123", "x".repeat(195));
        let secrets = Secrets {
            api_key: "KEY123KEY123",
            credential: "tok\"en",
        };
        assert!(!secrets.clean(&cut, 200).contains("KEY1"));
        assert_eq!(bounded("a\nb", 10), "a b");
    }

    #[test]
    fn proxy_urls_are_shown_without_credentials() {
        assert_eq!(
            redact_userinfo("http://u:p@h:1/x"),
            "http://[redacted]@h:1/x"
        );
        assert_eq!(redact_userinfo("u:p@h:1"), "[redacted]@h:1");
        assert_eq!(redact_userinfo("http://h:1"), "http://h:1");
    }
}
