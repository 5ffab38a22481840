//! Bulk work is all or nothing under SIGKILL (issue 11, finding 2): `import
//! json`, `restore --force` and `gen` killed at random moments leave the old
//! store or the complete new one, and the next command opens it cleanly.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use gridbook::store::Store;

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("gridbook")
}

fn gb(data: &Path) -> Command {
    let mut c = Command::new(bin());
    c.arg("--data")
        .arg(data)
        .env_remove("GRIDBOOK_DATA")
        .env("GRIDBOOK_WAIT", "30")
        .env("GRIDBOOK_CONFIG", "/nonexistent/gridbook-test-config")
        .env("LANG", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

fn ok(c: &mut Command) {
    let st = c.status().unwrap();
    assert!(st.success(), "{c:?} exited {st}");
}

/// (records, events) in the store in `data`, after checking it opens clean.
fn counts(data: &Path) -> (usize, usize) {
    let s = Store::open(data).expect("the store opens after the kill");
    assert!(
        s.check().unwrap().is_clean(),
        "indexes agree with the records"
    );
    let records = [
        gridbook::model::Kind::Area,
        gridbook::model::Kind::Building,
        gridbook::model::Kind::Household,
        gridbook::model::Kind::Resident,
        gridbook::model::Kind::Member,
    ]
    .iter()
    .map(|k| s.count(*k).unwrap())
    .sum();
    (records, s.event_count().unwrap())
}

/// Runs `cmd`, kills it after `ms` milliseconds (if it has not finished).
fn kill_after(mut cmd: Command, ms: u64) {
    let mut child = cmd.spawn().unwrap();
    std::thread::sleep(Duration::from_millis(ms));
    let _ = child.kill();
    let _ = child.wait();
}

/// Delays spread over the run: a seeded sequence, so a failure reproduces.
fn delays(n: usize, max_ms: u64) -> Vec<u64> {
    let mut rng = fastrand::Rng::with_seed(11);
    (0..n).map(|_| rng.u64(0..max_ms)).collect()
}

#[test]
fn killed_imports_restores_and_gens_leave_old_or_whole_stores() {
    let tmp = tempfile::tempdir().unwrap();
    // A source estate and its export: big enough that loading takes a while.
    let src = tmp.path().join("src");
    ok(gb(&src).args([
        "gen",
        "--households",
        "1500",
        "--seed",
        "3",
        "--events",
        "6000",
    ]));
    let dump = tmp.path().join("all.json");
    ok(gb(&src)
        .args(["export", "--format", "json", "--out"])
        .arg(&dump));
    let whole = counts(&src);
    // How long a full import takes here, to spread the kills over it.
    let probe = tmp.path().join("probe");
    let t0 = std::time::Instant::now();
    ok(gb(&probe).args(["import", "json"]).arg(&dump));
    let span = (t0.elapsed().as_millis() as u64).max(50);
    assert_eq!(counts(&probe), whole);

    // The old data a restore replaces: a small estate.
    let small = tmp.path().join("small");
    ok(gb(&small).args(["demo", "--load-only"]));
    let old = counts(&small);
    let small_dump = tmp.path().join("small.json");
    ok(gb(&small)
        .args(["export", "--format", "json", "--out"])
        .arg(&small_dump));

    let rounds = std::env::var("GRIDBOOK_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4);
    for (i, ms) in delays(rounds, span + span / 2).into_iter().enumerate() {
        // import json into an empty store: nothing or everything.
        let d = tmp.path().join(format!("imp{i}"));
        let mut c = gb(&d);
        c.args(["import", "json"]).arg(&dump);
        kill_after(c, ms);
        let got = counts(&d);
        assert!(
            got == (0, 0) || got == whole,
            "import killed at {ms} ms left {got:?}"
        );
        // …and a retry completes it.
        if got == (0, 0) {
            ok(gb(&d).args(["import", "json"]).arg(&dump));
            assert_eq!(counts(&d), whole);
        }

        // restore --force over the small estate: the old data or the whole backup.
        let d = tmp.path().join(format!("res{i}"));
        ok(gb(&d).args(["import", "json"]).arg(&small_dump));
        let mut c = gb(&d);
        c.args(["restore", "--force"]).arg(&dump);
        kill_after(c, ms);
        let got = counts(&d);
        assert!(
            got == old || got == whole,
            "restore killed at {ms} ms left {got:?}"
        );

        // gen into an empty store: nothing or all, and a retry is not refused.
        let d = tmp.path().join(format!("gen{i}"));
        let mut c = gb(&d);
        c.args([
            "gen",
            "--households",
            "1500",
            "--seed",
            "3",
            "--events",
            "6000",
        ]);
        kill_after(c, ms);
        let got = counts(&d);
        assert!(
            got == (0, 0) || got == whole,
            "gen killed at {ms} ms left {got:?}"
        );
        if got == (0, 0) {
            ok(gb(&d).args([
                "gen",
                "--households",
                "1500",
                "--seed",
                "3",
                "--events",
                "6000",
            ]));
        }
    }
}
