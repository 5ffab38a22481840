//! One sync, and the same batches carried in a git bundle.
//!
//! 1. Fetch the office's marker and every device's branch into the journal;
//!    check the office and the key. This laptop's own branch is taken back
//!    from the office when the journal lacks it (a reinstall).
//! 2. Send: the outbox becomes one batch, a commit on this device's branch
//!    in the journal; the outbox entries go, and the device's own cursor is
//!    set to that commit, in one store transaction.
//! 3. Receive: each device's batches after its cursor (the last batch
//!    applied, kept in the store) are applied in order through
//!    [`crate::merge::Session`], each followed by its cursor; the derived
//!    state replays once, after the last.
//! 4. Push this device's branch.
//!
//! A kill at any point leaves a state the next sync completes: a batch made
//! but not marked sent is sent again (its entries arrive identical and are
//! skipped); a batch applied but not yet marked is applied again (the merge
//! changes nothing the second time); an unpushed branch is pushed next time.

use std::path::Path;

use gridbook_domain::model::{Id, Ts};
use gridbook_store::outbox;
use gridbook_store::store::Store;

use super::batch;
use super::device::{self, Device, MARKER, OFFICE_DEV};
use super::git::{self, Git};
use super::{SyncError, io};

#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Say what would be sent and received; change nothing.
    pub dry_run: bool,
}

/// Where a sync is, for a progress line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Fetching,
    Sending,
    /// Batches applied so far, of all to apply.
    Receiving {
        done: usize,
        total: usize,
    },
    Pushing,
}

/// What a sync did (or, dry, would do).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub dry_run: bool,
    /// Entries sent in this device's new batch.
    pub sent: usize,
    /// Entries newly stored from other devices (dry: entries in unseen batches).
    pub received: usize,
    /// Devices whose batches were applied.
    pub devices: usize,
    pub batches: usize,
    pub identical: usize,
    pub conflicts: usize,
    pub quarantined: usize,
    pub attention: usize,
    /// People erased on request by another laptop whose erasure applies
    /// here (the store's rewrite follows the sync: `crate::erase::complete`).
    pub erased: usize,
    /// Whether the office now holds this device's branch as it is here.
    pub pushed: bool,
}

impl Summary {
    /// The summary line: "sent 12, received 340 from 4 devices, 1 conflict".
    pub fn line(&self, lang: gridbook_domain::i18n::Lang) -> String {
        let count = |key: &str, n: usize| {
            let form = if n == 1 { "one" } else { "other" };
            lang.f(&format!("sync.count.{key}.{form}"), &[&n.to_string()])
        };
        let (send, receive) = if self.dry_run {
            ("sync.would_send", "sync.would_receive")
        } else {
            ("sync.sent", "sync.received")
        };
        let mut parts = vec![
            lang.f(send, &[&self.sent.to_string()]),
            lang.f(
                receive,
                &[&self.received.to_string(), &count("devices", self.devices)],
            ),
            count("conflicts", self.conflicts),
        ];
        if self.quarantined > 0 {
            parts.push(count("quarantined", self.quarantined));
        }
        if self.attention > 0 {
            parts.push(count("attention", self.attention));
        }
        if self.erased > 0 {
            let form = if self.erased == 1 { "one" } else { "other" };
            parts.push(lang.f(
                &format!("erasesync.count.erased.{form}"),
                &[&self.erased.to_string()],
            ));
        }
        parts.join(lang.t("sync.sep"))
    }

    /// What a progress line says at `step`.
    pub fn step_text(step: Step, lang: gridbook_domain::i18n::Lang) -> String {
        match step {
            Step::Fetching => lang.t("sync.job_fetching").to_string(),
            Step::Sending => lang.t("sync.job_sending").to_string(),
            Step::Receiving { done, total } => lang.f(
                "sync.job_receiving",
                &[&(done + 1).to_string(), &total.to_string()],
            ),
            Step::Pushing => lang.t("sync.job_pushing").to_string(),
        }
    }
}

/// Where the store keeps, for each device, the last batch of it applied
/// here (this laptop's own: the last batch it made).
pub(super) const CURSOR_PREFIX: &str = "applied/";

/// The store key of the last batch of `device` applied here.
fn cursor_key(device: &str) -> Vec<u8> {
    format!("{CURSOR_PREFIX}{device}").into_bytes()
}

/// The store key of a device's name, by the id its entries are stamped with.
fn name_key(id: Id) -> Vec<u8> {
    format!("name/{id}").into_bytes()
}

