//! `sync status`: what waits to be sent, when this laptop last pushed and
//! pulled, and each device's latest batch as last fetched.

use std::path::Path;

use serde::Serialize;

use gridbook_store::store::Store;

use super::SyncError;
use super::device::{Device, OFFICE_DEV};

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct DeviceStatus {
    pub name: String,
    /// RFC 3339 (UTC), or null before its first batch.
    pub last_batch_at: Option<String>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Status {
    pub device: String,
    pub office: String,
    pub plaintext: bool,
    pub unsent: usize,
    pub last_push: Option<String>,
    pub last_pull: Option<String>,
    pub devices: Vec<DeviceStatus>,
}

pub fn rfc3339(ms: i64) -> Option<String> {
    jiff::Timestamp::from_millisecond(ms)
        .ok()
        .map(|t| t.round(jiff::Unit::Second).unwrap_or(t).to_string())
}

pub fn status(store: &Store, data: &Path) -> Result<Status, SyncError> {
    let dev = Device::load(data)?;
    let git = dev.journal();
    let state = super::run::state(data);
    let mut devices = Vec::new();
    let text = git.ok(&[
        "for-each-ref",
        "--format=%(refname) %(committerdate:unix)",
        OFFICE_DEV.trim_end_matches('/'),
        "refs/heads/dev",
    ])?;
    for line in text.lines() {
        let Some((name, secs)) = line.split_once(' ') else {
            continue;
        };
        let name = name
            .trim_start_matches(OFFICE_DEV)
            .trim_start_matches("refs/heads/dev/")
            .to_string();
        let at = secs.parse::<i64>().ok().and_then(|s| rfc3339(s * 1000));
        match devices
            .iter_mut()
            .find(|d: &&mut DeviceStatus| d.name == name)
        {
            // This device's own branch here is newer than the office's copy.
            Some(d) => d.last_batch_at = d.last_batch_at.clone().max(at),
            None => devices.push(DeviceStatus {
                name,
                last_batch_at: at,
            }),
        }
    }
    if !devices.iter().any(|d| d.name == dev.name) {
        devices.push(DeviceStatus {
            name: dev.name.clone(),
            last_batch_at: None,
        });
    }
    devices.sort_by(|a, b| a.name.cmp(&b.name));
    let unsent = if store.outbox_on() {
        store.outbox_len()?
    } else {
        // Set up but the store was replaced: everything goes at the next sync.
        {
            use gridbook_domain::model::Kind;
            [
                Kind::Area,
                Kind::Building,
                Kind::Household,
                Kind::Resident,
                Kind::Member,
            ]
            .into_iter()
            .map(|k| store.count(k))
            .sum::<Result<usize, _>>()?
                + store.event_count()?
        }
    };
    Ok(Status {
        device: dev.name,
        office: dev.office,
        plaintext: !dev.encrypted,
        unsent,
        last_push: state.last_push.and_then(rfc3339),
        last_pull: state.last_pull.and_then(rfc3339),
        devices,
    })
}
