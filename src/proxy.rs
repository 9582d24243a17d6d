//! The route to the API: the proxy the configuration or the environment names, read the way
//! curl reads it.

use crate::redact::{shown_url, Secrets};

/// The variables a proxy may be named in, in the order they are read (`HTTP_PROXY` is not:
/// plain http goes only to loopback, never through a proxy).
pub(crate) const PROXY_VARIABLES: [&str; 4] =
    ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"];

/// The proxy for requests to `base_url`, or `None` to connect directly; `Err` says what to fix.
///
/// Plain http (loopback only, see `check_base_url`) never takes a proxy: the proxy would read
/// the API key. https takes the explicit proxy, else the environment's the way curl reads it.
pub(crate) fn route(
    base_url: &str,
    explicit: Option<&str>,
    from_env: bool,
    env: impl Fn(&str) -> Option<String>,
    secrets: &Secrets<'_>,
) -> Result<Option<ureq::Proxy>, String> {
    let lower = base_url.to_ascii_lowercase();
    if !lower.starts_with("https://") {
        return Ok(None);
    }
    if let Some(url) = explicit {
        return proxy_from_url(url, "Config::proxy", secrets).map(Some);
    }
    if !from_env {
        return Ok(None);
    }
    let var = |names: [&'static str; 2]| {
        names
            .into_iter()
            .find_map(|name| Some((name, env(name).filter(|v| !v.trim().is_empty())?)))
    };
    let [https_lower, https_upper, all_lower, all_upper] = PROXY_VARIABLES;
    let Some((name, url)) = var([https_lower, https_upper]).or(var([all_lower, all_upper])) else {
        return Ok(None);
    };
    let no_proxy = var(["no_proxy", "NO_PROXY"])
        .map(|(_, v)| v)
        .unwrap_or_default();
    if bypasses_proxy(host_of(&lower), &no_proxy) {
        return Ok(None);
    }
    proxy_from_url(url.trim(), name, secrets).map(Some)
}

/// A CONNECT proxy from a URL, or why this build cannot use it (named after where it came from).
fn proxy_from_url(url: &str, source: &str, secrets: &Secrets<'_>) -> Result<ureq::Proxy, String> {
    let shown = secrets.shown(&shown_url(url), 100);
    let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
    match scheme.as_deref() {
        None | Some("http" | "https") => {}
        Some(s) if s.starts_with("socks") => {
            return Err(format!(
                "{source} names a SOCKS proxy ({shown}), which this build cannot use: use an \
                 http:// CONNECT proxy, or Config::proxy_from_env(false) to connect directly"
            ))
        }
        Some(_) => {
            return Err(format!(
                "{source} ({shown}) is not an http:// or https:// proxy URL"
            ))
        }
    }
    ureq::Proxy::new(url).map_err(|_| format!("{source} ({shown}) is not a valid proxy URL"))
}

/// Whether `host` is listed in a `NO_PROXY` value as curl reads it: comma-separated names, each
/// matching the host itself or any subdomain (a leading dot is optional), `*` matching all.
fn bypasses_proxy(host: &str, no_proxy: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    no_proxy.split(',').any(|entry| {
        let entry = entry.trim().to_ascii_lowercase();
        let entry = entry.trim_start_matches('.');
        // An entry may carry a port ("example.com:443"); the port does not narrow the match.
        let entry = match entry.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or(""),
            None if entry.matches(':').count() == 1 => entry.split(':').next().unwrap_or(""),
            None => entry,
        };
        entry == "*"
            || (!entry.is_empty()
                && (host == entry
                    || host
                        .strip_suffix(entry)
                        .is_some_and(|rest| rest.ends_with('.'))))
    })
}

/// `host:port` of a base URL, as a message names where a request went (no user or password:
/// those are refused).
pub(crate) fn host_and_port(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority.rsplit('@').next().unwrap_or("").to_owned()
}

/// The host of a lowercase URL, without port or brackets' contents changed.
pub(crate) fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host_port.split(':').next().unwrap_or(""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `route` with no secrets to redact.
    fn route(
        base_url: &str,
        explicit: Option<&str>,
        from_env: bool,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<ureq::Proxy>, String> {
        super::route(base_url, explicit, from_env, env, &Secrets::none())
    }

    #[test]
    fn route_reads_the_environment_like_curl() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        let api = "https://api.linkupapi.com";
        let host = |r: Result<Option<ureq::Proxy>, String>| {
            r.unwrap().map(|p| format!("{}:{}", p.host(), p.port()))
        };
        let via = |vars| host(route(api, None, true, env(vars)));
        assert_eq!(via(&[]), None);
        assert_eq!(
            via(&[("HTTP_PROXY", "http://h:1")]),
            None,
            "never HTTP_PROXY"
        );
        assert_eq!(
            via(&[("HTTPS_PROXY", "http://h:1")]).as_deref(),
            Some("h:1")
        );
        assert_eq!(
            via(&[("https_proxy", "l:2"), ("HTTPS_PROXY", "u:3")]).as_deref(),
            Some("l:2"),
            "lowercase first; no scheme means http"
        );
        assert_eq!(
            via(&[("ALL_PROXY", "http://a:4"), ("HTTPS_PROXY", "http://h:1")]).as_deref(),
            Some("h:1"),
            "HTTPS_PROXY before ALL_PROXY"
        );
        assert_eq!(via(&[("ALL_PROXY", "http://a:4")]).as_deref(), Some("a:4"));
        assert_eq!(via(&[("HTTPS_PROXY", "  ")]), None, "blank is unset");
        for no_proxy in [
            "linkupapi.com",
            ".linkupapi.com",
            "x.org, api.linkupapi.com:443",
            "*",
        ] {
            let vars: &'static [(&str, &str)] = Box::leak(Box::new([
                ("HTTPS_PROXY", "http://h:1"),
                ("NO_PROXY", no_proxy),
            ]));
            assert_eq!(via(vars), None, "{no_proxy}");
        }
        assert!(via(&[
            ("HTTPS_PROXY", "http://h:1"),
            ("no_proxy", "pilinkupapi.com")
        ])
        .is_some());

        let explicit = host(route(api, Some("https://e:5"), false, env(&[])));
        assert_eq!(explicit.as_deref(), Some("e:5"));
        assert_eq!(
            host(route(api, None, false, env(&[("HTTPS_PROXY", "h:1")]))),
            None
        );
        let loopback = route("http://127.0.0.1:9", Some("http://e:5"), true, env(&[]));
        assert_eq!(host(loopback), None, "plain http never takes a proxy");

        let socks = route(
            api,
            None,
            true,
            env(&[("ALL_PROXY", "socks5://u:pw@s:1080")]),
        );
        let reason = socks.unwrap_err();
        assert!(
            reason.contains("ALL_PROXY") && reason.contains("SOCKS"),
            "{reason}"
        );
        assert!(!reason.contains("pw@"), "{reason}");
        assert!(route(api, Some("ftp://f:21"), true, env(&[])).is_err());
    }
}
