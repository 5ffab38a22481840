//! Reports over a period (`--days`, `--month`, `--from`/`--to`) and as CSV files.

mod common;
use common::*;

fn read_csv(path: &str) -> (String, Vec<Vec<String>>) {
    let bytes = std::fs::read(path).unwrap();
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "BOM first");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let rows: Vec<Vec<String>> = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (text, rows)
}

#[test]
fn days_month_and_from_to_count_different_entries() {
    let d = Data::new();
    d.ok(&[
        "log",
        "visit",
        "--household",
        "slhy/3/1-101",
        "--member",
        "赵建国",
        "--at",
        "2026-11-10 10:00",
    ]);
    d.ok(&[
        "log",
        "visit",
        "--household",
        "slhy/3/1-601",
        "--member",
        "赵建国",
        "--at",
        "-2d",
    ]);
    d.ok(&[
        "log",
        "visit",
        "--household",
        "slhy/3/1-601",
        "--member",
        "赵建国",
        "--at",
        "2026-10-05 10:00",
    ]);
    let visits = |args: &[&str]| {
        let mut a = vec!["report", "members", "--json"];
        a.extend_from_slice(args);
        let v = d.json(&a);
        v.as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == "赵建国")
            .unwrap()["visits"]
            .clone()
    };
    assert_eq!(visits(&["--days", "7"]), 1);
    assert_eq!(visits(&["--days", "120"]), 3);
    assert_eq!(visits(&["--month", "2026-11"]), 2);
    assert_eq!(visits(&["--month", "2026-10"]), 1);
    assert_eq!(
        visits(&["--from", "2026/11/1", "--to", "2026年11月10日"]),
        1
    );
    assert_eq!(visits(&["--from", "2026-11-11"]), 1);
    assert_eq!(visits(&["--to", "2026-10-31"]), 1);
    // The activity report lists every member, also with nothing, by id and tags.
    let act = |args: &[&str]| {
        let mut a = vec!["report", "activity", "--json"];
        a.extend_from_slice(args);
        d.json(&a)
    };
    let a7 = act(&["--days", "7"]);
    assert_eq!(a7["visits"], 1);
    assert_eq!(a7["by_member"].as_array().unwrap().len(), 3);
    assert_eq!(act(&["--month", "2026-10"])["visits"], 1);
    // Problems: reported in the period.
    d.ok(&[
        "log",
        "problem",
        "--zone",
        "slhy/3",
        "--category",
        "repair",
        "--note",
        "楼道灯不亮",
        "--at",
        "2026-10-20 09:00",
    ]);
    let p = |args: &[&str]| {
        let mut a = vec!["report", "problems", "--json"];
        a.extend_from_slice(args);
        d.json(&a)["opened_in_period"].clone()
    };
    assert_eq!(p(&["--month", "2026-10"]), 1);
    assert_eq!(p(&["--month", "2026-11"]), 0);
    assert_eq!(p(&["--days", "60"]), 1);
    // Coverage up to today over a period that reaches it.
    let c = d.json(&["report", "coverage", "--from", "2026-11-05", "--json"]);
    assert_eq!(c["households_visited"], 2);
    let c = d.json(&["report", "coverage", "--days", "7", "--json"]);
    assert_eq!(c["households_visited"], 1);
    // One period only; bad dates name the flag.
    let err = d.bad(&["report", "activity", "--days", "7", "--from", "2026-11-01"]);
    assert!(err.contains("one period"), "{err}");
    let err = d.bad(&["report", "problems", "--month", "11月"]);
    assert!(err.contains("--month"), "{err}");
    d.bad(&["report", "coverage", "--month", "2026-10"]);
    d.bad(&["report", "today", "--month", "2026-11"]);
    d.bad(&["report", "problems", "--branch", "x"]);
}

