//! Excel out: the workbook export read back with a spreadsheet reader
//! (phones intact as text, Chinese headers under zh), ledgers for a month
//! (CSV and xlsx, local days), `--xlsx` on reports from the same rows as
//! `--csv`, and workbooks in: `--sheet` and members files.

mod common;

use std::path::Path;

use calamine::{Data as Cell, Reader, open_workbook_auto};
use common::{Data, NOW};

/// Every row of a sheet as cells.
fn sheet(path: &Path, name: &str) -> Vec<Vec<Cell>> {
    let mut book = open_workbook_auto(path).unwrap();
    let range = book.worksheet_range(name).unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

fn sheet_names(path: &Path) -> Vec<String> {
    open_workbook_auto(path).unwrap().sheet_names()
}

fn text(c: &Cell) -> String {
    match c {
        Cell::String(s) => s.clone(),
        Cell::Empty => String::new(),
        other => panic!("{other:?} is not a text cell"),
    }
}

#[test]
fn the_xlsx_export_keeps_every_phone_as_text_with_chinese_headers() {
    let d = Data::new();
    // A phone with a leading zero and one that would overflow a number's
    // precision, stored as text, must come back as typed.
    d.ok(&[
        "edit",
        "resident",
        "slhy/5/1-101",
        "严建国",
        "--phone",
        "05468312345;13905460003",
    ]);
    let out = d.path("全部.xlsx");
    let said = d.ok(&["--lang", "zh", "export", "--format", "xlsx", "--out", &out]);
    assert!(said.contains("已导出居民 5 人"), "{said}");
    let path = Path::new(&out);
    assert_eq!(sheet_names(path), ["花名册", "记录"]);
    let roster = sheet(path, "花名册");
    // The notice above the header, the header in Chinese.
    assert!(text(&roster[0][0]).contains("个人信息"));
    let header: Vec<String> = roster[1].iter().map(text).collect();
    assert_eq!(
        header,
        [
            "小区",
            "楼栋",
            "单元",
            "房号",
            "姓名",
            "电话",
            "与户主关系",
            "标签",
            "备注",
            "出生日期",
            "居住状态",
            "人员状态",
        ]
    );
    let mut phones = Vec::new();
    for row in &roster[2..] {
        // Rooms and phones are text cells, never numbers.
        assert!(matches!(row[3], Cell::String(_)), "room {:?}", row[3]);
        assert!(
            matches!(row[5], Cell::String(_) | Cell::Empty),
            "phone {:?}",
            row[5]
        );
        phones.push((text(&row[4]), text(&row[5])));
    }
    phones.sort();
    let mut expected: Vec<(String, String)> = [
        ("吕德", "13805461234"),
        ("吕桂英", ""),
        ("周海燕", "13905460001"),
        ("严建国", "0546-8312345;13905460003"),
        ("欧阳娜娜", "13905460002"),
    ]
    .iter()
    .map(|(n, p)| (n.to_string(), p.to_string()))
    .collect();
    expected.sort();
    assert_eq!(phones, expected);
    let events = sheet(path, "记录");
    assert_eq!(text(&events[0][0]), "编号");
    assert!(events.len() > 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // In English the headers are the importer's own names, and the
    // exported workbook imports as a roster (title row skipped).
    let en = d.path("all.xlsx");
    d.ok(&["export", "--format", "xlsx", "--out", &en]);
    let header: Vec<String> = sheet(Path::new(&en), "roster")[1]
        .iter()
        .map(text)
        .collect();
    assert_eq!(header[..3], ["area", "building", "unit"]);
    let dry = d.ok(&["import", "roster", &en, "--dry-run"]);
    assert!(dry.contains("5 unchanged, 0 rejected"), "{dry}");
    // Refusals: no --out, or --no-bom / --passphrase with xlsx.
    d.bad(&["export", "--format", "xlsx"]);
    d.bad(&["export", "--format", "xlsx", "--no-bom", "--out", &en]);
    d.bad(&["export", "--format", "xlsx", "--passphrase", "--out", &en]);
}

/// Visits around the edges of November in China (UTC+8).
fn november(d: &Data) {
    let visit = |at: &str, hh: &str, note: &str| {
        d.ok_at(
            at,
            &[
                "log",
                "visit",
                "--household",
                hh,
                "--member",
                "孙丽",
                "--note",
                note,
            ],
        );
    };
    // 23:00 on 31 October local: October.
    visit("2026-10-31T15:00:00Z", "slhy/3/2-501", "十月底");
    // 01:00 on 1 November local: November, although still October in UTC.
    visit("2026-10-31T17:00:00Z", "slhy/3/2-501", "十一月初");
    visit("2026-11-15T02:00:00Z", "slhy/3/1-101", "十一月中");
    // 00:30 on 1 December local: December.
    visit("2026-11-30T16:30:00Z", "slhy/3/1-601", "十二月初");
    let id = d.ok_at(
        "2026-11-10T02:00:00Z",
        &[
            "log",
            "problem",
            "--zone",
            "slhy/3",
            "--category",
            "repair",
            "--note",
            "楼道灯不亮",
            "--as",
            "王强",
        ],
    );
    d.ok_at(
        "2026-11-12T02:00:00Z",
        &[
            "log",
            "resolve",
            id.trim(),
            "--note",
            "已修好",
            "--as",
            "赵建国",
        ],
    );
}

#[test]
fn a_ledger_for_a_month_has_that_months_entries_in_csv_and_xlsx() {
    let d = Data::new();
    november(&d);
    let csv = d.path("走访台账.csv");
    let xlsx = d.path("走访台账.xlsx");
    let shown = d.ok(&[
        "--lang", "zh", "report", "ledger", "visits", "--month", "2026-11", "--csv", &csv,
        "--xlsx", &xlsx,
    ]);
    assert!(shown.contains("走访台账"), "{shown}");
    assert!(shown.contains("十一月初") && shown.contains("十一月中"));
    assert!(!shown.contains("十月底") && !shown.contains("十二月初"));

    let text_csv = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text_csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "\u{feff}序号,日期,时间,地址,户主,走访人,走访事由,走访情况,回访日期"
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(
        rows,
        [
            "1,2026-11-01,01:00,胜利花苑/3栋/2-501,吕桂英,孙丽,日常走访,十一月初,",
            "2,2026-11-15,10:00,胜利花苑/3栋/1-101,周海燕,孙丽,日常走访,十一月中,",
        ]
    );
    // The workbook holds the same rows: the notice, the header, then them;
    // the number column is a number, the rest text.
    let wb = sheet(Path::new(&xlsx), "走访台账");
    assert!(text(&wb[0][0]).contains("个人信息"));
    assert_eq!(text(&wb[1][3]), "地址");
    assert_eq!(wb.len(), 4);
    assert_eq!(wb[2][0], Cell::Float(1.0));
    for (row, csv_row) in wb[2..].iter().zip(&rows) {
        let cells: Vec<String> = row[1..].iter().map(text).collect();
        assert_eq!(cells.join(","), csv_row.split_once(',').unwrap().1);
    }

    // The problems ledger: opened in the month, resolved, with its outcome.
    let p = d.ok(&[
        "report", "ledger", "problems", "--month", "2026-11", "--csv", &csv,
    ]);
    assert!(p.contains("Problems ledger"), "{p}");
    let text_csv = std::fs::read_to_string(&csv).unwrap();
    let rows: Vec<&str> = text_csv.lines().skip(1).collect();
    assert_eq!(
        rows,
        [
            "1,2026-11-10,胜利花苑/3栋,repair,楼道灯不亮,normal,王强,resolved,2026-11-12,赵建国,已修好,2"
        ]
    );
    // October holds one visit; a ledger needs its kind; a report takes none.
    let oct = d.json(&["report", "ledger", "visits", "--month", "2026-10", "--json"]);
    assert_eq!(oct["rows"].as_array().unwrap().len(), 1);
    assert_eq!(oct["ledger"], "visits");
    d.bad(&["report", "ledger"]);
    d.bad(&["report", "problems", "visits"]);
    d.bad(&["report", "ledger", "sales"]);
}

/// The problems ledger says where a problem stands now: a resolve that was
/// reopened is not its outcome, the reopening's note is; days are counted
/// between local dates, as a reader counts them from the date columns.
#[test]
fn the_problems_ledger_takes_the_reopening_and_counts_calendar_days() {
    let d = Data::new();
    let log = |at: &str, args: &[&str]| d.ok_at(at, args).trim().to_string();
    let open = |at: &str, note: &str| {
        log(
            at,
            &[
                "log",
                "problem",
                "--zone",
                "slhy/3",
                "--category",
                "repair",
                "--note",
                note,
                "--as",
                "王强",
            ],
        )
    };
    // 23:30 on 20 November local; resolved at 08:00 the next morning, then
    // reopened on the 23rd.
    let lamp = open("2026-11-20T15:30:00Z", "楼道灯不亮");
    log(
        "2026-11-21T00:00:00Z",
        &[
            "log",
            "resolve",
            &lamp,
            "--note",
            "已修好",
            "--as",
            "赵建国",
        ],
    );
    log(
        "2026-11-23T02:00:00Z",
        &[
            "log",
            "reopen",
            &lamp,
            "--note",
            "灯又不亮了",
            "--as",
            "王强",
        ],
    );
    // 23:30 on 24 November, resolved at 09:00 on the 25th: nine and a half
    // hours, one day by the calendar.
    let drain = open("2026-11-24T15:30:00Z", "下水道堵塞");
    log(
        "2026-11-25T01:00:00Z",
        &[
            "log",
            "resolve",
            &drain,
            "--note",
            "已疏通",
            "--as",
            "赵建国",
        ],
    );
    let csv = d.path("problems.csv");
    d.ok(&[
        "--lang", "en", "report", "ledger", "problems", "--month", "2026-11", "--csv", &csv,
    ]);
    let text_csv = std::fs::read_to_string(&csv).unwrap();
    let rows: Vec<&str> = text_csv.lines().skip(1).collect();
    assert_eq!(
        rows,
        [
            // Still open on 1 December (NOW, 14:30 local): 11 days so far.
            "1,2026-11-20,胜利花苑/3栋,repair,楼道灯不亮,normal,王强,open,,,灯又不亮了,11",
            "2,2026-11-24,胜利花苑/3栋,repair,下水道堵塞,normal,王强,resolved,2026-11-25,赵建国,已疏通,1",
        ]
    );
}

#[test]
fn every_report_takes_xlsx_with_the_rows_of_its_csv() {
    let d = Data::new();
    november(&d);
    for what in [
        "members", "care", "problems", "activity", "workload", "today",
    ] {
        let csv = d.path(&format!("{what}.csv"));
        let xlsx = d.path(&format!("{what}.xlsx"));
        d.ok(&[
            "--lang", "zh", "report", what, "--csv", &csv, "--xlsx", &xlsx,
        ]);
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_path(&csv)
            .unwrap();
        let from_csv: Vec<Vec<String>> = rdr
            .records()
            .map(|r| {
                r.unwrap()
                    .iter()
                    .map(|c| c.trim_start_matches('\u{feff}').to_string())
                    .collect()
            })
            .collect();
        let wb = sheet(Path::new(&xlsx), &sheet_names(Path::new(&xlsx))[0]);
        // Below the notice, cell for cell what the CSV says (numbers as numbers).
        let from_xlsx: Vec<Vec<String>> = wb[1..]
            .iter()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        Cell::Float(f) => format!("{f}"),
                        Cell::Int(i) => i.to_string(),
                        other => text(other),
                    })
                    .collect()
            })
            .collect();
        let strip = |rows: Vec<Vec<String>>| -> Vec<Vec<String>> {
            rows.into_iter()
                .map(|r| {
                    let mut r: Vec<String> = r
                        .into_iter()
                        // CSV guards formulas with `'`; a number is its value
                        // (`2.0` in the file is 2 in the sheet).
                        .map(|c| {
                            let c = c.trim_start_matches('\'').to_string();
                            match c.parse::<f64>() {
                                Ok(f) if !c.starts_with('0') || c == "0" => format!("{f}"),
                                _ => c,
                            }
                        })
                        .collect();
                    while r.last().is_some_and(String::is_empty) {
                        r.pop();
                    }
                    r
                })
                .collect()
        };
        assert_eq!(strip(from_xlsx), strip(from_csv), "report {what}");
    }
}

