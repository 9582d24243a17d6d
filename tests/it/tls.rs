//! Behind a company proxy that re-signs TLS with its own CA: against a real TLS server
//! (`openssl s_server`) whose certificate a CA made by `openssl` signs, no network. Trusting
//! that CA with `Config::add_root_certificates` makes calls work; without it, or with another
//! CA, the certificate is refused, nothing is sent, nothing retried; a PEM with no certificate
//! is refused before anything is sent. And the `User-Agent` with and without `app_name`.

use crate::support;

use std::time::Duration;

use linkup_sent_invitations::{fetch_sent_invitations, Config, Error, Params};
use support::tls::{closing_reply, Pki, Relay, TlsServer};
use support::{fixture, http_response, Action, RawServer, KEY, TOKEN};

/// A config for `url` that ignores any proxy of the environment and retries what it may.
fn config(url: &str) -> Config {
    Config::new(KEY)
        .base_url(url)
        .proxy_from_env(false)
        .requests_per_minute(0)
        .retry_backoff(Duration::from_millis(1))
        .max_retries(3)
}

fn sample_page() -> Vec<u8> {
    closing_reply(200, fixture("documented-sample-page.json").as_bytes())
}

fn transport(err: &Error) -> &linkup_sent_invitations::TransportError {
    match err {
        Error::Transport(transport) => transport,
        other => panic!("not a transport error: {other:?}"),
    }
}

#[test]
fn a_server_the_added_ca_signed_is_trusted() {
    let pki = Pki::new("Example Corp Inspection CA");
    let server = TlsServer::start(&pki, sample_page());
    let relay = Relay::start(server.addr);
    let config = config(&relay.base_url()).add_root_certificates(pki.ca_pem());
    let page = fetch_sent_invitations(&config, &Params::new(TOKEN)).expect("trusted");
    assert!(!page.invitations.is_empty());
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = String::from_utf8_lossy(&requests[0]).to_ascii_lowercase();
    assert!(
        request.starts_with("post /v1/network/sent-invitations "),
        "{request}"
    );
    // The added roots are tried first once added, so a call costs one handshake.
    assert_eq!(relay.connections(), 1);
    // And the set that worked keeps going first.
    fetch_sent_invitations(&config, &Params::new(TOKEN)).expect("trusted again");
    assert_eq!((server.requests().len(), relay.connections()), (2, 2));
}

#[test]
fn without_the_ca_the_certificate_is_refused_nothing_is_sent_nor_retried() {
    let pki = Pki::new("Example Corp Inspection CA");
    let server = TlsServer::start(&pki, sample_page());
    let relay = Relay::start(server.addr);
    let config = config(&relay.base_url());
    let err = fetch_sent_invitations(&config, &Params::new(TOKEN)).unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("TLS with 127.0.0.1:"), "{text}");
    assert!(
        text.contains("invalid peer certificate: UnknownIssuer"),
        "{text}"
    );
    assert!(text.contains("not retried"), "{text}");
    assert!(
        text.contains("trust that CA with Config::add_root_certificates"),
        "the advice names the fix: {text}"
    );
    assert_eq!(transport(&err).attempts(), 1);
    assert_eq!(relay.connections(), 1);
    assert!(server.requests().is_empty(), "nothing was sent");
    assert_eq!(config.credits_used(), 0);
}

#[test]
fn another_ca_is_refused_after_both_sets_of_roots_were_shown_the_certificate() {
    let pki = Pki::new("Example Corp Inspection CA");
    let other = Pki::new("Some Other CA");
    let server = TlsServer::start(&pki, sample_page());
    let relay = Relay::start(server.addr);
    let config = config(&relay.base_url()).add_root_certificates(other.ca_pem());
    let err = fetch_sent_invitations(&config, &Params::new(TOKEN)).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("invalid peer certificate: UnknownIssuer"),
        "{text}"
    );
    assert!(
        text.contains(
            "neither the built-in roots nor the 1 added with Config::add_root_certificates"
        ),
        "{text}"
    );
    assert_eq!(transport(&err).attempts(), 1, "not retried");
    // One handshake per set of roots, no request.
    assert_eq!(relay.connections(), 2);
    assert!(server.requests().is_empty());
    assert_eq!(config.credits_used(), 0);
}

