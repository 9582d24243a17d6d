//! The integration tests, one binary: each module is one concern, black-box through the public
//! API (or the built tools), against local servers only. One binary links the crate and its
//! dependencies once, where a file per concern linked them once each.
//!
//! What changes process-wide state (the environment, the logger's filter) lives in
//! `tests/environment`, a binary of its own.

#[path = "../support/mod.rs"]
mod support;

mod api;
mod boundary;
mod decode_props;
#[cfg(all(feature = "test-util", feature = "tools"))] // the tools and the examples' fake
mod examples;
#[cfg(feature = "test-util")]
mod fake;
mod footprint;
mod guarantees;
#[cfg(feature = "test-util")]
mod journal;
mod layout;
mod messages;
mod readme;
mod resilience;
mod roots;
mod secrets;
mod secrets_props;
mod tls;
mod v2;
mod walk_props;
mod walks;
#[cfg(all(feature = "test-util", feature = "tools", target_os = "linux"))] // libfaketime
mod week;
mod withdraw;
