//! Moving a resident and merging households from the command line, and the
//! roster preview's counts in Chinese.

mod common;
use common::*;

fn names(v: &serde_json::Value) -> Vec<String> {
    v["residents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect()
}

fn kinds(v: &serde_json::Value) -> Vec<String> {
    v["recent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_resident_moves_to_another_household_and_history_says_so() {
    let d = Data::new();
    let out = d.ok(&[
        "move",
        "胜利花苑/3栋/2-501",
        "吕德",
        "--to",
        "胜利花苑/3栋/1-101",
    ]);
    assert!(out.contains("吕德"), "{out}");
    let to = d.json(&["show", "胜利花苑/3栋/1-101", "--json"]);
    assert!(names(&to).contains(&"吕德".to_string()), "{to}");
    assert!(kinds(&to).contains(&"moved".to_string()), "{to}");
    let from = d.json(&["show", "胜利花苑/3栋/2-501", "--json"]);
    assert_eq!(names(&from), vec!["吕桂英".to_string()], "{from}");
    // The timeline line names the resident and both rooms, in Chinese too.
    let zh = d.ok(&["--lang", "zh", "show", "胜利花苑/3栋/1-101"]);
    assert!(zh.contains("吕德 从 2-501 迁至 1-101"), "{zh}");
    // The store stays consistent after the move.
    d.ok(&["check"]);
}

#[test]
fn moves_that_make_no_sense_are_refused_and_write_nothing() {
    let d = Data::new();
    let err = d.bad(&[
        "move",
        "胜利花苑/3栋/2-501",
        "吕德",
        "--to",
        "胜利花苑/3栋/2-501",
    ]);
    assert!(err.contains("already lives"), "{err}");
    let err = d.bad(&[
        "move",
        "胜利花苑/3栋/2-501",
        "吕得",
        "--to",
        "胜利花苑/3栋/1-101",
    ]);
    assert!(err.contains("吕德"), "a suggestion: {err}");
    let err = d.bad(&[
        "move",
        "胜利花苑/3栋/2-501",
        "吕德",
        "--to",
        "胜利花苑/3栋/9-909",
    ]);
    assert!(!err.is_empty());
    d.bad(&[
        "move",
        "胜利花园/3栋/2-501",
        "吕德",
        "--to",
        "胜利花苑/3栋/1-101",
    ]);
}

#[test]
fn a_merged_household_hands_over_residents_and_history_and_is_closed() {
    let d = Data::new();
    d.ok(&[
        "log",
        "visit",
        "--household",
        "slhy/3/2-501",
        "--member",
        "孙丽",
        "--at",
        "-10d",
    ]);
    let out = d.ok(&[
        "merge",
        "胜利花苑/3栋/2-501",
        "--into",
        "胜利花苑/3栋/1-601",
    ]);
    assert!(out.contains("2"), "{out}");
    let into = d.json(&["show", "胜利花苑/3栋/1-601", "--json"]);
    let mut got = names(&into);
    got.sort();
    let mut want = vec!["吕德", "吕桂英", "欧阳娜娜"];
    want.sort();
    assert_eq!(got, want, "{into}");
    let k = kinds(&into);
    // The merged household's visit shows on the one that stays.
    assert!(k.contains(&"visit".to_string()), "{into}");
    assert!(k.contains(&"merged".to_string()), "{into}");
    assert!(k.contains(&"moved".to_string()), "{into}");
    // Closed, with a reason naming the merge.
    let export = d.ok(&["export"]);
    assert!(
        export.contains("merged into 胜利花苑/3栋/1-601"),
        "{export}"
    );
    let households = d.json(&["show", "胜利花苑/3栋", "--json"]);
    assert!(
        !households["children"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "2-501"),
        "{households}"
    );
    d.ok(&["check"]);
}

#[test]
fn merges_that_make_no_sense_are_refused_and_write_nothing() {
    let d = Data::new();
    let err = d.bad(&[
        "merge",
        "胜利花苑/3栋/2-501",
        "--into",
        "胜利花苑/3栋/2-501",
    ]);
    assert!(err.contains("itself"), "{err}");
    d.bad(&[
        "merge",
        "胜利花苑/3栋/2-509",
        "--into",
        "胜利花苑/3栋/1-601",
    ]);
    d.bad(&[
        "merge",
        "胜利花苑/3栋/2-501",
        "--into",
        "胜利花苑/9栋/1-601",
    ]);
}

#[test]
fn the_roster_preview_counts_speak_chinese() {
    let d = Data::new();
    let extra =
        "小区,楼栋,单元,房号,姓名,电话,与户主关系\n胜利花苑,5栋,1,102,陈晓,13905460009,户主\n";
    std::fs::write(d.dir.path().join("more.csv"), extra).unwrap();
    let out = d.ok(&[
        "--lang",
        "zh",
        "import",
        "roster",
        "--dry-run",
        &d.path("more.csv"),
    ]);
    assert!(out.contains("居民：新增 1"), "{out}");
    assert!(out.contains("住户：新增 1"), "{out}");
    assert!(out.contains("未写入任何内容"), "{out}");
    assert!(!out.contains("residents:"), "{out}");
}
