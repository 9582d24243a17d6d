//! The baseline the benches compare against: what a user would write by hand, a plain
//! `#[derive(Deserialize)]` mirror of the reply with `u64` ids and `String` enums.
#![allow(dead_code)] // fields are read only by the deserialiser

use serde::Deserialize;

#[derive(Deserialize)]
pub struct MirrorEnvelope {
    pub status: String,
    pub data: MirrorPage,
}

#[derive(Deserialize)]
pub struct MirrorPage {
    pub total_results: u64,
    pub total_available_results: Option<u64>,
    pub invitations: Vec<MirrorInvitation>,
    pub pagination: Option<MirrorPagination>,
}

#[derive(Deserialize)]
pub struct MirrorInvitation {
    pub name: String,
    pub profile_url: Option<String>,
    pub subtitle: Option<String>,
    pub sent_time: Option<String>,
    pub invitation_id: u64,
    pub invitation_state: Option<String>,
    pub message: Option<String>,
    pub entity_urn: Option<String>,
    pub profile_picture: Option<String>,
    pub invitation_type: Option<String>,
}

#[derive(Deserialize)]
pub struct MirrorPagination {
    pub start_page: u32,
    pub end_page: u32,
    pub results_per_page: u32,
    pub pages_fetched: u32,
}
