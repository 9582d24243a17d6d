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