#[test]
fn a_certificate_the_added_ca_signed_for_another_name_is_refused_for_its_name() {
    // A hostile server names the secrets, folded as host names are, in its certificate; rustls
    // quotes the names when none fits.
    let names = format!(
        "DNS:{}.example,DNS:{}.example",
        KEY.to_ascii_lowercase(),
        TOKEN.to_ascii_lowercase()
    );
    let pki = Pki::with_names("Example Corp Inspection CA", &names);
    let server = TlsServer::start(&pki, sample_page());
    let relay = Relay::start(server.addr);
    let config = config(&relay.base_url()).add_root_certificates(pki.ca_pem());
    let err = fetch_sent_invitations(&config, &Params::new(TOKEN)).unwrap_err();
    let text = err.to_string();
    // The set that knows the issuer says what is wrong; the other's "UnknownIssuer" would
    // send the user after the wrong file.
    assert!(text.contains("certificate not valid for name"), "{text}");
    assert!(!text.contains("UnknownIssuer"), "{text}");
    assert!(text.contains("Config::base_url"), "{text}");
    // A name mismatch names the name asked, and sends nobody after a CA file that is right.
    assert!(
        text.contains("the certificate names another host than 127.0.0.1"),
        "{text}"
    );
    assert!(!text.contains("PEM"), "{text}");
    assert_eq!(relay.connections(), 2);
    assert!(server.requests().is_empty());
    assert_eq!(config.credits_used(), 0);
    let mut shown = vec![text, format!("{err:?}")];
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        shown.push(cause.to_string());
        shown.push(format!("{cause:?}"));
        source = cause.source();
    }
    for text in shown {
        let folded = text.to_ascii_lowercase();
        for secret in [KEY, TOKEN] {
            let secret = secret.to_ascii_lowercase();
            let chars: Vec<char> = secret.chars().collect();
            for window in chars.windows(8) {
                let window: String = window.iter().collect();
                assert!(!folded.contains(&window), "{window:?} shows in {text}");
            }
        }
    }
}

#[test]
fn a_self_signed_server_is_refused_whatever_ca_is_added() {
    let pki = Pki::self_signed();
    let server = TlsServer::start(&pki, sample_page());
    let other = Pki::new("Some Other CA");
    let config = config(&server.base_url()).add_root_certificates(other.ca_pem());
    let err = fetch_sent_invitations(&config, &Params::new(TOKEN)).unwrap_err();
    assert!(err.to_string().contains("not retried"), "{err}");
    assert!(server.requests().is_empty());
}

#[test]
fn the_ca_may_come_with_others_in_one_file_or_in_several_calls() {
    let pki = Pki::new("Example Corp Inspection CA");
    let other = Pki::new("Some Other CA");
    let server = TlsServer::start(&pki, sample_page());
    let mut bundle = other.ca_pem();
    bundle.extend(b"\nsome comment a bundle may hold\n");
    bundle.extend(pki.ca_pem());
    let config = config(&server.base_url()).add_root_certificates(&bundle);
    assert!(
        format!("{config:?}").contains("added_roots: 2"),
        "{config:?}"
    );
    fetch_sent_invitations(&config, &Params::new(TOKEN)).expect("the bundle's second CA");
    let config = config_with_two_calls(&server.base_url(), &other, &pki);
    assert!(
        format!("{config:?}").contains("added_roots: 2"),
        "{config:?}"
    );
    fetch_sent_invitations(&config, &Params::new(TOKEN)).expect("the second call's CA");
    assert_eq!(server.requests().len(), 2);
}

