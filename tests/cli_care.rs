//! Care groups and members' service from the command line: `tag`,
//! `report care`, `log activity` and `report members`.

mod common;
use common::*;

#[test]
fn a_lone_elder_visited_ten_days_ago_is_three_days_overdue_until_visited_today() {
    let d = Data::new();
    // Tagged a month ago, so the visit ten days ago was a care visit.
    d.ok_at(
        "2026-11-01T02:00:00Z",
        &["tag", "胜利花苑/3栋/2-501", "吕桂英", "--add", "独居老人"],
    );
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
    let v = d.json(&["report", "care", "--json"]);
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{v}");
    let r = &rows[0];
    assert_eq!(r["address"], "胜利花苑/3栋/2-501");
    assert_eq!(r["head"], "吕桂英");
    assert_eq!(r["phone"], "13805461234");
    assert_eq!(r["groups"], serde_json::json!(["alone-elder"]));
    assert_eq!(r["cadence_days"], 7);
    assert_eq!(r["last_visit"], "2026-11-21");
    assert_eq!(r["days_overdue"], 3);
    // The member filter: 孙丽 is its liaison, 王强 covers nothing.
    assert_eq!(
        d.json(&["report", "care", "--member", "孙丽", "--json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(
        d.json(&["report", "care", "--member", "王强", "--json"])
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Text in both languages, aligned.
    let en = d.ok(&["--lang", "en", "report", "care"]);
    assert!(en.contains("alone elder") || en.contains("alone"), "{en}");
    assert!(en.contains("days overdue"), "{en}");
    let zh = d.ok(&["--lang", "zh", "report", "care"]);
    assert!(zh.contains("独居老人") && zh.contains("逾期天数"), "{zh}");
    let lines: Vec<&str> = zh.lines().skip(1).collect();
    let col = |l: &str| {
        let i = l.find("2026-11-21").or_else(|| l.find("最近走访")).unwrap();
        unicode_width::UnicodeWidthStr::width(&l[..i])
    };
    assert_eq!(col(lines[0]), col(lines[1]), "{zh}");

    d.ok(&[
        "log",
        "visit",
        "--household",
        "slhy/3/2-501",
        "--member",
        "孙丽",
    ]);
    assert!(
        d.json(&["report", "care", "--json"])
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(d.ok(&["report", "care"]).contains("No household is due"));
}

#[test]
fn tag_takes_codes_and_either_language_and_refuses_unknown_groups() {
    let d = Data::new();
    let out = d.ok(&[
        "tag",
        "slhy/3/1-101",
        "周海燕",
        "--add",
        "low-income",
        "--add",
        "残疾人",
    ]);
    assert!(
        out.contains("low income") || out.contains("周海燕"),
        "{out}"
    );
    let err = d.bad(&["tag", "slhy/3/1-101", "周海燕", "--add", "孤单"]);
    assert!(err.contains("孤单") && err.contains("alone-elder"), "{err}");
    let err = d.bad(&["tag", "slhy/3/1-101", "周海", "--add", "低保户"]);
    assert!(err.contains("周海燕"), "{err}");
    d.bad(&["tag", "slhy/3/1-101", "周海燕"]);
    let out = d.ok(&[
        "--lang",
        "zh",
        "tag",
        "slhy/3/1-101",
        "周海燕",
        "--remove",
        "低保户",
    ]);
    assert!(out.contains("已移出低保户"), "{out}");
    // Still in 残疾人: due (never visited since the group was set today).
    let v = d.json(&["report", "care", "--json"]);
    assert_eq!(v[0]["groups"], serde_json::json!(["disabled"]));
    assert_eq!(v[0]["last_visit"], serde_json::Value::Null);
    assert_eq!(v[0]["days_overdue"], 0);
    // report care takes no period.
    d.bad(&["report", "care", "--days", "7"]);
}

#[test]
fn an_activity_of_two_hours_with_two_members_counts_for_each() {
    let d = Data::new();
    d.ok(&[
        "log",
        "activity",
        "--kind",
        "党员奉献日",
        "--zone",
        "胜利花苑",
        "--members",
        "赵建国,13800000002",
        "--hours",
        "2",
        "--at",
        "-1d",
        "--note",
        "清理楼道",
    ]);
    let v = d.json(&["report", "members", "--days", "7", "--json"]);
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 3, "every member, also those with nothing: {v}");
    for name in ["赵建国", "孙丽"] {
        let r = rows.iter().find(|r| r["name"] == name).unwrap();
        assert_eq!(r["activities"], 1, "{name}");
        assert_eq!(r["service_hours"], 2.0, "{name}");
        for key in [
            "kind",
            "tags",
            "visits",
            "care_visits_on_time",
            "liaison_visited",
            "problems_reported",
            "problems_resolved",
            "median_days_to_resolve",
            "patrols",
        ] {
            assert!(r.get(key).is_some(), "missing {key}");
        }
    }
    let wang = rows.iter().find(|r| r["name"] == "王强").unwrap();
    assert_eq!(wang["activities"], 0);
    // The period is honoured: an activity yesterday is outside last month.
    let nov = d.json(&["report", "members", "--month", "2026-10", "--json"]);
    assert!(nov.as_array().unwrap().iter().all(|r| r["activities"] == 0));
    // Filters.
    let flowing = d.json(&["report", "members", "--tag", "流动", "--json"]);
    assert_eq!(flowing.as_array().unwrap().len(), 1);
    let grid = d.json(&["report", "members", "--kind", "网格员", "--json"]);
    assert_eq!(grid[0]["name"], "王强");
    d.bad(&["report", "members", "--kind", "boss"]);
    d.bad(&["report", "members", "--days", "7", "--month", "2026-11"]);
    // 1.5 hours.
    d.ok(&[
        "log",
        "activity",
        "--kind",
        "voluntary-labour",
        "--zone",
        "slhy/3",
        "--members",
        "王强",
        "--hours",
        "1.5",
    ]);
    let v = d.json(&["report", "members", "--json", "--member", "王强"]);
    assert_eq!(v[0]["service_hours"], 1.5);
    let zh = d.ok(&["--lang", "zh", "report", "members"]);
    assert!(zh.contains("服务时长") && zh.contains("1.5"), "{zh}");
}

#[test]
fn bad_activities_are_refused_naming_what_is_allowed() {
    let d = Data::new();
    let base = ["log", "activity", "--zone", "胜利花苑"];
    let run = |extra: &[&str]| {
        let mut a: Vec<&str> = base.to_vec();
        a.extend_from_slice(extra);
        d.bad(&a)
    };
    let err = run(&["--kind", "party", "--members", "赵建国", "--hours", "2"]);
    assert!(err.contains("dedication-day"), "{err}");
    for h in ["0", "-1", "25", "two"] {
        let err = run(&["--kind", "study", "--members", "赵建国", "--hours", h]);
        assert!(err.contains("24"), "{h}: {err}");
    }
    let err = run(&["--kind", "study", "--members", "赵建", "--hours", "1"]);
    assert!(err.contains("赵建国"), "closest name: {err}");
    let err = run(&["--kind", "study", "--members", " , ", "--hours", "1"]);
    assert!(err.contains("--members"), "{err}");
}

#[test]
fn user_care_groups_and_activity_kinds_come_from_the_config_dir() {
    let d = Data::new();
    let cfg = d.dir.path().join("config");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(
        cfg.join("care.toml"),
        "[[group]]\ncode = \"veteran\"\nen = \"veteran\"\nzh = \"退役军人\"\ncadence_days = 3\n",
    )
    .unwrap();
    std::fs::write(
        cfg.join("activities.toml"),
        "[[kind]]\ncode = \"patrol-team\"\nen = \"patrol team\"\nzh = \"巡逻队\"\n",
    )
    .unwrap();
    d.ok(&["tag", "slhy/5/1-101", "严建国", "--add", "退役军人"]);
    let v = d.json(&["report", "care", "--json"]);
    assert_eq!(v[0]["cadence_days"], 3);
    d.ok(&[
        "log",
        "activity",
        "--kind",
        "巡逻队",
        "--zone",
        "slhy",
        "--members",
        "王强",
        "--hours",
        "3",
    ]);
    std::fs::write(cfg.join("care.toml"), "[[group]]\ncode = \"x\"\n").unwrap();
    let out = d.cmd(NOW, &["report", "care"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("care.toml"));
}
