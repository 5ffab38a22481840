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

/// The entries of a report's list naming 1-601.
fn naming_1601(list: &serde_json::Value) -> Vec<serde_json::Value> {
    list.as_array()
        .unwrap()
        .iter()
        .filter(|s| s["path"] == "胜利花苑/3栋/1-601")
        .cloned()
        .collect()
}

#[test]
fn people_visited_before_their_household_merged_count_as_visited_where_they_live_now() {
    let d = Data::new();
    // 吕桂英 (2-501) lives alone in the eyes of care; 1-601 was last
    // visited 95 days ago, 2-501 yesterday.
    d.ok_at(
        "2026-11-11T02:00:00Z",
        &["tag", "胜利花苑/3栋/2-501", "吕桂英", "--add", "独居老人"],
    );
    for (hh, who, at) in [
        ("slhy/3/1-601", "赵建国", "-95d"),
        ("slhy/3/2-501", "孙丽", "-1d"),
    ] {
        d.ok(&[
            "log",
            "visit",
            "--household",
            hh,
            "--member",
            who,
            "--at",
            at,
        ]);
    }
    d.ok(&[
        "merge",
        "胜利花苑/3栋/2-501",
        "--into",
        "胜利花苑/3栋/1-601",
    ]);
    let show = d.json(&["show", "胜利花苑/3栋/1-601", "--json"]);
    assert_eq!(show["last_visit"]["days_ago"], 1, "{show}");
    assert_eq!(show["last_visit"]["by"], "孙丽", "{show}");
    let today = d.json(&["report", "today", "--json"]);
    assert!(naming_1601(&today["not_visited"]).is_empty(), "{today}");
    let coverage = d.json(&["report", "coverage", "--days", "30", "--json"]);
    assert!(
        naming_1601(&coverage["not_visited"]).is_empty(),
        "{coverage}"
    );
    assert_eq!(coverage["households_visited"], 1, "{coverage}");
    let plan = d.json(&["plan", "胜利花苑/3栋", "--json"]);
    let door = plan["floors"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["households"].as_array().unwrap().iter())
        .find(|h| h["room"] == "1-601")
        .unwrap()
        .clone();
    assert_eq!(door["flags"], serde_json::json!(["visited"]), "{plan}");
    // Visited yesterday, every 7 days: her care visit is not due.
    let care = d.json(&["report", "care", "--json"]);
    assert_eq!(care, serde_json::json!([]), "{care}");
    d.ok(&["check"]);
}

#[test]
fn a_household_merged_away_is_not_handed_over_nor_listed_when_its_liaison_retires() {
    let d = Data::new();
    // 孙丽 is liaison of 2-501 alone.
    d.ok(&[
        "merge",
        "胜利花苑/3栋/2-501",
        "--into",
        "胜利花苑/3栋/1-601",
    ]);
    let err = d.bad(&["transfer", "孙丽", "王强"]);
    assert!(err.contains("孙丽 holds no zone to transfer"), "{err}");
    let err = d.bad(&["--lang", "zh", "transfer", "孙丽", "王强"]);
    assert!(err.contains("孙丽 没有可移交的责任区"), "{err}");
    let out = d
        .cmd(NOW, &["retire", "孙丽", "--reason", "搬走"])
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(listed.contains("ends 0 spans"), "{listed}");
    assert!(!listed.contains("2-501"), "{listed}");
    // Retiring still ends the span on the closed household, unlisted:
    // nothing is left open behind a retired member.
    d.ok(&["retire", "孙丽", "--reason", "搬走", "--yes"]);
    let export = d.json(&["export", "--format", "json"]);
    let text = export.to_string();
    assert_eq!(text.matches("\"AssignmentEnded\"").count(), 1, "{text}");
    d.ok(&["check"]);
}

