//! Proxies and TLS against real things on 127.0.0.1: a CONNECT proxy that records every byte a
//! client sends it, and a real TLS server (`openssl s_server`). The proxy must never read the
//! API key or the `login_token`, plain http must never go through it, and a proxy this build
//! cannot use must stop the call before anything is sent.
//!
//! These tests set proxy variables in the process environment, so they run one at a time.

use crate::support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use linkup_sent_invitations::{fetch_sent_invitations, Config, Error, Params};
use support::tls::{closing_reply, Pki, TlsServer};
use support::{closed_port_url, config, raw_fake, KEY, TOKEN};

const PROXY_VARS: [&str; 10] = [
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
    "LINKUP_BASE_URL",
    "LINKUP_API_KEY",
];

/// Holds the environment for one test: every proxy variable unset, then the given ones set.
fn environment(vars: &[(&str, &str)]) -> MutexGuard<'static, ()> {
    let guard = crate::global();
    for name in PROXY_VARS {
        std::env::remove_var(name);
    }
    for (name, value) in vars {
        std::env::set_var(name, value);
    }
    guard
}

/// A CONNECT proxy on 127.0.0.1 that records everything clients send it. With a target it
/// relays the tunnel there; without one it answers the CONNECT, reads the client's first flight
/// and hangs up.
struct RecordingProxy {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl RecordingProxy {
    fn start(target: Option<SocketAddr>) -> RecordingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let log = log.clone();
                std::thread::spawn(move || serve_tunnel(stream, target, &log));
            }
        });
        RecordingProxy { addr, seen }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn connections(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    /// Everything the clients sent, one entry per connection.
    fn received(&self) -> Vec<Vec<u8>> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve_tunnel(client: TcpStream, target: Option<SocketAddr>, log: &Mutex<Vec<Vec<u8>>>) {
    let index = {
        let mut log = log.lock().unwrap();
        log.push(Vec::new());
        log.len() - 1
    };
    let record = |bytes: &[u8]| log.lock().unwrap()[index].extend_from_slice(bytes);
    client
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut writer = client.try_clone().unwrap();
    let mut reader = BufReader::new(client);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        record(line.as_bytes());
        if line == "\r\n" {
            break;
        }
    }
    let upstream = match target {
        Some(addr) => match TcpStream::connect(addr) {
            Ok(upstream) => Some(upstream),
            Err(_) => return,
        },
        None => None,
    };
    let _ = writer.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
    if let Some(upstream) = &upstream {
        let mut from_upstream = upstream.try_clone().unwrap();
        let mut to_client = writer.try_clone().unwrap();
        std::thread::spawn(move || std::io::copy(&mut from_upstream, &mut to_client));
    }
    let mut buffer = [0; 4096];
    loop {
        match reader.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                record(&buffer[..n]);
                // Without a server behind it, the first flight (a TLS ClientHello) is all there
                // is to see: hang up rather than keep the client waiting for an answer.
                if upstream.is_none() {
                    break;
                }
                if let Some(mut upstream) = upstream.as_ref() {
                    if upstream.write_all(&buffer[..n]).is_err() {
                        break;
                    }
                }
            }
        }
    }
    if let Some(upstream) = upstream {
        let _ = upstream.shutdown(std::net::Shutdown::Both);
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

fn assert_no_secret(bytes: &[u8]) {
    assert!(
        !contains(bytes, KEY) && !contains(bytes, TOKEN),
        "the proxy read a secret in clear text: {:?}",
        String::from_utf8_lossy(bytes)
    );
}

/// A listener that only counts the connections it is offered.
fn counting_listener() -> (String, Arc<Mutex<usize>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(Mutex::new(0));
    let counted = count.clone();
    std::thread::spawn(move || {
        for _ in listener.incoming() {
            *counted.lock().unwrap() += 1;
        }
    });
    (addr.to_string(), count)
}

/// Calls an https URL on a closed loopback port: refused, as a direct connection is.
fn refused_directly(config: Config) {
    let config = config
        .base_url(closed_port_url().replace("http://", "https://"))
        .max_retries(0);
    let err = fetch_sent_invitations(&config, &Params::new(TOKEN)).unwrap_err();
    assert!(
        matches!(&err, Error::Transport(t) if t.before_reply()),
        "{err:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Plain http: never through a proxy
// ---------------------------------------------------------------------------------------------

#[test]
fn plain_http_to_loopback_never_goes_through_any_proxy() {
    let proxy = RecordingProxy::start(None);
    let url = proxy.url();
    let _env = environment(&[
        ("HTTPS_PROXY", &url),
        ("HTTP_PROXY", &url),
        ("ALL_PROXY", &url),
        ("http_proxy", &url),
    ]);
    let server = raw_fake(25);
    let page = fetch_sent_invitations(&config(server.base_url()), &Params::new(TOKEN)).unwrap();
    assert_eq!(page.invitations.len(), 10);

    // Not even a proxy set explicitly: it would read the key.
    let explicit = config(server.base_url()).proxy(&url);
    fetch_sent_invitations(&explicit, &Params::new(TOKEN)).unwrap();

    assert_eq!(proxy.connections(), 0, "the proxy was offered plain http");
    assert_eq!(server.request_count(), 2, "both calls went direct");
}

// ---------------------------------------------------------------------------------------------
// https: through the environment's proxy, as curl reads it, in a CONNECT tunnel
// ---------------------------------------------------------------------------------------------

#[test]
fn https_goes_through_https_proxy_in_a_tunnel_that_hides_the_secrets() {
    let proxy = RecordingProxy::start(None);
    let _env = environment(&[("HTTPS_PROXY", &proxy.url())]);
    // The proxy resolves the API's host, so this needs no DNS and reaches nothing outside.
    let config = Config::new(KEY)
        .requests_per_minute(0)
        .max_retries(0)
        .timeout(Duration::from_secs(5));
    let err = fetch_sent_invitations(&config, &Params::new(TOKEN)).unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");

    let received = proxy.received();
    assert_eq!(received.len(), 1, "one tunnel");
    let bytes = &received[0];
    assert!(
        bytes.starts_with(b"CONNECT api.linkupapi.com:443 HTTP/1.1\r\n"),
        "{:?}",
        String::from_utf8_lossy(bytes)
    );
    let head_end = bytes.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    assert_eq!(
        bytes.get(head_end),
        Some(&0x16),
        "after the CONNECT comes a TLS handshake record, not HTTP"
    );
    assert_no_secret(bytes);
}

#[test]
fn https_proxy_then_all_proxy_lowercase_first_and_never_http_proxy() {
    let used = RecordingProxy::start(None);
    let unused = RecordingProxy::start(None);
    let call = || {
        let config = Config::new(KEY).requests_per_minute(0).max_retries(0);
        fetch_sent_invitations(&config, &Params::new(TOKEN)).unwrap_err()
    };

    {
        let _env = environment(&[("HTTP_PROXY", &unused.url()), ("http_proxy", &unused.url())]);
        // No https proxy: direct to a closed loopback port, refused, and no proxy offered.
        refused_directly(Config::new(KEY));
    }
    {
        let _env = environment(&[("ALL_PROXY", &used.url()), ("HTTP_PROXY", &unused.url())]);
        call();
    }
    {
        let _env = environment(&[("https_proxy", &used.url()), ("HTTPS_PROXY", &unused.url())]);
        call();
    }
    {
        let _env = environment(&[("HTTPS_PROXY", &used.url()), ("ALL_PROXY", &unused.url())]);
        call();
    }
    assert_eq!(used.connections(), 3);
    assert_eq!(
        unused.connections(),
        0,
        "HTTP_PROXY or a lower-priority variable was used"
    );
}

#[test]
fn no_proxy_and_proxy_from_env_false_connect_directly() {
    let proxy = RecordingProxy::start(None);
    for no_proxy in ["127.0.0.1", "localhost, 127.0.0.1:443", "*"] {
        let _env = environment(&[("HTTPS_PROXY", &proxy.url()), ("NO_PROXY", no_proxy)]);
        refused_directly(Config::new(KEY));
    }
    let _env = environment(&[("HTTPS_PROXY", &proxy.url())]);
    refused_directly(Config::new(KEY).proxy_from_env(false));
    assert_eq!(proxy.connections(), 0);
}

#[test]
fn a_socks_proxy_is_refused_before_anything_is_sent() {
    let (target, target_hits) = counting_listener();
    let (socks, socks_hits) = counting_listener();
    for (name, value) in [
        ("ALL_PROXY", format!("socks5://user:hunter2@{socks}")),
        ("HTTPS_PROXY", format!("socks4a://{socks}")),
    ] {
        let _env = environment(&[(name, &value)]);
        let config = Config::new(KEY).base_url(format!("https://{target}"));
        let err = fetch_sent_invitations(&config, &Params::new(TOKEN)).unwrap_err();
        let Error::InvalidParams(reason) = &err else {
            panic!("{err:?}")
        };
        assert!(
            reason.contains(name) && reason.contains("SOCKS"),
            "{reason}"
        );
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }
    // An explicit one too, whatever the environment says.
    let _env = environment(&[]);
    let config = Config::new(KEY)
        .base_url(format!("https://{target}"))
        .proxy(format!("socks5h://{socks}"));
    let err = fetch_sent_invitations(&config, &Params::new(TOKEN)).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidParams(r) if r.contains("Config::proxy")),
        "{err:?}"
    );

    std::thread::sleep(Duration::from_millis(50)); // let any connection be counted
    assert_eq!(*target_hits.lock().unwrap(), 0, "the call went direct");
    assert_eq!(*socks_hits.lock().unwrap(), 0);
}

#[test]
fn a_password_in_the_environment_s_proxy_never_shows() {
    let password = "env-proxy-pa55word";
    // A proxy that refuses the tunnel, echoing the password it was sent.
    let refusing = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = refusing.local_addr().unwrap();
    std::thread::spawn(move || {
        for mut stream in refusing.incoming().flatten() {
            let mut buf = [0u8; 2048];
            let _ = stream.read(&mut buf);
            let body = format!("no entry for alice:{password}");
            let reply = format!(
                "HTTP/1.1 407 denied alice:{password}\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(reply.as_bytes());
        }
    });
    for value in [
        format!("http://alice:{password}@{addr}"),
        format!("socks5://alice:{password}@{addr}"),
    ] {
        let _env = environment(&[("HTTPS_PROXY", &value)]);
        let config = Config::new(KEY).max_retries(0);
        let err = fetch_sent_invitations(&config, &Params::new(TOKEN)).unwrap_err();
        let mut texts = vec![err.to_string(), format!("{err:?}"), format!("{config:?}")];
        let mut source = std::error::Error::source(&err);
        while let Some(cause) = source {
            texts.push(format!("{cause} {cause:?}"));
            source = cause.source();
        }
        for text in texts {
            assert!(!text.contains("pa55word"), "{text}");
        }
    }
}

#[test]
fn proxy_credentials_never_show_in_debug() {
    let _env = environment(&[]);
    let config = Config::new(KEY).proxy("http://alice:s3cret-pw@proxy.example:3128");
    let debug = format!("{config:?}");
    assert!(
        !debug.contains("s3cret-pw") && !debug.contains(KEY),
        "{debug}"
    );
    assert!(debug.contains("proxy.example:3128"), "{debug}");
}

// ---------------------------------------------------------------------------------------------
// A real TLS server: certificate failures are named and not retried
// ---------------------------------------------------------------------------------------------

#[test]
fn a_refused_certificate_is_named_as_tls_and_not_retried() {
    let _env = environment(&[]);
    // `openssl s_server` with a fresh self-signed certificate, which no client trusts.
    let pki = Pki::self_signed();
    let tls = TlsServer::start(&pki, closing_reply(200, b"{}"));
    // Through a relaying CONNECT proxy, which counts the attempts and records what it carries.
    let proxy = RecordingProxy::start(Some(tls.addr));
    let config = Config::new(KEY)
        .base_url(format!("https://{}", tls.addr))
        .proxy(proxy.url())
        .requests_per_minute(0)
        .retry_backoff(Duration::from_millis(1))
        .max_retries(3);
    let err = fetch_sent_invitations(&config, &Params::new(TOKEN)).unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("TLS with 127.0.0.1:"), "{text}");
    assert!(text.contains("certificate"), "{text}");
    assert!(text.contains("not retried"), "{text}");
    assert!(matches!(&err, Error::Transport(t) if t.before_reply() && !t.is_timeout()));
    assert_eq!(
        proxy.connections(),
        1,
        "a TLS failure cannot fix itself: no retry"
    );
    for bytes in proxy.received() {
        assert!(bytes.starts_with(format!("CONNECT {} HTTP/1.1", tls.addr).as_bytes()));
        assert_no_secret(&bytes);
    }
}

// ---------------------------------------------------------------------------------------------
// A proxy's failures are named as the proxy's
// ---------------------------------------------------------------------------------------------

/// Every text of `err`: its message, its `Debug` and its causes'.
fn every_text(err: &Error) -> String {
    let mut texts = vec![err.to_string(), format!("{err:?}")];
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        texts.push(cause.to_string());
        source = cause.source();
    }
    texts.join("\n")
}

