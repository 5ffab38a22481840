//! Backups, rotation, restore, and what a damaged store does: a clear message,
//! exit 3 and the newest backup named — never a panic — and `restore --force`
//! bringing the data back.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use gridbook::backup;
use gridbook::export::Dump;
use gridbook::model::Ts;
use gridbook::seal::Seal;
use gridbook::store::Store;
use predicates::prelude::*;

/// A command on `data`, with a config directory that keeps `keep` backups.
fn gridbook(data: &Path, keep: usize) -> Command {
    let conf = data.with_extension("conf");
    std::fs::create_dir_all(&conf).unwrap();
    std::fs::write(conf.join("config.toml"), format!("backups = {keep}\n")).unwrap();
    let mut c = Command::cargo_bin("gridbook").unwrap();
    c.arg("--data")
        .arg(data)
        .env("GRIDBOOK_CONFIG", &conf)
        .env_remove("GRIDBOOK_DATA");
    c
}

struct Data {
    _root: tempfile::TempDir,
    dir: PathBuf,
}

/// A data directory holding the demo estate.
fn demo() -> Data {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("data");
    gridbook(&dir, 10)
        .args(["demo", "--load-only"])
        .assert()
        .success();
    Data { _root: root, dir }
}

fn export(dir: &Path) -> Vec<u8> {
    gridbook(dir, 10)
        .arg("export")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone()
}