/// The name of the device whose entries carry stamp `id`, when a sync has
/// met it (this laptop's own, or a batch's sender): conflicts name laptops
/// by it.
pub fn device_name(
    store: &Store,
    id: Id,
) -> Result<Option<String>, gridbook_store::store::StoreError> {
    Ok(store
        .sync_get(&name_key(id))?
        .and_then(|b| String::from_utf8(b).ok()))
}

/// Runs one sync of the store in `data` with its office.
pub fn sync(
    store: &Store,
    data: &Path,
    opts: Options,
    progress: &mut dyn FnMut(Step),
) -> Result<Summary, SyncError> {
    let dev = Device::load(data)?;
    let git = dev.journal();
    let identity = dev.identity()?;
    progress(Step::Fetching);
    let marker = device::fetch(&git, &dev.office)?;
    if marker.encrypted != dev.encrypted {
        return Err(SyncError::NotOffice {
            office: dev.office.clone(),
            reason: "its encryption setting is not the one this laptop was set up with".into(),
        });
    }
    device::check_key(&marker, identity.as_ref())?;
    let recipient = if marker.encrypted {
        Some(marker.recipient()?)
    } else {
        None
    };
    let mut summary = Summary {
        dry_run: opts.dry_run,
        ..Summary::default()
    };
    adopt(&git, &dev, opts.dry_run)?;
    if !opts.dry_run && !store.outbox_on() {
        // Set up, but the store was replaced since (a restore): what it
        // holds is queued before anything is received.
        store.start_outbox()?;
    }
    // Receive before sending: an erasure that arrives redacts what this
    // laptop wrote about the person before it leaves (see `crate::erase`).
    receive(
        store,
        &dev,
        &git,
        identity.as_ref(),
        opts.dry_run,
        &mut summary,
        progress,
    )?;
    progress(Step::Sending);
    summary.sent = send(store, &dev, &git, recipient.as_ref(), opts.dry_run)?;
    if !opts.dry_run {
        summary.erased = crate::erase::pending(store)?.len();
    }
    if !opts.dry_run {
        state_set(data, |s| s.last_pull = Some(Ts::now().0))?;
        progress(Step::Pushing);
        push(&git, &dev)?;
        summary.pushed = true;
        state_set(data, |s| s.last_push = Some(Ts::now().0))?;
    }
    Ok(summary)
}

/// Takes this device's branch from the office when the journal lacks it or
/// is behind it; refuses one that went another way.
fn adopt(git: &Git, dev: &Device, dry: bool) -> Result<(), SyncError> {
    let mine = dev.branch();
    let Some(remote) = git.rev(&format!("{OFFICE_DEV}{}", dev.name))? else {
        return Ok(());
    };
    match git.rev(&mine)? {
        None if !dry => git.update_ref(&mine, &remote, None),
        Some(local) if local == remote || git.is_ancestor(&remote, &local)? => Ok(()),
        Some(local) if git.is_ancestor(&local, &remote)? => {
            if dry {
                Ok(())
            } else {
                git.update_ref(&mine, &remote, Some(&local))
            }
        }
        None => Ok(()),
        Some(_) => Err(SyncError::NonFastForward { branch: mine }),
    }
}

/// Makes the outbox one batch on this device's branch. Returns the entries sent.
fn send(
    store: &Store,
    dev: &Device,
    git: &Git,
    recipient: Option<&age::x25519::Recipient>,
    dry: bool,
) -> Result<usize, SyncError> {
    if dry {
        return Ok(store.outbox_len()?);
    }
    if !store.outbox_on() {
        // Set up, but the store was replaced since (a restore): queue it all.
        store.start_outbox()?;
    }
    let queued = store.outbox()?;
    if queued.is_empty() {
        return Ok(0);
    }
    let (plain, n) = batch::build(store, &dev.name, &queued)?;
    let mut state = Vec::new();
    if let Some(me) = store.device_id()? {
        state.push((name_key(me), dev.name.clone().into_bytes()));
    }
    if n > 0 {
        let sealed = batch::seal(&plain, recipient)?;
        let file = if recipient.is_some() {
            batch::FILE_SEALED
        } else {
            batch::FILE_PLAIN
        };
        let branch = dev.branch();
        let parent = git.rev(&branch)?;
        let message = format!("batch from {}: {n} entries", dev.name);
        let commit = git.commit_file(parent.as_deref(), file, &sealed, &message)?;
        git.update_ref(&branch, &commit, parent.as_deref())?;
        state.push((cursor_key(&dev.name), commit.into_bytes()));
    }
    store.mark_sent(&queued, &state)?;
    Ok(n)
}