#[test]
fn csv_files_have_a_bom_headers_in_the_language_and_one_row_per_member_or_entry() {
    let d = Data::new();
    d.ok(&[
        "log",
        "visit",
        "--household",
        "slhy/3/1-101",
        "--member",
        "赵建国",
        "--at",
        "-2d",
    ]);
    d.ok(&[
        "log",
        "problem",
        "--zone",
        "slhy/3",
        "--category",
        "repair",
        "--note",
        "=HYPERLINK(\"x\")",
        "--at",
        "2026-11-30 14:30",
    ]);
    d.ok(&[
        "log",
        "activity",
        "--kind",
        "study",
        "--zone",
        "slhy",
        "--members",
        "赵建国,孙丽",
        "--hours",
        "2",
    ]);

    let members = d.path("members-report.csv");
    d.ok(&[
        "--lang", "zh", "report", "members", "--days", "30", "--csv", &members,
    ]);
    let (text, rows) = read_csv(&members);
    assert!(!text.starts_with('#'));
    assert_eq!(rows[0][0], "姓名");
    assert!(
        rows[0].contains(&"服务时长（小时）".to_string()),
        "{:?}",
        rows[0]
    );
    assert_eq!(rows.len(), 4, "header and one row per member");
    let zhao = rows.iter().find(|r| r[0] == "赵建国").unwrap();
    assert_eq!(zhao[4], "1");
    assert_eq!(zhao[12], "2");
    assert_eq!(zhao[1], "党员");

    let problems = d.path("problems.csv");
    d.ok(&["--lang", "en", "report", "problems", "--csv", &problems]);
    let (_, rows) = read_csv(&problems);
    assert_eq!(rows[0][1], "reported at");
    assert_eq!(rows.len(), 2);
    // Local time (Asia/Shanghai): logged at 2026-11-30 14:30 local.
    assert_eq!(rows[1][1], "2026-11-30 14:30");
    // A spreadsheet does not run a note as a formula.
    assert!(rows[1][5].starts_with("'="), "{:?}", rows[1]);

    for what in ["coverage", "activity", "care", "workload", "today"] {
        let f = d.path(&format!("{what}.csv"));
        d.ok(&["--lang", "zh", "report", what, "--csv", &f]);
        let (_, rows) = read_csv(&f);
        assert!(
            !rows.is_empty() && rows[0].iter().all(|h| !h.is_empty()),
            "{what}: {rows:?}"
        );
        assert!(
            rows[0].iter().any(|h| h.chars().any(|c| c > '\u{2e80}')),
            "{what}: Chinese headers {:?}",
            rows[0]
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&members).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

/// The shared estate with a second roster: 3栋/1-101 rented, 3栋/1-601
/// vacant (its owner moved out), 吕桂英 (3栋/2-501) 独居老人 visited two days
/// ago, 严建国 (5栋/1-101, nobody responsible) 低保户 never visited.
const OCCUPANCY: &str = "小区,楼栋,单元,房号,姓名,标签,居住状态,人员状态\n\
胜利花苑,3栋,1,101,周海燕,,出租,\n\
胜利花苑,3栋,1,601,欧阳娜娜,,空置,迁出\n\
胜利花苑,3栋,2,501,吕桂英,独居老人,,\n\
胜利花苑,5栋,1,101,严建国,低保户,,\n";

fn occupied() -> Data {
    let d = Data::new();
    std::fs::write(d.dir.path().join("occupancy.csv"), OCCUPANCY).unwrap();
    d.ok_at(
        "2026-08-01T02:00:00Z",
        &["import", "roster", &d.path("occupancy.csv")],
    );
    d.ok(&[
        "log",
        "visit",
        "--household",
        "slhy/3/2-501",
        "--member",
        "赵建国",
        "--at",
        "-2d",
    ]);
    d
}

#[test]
fn coverage_json_counts_vacant_and_rented_apart_and_care_on_time() {
    let d = occupied();
    let c = d.json(&["report", "coverage", "--json"]);
    // 4 households, 1 vacant: 1 of the other 3 visited.
    assert_eq!(c["households"], 4);
    assert_eq!(c["vacant"], 1);
    assert_eq!(c["rented"], 1);
    assert_eq!(c["households_visited"], 1);
    assert_eq!(c["visited_pct"], 33.3);
    let not_visited: Vec<&str> = c["not_visited"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["path"].as_str().unwrap())
        .collect();
    assert!(
        !not_visited.iter().any(|p| p.ends_with("1-601")),
        "{not_visited:?}"
    );
    assert_eq!(not_visited.len(), 2);
    // Care: 2-501 on time (visited 2 days ago, every 7), 5栋/1-101 due.
    assert_eq!(c["care_households"], 2);
    assert_eq!(c["care_visited_on_time"], 1);
    assert_eq!(c["care_pct"], 50.0);
    let area = &c["by_area"][0];
    assert_eq!(
        (
            &area["vacant"],
            &area["rented"],
            &area["care_households"],
            &area["care_visited_on_time"],
            &area["care_pct"]
        ),
        (&1.into(), &1.into(), &2.into(), &1.into(), &50.0.into())
    );
    let b3 = &area["by_building"][0];
    assert_eq!(b3["name"], "3栋");
    assert_eq!(
        (
            &b3["households"],
            &b3["vacant"],
            &b3["rented"],
            &b3["visited_pct"]
        ),
        (&3.into(), &1.into(), &1.into(), &50.0.into())
    );
    assert_eq!(
        (
            &b3["care_households"],
            &b3["care_visited_on_time"],
            &b3["care_pct"]
        ),
        (&1.into(), &1.into(), &100.0.into())
    );
    let b5 = &area["by_building"][1];
    assert_eq!(
        (
            &b5["care_households"],
            &b5["care_visited_on_time"],
            &b5["care_pct"]
        ),
        (&1.into(), &0.into(), &0.0.into())
    );
    // Per responsible member: 赵建国 covers 3栋.
    let m = &c["by_member"][0];
    assert_eq!(m["name"], "赵建国");
    assert_eq!(
        (
            &m["households"],
            &m["vacant"],
            &m["visited"],
            &m["care_households"],
            &m["care_visited_on_time"]
        ),
        (&3.into(), &1.into(), &1.into(), &1.into(), &1.into())
    );
}

#[test]
fn coverage_text_says_vacant_rented_care_and_blank_spots_once_in_both_languages() {
    let d = occupied();
    let en = d.ok(&["--lang", "en", "report", "coverage"]);
    assert!(
        en.starts_with(
            "1 area and 1 of its 2 buildings have nobody responsible: 1 household · \
             1 of 3 households visited (33.3%) in 90 days · \
             1 vacant (not counted as blank spots), 1 rented · \
             care households visited on time: 1 of 2 (50.0%)"
        ),
        "{en}"
    );
    assert!(
        en.contains("Vacant households (not blank spots):\n  胜利花苑/3栋 (1 household)"),
        "{en}"
    );
    assert!(en.contains("Coverage by responsible member"), "{en}");
    let zh = d.ok(&["--lang", "zh", "report", "coverage"]);
    assert!(
        zh.starts_with(
            "1 个小区及其中 1 栋（共 2 栋楼）无责任人：1 户 · \
             走访 1 / 3 户（33.3%，90 天内） · \
             空置 1 户（不算空白）、出租 1 户 · \
             重点人群户按时走访 1 / 2（50.0%）"
        ),
        "{zh}"
    );
    assert!(
        zh.contains("空置户（不算空白）：\n  胜利花苑/3栋（1 户）"),
        "{zh}"
    );
    // The CSV file carries the new figures per area and building.
    let path = d.path("cov.csv");
    d.ok(&["--lang", "en", "report", "coverage", "--csv", &path]);
    let text = std::fs::read_to_string(&path).unwrap();
    let header = text.lines().next().unwrap();
    for col in [
        "vacant",
        "rented",
        "care households",
        "care visited on time",
        "care %",
    ] {
        assert!(header.contains(col), "{header}");
    }
}
