//! The secrets promise, case by case: each way an outside trial once got a secret shown, through
//! the public API on local servers. (The promise itself is checked as a property over random
//! secrets, echoes and cut points in `secrets_props`.)

use crate::support;

use std::error::Error as _;

use linkup_sent_invitations::{connect_account, fetch_sent_invitations, Config, Error, Params};
use support::{config, http_response, Action, RawServer};

/// A real-looking API key: 40 characters.
const KEY: &str = "lk_live_9f8e7d6c5b4a39281706f5e4d3c2b1a0";
/// A LinkedIn session cookie in base64, with `/`, `+` and `=`.
const TOKEN: &str = "AQEDAR+4bX/9kq1=Zt7/wPq+Lm2nV8/xYz0aB=";

/// Every text an error shows: `Display`, `Debug`, and those of its sources.
fn texts(err: &Error) -> Vec<String> {
    let mut out = vec![err.to_string(), format!("{err:?}")];
    let mut source = err.source();
    while let Some(cause) = source {
        out.push(cause.to_string());
        out.push(format!("{cause:?}"));
        source = cause.source();
    }
    out
}

/// The first 8 characters of `secret` in a row that `text` shows, raw or with JSON, percent
/// or Debug escapes undone.
fn shown_part(text: &str, secret: &str) -> Option<String> {
    let unescaped = text
        .replace("\\/", "/")
        .replace("%2B", "+")
        .replace("%2b", "+")
        .replace("%2F", "/")
        .replace("%2f", "/")
        .replace("%3D", "=")
        .replace("%3d", "=")
        .replace("\\\"", "\"");
    let chars: Vec<char> = secret.chars().collect();
    chars.windows(8).find_map(|w| {
        let w: String = w.iter().collect();
        (text.contains(&w) || unescaped.contains(&w)).then_some(w)
    })
}

fn assert_hidden(texts: &[String], secrets: &[&str]) {
    for text in texts {
        for secret in secrets {
            assert_eq!(shown_part(text, secret), None, "{secret} in: {text}");
        }
    }
}

/// A server that answers every request with `reply`.
fn answering(reply: Vec<u8>) -> RawServer {
    RawServer::start(move |_, _| Action::Write(reply.clone()))
}

fn fetch_v1(server: &RawServer) -> Error {
    let config = Config::new(KEY)
        .base_url(server.base_url())
        .requests_per_minute(0)
        .max_retries(0);
    fetch_sent_invitations(&config, &Params::new(TOKEN)).unwrap_err()
}

#[test]
fn a_value_the_crate_quotes_is_redacted_whole_before_it_is_cut() {
    // Once: `invitation_id "bad key lk_live_9f8e7d6c5b4a39281706f5e4…" is not a string of
    // digits`, 32 of the key's 40 characters, because the quote was cut before redacting.
    let body = format!(
        r#"{{"status":"success","data":{{"total_results":1,"invitations":[{{"name":"n","invitation_id":"bad key {KEY}"}}]}}}}"#
    );
    let err = fetch_v1(&answering(http_response(200, "", body.as_bytes())));
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert!(err.to_string().contains("[redacted]"), "{err}");
    assert_hidden(&texts(&err), &[KEY, TOKEN]);
}

