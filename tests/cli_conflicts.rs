//! `gridbook conflicts`, `conflicts show` and `conflicts resolve` on two
//! laptops that edited the same resident's name offline and merged.

mod common;
use common::*;

use gridbook::export::Dump;
use gridbook::store::Store;

/// A second laptop: a data directory filled from `d`'s export.
fn second_laptop(d: &Data) -> std::path::PathBuf {
    let json = d.path("all.json");
    d.ok(&["export", "--out", &json]);
    let other = d.dir.path().join("other");
    let mut c = assert_cmd::Command::cargo_bin("gridbook").unwrap();
    c.env("GRIDBOOK_CONFIG", d.dir.path().join("config"))
        .env_remove("GRIDBOOK_DATA")
        .arg("--data")
        .arg(&other)
        .args(["import", "json", &json])
        .assert()
        .success();
    let mut c = assert_cmd::Command::cargo_bin("gridbook").unwrap();
    c.env("GRIDBOOK_NOW", NOW)
        .env("GRIDBOOK_TZ", "Asia/Shanghai")
        .env("GRIDBOOK_CONFIG", d.dir.path().join("config"))
        .env_remove("GRIDBOOK_DATA")
        .arg("--data")
        .arg(&other)
        .args([
            "--as",
            "孙丽",
            "edit",
            "resident",
            "胜利花苑/3栋/2-501",
            "吕桂英",
        ])
        .args(["--name", "吕贵英"])
        .assert()
        .success();
    other
}

/// Sends everything `from` holds to the data directory `to` (what a sync
/// does with each batch).
fn merge(from: &std::path::Path, to: &std::path::Path) {
    let batch = {
        let s = Store::open(from).unwrap();
        Dump::from_store(&s).unwrap()
    };
    let s = Store::open(to).unwrap();
    gridbook::merge::apply(&s, &batch, "laptop").unwrap();
}

#[test]
fn a_name_edited_on_two_laptops_is_listed_shown_and_resolved_by_keeping_one() {
    let d = Data::new();
    assert!(d.ok(&["conflicts"]).contains("No conflicts"));
    let other = second_laptop(&d);
    d.ok(&[
        "--as",
        "赵建国",
        "edit",
        "resident",
        "胜利花苑/3栋/2-501",
        "吕桂英",
        "--name",
        "吕桂芳",
    ]);
    merge(&other, &d.dir.path().join("data"));
    let list = d.json(&["conflicts", "--json"]);
    let items = list.as_array().unwrap();
    assert_eq!(items.len(), 1, "{list}");
    let c = &items[0];
    assert_eq!(c["kind"], "conflict");
    assert_eq!(c["field"], "name");
    assert_eq!(c["record"]["kind"], "resident");
    assert_eq!(c["record"]["address"], "胜利花苑/3栋/2-501");
    let versions = c["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    let mut members: Vec<&str> = versions
        .iter()
        .map(|v| v["member"].as_str().unwrap())
        .collect();
    members.sort();
    assert_eq!(members, ["孙丽", "赵建国"]);
    for v in versions {
        for field in [
            "value",
            "device",
            "device_name",
            "member",
            "at",
            "entry",
            "deletes",
        ] {
            assert!(v.get(field).is_some(), "{field} in {v}");
        }
    }
    // Neither won: the name before both edits shows meanwhile.
    let shown = d.ok(&["show", "胜利花苑/3栋/2-501"]);
    assert!(shown.contains("吕桂英"), "{shown}");
    let id = c["id"].as_str().unwrap().to_string();
    let short = &id[id.len() - 8..];
    let table = d.ok(&["conflicts"]);
    assert!(table.contains(short) && table.contains("吕桂英"), "{table}");
    let zh = d.ok(&["--lang", "zh", "conflicts"]);
    assert!(
        zh.contains("冲突") && zh.contains("胜利花苑/3栋/2-501 吕桂英"),
        "{zh}"
    );
    let detail = d.ok(&["conflicts", "show", short]);
    let first = versions[0]["value"].as_str().unwrap();
    let second = versions[1]["value"].as_str().unwrap();
    assert!(detail.contains(&format!("1  {first}")), "{detail}");
    assert!(detail.contains(&format!("2  {second}")), "{detail}");
    // Bad input: exit 2, nothing written.
    let err = d.bad(&["conflicts", "show", "ZZZZZZZZ"]);
    assert!(err.contains("ZZZZZZZZ"), "{err}");
    let err = d.bad(&["conflicts", "resolve", short, "--keep", "3"]);
    assert!(err.contains("1 to 2"), "{err}");
    let err = d.bad(&["--lang", "zh", "conflicts", "resolve", short, "--keep", "0"]);
    assert!(err.contains("1 到 2"), "{err}");
    let out = d.ok(&["conflicts", "resolve", short, "--keep", "2"]);
    assert!(out.contains(second), "{out}");
    assert!(d.ok(&["conflicts"]).contains("No conflicts"));
    assert!(d.ok(&["show", "胜利花苑/3栋/2-501"]).contains(second));
    // The resolution travels like any edit: the other laptop settles too.
    merge(&d.dir.path().join("data"), &other);
    let s = Store::open(&other).unwrap();
    assert!(
        gridbook::merge::conflicts::list(&s, gridbook::i18n::Lang::En)
            .unwrap()
            .is_empty()
    );
    d.ok(&["check"]);
}
