//! `Config::from_env`, which reads the environment.

use linkup_sent_invitations::{fetch_sent_invitations, Config, Error, Params};

#[test]
fn from_env_reads_the_key_and_base_url_and_explains_a_missing_key() {
    let _one = crate::global();
    std::env::remove_var("LINKUP_API_KEY");
    std::env::remove_var("LINKUP_BASE_URL");
    let err = Config::from_env().unwrap_err();
    assert!(matches!(err, Error::InvalidParams(_)));
    assert!(
        err.to_string().contains("LINKUP_API_KEY is not set"),
        "{err}"
    );

    std::env::set_var("LINKUP_API_KEY", "env-key-SECRET");
    std::env::set_var("LINKUP_BASE_URL", "http://evil.example");
    let config = Config::from_env().unwrap();
    assert!(!format!("{config:?}").contains("env-key-SECRET"));
    // The base URL was taken from the environment: plain http to a remote host is refused.
    let err = fetch_sent_invitations(&config, &Params::new("token")).unwrap_err();
    assert!(err.to_string().contains("http://evil.example"), "{err}");
}

/// With the `native-certs` feature, a company's CA installed in the operating system's store
/// (here `SSL_CERT_DIR`, as OpenSSL's store is found) is trusted by
/// `add_native_root_certificates`, by `from_env` and by the tools, with no `--cacert`; a
/// file of the store that holds no certificate is skipped, not refused. Without the call the
/// same server is refused, naming its certificate.
#[cfg(feature = "native-certs")]
#[test]
fn the_operating_system_store_is_trusted_with_native_certs() {
    use crate::support::tls::{closing_reply, Pki, TempDir, TlsServer};
    let _one = crate::global();
    let pki = Pki::new("Example Corp CA, in the OS store");
    // SSL_CERT_DIR is a list split at ':', which TempDir's names hold.
    let store =
        TempDir(std::env::temp_dir().join(format!("linkup-os-store-{}", std::process::id())));
    std::fs::create_dir_all(&store.0).unwrap();
    std::fs::write(store.0.join("example-corp.pem"), pki.ca_pem()).unwrap();
    std::fs::write(store.0.join("README"), "not a certificate").unwrap();
    std::env::remove_var("SSL_CERT_FILE");
    std::env::set_var("SSL_CERT_DIR", &store.0);
    let page = crate::support::fixture("documented-sample-page.json");
    let server = TlsServer::start(&pki, closing_reply(200, page.as_bytes()));
    let params = Params::new("token");
    let config = |c: Config| c.base_url(server.base_url()).requests_per_minute(0);

    let refused = fetch_sent_invitations(&config(Config::new("key")), &params).unwrap_err();
    assert!(matches!(refused, Error::Transport(_)), "{refused}");
    assert!(refused.to_string().contains("certificate"), "{refused}");

    let native = config(Config::new("key").add_native_root_certificates());
    let page_read = fetch_sent_invitations(&native, &params).unwrap();
    assert_eq!(page_read.invitations.len(), 1);

    std::env::set_var("LINKUP_API_KEY", "env-key");
    std::env::set_var("LINKUP_BASE_URL", server.base_url());
    let from_env = Config::from_env().unwrap().requests_per_minute(0);
    assert_eq!(
        fetch_sent_invitations(&from_env, &params)
            .unwrap()
            .invitations
            .len(),
        1
    );

    let tool = std::process::Command::new(env!("CARGO_BIN_EXE_linkup-export"))
        .env("LINKUP_LOGIN_TOKEN", "token")
        .env_remove("LINKUP_CACERT")
        .args([
            "--requests-per-minute",
            "0",
            "--max-credits",
            "1",
            "--quiet",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&tool.stdout);
    assert!(
        stdout.contains("7329176687475109888"),
        "{stdout}{}",
        String::from_utf8_lossy(&tool.stderr)
    );
    for name in ["SSL_CERT_DIR", "LINKUP_API_KEY", "LINKUP_BASE_URL"] {
        std::env::remove_var(name);
    }
}
