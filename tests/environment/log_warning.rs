//! The one-time warning about ureq's records, under a logger that enables only the target the
//! wire dump is logged under, as `RUST_LOG=warn,ureq_proto::util=trace` does with env_logger.
//! (A logger is global, and the warning once per process: the binary's [`crate::global`]
//! installs this one before any test sends a request.)

use crate::support;

use linkup_sent_invitations::{fetch_sent_invitations, Params};
use support::{config, http_response, Action, RawServer, TOKEN};

struct Filtered;

impl log::Log for Filtered {
    fn enabled(&self, metadata: &log::Metadata) -> bool {
        let target = metadata.target();
        (target == "ureq_proto::util" && metadata.level() <= log::Level::Trace)
            || (target.starts_with("linkup_sent_invitations")
                && metadata.level() <= log::Level::Warn)
    }
    fn log(&self, record: &log::Record) {
        if self.enabled(record.metadata()) {
            let line = format!("{} {}", record.target(), record.args());
            crate::logged().lock().unwrap().push(line);
        }
    }
    fn flush(&self) {}
}

/// Installs the logger: enabled for the wire dump's target and the crate's warnings only.
pub fn install() {
    static LOGGER: Filtered = Filtered;
    log::set_logger(&LOGGER).unwrap();
    log::set_max_level(log::LevelFilter::Trace);
}

#[test]
fn the_warning_comes_when_only_the_wire_dump_is_enabled() {
    let _one = crate::global();
    let body = br#"{"status":"success","data":{"total_results":0,"invitations":[]}}"#;
    let server = RawServer::start(move |_, _| Action::Write(http_response(200, "", body)));
    fetch_sent_invitations(&config(server.base_url()), &Params::new(TOKEN)).unwrap();
    let lines = crate::logged().lock().unwrap().clone();
    assert!(
        lines.iter().any(|l| l.starts_with("ureq_proto::util ")),
        "the dump is logged: {lines:#?}"
    );
    let warnings: Vec<&String> = lines
        .iter()
        .filter(|l| l.starts_with("linkup_sent_invitations ") && l.contains("ureq_proto"))
        .collect();
    assert_eq!(warnings.len(), 1, "{lines:#?}");
}
