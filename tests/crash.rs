//! The durability promise under SIGKILL: whatever `gridbook log …` printed an
//! id for is in the store after a crash, and the store opens clean.

use std::collections::BTreeSet;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use gridbook::model::*;
use gridbook::store::Store;

/// Kill cycles: 8 in `cargo test`; `GRIDBOOK_KILLS=N` runs more (the kill
/// campaign in the README).
fn cycles() -> usize {
    std::env::var("GRIDBOOK_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(8)
}

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("gridbook")
}

/// The binary with the test's data and an empty config directory, so the
/// user's own settings cannot leak in.
fn gridbook(data: &Path, config: &Path) -> Command {
    let mut c = Command::new(bin());
    c.arg("--data")
        .arg(data)
        .env_remove("GRIDBOOK_DATA")
        .env("GRIDBOOK_CONFIG", config)
        .env("LANG", "C");
    c
}

/// Single-quotes `s` for sh.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// A shell loop writing visits, problems and patrols (a patrol with a failed
/// item opens a problem, or adds a step to the one still open for that item,
/// in the same transaction) as fast as it can.
fn writer_script(data: &Path, households: &[String]) -> String {
    let g = format!(
        "{} --data {}",
        quote(&bin().display().to_string()),
        quote(&data.display().to_string())
    );
    let mut s = String::from("while :; do\n");
    for (i, h) in households.iter().enumerate() {
        s.push_str(&format!(
            "{g} log visit --household {} --note '第{i}次走访，一切正常'\n",
            quote(h)
        ));
        if i % 2 == 0 {
            let building = h.rsplit_once('/').map_or(h.as_str(), |(b, _)| b);
            s.push_str(&format!(
                "{g} log problem --zone {} --category repair --note '楼道灯不亮'\n",
                quote(h)
            ));
            s.push_str(&format!(
                "{g} log patrol --zone {} --kind security --issue '灭火器在位:过期' --open-problems\n",
                quote(building)
            ));
        }
    }
    s.push_str("done\n");
    s
}

/// Ids on complete lines of the writer's output; a line cut off by the kill
/// was never reported.
fn printed_ids(out: &[u8]) -> Vec<Id> {
    let text = String::from_utf8_lossy(out);
    let complete = match text.rfind('\n') {
        Some(end) => &text[..end],
        None => "",
    };
    complete
        .lines()
        .map(|l| {
            l.trim()
                .parse::<Id>()
                .unwrap_or_else(|e| panic!("unexpected output line: {e}"))
        })
        .collect()
}

fn household_addresses(data: &Path, config: &Path) -> Vec<String> {
    let out = gridbook(data, config)
        .args(["show", "slhy/2", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let children = v["children"]
        .as_array()
        .expect("building lists its households");
    assert!(children.len() >= 4);
    children
        .iter()
        .take(4)
        .map(|c| format!("slhy/2/{}", c["code"].as_str().unwrap()))
        .collect()
}

#[test]
fn every_reported_write_survives_sigkill() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let config = tmp.path().join("config");
    std::fs::create_dir(&config).unwrap();

    let out = gridbook(&data, &config)
        .args(["demo", "--load-only"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let households = household_addresses(&data, &config);
    let script = writer_script(&data, &households);

    // Seeded, so a failure can be replayed; GRIDBOOK_CRASH_SEED picks another run.
    let seed = std::env::var("GRIDBOOK_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20261128);
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut reported: BTreeSet<Id> = BTreeSet::new();

    for cycle in 0..cycles() {
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(&script)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            // Its own process group, so one signal takes the loop and the
            // gridbook it is running.
            .process_group(0)
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut buf = Vec::new();
            stdout.read_to_end(&mut buf).unwrap();
            buf
        });
        std::thread::sleep(Duration::from_millis(rng.u64(300..2000)));
        let pgid = child.id() as libc::pid_t;
        // SAFETY: a plain syscall on the process group this test created.
        let rc = unsafe { libc::kill(-pgid, libc::SIGKILL) };
        assert_eq!(rc, 0, "kill the writer's process group");
        child.wait().unwrap();
        let ids = printed_ids(&reader.join().unwrap());
        eprintln!(
            "seed {seed} cycle {cycle}: {} ids reported before the kill",
            ids.len()
        );

        // The seal, read before anything opens the store again: a commit
        // writes it after the log is on disk, without a sync of its own, so
        // a kill keeps it. Never ahead of the store, and behind by at most
        // the commit the kill cut short.
        let sealed = gridbook_store::counts::sealed(&data)
            .map(|(c, _)| c.commits)
            .unwrap_or_else(|| panic!("seed {seed} cycle {cycle}: no readable seal"));
        let store = Store::open(&data)
            .unwrap_or_else(|e| panic!("seed {seed} cycle {cycle}: open after SIGKILL: {e}"));
        let commits = store.counts().unwrap().expect("counts").commits;
        drop(store);
        assert!(
            sealed <= commits && commits <= sealed + 1,
            "seed {seed} cycle {cycle}: sealed {sealed}, store at {commits}"
        );

        // A check through the real binary: the store opens and its indexes agree.
        let check = gridbook(&data, &config).arg("check").output().unwrap();
        assert_eq!(
            check.status.code(),
            Some(0),
            "seed {seed} cycle {cycle}: check after SIGKILL: {}{}",
            String::from_utf8_lossy(&check.stdout),
            String::from_utf8_lossy(&check.stderr)
        );

        reported.extend(ids);
        let store = Store::open(&data).unwrap();
        for id in &reported {
            let e = store.event(*id).unwrap().unwrap_or_else(|| {
                panic!("seed {seed} cycle {cycle}: reported id {id} is missing")
            });
            assert!(
                matches!(
                    e.body,
                    EventBody::Visit(_)
                        | EventBody::ProblemOpened(_)
                        | EventBody::ProblemStepped(_)
                        | EventBody::Patrol(_)
                ),
                "{id} is a {}",
                e.body.kind_code()
            );
            // Every saved entry is also reachable from its zone's timeline.
            let in_timeline = store
                .timeline(e.zone, usize::MAX)
                .unwrap()
                .iter()
                .any(|t| t.id == *id);
            assert!(
                in_timeline,
                "seed {seed} cycle {cycle}: {id} not in its zone's timeline"
            );
        }
        drop(store);
    }
    // Guards against a writer that never got anything saved: then the test
    // above proved nothing.
    assert!(
        reported.len() >= cycles(),
        "only {} writes were reported",
        reported.len()
    );
}