/// Every device's branch: this device's own (in the journal) and the
/// others' as fetched or carried in.
fn branches(git: &Git, dev: &Device) -> Result<Vec<(String, String)>, SyncError> {
    let mut out = Vec::new();
    if let Some(tip) = git.rev(&dev.branch())? {
        out.push((dev.name.clone(), tip));
    }
    for (name, tip) in git.refs(OFFICE_DEV.trim_end_matches('/'))? {
        let device = name.trim_start_matches(OFFICE_DEV).to_string();
        if device != dev.name && device::check_name(&device).is_ok() {
            out.push((device, tip));
        }
    }
    Ok(out)
}

/// The commits of `tip` after `cursor`, oldest first, with their commit
/// times (seconds).
fn unseen(git: &Git, tip: &str, cursor: Option<&str>) -> Result<Vec<(i64, String)>, SyncError> {
    let mut args = vec!["rev-list", "--reverse", "--topo-order", "--timestamp", tip];
    let not;
    if let Some(c) = cursor
        && git.rev(c)?.is_some()
    {
        not = format!("^{c}");
        args.push(&not);
    }
    Ok(git
        .ok(&args)?
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(t, sha)| (t.parse().unwrap_or(0), sha.to_string()))
        .collect())
}

/// Every device's unseen batches in one order: each device's in its own
/// order, and across devices by commit time (then name), so a batch that
/// builds on another device's records (a visit to a household the office
/// added) comes after the batch that brought them.
fn interleave(mut work: Vec<(String, Vec<(i64, String)>)>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut next = vec![0usize; work.len()];
    loop {
        let pick = (0..work.len())
            .filter(|&i| next[i] < work[i].1.len())
            .min_by(|&a, &b| {
                (work[a].1[next[a]].0, &work[a].0).cmp(&(work[b].1[next[b]].0, &work[b].0))
            });
        let Some(i) = pick else { break };
        let sha = std::mem::take(&mut work[i].1[next[i]].1);
        next[i] += 1;
        out.push((work[i].0.clone(), sha));
    }
    out
}

fn receive(
    store: &Store,
    dev: &Device,
    git: &Git,
    identity: Option<&age::x25519::Identity>,
    dry: bool,
    summary: &mut Summary,
    progress: &mut dyn FnMut(Step),
) -> Result<(), SyncError> {
    let mut work = Vec::new();
    for (device, tip) in branches(git, dev)? {
        let cursor = store
            .sync_get(&cursor_key(&device))?
            .map(|c| String::from_utf8_lossy(&c).to_string());
        let commits = unseen(git, &tip, cursor.as_deref())?;
        if !commits.is_empty() {
            work.push((device, commits));
        }
    }
    let order = interleave(work);
    let total = order.len();
    let mut got: std::collections::BTreeMap<String, usize> = Default::default();
    // One replay after the last batch, not one per batch (and nothing read
    // when nothing arrives).
    let mut merge = match (dry, total) {
        (false, 1..) => Some(crate::merge::Session::new(store)?),
        _ => None,
    };
    for (done, (device, commit)) in order.into_iter().enumerate() {
        progress(Step::Receiving { done, total });
        let bytes = match git.file(&commit, batch::FILE_SEALED)? {
            Some(b) => b,
            None => git
                .file(&commit, batch::FILE_PLAIN)?
                .ok_or_else(|| SyncError::BadBatch {
                    device: device.clone(),
                    commit: commit.chars().take(12).collect(),
                    reason: super::BatchTrouble::NoFile,
                })?,
        };
        let (head, dump) = batch::open(&device, &commit, &bytes, identity)?;
        summary.batches += 1;
        let n = if dry {
            dump.areas.len()
                + dump.buildings.len()
                + dump.households.len()
                + dump.residents.len()
                + dump.members.len()
                + dump.events.len()
        } else if let Some(merge) = merge.as_mut() {
            let r = outbox::receiving(|| merge.apply(&dump, &device))?;
            let mut state = vec![(cursor_key(&device), commit.clone().into_bytes())];
            if let Some(id) = head.device_id {
                state.push((name_key(id), device.clone().into_bytes()));
            }
            store.sync_put(&state)?;
            summary.identical += r.identical;
            summary.conflicts += r.conflicts;
            summary.quarantined += r.quarantined;
            r.received
        } else {
            0
        };
        *got.entry(device).or_default() += n;
    }
    if let Some(merge) = merge {
        summary.attention += outbox::receiving(|| merge.finish())?;
    }
    for (device, n) in got {
        if device != dev.name && n > 0 {
            summary.devices += 1;
            summary.received += n;
        }
    }
    Ok(())
}