fn names(files: &[PathBuf]) -> Vec<String> {
    files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn backup_names_sort_by_time_and_never_go_backwards() {
    assert_eq!(
        backup::file_name(Ts(1_795_876_205_123)),
        "gridbook-20261128-143005-123.json"
    );
    let d = tempfile::tempdir().unwrap();
    let a = backup::write_dump(d.path(), b"{}", Ts(2_000_000), 0, &Seal::Plain).unwrap();
    // Same instant, then a clock that went back: still later names.
    let b = backup::write_dump(d.path(), b"{}", Ts(2_000_000), 0, &Seal::Plain).unwrap();
    let c = backup::write_dump(d.path(), b"{}", Ts(1_000_000), 0, &Seal::Plain).unwrap();
    assert_eq!(names(&backup::list(d.path())), names(&[a, b, c.clone()]));
    assert_eq!(backup::newest(d.path()), Some(c.clone()));
    let t = Ts(1_795_876_205_123);
    assert_eq!(backup::name_time(&backup::file_name(t)), Some(t));
    // A clock a year behind still gets the next name at once.
    let e = backup::write_dump(
        d.path(),
        b"{}",
        Ts(2_000_000 - 31_536_000_000),
        0,
        &Seal::Plain,
    )
    .unwrap();
    assert_eq!(
        backup::name_time(&names(&[e])[0]),
        Some(Ts(backup::name_time(&names(&[c])[0]).unwrap().0 + 1))
    );
    // Files of other names are not backups, however they sort.
    std::fs::write(backup::dir(d.path()).join("gridbook-zzz.json"), "{}").unwrap();
    std::fs::write(
        backup::dir(d.path()).join("gridbook-20991231-000000-000.json.bak"),
        "{}",
    )
    .unwrap();
    assert_eq!(backup::list(d.path()).len(), 4);
    assert!(
        backup::newest(d.path())
            .unwrap()
            .ends_with("gridbook-19700101-003320-003.json")
    );
}

#[test]
fn backup_is_the_export_private_and_rotated() {
    let data = demo();
    let before = export(&data.dir);
    for _ in 0..5 {
        gridbook(&data.dir, 3)
            .arg("backup")
            .assert()
            .success()
            .stdout(predicate::str::contains("backup written: "));
    }
    let files = backup::list(&data.dir);
    assert_eq!(files.len(), 3, "{:?}", names(&files));
    for f in &files {
        assert!(
            std::fs::read(f).unwrap() == before,
            "a backup differs from the export"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(f).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
    }
    // No stray temporary files are left behind.
    assert_eq!(
        std::fs::read_dir(backup::dir(&data.dir)).unwrap().count(),
        3
    );
}

#[test]
fn an_empty_store_is_not_backed_up() {
    let d = tempfile::tempdir().unwrap();
    gridbook(d.path(), 10)
        .arg("backup")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nothing to back up"));
    assert!(backup::list(d.path()).is_empty());
}

#[test]
fn after_session_backs_up_only_changed_data() {
    let data = demo();
    let store = Store::open(&data.dir).unwrap();
    assert_eq!(
        backup::after_session(&store, &backup::Policy::plain(0)).unwrap(),
        None,
        "backups are off"
    );
    let first = backup::after_session(&store, &backup::Policy::plain(2))
        .unwrap()
        .expect("a first backup");
    assert_eq!(
        backup::after_session(&store, &backup::Policy::plain(2)).unwrap(),
        None,
        "nothing changed"
    );
    let ctx = gridbook::ops::Ctx::now(None);
    let zone = gridbook::address::resolve(&store, "slhy").unwrap().id();
    for n in 0..2 {
        gridbook::ops::open_problem(
            &store,
            ctx,
            &gridbook::ops::ProblemInput {
                zone,
                at: ctx.now,
                category: "repair".into(),
                description: format!("路灯不亮 {n}"),
                reporter: None,
                urgency: gridbook::model::Urgency::Normal,
            },
        )
        .unwrap();
        backup::after_session(&store, &backup::Policy::plain(2))
            .unwrap()
            .expect("a backup of the change");
    }
    let files = backup::list(&data.dir);
    assert_eq!(files.len(), 2);
    assert!(
        !files.contains(&first),
        "the oldest backup was not rotated away"
    );
    let newest = std::fs::read(files.last().unwrap()).unwrap();
    assert!(newest == Dump::from_store(&store).unwrap().to_json());
}

#[test]
fn restore_fills_an_empty_store_and_needs_force_otherwise() {
    let data = demo();
    gridbook(&data.dir, 10).arg("backup").assert().success();
    let original = export(&data.dir);

    // Into an empty store, from the newest backup by default.
    let root = tempfile::tempdir().unwrap();
    let other = root.path().join("other");
    let newest = backup::newest(&data.dir).unwrap();
    gridbook(&other, 10)
        .arg("restore")
        .arg(&newest)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "restored 3 areas, 13 buildings, 696 households, 1424 residents, 40 members",
        ));
    assert!(export(&other) == original);

    // Change the data, then restore without --force: refused, untouched.
    gridbook(&data.dir, 10)
        .args([
            "log",
            "problem",
            "--zone",
            "slhy/1",
            "--category",
            "repair",
            "--note",
            "楼道灯坏了",
        ])
        .assert()
        .success();
    let changed = export(&data.dir);
    gridbook(&data.dir, 10)
        .arg("restore")
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("already holds data").and(predicate::str::contains("--force")),
        );
    assert!(export(&data.dir) == changed);

    // With --force: the backup's contents, and what was replaced is kept as a backup.
    gridbook(&data.dir, 10)
        .args(["restore", "--force"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "the data being replaced was saved to",
        ));
    assert!(export(&data.dir) == original);
    gridbook(&data.dir, 10).arg("check").assert().success();
    let kept = backup::newest(&data.dir).unwrap();
    assert!(std::fs::read(kept).unwrap() == changed);
}

