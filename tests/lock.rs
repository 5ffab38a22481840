//! One writer: a second gridbook on the same data is turned away with one
//! line naming the directory and exit code 3, and the first is unharmed.

use assert_cmd::Command;
use gridbook::model::*;
use gridbook::ops::{self, Ctx};
use gridbook::store::{Store, StoreError};

/// The binary, told not to wait for the lock: this test is about being
/// turned away (waiting is tested in `tests/reliability.rs`).
fn gridbook() -> Command {
    let mut c = Command::cargo_bin("gridbook").unwrap();
    c.env_remove("GRIDBOOK_DATA").env("GRIDBOOK_WAIT", "0");
    c
}

#[test]
fn a_second_gridbook_is_turned_away_and_the_first_keeps_working() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("网格数据");
    let store = Store::open(&data).unwrap();
    let ctx = Ctx::now(None);
    let area = ops::add_area(&store, ctx, "幸福小区", "xf").unwrap();
    let before = std::fs::read_dir(data.join("store")).unwrap().count();

    for args in [
        vec!["show", "xf"],
        vec![
            "log",
            "problem",
            "--zone",
            "xf",
            "--category",
            "repair",
            "--note",
            "漏水",
        ],
        vec!["check"],
    ] {
        let out = gridbook()
            .arg("--data")
            .arg(&data)
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(3), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        assert!(
            stderr.contains(&data.display().to_string()),
            "names the directory: {stderr}"
        );
    }
    // The same from inside one process.
    match Store::open(&data) {
        Err(e @ StoreError::Locked { .. }) => assert_eq!(
            gridbook::fail::exit_code(gridbook::error::Kinded::kind(&e)),
            3
        ),
        Err(e) => panic!("expected Locked, got {e}"),
        Ok(_) => panic!("a second store on the same data must be refused"),
    }
    assert_eq!(
        std::fs::read_dir(data.join("store")).unwrap().count(),
        before
    );

    // The first store still writes and reads.
    let b = ops::add_building(&store, ctx, area.meta.id, "3栋", "3").unwrap();
    let p = ops::open_problem(
        &store,
        ctx,
        &ops::ProblemInput {
            zone: b.meta.id,
            at: ctx.now,
            category: "repair".into(),
            description: "单元门禁损坏".into(),
            reporter: None,
            urgency: Urgency::High,
        },
    )
    .unwrap();
    assert_eq!(store.event(p.id).unwrap(), Some(p.clone()));
    assert_eq!(store.buildings_of(area.meta.id).unwrap().len(), 1);
    // Nothing the refused commands tried was written.
    assert_eq!(store.open_problems_in(area.meta.id).unwrap(), [p.id]);
    assert!(store.check().unwrap().is_clean());

    // Once the first store is closed, the binary gets in.
    drop(store);
    let out = gridbook()
        .arg("--data")
        .arg(&data)
        .args(["show", "xf/3", "--json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["open_problems"][0]["id"], p.id.to_string());
}
