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
        rows[0].contains(&"服务时长(小时)".to_string()),
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