#[test]
fn restore_without_a_backup_or_from_a_bad_file_changes_nothing() {
    let d = tempfile::tempdir().unwrap();
    gridbook(d.path(), 10)
        .arg("restore")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no backup in"));
    let bad = d.path().join("bad.json");
    std::fs::write(
        &bad,
        "{\"format\": \"gridbook-export\", \"format_version\": 1}",
    )
    .unwrap();
    gridbook(d.path(), 10)
        .args(["restore", "--force"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.json"));
    assert!(Store::open(d.path()).unwrap().is_empty());
}

/// Damage done to the files under `DATA/store/`.
#[derive(Clone, Copy, Debug)]
enum Damage {
    TruncateDbEmpty,
    TruncateDbHalf,
    RemoveDb,
    ZeroSnapshots,
    TruncateSnapshots,
    GarbleWholeDb,
}

fn files_under(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .collect()
}

/// Deterministic noise, so a failure can be reproduced.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(seed);
    (0..len).map(|_| rng.u8(..)).collect()
}

fn damage(data: &Path, how: Damage) {
    let store = data.join("store");
    let db = store.join("db");
    let len = std::fs::metadata(&db).unwrap().len();
    let set_len = |p: &Path, n: u64| {
        std::fs::OpenOptions::new()
            .write(true)
            .open(p)
            .unwrap()
            .set_len(n)
            .unwrap();
    };
    match how {
        Damage::TruncateDbEmpty => set_len(&db, 0),
        Damage::TruncateDbHalf => set_len(&db, len / 2),
        Damage::RemoveDb => std::fs::remove_file(&db).unwrap(),
        Damage::ZeroSnapshots => {
            for s in files_under(&store, "snap.") {
                let n = std::fs::metadata(&s).unwrap().len() as usize;
                std::fs::write(&s, vec![0u8; n]).unwrap();
            }
        }
        Damage::TruncateSnapshots => {
            for s in files_under(&store, "snap.") {
                let n = std::fs::metadata(&s).unwrap().len();
                set_len(&s, n / 3);
            }
        }
        Damage::GarbleWholeDb => std::fs::write(&db, noise(len as usize, 7)).unwrap(),
    }
}

#[test]
fn a_damaged_store_exits_3_naming_the_newest_backup_and_restore_force_recovers() {
    for how in [
        Damage::TruncateDbEmpty,
        Damage::TruncateDbHalf,
        Damage::RemoveDb,
        Damage::ZeroSnapshots,
        Damage::TruncateSnapshots,
        Damage::GarbleWholeDb,
    ] {
        let data = demo();
        gridbook(&data.dir, 10).arg("backup").assert().success();
        let original = export(&data.dir);
        let newest = backup::newest(&data.dir).unwrap();
        damage(&data.dir, how);
        for args in [&["show", "slhy"][..], &["export"], &["backup"], &["check"]] {
            gridbook(&data.dir, 10).args(args).assert().code(3).stderr(
                predicate::str::contains("is damaged")
                    .and(predicate::str::contains(newest.display().to_string()))
                    .and(predicate::str::contains("panicked").not()),
            );
        }
        // Restoring needs --force: the store is not known to be empty.
        gridbook(&data.dir, 10).arg("restore").assert().code(3);
        gridbook(&data.dir, 10)
            .args(["restore", "--force"])
            .assert()
            .success()
            .stdout(predicate::str::contains("the damaged store was moved to"));
        assert!(
            export(&data.dir) == original,
            "{how:?}: restored data differs"
        );
        assert_eq!(files_under(&data.dir, "store.damaged-").len(), 1, "{how:?}");
    }
}

#[test]
fn garbled_pages_never_panic_and_restore_force_recovers() {
    // Damage that sled may only notice when it reads the page, or not at all:
    // the answer is either a working store or exit 3 naming the backup.
    let mut damaged = 0;
    for seed in 0..7u64 {
        let data = demo();
        gridbook(&data.dir, 10).arg("backup").assert().success();
        let original = export(&data.dir);
        let newest = backup::newest(&data.dir).unwrap().display().to_string();
        let db = data.dir.join("store/db");
        let mut bytes = std::fs::read(&db).unwrap();
        let (at, n) = if seed == 6 {
            // Every other 4 KiB block across the file: live data is hit for sure.
            let end = bytes.len();
            let mut at = 0;
            while at + 4096 <= end {
                bytes[at..at + 4096].copy_from_slice(&noise(4096, seed + at as u64));
                at += 8192;
            }
            (0, 0)
        } else {
            let mut rng = fastrand::Rng::with_seed(seed);
            let at = rng.usize(..bytes.len());
            (
                at,
                [64, 4096, 65536][seed as usize % 3].min(bytes.len() - at),
            )
        };
        bytes[at..at + n].copy_from_slice(&noise(n, seed));
        std::fs::write(&db, bytes).unwrap();
        let mut broken = false;
        for args in [&["export"][..], &["backup"]] {
            let out = gridbook(&data.dir, 10).args(args).output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            match out.status.code() {
                Some(0) => {}
                Some(3) => {
                    assert!(err.contains(&newest), "seed {seed} {args:?}: {err}");
                    broken = true;
                }
                other => panic!("seed {seed} {args:?}: exit {other:?}: {err}"),
            }
        }
        if broken {
            damaged += 1;
            gridbook(&data.dir, 10)
                .args(["restore", "--force"])
                .assert()
                .success();
            assert!(
                export(&data.dir) == original,
                "seed {seed}: restored data differs"
            );
        }
    }
    assert!(
        damaged > 0,
        "no garbling was noticed; the test damages too little"
    );
}