fn config_with_two_calls(url: &str, first: &Pki, second: &Pki) -> Config {
    config(url)
        .add_root_certificates(first.ca_pem())
        .add_root_certificates(second.ca_pem())
}

#[test]
fn a_pem_without_a_certificate_is_refused_before_anything_is_sent() {
    let pki = Pki::new("Example Corp Inspection CA");
    let server = RawServer::start(|_, _| Action::Write(http_response(200, "", b"{}")));
    let key = pki.server_key_pem();
    let ca = String::from_utf8(pki.ca_pem()).unwrap();
    let lines: Vec<&str> = ca.lines().collect();
    // A body line of the certificate with one character changed: still base64, but no DER.
    let broken_der = ca.replacen(lines[1], &"A".repeat(lines[1].len()), 1);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", Vec::new(), "holds no certificate"),
        ("text", b"hello".to_vec(), "holds no certificate"),
        (
            "a private key",
            key.clone(),
            "holds a private key and no certificate",
        ),
        (
            "broken base64",
            ca.replacen(lines[1], "!!!!", 1).into_bytes(),
            "is not valid PEM",
        ),
        (
            "no X.509 inside",
            broken_der.into_bytes(),
            "no X.509 certificate",
        ),
    ];
    for (what, pem, says) in cases {
        let config = support::config(server.base_url()).add_root_certificates(&pem);
        let err = config.check().unwrap_err();
        let Error::InvalidParams(reason) = &err else {
            panic!("{what}: {err:?}")
        };
        assert!(reason.contains(says), "{what}: {reason}");
        assert!(reason.contains("Config::add_root_certificates"), "{reason}");
        let err = fetch_sent_invitations(&config, &Params::new(TOKEN)).unwrap_err();
        assert!(matches!(err, Error::InvalidParams(_)), "{what}: {err:?}");
        // A good PEM after a bad one does not make the bad one good.
        let config = config.add_root_certificates(pki.ca_pem());
        assert!(config.check().is_err(), "{what}");
        // Never a word of what the file holds.
        let shown = format!("{err} {err:?} {config:?}");
        for line in String::from_utf8_lossy(&key).lines().skip(1).take(1) {
            assert!(!shown.contains(line), "{what}: {shown}");
        }
    }
    assert_eq!(server.request_count(), 0, "nothing was sent");
}

#[test]
fn the_user_agent_names_the_app_first_when_it_has_a_name() {
    let server = RawServer::start(|_, _| {
        Action::Write(http_response(
            200,
            "",
            fixture("documented-sample-page.json").as_bytes(),
        ))
    });
    let ours = format!("linkup-sent-invitations/{}", env!("CARGO_PKG_VERSION"));
    let plain = support::config(server.base_url());
    fetch_sent_invitations(&plain, &Params::new(TOKEN)).unwrap();
    let named = plain
        .clone()
        .app_name("invite-cleaner/1.2 (ops@example.com)");
    fetch_sent_invitations(&named, &Params::new(TOKEN)).unwrap();
    let agents: Vec<Option<String>> = server
        .requests
        .lock()
        .unwrap()
        .iter()
        .map(|r| r.header("user-agent"))
        .collect();
    assert_eq!(
        agents,
        [
            Some(ours.clone()),
            Some(format!("invite-cleaner/1.2 (ops@example.com) {ours}"))
        ]
    );
    for bad in ["", "   ", "two\nlines", "tab\tbed", " padded", "caf\u{e9}"] {
        let err = plain.clone().app_name(bad).check().unwrap_err();
        assert!(matches!(err, Error::InvalidParams(_)), "{bad:?}: {err:?}");
        let err = fetch_sent_invitations(&plain.clone().app_name(bad), &Params::new(TOKEN));
        assert!(matches!(err, Err(Error::InvalidParams(_))), "{bad:?}");
    }
    assert_eq!(server.request_count(), 2, "the bad names sent nothing");
}