#[test]
fn json_escaped_slashes_and_percent_encoding_are_seen_through() {
    let json_escaped = TOKEN.replace('/', "\\/");
    let percent = TOKEN
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3d");
    for echo in [json_escaped, percent] {
        // In a body that is not JSON (its snippet is shown as sent), in a JSON message, in a
        // header, and in a redirect.
        let bodies = [
            http_response(502, "", format!("<html>bad token {echo}</html>").as_bytes()),
            http_response(
                400,
                "",
                format!(r#"{{"status":"error","message":"bad token {echo}"}}"#).as_bytes(),
            ),
            http_response(
                302,
                &format!("location: https://evil.example/?t={echo}\r\n"),
                b"",
            ),
        ];
        for reply in bodies {
            let err = fetch_v1(&answering(reply));
            assert_hidden(&texts(&err), &[KEY, TOKEN]);
        }
    }
}

#[test]
fn a_url_the_caller_gives_never_shows_its_password_or_the_key() {
    let urls = [
        format!("http://{KEY}:{TOKEN}@127.0.0.1:1"),
        format!("https://api.example.com/{KEY}/"),
        format!("https://api.example.com/?key={KEY}"),
    ];
    for url in urls {
        let config = Config::new(KEY).base_url(url.as_str());
        let mut shown = vec![format!("{config:?}")];
        if let Err(err) = config.check() {
            shown.extend(texts(&err));
        }
        assert_hidden(&shown, &[KEY, TOKEN]);
    }
    let password = "hunter2-is-not-a-password";
    for proxy in [
        format!("socks5://alice:{password}@127.0.0.1:1080"),
        format!("http://alice:{password}@127.0.0.1:1"),
        format!("ftp://alice:{password}@127.0.0.1:1"),
    ] {
        let config = Config::new(KEY).proxy(proxy.as_str());
        let mut shown = vec![format!("{config:?}")];
        if let Err(err) = fetch_sent_invitations(&config, &Params::new(TOKEN)) {
            shown.extend(texts(&err));
        }
        assert_hidden(&shown, &[KEY, TOKEN, password]);
    }
}

#[test]
fn an_account_id_a_login_returns_in_an_odd_shape_is_as_secret_as_the_token() {
    let id = "acc_7f3e9b2d1c4a5e6f";
    for data in [
        format!(r#"{{"account_id":{{"id":"{id}"}}}}"#),
        format!(r#"{{"account_id":["{id}"]}}"#),
        r#"{"account_id":73290018476512}"#.to_owned(),
    ] {
        let body = format!(r#"{{"success":true,"data":{data}}}"#);
        let server = answering(http_response(200, "", body.as_bytes()));
        let config = config(server.base_url()).max_retries(0);
        let err = connect_account(&config, &Params::new(TOKEN)).unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{err:?}");
        assert_hidden(&texts(&err), &[id, "73290018476512"]);
    }
}

#[test]
fn an_account_id_in_a_login_reply_that_is_no_clean_json_is_still_hidden() {
    let id = "acct_Zx81Qw72Er63Ty54";
    for body in [
        format!("\u{feff}{{\"success\":true,\"data\":{{\"account_id\":{{\"id\":\"{id}\"}}}}}}"),
        format!(r#"{{"success":true,"data":{{"account_id":"","account_id":{{"x":"{id}"}}}}}}"#),
        format!(r#"{{"success":true,"data":{{"account_id":["{id}"]}}}} trailing"#),
        format!(r#"{{"success":true,"data":{{"account_id":"{id}"#),
    ] {
        let server = answering(http_response(200, "", body.as_bytes()));
        let config = config(server.base_url()).max_retries(0);
        if let Err(err) = connect_account(&config, &Params::new(TOKEN)) {
            assert_hidden(&texts(&err), &[id]);
        }
    }
}

#[test]
fn a_proxy_password_with_a_hash_or_a_question_mark_is_hidden() {
    for password in ["Pr0xy#Passw0rd99", "Pr0xy?Passw0rd99"] {
        for proxy in [
            format!("http://alice:{password}@127.0.0.1:3128"),
            format!("socks5://alice:{password}@127.0.0.1:1080"),
        ] {
            let config = Config::new(KEY).proxy(proxy.as_str());
            let mut shown = vec![format!("{config:?}")];
            if let Err(err) = config.check() {
                shown.extend(texts(&err));
            }
            assert_hidden(&shown, &[password]);
        }
    }
}

#[test]
fn a_secret_another_begins_with_hides_both_whole() {
    // Which secret is redacted first must not decide whether the other's tail shows: the token
    // begins with the key, then the key begins with the token.
    let longer = format!("{KEY}Zt7wPq+Lm2nV8xYz0aB");
    let pairs = [(KEY.to_owned(), longer.clone()), (longer, KEY.to_owned())];
    for (key, token) in pairs {
        let body = format!(r#"{{"status":"error","message":"token {token} key {key}"}}"#);
        let server = answering(http_response(400, "", body.as_bytes()));
        let config = Config::new(key.as_str())
            .base_url(server.base_url())
            .requests_per_minute(0)
            .max_retries(0);
        let err = fetch_sent_invitations(&config, &Params::new(token.as_str())).unwrap_err();
        let Error::Api { message, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(message, "token [redacted] key [redacted]");
        assert_hidden(&texts(&err), &[&key, &token]);
    }
}

// ---------------------------------------------------------------------------------------------
// Logs
// ---------------------------------------------------------------------------------------------

#[test]
fn the_log_advice_names_every_target_that_can_carry_a_secret() {
    let capture = support::logs();
    // A server that echoes the key in a header ureq logs as it came, and in a redirect.
    let reply = http_response(
        302,
        &format!("server: echo-{KEY}\r\nlocation: https://evil.example/?k={KEY}\r\n"),
        b"",
    );
    let err = fetch_v1(&answering(reply));
    assert_hidden(&texts(&err), &[KEY, TOKEN]);
    let lines = capture.lines();
    // ureq's own records show it: no library can filter another crate's records...
    let leaking: Vec<&String> = lines.iter().filter(|l| l.contains(KEY)).collect();
    assert!(!leaking.is_empty(), "{lines:#?}");
    // ...and every one of them comes from a target the advice filters out.
    for line in &leaking {
        assert!(line.starts_with("ureq"), "{line}");
    }
    // The crate's own records hold none, and its one warning names both targets.
    let ours: Vec<&String> = lines
        .iter()
        .filter(|l| l.starts_with("linkup_sent_invitations "))
        .collect();
    assert_hidden(
        &ours.iter().map(|l| l.to_string()).collect::<Vec<_>>(),
        &[KEY],
    );
    let warning = ours
        .iter()
        .find(|l| l.contains("ureq_proto"))
        .expect("the warning");
    assert!(
        warning.contains("ureq=off") && warning.contains("ureq_proto=off"),
        "{warning}"
    );
}

#[test]
fn a_query_value_of_a_configured_url_is_a_secret() {
    // A gateway that takes its own key in the query (`?code=...`), and a short one.
    let code = "gw-code-7f3a9c1e55";
    let server = answering(http_response(
        400,
        "",
        format!(r#"{{"status":"error","message":"bad code {code} and v=zq9"}}"#).as_bytes(),
    ));
    let url = format!("{}/?code={code}&v=zq9#frag-{code}", server.base_url());
    let config = Config::new(KEY).base_url(&url).requests_per_minute(0);
    let debug = format!("{config:?}");
    assert_hidden(std::slice::from_ref(&debug), &[code, KEY]);
    // Every value, whatever its length, is masked where the crate shows the URL itself.
    assert!(!debug.contains("zq9"), "{debug}");
    assert!(debug.contains("?code=[redacted]&v=[redacted]"), "{debug}");
    // A server that echoes it: redacted like any secret (of 8 characters or more).
    let err = fetch_sent_invitations(&config, &Params::new(TOKEN)).unwrap_err();
    assert_hidden(&texts(&err), &[code, KEY, TOKEN]);
    // A URL refused before sending shows none of it.
    let refused = Config::new(KEY).base_url(format!("http://gw.example/?code={code}&v=zq9"));
    let err = refused.check().unwrap_err();
    assert_hidden(&texts(&err), &[code]);
    assert!(!err.to_string().contains("zq9"), "{err}");
    // And the proxy's URL the same way.
    let proxied = Config::new(KEY).proxy(format!("http://proxy.example:3128/?token={code}"));
    let debug = format!("{proxied:?}");
    assert_hidden(std::slice::from_ref(&debug), &[code]);
}