#[test]
fn a_proxy_that_refuses_the_connection_is_named_not_the_api_host() {
    let _env = environment(&[]);
    let proxy = closed_port_url();
    let config = Config::new(KEY)
        .proxy(&proxy)
        .requests_per_minute(0)
        .max_retries(0);
    let err = fetch_sent_invitations(&config, &Params::new(TOKEN)).unwrap_err();
    let text = err.to_string();
    let host = proxy.trim_start_matches("http://");
    assert!(
        text.starts_with(&format!("connection refused by the proxy {host}")),
        "{text}"
    );
    assert!(text.contains("Config::proxy or HTTPS_PROXY"), "{text}");
    assert!(!text.contains("api.linkupapi.com"), "{text}");
    assert_eq!(config.credits_used(), 0);
}

/// tinyproxy, a real proxy nobody here wrote, on a free loopback port with Basic credentials
/// `alice:s3cret-pw`, tunnelling only to port 443; `None` when it is not installed.
struct Tinyproxy {
    child: std::process::Child,
    port: u16,
    _conf: support::tls::TempDir,
}

impl Tinyproxy {
    fn start() -> Option<Tinyproxy> {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = support::tls::TempDir::new("tinyproxy");
        let conf = dir.0.join("tinyproxy.conf");
        std::fs::write(
            &conf,
            format!(
                "Port {port}\nListen 127.0.0.1\nTimeout 10\nMaxClients 10\nAllow 127.0.0.1\n\
                 BasicAuth alice s3cret-pw\nConnectPort 443\nLogLevel Critical\n"
            ),
        )
        .unwrap();
        let child = std::process::Command::new("tinyproxy")
            .arg("-d")
            .arg("-c")
            .arg(&conf)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        let Ok(child) = child else {
            eprintln!(
                "tinyproxy is not installed (apt-get install tinyproxy): .ci/run installs it"
            );
            return None;
        };
        let proxy = Tinyproxy {
            child,
            port,
            _conf: dir,
        };
        for _ in 0..200 {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(proxy);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("tinyproxy did not listen on {port}");
    }
}

impl Drop for Tinyproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_real_proxy_that_wants_credentials_says_so_and_never_shows_them() {
    let _env = environment(&[]);
    let Some(tinyproxy) = Tinyproxy::start() else {
        return;
    };
    let port = tinyproxy.port;
    let attempt = |proxy: String| {
        let config = Config::new(KEY)
            .proxy(proxy)
            .requests_per_minute(0)
            .max_retries(2)
            .retry_backoff(Duration::from_millis(1));
        let err = fetch_sent_invitations(&config, &Params::new(TOKEN)).unwrap_err();
        assert_eq!(config.credits_used(), 0);
        let all = every_text(&err);
        for secret in [KEY, TOKEN, "s3cret-pw", "czNjcmV0LXB3"] {
            assert!(!all.contains(secret), "{secret} shows in {all}");
        }
        err.to_string()
    };
    // No credentials: tinyproxy answers 407.
    let text = attempt(format!("http://127.0.0.1:{port}"));
    assert!(
        text.starts_with(&format!(
            "the proxy 127.0.0.1:{port} wants credentials (HTTP 407)"
        )),
        "{text}"
    );
    assert!(text.contains("http://user:password@host:port"), "{text}");
    // Wrong ones: tinyproxy answers 401.
    let text = attempt(format!("http://alice:wrong-pw@127.0.0.1:{port}"));
    assert!(
        text.starts_with(&format!(
            "the proxy 127.0.0.1:{port} refused the credentials in its URL (HTTP 401)"
        )),
        "{text}"
    );
    assert!(text.contains("check the user name and password"), "{text}");
    // The right ones, to a port it does not tunnel to: its refusal, and the host asked.
    let config = Config::new(KEY)
        .base_url("https://api.linkupapi.com:8443")
        .proxy(format!("http://alice:s3cret-pw@127.0.0.1:{port}"))
        .requests_per_minute(0)
        .max_retries(0);
    let err = fetch_sent_invitations(&config, &Params::new(TOKEN)).unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with(&format!(
            "the proxy 127.0.0.1:{port} refused a tunnel to api.linkupapi.com:8443 (HTTP 403)"
        )),
        "{text}"
    );
    assert!(!every_text(&err).contains("s3cret-pw"), "{text}");
}