#[test]
fn workbooks_in_a_named_sheet_and_members_from_a_workbook() {
    let d = Data::new();
    let path = d.dir.path().join("名单.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let first = wb.add_worksheet();
    first.set_name("说明").unwrap();
    first.write_string(0, 0, "填表说明").unwrap();
    let ws = wb.add_worksheet();
    ws.set_name("党员").unwrap();
    ws.write_string(0, 0, "胜利花苑党员名单").unwrap();
    for (c, h) in ["姓名", "电话", "类型", "责任区", "起始日期"]
        .iter()
        .enumerate()
    {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    ws.write_string(2, 0, "钱多多").unwrap();
    // A phone Excel stored as a number: recovered, since no digit was lost.
    ws.write_number(2, 1, 13800000009.0).unwrap();
    ws.write_string(2, 2, "党员").unwrap();
    ws.write_string(2, 3, "胜利花苑/5栋").unwrap();
    ws.write_string(2, 4, "2026/11/1").unwrap();
    ws.write_string(3, 0, "李四").unwrap();
    // What Excel shows for a long number: the digits are gone.
    ws.write_string(3, 1, "1.38055E+10").unwrap();
    wb.save(&path).unwrap();
    let file = path.display().to_string();

    // Row 4's phone lost digits: refused naming its cell, nothing written.
    let err = d.bad(&["import", "members", &file, "--sheet", "党员"]);
    assert!(err.contains("党员!B4"), "{err}");
    // An unknown sheet is named with the sheets there are.
    let err = d.bad(&["import", "members", &file, "--sheet", "团员"]);
    assert!(err.contains("说明") && err.contains("党员"), "{err}");
    let err = d.bad(&["import", "roster", &file, "--sheet", "团员"]);
    assert!(err.contains("说明, 党员"), "{err}");
    // --sheet on a CSV file is a mistake, said plainly.
    let err = d.bad(&["import", "roster", &d.path("roster.csv"), "--sheet", "x"]);
    assert!(err.contains("--sheet"), "{err}");

    // Without the bad row it imports.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("党员").unwrap();
    for (c, h) in ["姓名", "电话", "类型", "责任区"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "钱多多").unwrap();
    ws.write_number(1, 1, 13800000009.0).unwrap();
    ws.write_string(1, 2, "党员").unwrap();
    ws.write_string(1, 3, "胜利花苑/5栋").unwrap();
    wb.save(&path).unwrap();
    let said = d.ok(&["import", "members", &file]);
    assert!(said.contains("members: 1 added"), "{said}");
    let show = d.json(&["show", "slhy/5", "--json"]);
    assert_eq!(show["covered_by"]["name"], "钱多多");
    assert_eq!(show["covered_by"]["phone"], "13800000009");
    let _ = NOW;
}

/// The CSV's rows after the header, BOM stripped.
fn csv_rows(path: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(path)
        .unwrap()
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn the_care_report_files_name_the_groups_in_the_reports_language() {
    let d = Data::new();
    d.ok(&[
        "tag",
        "slhy/3/2-501",
        "吕桂英",
        "--add",
        "独居老人",
        "--add",
        "low-income",
    ]);
    let csv = d.path("care.csv");
    let xlsx = d.path("care.xlsx");
    d.ok(&[
        "--lang", "zh", "report", "care", "--csv", &csv, "--xlsx", &xlsx,
    ]);
    let rows = csv_rows(&csv);
    assert_eq!(rows[0][3], "独居老人、低保户", "{rows:?}");
    let wb = sheet(Path::new(&xlsx), &sheet_names(Path::new(&xlsx))[0]);
    assert_eq!(text(&wb[2][3]), "独居老人、低保户");
    d.ok(&["report", "care", "--csv", &csv]);
    let rows = csv_rows(&csv);
    assert_eq!(
        rows[0][3], "elder living alone, low-income household",
        "{rows:?}"
    );
    // Machine output keeps the codes.
    let v = d.json(&["report", "care", "--json"]);
    assert_eq!(
        v[0]["groups"],
        serde_json::json!(["alone-elder", "low-income"])
    );
}

#[test]
fn the_patrol_ledger_names_failed_items_by_their_label() {
    let d = Data::new();
    d.ok(&[
        "log",
        "patrol",
        "--zone",
        "slhy/3",
        "--kind",
        "security",
        "--issue",
        "extinguishers-present:过期",
        "--issue",
        "照明",
        "--as",
        "王强",
        "--at",
        "-1d",
    ]);
    let csv = d.path("巡查台账.csv");
    d.ok(&["--lang", "zh", "report", "ledger", "patrols", "--csv", &csv]);
    let rows = csv_rows(&csv);
    let issues = &rows[0][7];
    assert_eq!(issues, "灭火器在位：过期；楼道照明正常", "{rows:?}");
    assert!(!issues.contains("extinguishers"), "{rows:?}");
    d.ok(&["report", "ledger", "patrols", "--csv", &csv]);
    let rows = csv_rows(&csv);
    let issues = &rows[0][7];
    assert_eq!(
        issues, "extinguishers present: 过期; lights work",
        "{rows:?}"
    );
}
