//! Rosters straight from Excel: title rows above the header, phones stored
//! as numbers, dates stored as serial numbers, and errors that name the
//! sheet and the cell. The workbooks are written here with rust_xlsxwriter.

use std::path::{Path, PathBuf};

use gridbook::model::*;
use gridbook::ops::Ctx;
use gridbook::roster;
use gridbook::store::Store;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

fn ctx() -> Ctx {
    Ctx {
        by: None,
        now: Ts(1_795_000_000_000),
    }
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    (dir, store)
}

/// Every live resident, with everything the roster can set.
fn people(store: &Store) -> Vec<String> {
    let mut out = Vec::new();
    for a in store.areas().unwrap() {
        for b in store.buildings_of(a.meta.id).unwrap() {
            for h in store.households_of(b.meta.id).unwrap() {
                for r in store.residents_of(h.meta.id).unwrap() {
                    out.push(format!(
                        "{}({})/{}({})/{} {} {} [{}] {} [{}] care[{}] born {:?} {} {}",
                        a.name,
                        a.code,
                        b.name,
                        b.code,
                        h.label(),
                        h.occupancy.code(),
                        r.name,
                        r.phones.join(","),
                        r.relation,
                        r.tags.join(","),
                        r.care
                            .iter()
                            .map(|m| m.group.as_str())
                            .collect::<Vec<_>>()
                            .join(","),
                        r.birth_year,
                        r.status.code(),
                        r.notes
                    ));
                }
            }
        }
    }
    out
}

/// A cell value for the test workbooks.
enum V {
    S(&'static str),
    N(f64),
    D(u16, u8, u8),
}

const HEADER: [&str; 10] = [
    "序号",
    "小区",
    "楼号",
    "单元号",
    "房间号",
    "姓名",
    "手机号码",
    "与户主关系",
    "标签",
    "出生日期",
];

/// A workbook whose first sheet `花名册` has a merged title row and a date
/// line above the header, then `rows`.
fn workbook(dir: &Path, rows: &[Vec<V>]) -> PathBuf {
    let path = dir.join("花名册.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("花名册").unwrap();
    ws.merge_range(0, 0, 0, 9, "胜利花苑居民花名册", &Format::new())
        .unwrap();
    ws.write_string(1, 0, "制表日期：2026年11月").unwrap();
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 3;
        for (c, v) in row.iter().enumerate() {
            let c = c as u16;
            match v {
                V::S(s) => {
                    ws.write_string(r, c, *s).unwrap();
                }
                V::N(n) => {
                    ws.write_number(r, c, *n).unwrap();
                }
                V::D(y, m, d) => {
                    ws.write_datetime_with_format(
                        r,
                        c,
                        ExcelDateTime::from_ymd(*y, *m, *d).unwrap(),
                        &date,
                    )
                    .unwrap();
                }
            }
        }
    }
    wb.save(&path).unwrap();
    path
}

fn good_rows() -> Vec<Vec<V>> {
    use V::*;
    vec![
        vec![
            N(1.0),
            S("胜利花苑"),
            S("3号楼"),
            N(2.0),
            N(501.0),
            S("张伟"),
            N(13805461234.0),
            S("户主"),
            S("党员"),
            D(1970, 5, 1),
        ],
        vec![
            N(2.0),
            S("胜利花苑"),
            S("3号楼"),
            N(2.0),
            N(501.0),
            S("李娜"),
            S("13987654321"),
            S("配偶"),
            S(""),
            S(""),
        ],
        vec![
            N(3.0),
            S("胜利花苑"),
            S("3号楼"),
            N(2.0),
            N(502.0),
            S("王芳"),
            S("0546-8312345"),
            S("户主"),
            S("独居老人、低保"),
            D(1940, 2, 3),
        ],
    ]
}

/// The same rows as a roster saved to CSV with the office's headers.
const SAME_AS_CSV: &str = "\
序号,小区,楼号,单元号,房间号,姓名,手机号码,与户主关系,标签,出生日期
1,胜利花苑,3号楼,2,501,张伟,13805461234,户主,党员,1970-05-01
2,胜利花苑,3号楼,2,501,李娜,13987654321,配偶,,
3,胜利花苑,3号楼,2,502,王芳,0546-8312345,户主,独居老人、低保,1940/2/3
";

#[test]
fn an_xlsx_with_title_rows_and_numeric_phones_imports_as_its_csv_does() {
    let dir = tempfile::tempdir().unwrap();
    let path = workbook(dir.path(), &good_rows());
    let from_xlsx = roster::read(&path).unwrap();
    assert_eq!(from_xlsx.errors, vec![]);
    assert_eq!(from_xlsx.encoding, "xlsx");
    assert_eq!(from_xlsx.ignored_columns, vec!["序号".to_string()]);
    assert_eq!(from_xlsx.rows[0].line, 4, "the sheet's own row number");
    let from_csv = roster::parse("花名册.csv", SAME_AS_CSV.as_bytes()).unwrap();

    let (_a, xs) = store();
    let (_b, cs) = store();
    let rx = roster::import(&xs, ctx(), &from_xlsx, false, false).unwrap();
    let rc = roster::import(&cs, ctx(), &from_csv, false, false).unwrap();
    assert_eq!(
        (rx.households_added, rx.residents_added),
        (rc.households_added, rc.residents_added)
    );
    assert_eq!(people(&xs), people(&cs));
    assert_eq!(
        people(&xs),
        [
            "胜利花苑(slhy)/3号楼(3)/2-501 owner 张伟 [13805461234] 户主 [党员] care[] born Some(1970) present ",
            "胜利花苑(slhy)/3号楼(3)/2-501 owner 李娜 [13987654321] 配偶 [] care[] born None present ",
            "胜利花苑(slhy)/3号楼(3)/2-502 owner 王芳 [0546-8312345] 户主 [] care[alone-elder,low-income] born Some(1940) present ",
        ]
    );
}

#[test]
fn a_phone_that_lost_digits_is_refused_naming_its_cell() {
    use V::*;
    let dir = tempfile::tempdir().unwrap();
    let mut rows = good_rows();
    rows[1][6] = S("1.38055E+10");
    rows[2][6] = N(5468312345.0);
    let path = workbook(dir.path(), &rows);
    let parsed = roster::read(&path).unwrap();
    let errors: Vec<String> = parsed.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        errors,
        [
            "花名册!G5 (手机号码): `1.38055E+10` lost digits when Excel stored the phone as a number; type the number again, formatted as text",
            "花名册!G6 (手机号码): `5468312345` looks like a landline whose leading 0 was lost (a number cell in Excel); write it as text with its area code, e.g. 05468312345",
        ]
    );
    // All rows or none.
    let (_d, s) = store();
    assert!(roster::import(&s, ctx(), &parsed, false, false).is_err());
    assert!(s.areas().unwrap().is_empty());
}

#[test]
fn a_named_sheet_is_read_and_an_unknown_one_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = workbook(dir.path(), &good_rows());
    let r = roster::read_sheet(&path, Some("花名册")).unwrap();
    assert_eq!(r.rows.len(), 3);
    let e = roster::read_sheet(&path, Some("Sheet9")).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}: no sheet `Sheet9`; the sheets are 花名册",
            path.display()
        )
    );
}