/// Pushes this device's branch to the office (nothing when it holds it already).
fn push(git: &Git, dev: &Device) -> Result<(), SyncError> {
    let mine = dev.branch();
    let Some(local) = git.rev(&mine)? else {
        return Ok(());
    };
    if git.rev(&format!("{OFFICE_DEV}{}", dev.name))?.as_deref() == Some(local.as_str()) {
        return Ok(());
    }
    let refspec = format!("{mine}:{mine}");
    let option = format!("gridbook-device={}", dev.name);
    let mut args = vec!["push", "--porcelain", "--no-verify"];
    if device::is_local(&dev.office) {
        // A folder office has no ssh to say who pushes (see `office`).
        args.extend(["-o", option.as_str()]);
    }
    args.extend([dev.office.as_str(), refspec.as_str()]);
    let out = git.output(&args, None)?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().find(|l| {
        l.split('\t')
            .nth(1)
            .is_some_and(|r| r.ends_with(&format!(":{mine}")))
    });
    match line {
        Some(l) if l.starts_with('!') => {
            let reason = l.split('\t').nth(2).unwrap_or("").to_string();
            if reason.contains("non-fast-forward") || reason.contains("fetch first") {
                return Err(SyncError::NonFastForward { branch: mine });
            }
            let said = String::from_utf8_lossy(&out.stderr)
                .lines()
                .filter_map(|l| l.trim().strip_prefix("remote: "))
                .find(|l| l.starts_with("gridbook:"))
                .map(|l| l.trim().to_string());
            Err(SyncError::Foreign {
                branch: mine,
                reason: said.unwrap_or(reason),
            })
        }
        Some(_) => git
            .update_ref(&format!("{OFFICE_DEV}{}", dev.name), &local, None)
            .or_else(|_| {
                git.ok(&["update-ref", &format!("{OFFICE_DEV}{}", dev.name), &local])
                    .map(|_| ())
            }),
        None => {
            let detail = git::last_line(&out.stderr);
            let all = String::from_utf8_lossy(&out.stderr).to_ascii_lowercase();
            Err(if all.contains("permission denied") {
                SyncError::Denied {
                    office: dev.office.clone(),
                    detail,
                }
            } else {
                SyncError::Unreachable {
                    office: dev.office.clone(),
                    detail,
                }
            })
        }
    }
}

/// `sync bundle export FILE`: sends the outbox into the journal, then writes
/// every device's branch and the office's marker into a git bundle (the
/// batches in it are as encrypted as at the office). Returns entries sent.
pub fn bundle_export(store: &Store, data: &Path, file: &Path) -> Result<usize, SyncError> {
    let dev = Device::load(data)?;
    let git = dev.journal();
    let recipient = match git.file(MARKER, super::office::MARKER_FILE)? {
        Some(bytes) => {
            let m = super::office::Marker::parse(&dev.office, &bytes)?;
            if m.encrypted {
                Some(m.recipient()?)
            } else {
                None
            }
        }
        None => {
            return Err(SyncError::Input(
                "the journal has no office marker: sync once with the office first".into(),
            ));
        }
    };
    let sent = send(store, &dev, &git, recipient.as_ref(), false)?;
    let mut refs = vec![MARKER.to_string()];
    if git.rev(&dev.branch())?.is_some() {
        refs.push(dev.branch());
    }
    for (name, _) in git.refs(OFFICE_DEV.trim_end_matches('/'))? {
        if name != format!("{OFFICE_DEV}{}", dev.name) {
            refs.push(name);
        }
    }
    let tmp = file.with_extension("partial");
    let mut args: Vec<&str> = vec!["bundle", "create", "--quiet"];
    let tmp_s = tmp.display().to_string();
    args.push(&tmp_s);
    args.extend(refs.iter().map(String::as_str));
    git.ok(&args)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600)).map_err(io(&tmp))?;
    }
    std::fs::rename(&tmp, file).map_err(io(file))?;
    Ok(sent)
}