#[test]
fn a_merge_that_brings_a_second_head_says_so_and_the_household_shows_it_until_one_is_set() {
    let d = Data::new();
    // 2-501's head 吕桂英 joins 1-601, whose head is 欧阳娜娜.
    let out = d.ok(&[
        "--lang",
        "zh",
        "merge",
        "胜利花苑/3栋/2-501",
        "--into",
        "胜利花苑/3栋/1-601",
    ]);
    assert!(
        out.contains("胜利花苑/3栋/1-601 现有 2 位户主（吕桂英、欧阳娜娜）")
            && out.contains("gridbook edit resident 胜利花苑/3栋/1-601 吕桂英 --relation"),
        "{out}"
    );
    // Nobody's relation was changed.
    let show = d.json(&["show", "胜利花苑/3栋/1-601", "--json"]);
    assert_eq!(
        show["heads"],
        serde_json::json!(["吕桂英", "欧阳娜娜"]),
        "{show}"
    );
    let relations: Vec<&str> = show["residents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["relation"].as_str().unwrap())
        .collect();
    assert_eq!(
        relations.iter().filter(|r| **r == "户主").count(),
        2,
        "{show}"
    );
    let text = d.ok(&["show", "胜利花苑/3栋/1-601"]);
    assert!(
        text.contains("⚠ 2 residents are marked head of household (吕桂英, 欧阳娜娜)"),
        "{text}"
    );
    let zh = d.ok(&["--lang", "zh", "show", "胜利花苑/3栋/1-601"]);
    assert!(
        zh.contains("⚠ 有 2 位居民的关系为户主（吕桂英、欧阳娜娜）"),
        "{zh}"
    );
    // Setting one right takes the mark away.
    d.ok(&[
        "edit",
        "resident",
        "胜利花苑/3栋/1-601",
        "吕桂英",
        "--relation",
        "母亲",
    ]);
    let show = d.json(&["show", "胜利花苑/3栋/1-601", "--json"]);
    assert!(show.get("heads").is_none(), "{show}");
    assert!(!d.ok(&["show", "胜利花苑/3栋/1-601"]).contains('⚠'));
}

#[test]
fn a_merge_that_leaves_one_head_says_nothing_of_heads() {
    let d = Data::new();
    d.ok(&[
        "edit",
        "resident",
        "胜利花苑/3栋/2-501",
        "吕桂英",
        "--relation",
        "母亲",
    ]);
    let out = d.ok(&[
        "merge",
        "胜利花苑/3栋/2-501",
        "--into",
        "胜利花苑/3栋/1-601",
    ]);
    assert!(!out.contains("head"), "{out}");
    assert_eq!(out.lines().count(), 1, "{out}");
}

/// The follow-ups `report today` lists, as (household, note).
fn follow_ups(today: &serde_json::Value) -> Vec<(String, String)> {
    today["follow_ups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["household"].as_str().unwrap().to_string(),
                f["visit_note"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_follow_up_on_a_household_merged_away_stays_due_where_its_people_live() {
    let d = Data::new();
    // 孙丽, liaison of 2-501, visits it and means to come back.
    d.ok(&[
        "--as",
        "孙丽",
        "log",
        "visit",
        "--household",
        "slhy/3/2-501",
        "--at",
        "-10d",
        "--note",
        "老人腿脚不便，下次带轮椅",
        "--follow-up",
        "+7d",
    ]);
    let members = |d: &Data| {
        let list = d.json(&["report", "members", "--json"]);
        list.as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == "孙丽")
            .unwrap()
            .clone()
    };
    assert_eq!(members(&d)["liaison_visited"], 1);
    d.ok(&[
        "merge",
        "胜利花苑/3栋/2-501",
        "--into",
        "胜利花苑/3栋/1-601",
    ]);
    let due = vec![(
        "胜利花苑/3栋/1-601".to_string(),
        "老人腿脚不便，下次带轮椅".to_string(),
    )];
    let today = d.json(&["report", "today", "--json"]);
    assert_eq!(follow_ups(&today), due, "{today}");
    // 赵建国 covers 3栋: it is his to see to.
    let his = d.json(&["--as", "赵建国", "report", "today", "--json"]);
    assert_eq!(follow_ups(&his), due, "{his}");
    let zh = d.ok(&["--lang", "zh", "report", "today"]);
    assert!(
        zh.lines()
            .any(|l| l.contains("胜利花苑/3栋/1-601") && l.contains("下次带轮椅")),
        "{zh}"
    );
    // 2-501 is closed: 孙丽's liaison household is gone, her visit stays.
    let sun = members(&d);
    assert_eq!(
        (sun["visits"].clone(), sun["liaison_visited"].clone()),
        (1.into(), 0.into()),
        "{sun}"
    );
    // A visit where they live now tells it done.
    d.ok(&[
        "log",
        "visit",
        "--household",
        "slhy/3/1-601",
        "--member",
        "赵建国",
    ]);
    let today = d.json(&["report", "today", "--json"]);
    assert_eq!(follow_ups(&today), vec![], "{today}");
    d.ok(&["check"]);
}
