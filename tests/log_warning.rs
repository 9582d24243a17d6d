//! The one-time warning about ureq's records, under a logger that enables only the target the
//! wire dump is logged under, as `RUST_LOG=warn,ureq_proto::util=trace` does with env_logger.
//! (Its own test binary: a logger is global.)

mod support;

use std::sync::Mutex;

use linkup_sent_invitations::{fetch_sent_invitations, Params};
use support::{config, http_response, Action, RawServer, TOKEN};

struct Filtered(Mutex<Vec<String>>);

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
            self.0.lock().unwrap().push(line);
        }
    }
    fn flush(&self) {}
}

#[test]
fn the_warning_comes_when_only_the_wire_dump_is_enabled() {
    let logger: &'static Filtered = Box::leak(Box::new(Filtered(Mutex::new(Vec::new()))));
    log::set_logger(logger).unwrap();
    log::set_max_level(log::LevelFilter::Trace);
    let body = br#"{"status":"success","data":{"total_results":0,"invitations":[]}}"#;
    let server = RawServer::start(move |_, _| Action::Write(http_response(200, "", body)));
    fetch_sent_invitations(&config(server.base_url()), &Params::new(TOKEN)).unwrap();
    let lines = logger.0.lock().unwrap().clone();
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