/// `sync bundle import FILE`: takes the bundle's branches into the journal
/// (only forward: a branch behind the one here is left), then applies the
/// batches not seen yet.
pub fn bundle_import(store: &Store, data: &Path, file: &Path) -> Result<Summary, SyncError> {
    let dev = Device::load(data)?;
    let git = dev.journal();
    let identity = dev.identity()?;
    if !file.is_file() {
        return Err(io(file)(std::io::Error::from(std::io::ErrorKind::NotFound)));
    }
    let path = file.display().to_string();
    let check = git.output(&["bundle", "verify", "--quiet", &path], None)?;
    if !check.status.success() {
        return Err(SyncError::Input(format!(
            "{path} is not a gridbook bundle: {}",
            git::last_line(&check.stderr)
        )));
    }
    let _ = git.ok(&["update-ref", "-d", "refs/bundle/marker"]);
    let out = git.output(
        &[
            "fetch",
            "--quiet",
            "--no-tags",
            "--no-write-fetch-head",
            &path,
            &format!("+{MARKER}:refs/bundle/marker"),
            "+refs/heads/dev/*:refs/bundle/dev/*",
            &format!("+{OFFICE_DEV}*:refs/bundle/dev/*"),
        ],
        None,
    )?;
    let cleanup = |git: &Git| {
        if let Ok(list) = git.refs("refs/bundle") {
            for (name, _) in list {
                let _ = git.ok(&["update-ref", "-d", &name]);
            }
        }
    };
    if !out.status.success() {
        cleanup(&git);
        return Err(SyncError::Input(format!(
            "{path} is not a gridbook bundle: {}",
            git::last_line(&out.stderr)
        )));
    }
    let result = (|| {
        let bytes = git
            .file("refs/bundle/marker", super::office::MARKER_FILE)?
            .ok_or_else(|| {
                SyncError::Input(format!(
                    "{path} is not a gridbook bundle: it has no office marker"
                ))
            })?;
        let theirs = super::office::Marker::parse(&path, &bytes)?;
        if theirs.encrypted != dev.encrypted
            || (theirs.encrypted
                && theirs.recipient
                    != super::office::Marker::parse(
                        &dev.office,
                        &git.file(MARKER, super::office::MARKER_FILE)?
                            .unwrap_or_default(),
                    )?
                    .recipient)
        {
            return Err(SyncError::WrongKey {
                reason: super::KeyReason::OtherCommunity {
                    bundle: path.to_string(),
                },
            });
        }
        for (name, tip) in git.refs("refs/bundle/dev")? {
            let device = name.trim_start_matches("refs/bundle/dev/").to_string();
            if device::check_name(&device).is_err() {
                continue;
            }
            let target = if device == dev.name {
                dev.branch()
            } else {
                format!("{OFFICE_DEV}{device}")
            };
            match git.rev(&target)? {
                None => git.update_ref(&target, &tip, None)?,
                Some(here) if git.is_ancestor(&here, &tip)? && here != tip => {
                    git.update_ref(&target, &tip, Some(&here))?
                }
                Some(here) if git.is_ancestor(&tip, &here)? => {}
                Some(_) => {
                    return Err(SyncError::NonFastForward {
                        branch: super::branch(&device),
                    });
                }
            }
        }
        let mut summary = Summary::default();
        receive(
            store,
            &dev,
            &git,
            identity.as_ref(),
            false,
            &mut summary,
            &mut |_| {},
        )?;
        state_set(data, |s| s.last_pull = Some(Ts::now().0))?;
        summary.erased = crate::erase::pending(store)?.len();
        Ok(summary)
    })();
    cleanup(&git);
    result
}

/// When this laptop last pushed to and pulled from the office (ms).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct State {
    pub last_push: Option<i64>,
    pub last_pull: Option<i64>,
}

const STATE: &str = "state.toml";

pub fn state(data: &Path) -> State {
    std::fs::read_to_string(device::sync_dir(data).join(STATE))
        .ok()
        .and_then(|t| toml::from_str(&t).ok())
        .unwrap_or_default()
}

fn state_set(data: &Path, f: impl FnOnce(&mut State)) -> Result<(), SyncError> {
    let mut s = state(data);
    f(&mut s);
    let text = toml::to_string(&s).map_err(|e| SyncError::Input(e.to_string()))?;
    super::write_private(&device::sync_dir(data).join(STATE), text.as_bytes())
}
