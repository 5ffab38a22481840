//! Roster import: encodings, header variants, broken rows, re-imports, and
//! the command line's all-or-nothing rule. Reports are asserted in full.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use gridbook::model::*;
use gridbook::ops::Ctx;
use gridbook::roster::{self, Report, RosterError};
use gridbook::store::Store;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/roster")
        .join(name)
}

fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).unwrap()
}

fn ctx() -> Ctx {
    Ctx {
        by: None,
        now: Ts(1_795_000_000_000),
    }
}

/// Parses a fixture (named by its bare file name in messages) and imports it.
fn import(
    store: &Store,
    name: &str,
    dry_run: bool,
    skip_invalid: bool,
) -> Result<Report, RosterError> {
    let parsed = roster::parse(name, &bytes(name))?;
    roster::import(store, ctx(), &parsed, dry_run, skip_invalid)
}

/// Every live resident as `area/building/household name phones relation tags notes`.
fn people(store: &Store) -> Vec<String> {
    let mut out = Vec::new();
    for a in store.areas().unwrap() {
        for b in store.buildings_of(a.meta.id).unwrap() {
            for h in store.households_of(b.meta.id).unwrap() {
                for r in store.residents_of(h.meta.id).unwrap() {
                    out.push(format!(
                        "{}({})/{}({})/{} {} [{}] {} [{}] {}",
                        a.name,
                        a.code,
                        b.name,
                        b.code,
                        h.label(),
                        r.name,
                        r.phones.join(","),
                        r.relation,
                        r.tags.join(","),
                        r.notes
                    ));
                }
            }
        }
    }
    out
}

/// Every live resident's care groups (codes), in `people` order.
fn care_of(store: &Store) -> Vec<String> {
    residents(store)
        .iter()
        .map(|r| {
            r.care
                .iter()
                .map(|m| m.group.as_str())
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect()
}

fn births(store: &Store) -> Vec<Option<i16>> {
    residents(store).iter().map(|r| r.birth_year).collect()
}

fn residents(store: &Store) -> Vec<Resident> {
    let mut out = Vec::new();
    for a in store.areas().unwrap() {
        for b in store.buildings_of(a.meta.id).unwrap() {
            for h in store.households_of(b.meta.id).unwrap() {
                out.extend(store.residents_of(h.meta.id).unwrap());
            }
        }
    }
    out
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    (dir, store)
}

const EN_PEOPLE: [&str; 4] = [
    "幸福小区(xfxq)/3栋(3)/2-501 张伟 [13812345678] 户主 [党员] ",
    "幸福小区(xfxq)/3栋(3)/2-501 李娜 [13987654321] 配偶 [] ",
    // 独居老人 and 低保 name care groups: care marks, not tags (see `care_of`).
    "幸福小区(xfxq)/3栋(3)/2-502 王芳 [0546-8312345] 户主 [] 腿脚不便",
    "幸福小区(xfxq)/5栋(5)/1-101 赵强 [] 户主 [] ",
];

#[test]
fn english_headers_import_and_group_rows_into_households() {
    let (_d, store) = store();
    let report = import(&store, "en.csv", false, false).unwrap();
    assert_eq!(
        report.to_string(),
        "encoding: UTF-8\n\
         areas added: 1, buildings added: 2\n\
         households: 3 added, 0 updated, 0 unchanged\n\
         residents: 4 added, 0 updated, 0 unchanged, 0 rejected\n\
         reconciliation: 0 kept as changed here, 0 brought back, 0 not in the file\n  \
         line 2  幸福小区/3栋/2-501 张伟: new\n  \
         line 3  幸福小区/3栋/2-501 李娜: new\n  \
         line 4  幸福小区/3栋/2-502 王芳: new\n  \
         line 5  幸福小区/5栋/1-101 赵强: new\n\
         saved"
    );
    assert_eq!(people(&store), EN_PEOPLE);
    assert_eq!(care_of(&store), ["", "", "alone-elder,low-income", ""]);
    // Since the import.
    assert!(
        residents(&store)
            .iter()
            .flat_map(|r| &r.care)
            .all(|m| m.since == ctx().now)
    );
}

#[test]
fn the_same_roster_with_bom_chinese_headers_and_crlf_adds_nothing() {
    let (_d, store) = store();
    import(&store, "en.csv", false, false).unwrap();
    let events = store.event_count().unwrap();
    let report = import(&store, "zh_bom.csv", false, false).unwrap();
    assert_eq!(
        report.to_string(),
        "encoding: UTF-8 (BOM)\n\
         areas added: 0, buildings added: 0\n\
         households: 0 added, 0 updated, 3 unchanged\n\
         residents: 0 added, 0 updated, 4 unchanged, 0 rejected\n\
         nothing written"
    );
    assert_eq!(people(&store), EN_PEOPLE);
    assert_eq!(store.event_count().unwrap(), events);
    // And the same file again.
    let again = import(&store, "en.csv", false, false).unwrap();
    assert_eq!(
        (
            again.residents_added,
            again.residents_unchanged,
            again.written
        ),
        (0, 4, false)
    );
}

#[test]
fn a_changed_phone_updates_the_resident_through_an_edited_event() {
    let (_d, store) = store();
    import(&store, "en.csv", false, false).unwrap();
    let report = import(&store, "changed.csv", false, false).unwrap();
    assert_eq!(
        report.to_string(),
        "encoding: UTF-8\n\
         areas added: 0, buildings added: 0\n\
         households: 0 added, 2 updated, 1 unchanged\n\
         residents: 1 added, 1 updated, 3 unchanged, 0 rejected\n\
         reconciliation: 0 kept as changed here, 0 brought back, 0 not in the file\n  \
         line 2  幸福小区/3栋/2-501 张伟: phone 13812345678 → 13800001111\n  \
         line 6  幸福小区/5栋/1-101 赵小明: new\n\
         saved"
    );
    let people = people(&store);
    assert!(
        people.contains(&"幸福小区(xfxq)/3栋(3)/2-501 张伟 [13800001111] 户主 [党员] ".to_string())
    );
    assert!(people.contains(&"幸福小区(xfxq)/5栋(5)/1-101 赵小明 [] 儿子 [] ".to_string()));
    let edits: Vec<(String, String, String)> = store
        .events()
        .map(|e| e.unwrap())
        .filter_map(|e| match e.body {
            EventBody::Edited {
                field,
                old,
                new,
                kind: Kind::Resident,
                ..
            } => Some((field, old, new)),
            _ => None,
        })
        .collect();
    assert_eq!(
        edits,
        [(
            "phones".to_string(),
            "13812345678".to_string(),
            "13800001111".to_string()
        )]
    );
    let zhang = store
        .all::<Resident>()
        .map(|r| r.unwrap())
        .find(|r| r.name == "张伟")
        .unwrap();
    assert_eq!(zhang.meta.version, 2);
}

#[test]
fn variant_headers_full_width_digits_and_room_forms_are_understood() {
    let (_d, store) = store();
    let report = import(&store, "variants.csv", false, false).unwrap();
    assert_eq!(
        report.to_string(),
        "encoding: UTF-8\n\
         ignored columns (not imported): 序号\n\
         areas added: 1, buildings added: 1\n\
         households: 2 added, 0 updated, 0 unchanged\n\
         residents: 3 added, 0 updated, 0 unchanged, 0 rejected\n\
         reconciliation: 0 kept as changed here, 0 brought back, 0 not in the file\n  \
         line 2  石油新村/1号楼/2-501 刘洋: new\n  \
         line 3  石油新村/1号楼/2-501 陈静: new\n  \
         line 4  石油新村/1号楼/2-502 孙磊: new\n\
         saved"
    );
    assert_eq!(
        people(&store),
        [
            "石油新村(syxc)/1号楼(1)/2-501 刘洋 [13812345678] 户主 [] ",
            "石油新村(syxc)/1号楼(1)/2-501 陈静 [13987654321] 妻子 [] ",
            "石油新村(syxc)/1号楼(1)/2-502 孙磊 [13700001111,0546-7771234] 户主 [] 退休职工",
        ]
    );
    // The identity-card column gives the birth year, and never reaches the store.
    assert_eq!(births(&store), [Some(1980), Some(1982), Some(1975)]);
    let dump = gridbook::export::Dump::from_store(&store).unwrap();
    let json = String::from_utf8(dump.to_json()).unwrap();
    assert!(!json.contains("370502"), "ignored column was stored");
}

#[test]
fn gb18030_fixture_is_its_utf8_source_encoded() {
    let src = std::fs::read_to_string(fixture("gb18030.src.csv")).unwrap();
    let (encoded, _, unmappable) = encoding_rs::GB18030.encode(&src);
    assert!(!unmappable);
    // Regenerate with GRIDBOOK_WRITE_FIXTURES=1 after editing the source.
    if std::env::var_os("GRIDBOOK_WRITE_FIXTURES").is_some() {
        std::fs::write(fixture("gb18030.csv"), &encoded).unwrap();
    }
    let committed = bytes("gb18030.csv");
    assert_eq!(committed, encoded.as_ref());
    assert!(
        std::str::from_utf8(&committed).is_err(),
        "the fixture must not be UTF-8"
    );
}

#[test]
fn gb18030_roster_is_detected_and_imported() {
    let (_d, store) = store();
    let report = import(&store, "gb18030.csv", false, false).unwrap();
    assert_eq!(
        report.to_string(),
        "encoding: GB18030\n\
         areas added: 1, buildings added: 1\n\
         households: 2 added, 0 updated, 0 unchanged\n\
         residents: 3 added, 0 updated, 0 unchanged, 0 rejected\n\
         reconciliation: 0 kept as changed here, 0 brought back, 0 not in the file\n  \
         line 2  胜利花苑/2栋/1-301 周敏: new\n  \
         line 3  胜利花苑/2栋/1-301 吴刚: new\n  \
         line 4  胜利花苑/2栋/1-302 郑丽: new\n\
         saved"
    );
    assert_eq!(
        people(&store),
        [
            "胜利花苑(slhy)/2栋(2)/1-301 周敏 [15012345678] 户主 [党员,退役军人] ",
            "胜利花苑(slhy)/2栋(2)/1-301 吴刚 [15087654321] 配偶 [] ",
            "胜利花苑(slhy)/2栋(2)/1-302 郑丽 [] 户主 [] 独居",
        ]
    );
    // Birth years from the identity numbers (never stored themselves).
    assert_eq!(births(&store), [Some(1960), Some(1962), Some(1940)]);
}

const BROKEN_ERRORS: &str = "broken.csv:3: column 4 (room): missing room (房号)\n\
broken.csv:4: column 6 (phone): `12345` is not a phone number: expected a mobile (11 digits starting with 1) or a landline with area code such as 0546-8312345\n\
broken.csv:5: column 5 (name): 张伟 is already listed in this household on line 2\n\
broken.csv:6: column 5 (name): missing name (姓名)\n\
broken.csv:7: column 6 (phone): `1390000111` is not a phone number: expected a mobile (11 digits starting with 1) or a landline with area code such as 0546-8312345";

#[test]
fn broken_rows_are_each_reported_and_nothing_is_written() {
    let (_d, store) = store();
    let err = import(&store, "broken.csv", false, false).unwrap_err();
    assert_eq!(err.to_string(), BROKEN_ERRORS);
    assert_eq!(
        gridbook::fail::exit_code(gridbook::error::Kinded::kind(&err)),
        2
    );
    assert!(store.is_empty());
}

#[test]
fn a_dry_run_of_a_broken_roster_reports_without_writing() {
    let (_d, store) = store();
    let report = import(&store, "broken.csv", true, false).unwrap();
    assert_eq!(
        report.to_string(),
        format!(
            "encoding: UTF-8\n\
             areas added: 1, buildings added: 1\n\
             households: 1 added, 0 updated, 0 unchanged\n\
             residents: 1 added, 0 updated, 0 unchanged, 5 rejected\n  {}\n\
             reconciliation: 0 kept as changed here, 0 brought back, 0 not in the file\n  \
             line 2  幸福小区/3栋/2-501 张伟: new\n\
             nothing written",
            BROKEN_ERRORS.replace('\n', "\n  ")
        )
    );
    assert!(store.is_empty());
}

#[test]
fn skip_invalid_imports_the_good_rows_and_lists_the_rest() {
    let (_d, store) = store();
    let report = import(&store, "broken.csv", false, true).unwrap();
    assert_eq!(
        (report.residents_added, report.rows_rejected, report.written),
        (1, 5, true)
    );
    assert_eq!(report.rejected.len(), 5);
    assert_eq!(report.rejected[0].line, 3);
    assert_eq!(report.rejected[0].column, Some((4, "room".to_string())));
    assert_eq!(
        people(&store),
        ["幸福小区(xfxq)/3栋(3)/2-501 张伟 [13812345678] 户主 [] "]
    );
}

#[test]
fn a_missing_required_column_is_named() {
    let err = roster::parse("missing_column.csv", &bytes("missing_column.csv")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "missing_column.csv:1: missing required column 房号 (room)"
    );
    assert_eq!(
        gridbook::fail::exit_code(gridbook::error::Kinded::kind(&err)),
        2
    );
}

#[test]
fn notes_above_the_header_and_blank_rows_are_skipped() {
    let text = "\u{feff}# exported by gridbook: personal data\n\n小区,楼栋,房号,姓名\n幸福小区,3栋,2-501,张伟\n";
    let r = roster::parse("t.csv", text.as_bytes()).unwrap();
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(r.rows.len(), 1);
    assert_eq!(
        (
            r.rows[0].line,
            r.rows[0].unit.as_str(),
            r.rows[0].room.as_str()
        ),
        (4, "2", "501")
    );
}

#[test]
fn utf16_and_undecodable_files_are_refused_plainly() {
    let e = roster::parse("u16.csv", b"\xFF\xFEa\0").unwrap_err();
    assert!(
        e.to_string().starts_with("u16.csv: the file is UTF-16"),
        "{e}"
    );
    let e = roster::parse("bin.csv", b"\x81\x30\xff\xff\x00").unwrap_err();
    assert_eq!(
        e.to_string(),
        "bin.csv:1: the file is neither UTF-8 nor GB18030 text: at byte offset 0 (0x81) it stops being GB18030; save it as \"CSV UTF-8\" and import that"
    );
    let e = roster::parse("empty.csv", b"").unwrap_err();
    assert_eq!(e.to_string(), "empty.csv: the file has no header row");
}

#[test]
fn a_second_phone_column_adds_a_phone_and_an_unknown_column_is_ignored() {
    let text = "小区,楼栋,房号,姓名,手机,固定电话,民族\n\
                幸福小区,3栋,2-501,张伟,13812345678,0546-8312345,汉\n\
                幸福小区,3栋,2-501,李娜,,8312345,汉\n";
    let r = roster::parse("t.csv", text.as_bytes()).unwrap();
    assert_eq!(r.ignored_columns, ["民族"]);
    assert_eq!(r.rows.len(), 1);
    assert_eq!(r.rows[0].phones, ["13812345678", "0546-8312345"]);
    assert_eq!(r.rows[0].name, "张伟");
    assert_eq!(r.errors.len(), 1);
    assert_eq!(
        (r.errors[0].line, r.errors[0].column.clone()),
        (3, Some((6, "固定电话".to_string())))
    );
}

#[test]
fn two_headers_for_one_column_are_refused() {
    // Which of the two holds the names is anyone's guess: neither is taken.
    let text = "小区,楼栋,房号,姓名,手机,民族,姓名\n幸福小区,3栋,2-501,张伟,13812345678,汉,X\n";
    let e = roster::parse("t.csv", text.as_bytes()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "t.csv:1: column 7 (姓名): column 4 (姓名) is already the name column (姓名); keep one of them"
    );
    let text = "area,building,room,name,小区\nA,1,101,张伟,B\n";
    let e = roster::parse("t.csv", text.as_bytes()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "t.csv:1: column 5 (小区): column 1 (area) is already the area column (小区); keep one of them"
    );
}

fn gridbook(data: &Path) -> Command {
    let mut c = Command::cargo_bin("gridbook").unwrap();
    c.arg("--data")
        .arg(data)
        .env("GRIDBOOK_CONFIG", data.join("no-config"))
        .env_remove("GRIDBOOK_DATA");
    c
}

#[test]
fn cli_broken_roster_exits_2_names_each_row_and_writes_nothing() {
    let d = tempfile::tempdir().unwrap();
    let out = gridbook(d.path())
        .args(["import", "roster"])
        .arg(fixture("broken.csv"))
        .assert()
        .code(2)
        .get_output()
        .clone();
    let err = String::from_utf8(out.stderr).unwrap();
    for line in BROKEN_ERRORS.lines() {
        assert!(err.contains(line), "missing `{line}` in {err}");
    }
    let store = Store::open(d.path()).unwrap();
    assert!(store.is_empty());
}

#[test]
fn cli_dry_run_writes_nothing_and_reimport_is_unchanged() {
    let d = tempfile::tempdir().unwrap();
    gridbook(d.path())
        .args(["import", "roster", "--dry-run"])
        .arg(fixture("en.csv"))
        .assert()
        .success()
        .stdout(
            predicates::str::contains("residents: 4 added")
                .and(predicates::str::contains("nothing written")),
        );
    // Checked through the binary: a store this process opened could stay
    // locked by a child that another test thread forked meanwhile.
    let out = gridbook(d.path()).arg("export").output().unwrap();
    let dump = gridbook::export::Dump::from_json("export", &out.stdout).unwrap();
    assert!(dump.is_empty());
    gridbook(d.path())
        .args(["import", "roster"])
        .arg(fixture("en.csv"))
        .assert()
        .success();
    gridbook(d.path())
        .args(["import", "roster"])
        .arg(fixture("gb18030.csv"))
        .assert()
        .success()
        .stdout(predicates::str::contains("encoding: GB18030"));
    gridbook(d.path())
        .args(["import", "roster", "--json"])
        .arg(fixture("zh_bom.csv"))
        .assert()
        .success()
        .stdout(predicates::str::contains("\"residents_unchanged\": 4"));
}

#[test]
fn cli_skip_invalid_saves_good_rows_and_dry_run_with_errors_exits_2() {
    let d = tempfile::tempdir().unwrap();
    gridbook(d.path())
        .args(["import", "roster", "--dry-run"])
        .arg(fixture("broken.csv"))
        .assert()
        .code(2);
    gridbook(d.path())
        .args(["import", "roster", "--skip-invalid"])
        .arg(fixture("broken.csv"))
        .assert()
        .success()
        .stdout(
            predicates::str::contains("5 rejected").and(predicates::str::contains(
                "broken.csv:6: column 5 (name): missing name",
            )),
        );
    let store = Store::open(d.path()).unwrap();
    assert_eq!(people(&store).len(), 1);
}

use predicates::prelude::*;

#[test]
fn a_room_cell_with_only_a_unit_is_a_row_error() {
    let text = "小区,楼栋,房号,姓名\n幸福小区,3栋,2单元,张三\n";
    let roster = gridbook::roster::parse("unit_only.csv", text.as_bytes()).unwrap();
    assert!(roster.rows.is_empty());
    assert_eq!(
        roster
            .errors
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>(),
        vec!["unit_only.csv:2: column 3 (房号): missing room (only a unit is given)"]
    );
}

/// Parses CSV text named `name` and imports it.
fn import_text(store: &Store, name: &str, text: &str) -> Result<Report, RosterError> {
    let parsed = roster::parse(name, text.as_bytes())?;
    roster::import(store, ctx(), &parsed, false, false)
}

fn errors_of(name: &str, text: &str) -> Vec<String> {
    roster::parse(name, text.as_bytes())
        .unwrap()
        .errors
        .iter()
        .map(|e| e.to_string())
        .collect()
}

#[test]
fn care_tags_birth_dates_ages_occupancy_and_status_columns() {
    let (_d, store) = store();
    let text = "\
小区,楼栋,单元,房号,姓名,联系电话,标签,身份,出生日期,年龄,身份证号,居住状态,人员状态
胜利花苑,3栋,2,501,张伟,13812345678,党员;低保,退役军人,1944/3/15,,,出租,
胜利花苑,3栋,2,501,李娜,,残疾人,,,,370502195001011234,出租,在住
胜利花苑,3栋,2,502,王芳,,独居,,,70,,空置,迁出
";
    let report = import_text(&store, "r.csv", text).unwrap();
    assert_eq!(report.residents_added, 3);
    assert_eq!(
        people(&store),
        [
            "胜利花苑(slhy)/3栋(3)/2-501 张伟 [13812345678]  [党员,退役军人] ",
            "胜利花苑(slhy)/3栋(3)/2-501 李娜 []  [] ",
            "胜利花苑(slhy)/3栋(3)/2-502 王芳 []  [] ",
        ]
    );
    assert_eq!(care_of(&store), ["low-income", "disabled", "alone-elder"]);
    // 年龄 70 counts back from the import's year (2026).
    assert_eq!(births(&store), [Some(1944), Some(1950), Some(1956)]);
    let rs = residents(&store);
    assert_eq!(
        rs.iter().map(|r| r.status.code()).collect::<Vec<_>>(),
        ["present", "present", "moved-out"]
    );
    let mut occ = Vec::new();
    for a in store.areas().unwrap() {
        for b in store.buildings_of(a.meta.id).unwrap() {
            for h in store.households_of(b.meta.id).unwrap() {
                occ.push(h.occupancy.code());
            }
        }
    }
    assert_eq!(occ, ["rented", "vacant"]);
    // Re-importing with a new status is an edit with its history.
    let again = "小区,楼栋,单元,房号,姓名,居住状态\n胜利花苑,3栋,2,502,王芳,自住\n";
    let r = import_text(&store, "r2.csv", again).unwrap();
    assert_eq!((r.households_updated, r.residents_unchanged), (1, 1));
}

#[test]
fn unknown_occupancy_status_and_bad_dates_are_row_errors_naming_the_allowed_values() {
    let text = "\
小区,楼栋,房号,姓名,居住状态,人员状态,出生日期,年龄
胜利花苑,3栋,501,张伟,借住,,,
胜利花苑,3栋,502,王芳,,出差,,
胜利花苑,3栋,503,李娜,,,去年,
胜利花苑,3栋,504,赵强,,,,二十
";
    assert_eq!(
        errors_of("r.csv", text),
        [
            "r.csv:2: column 5 (居住状态): unknown occupancy `借住`: use owner (自住), rented (出租), vacant (空置), commercial (商用)",
            "r.csv:3: column 6 (人员状态): unknown status `出差`: use present (在住), moved-out (迁出), deceased (去世)",
            "r.csv:4: column 7 (出生日期): `去年` is not a date of birth: write it like 1944-03-15",
            "r.csv:5: column 8 (年龄): `二十` is not an age: a whole number of years from 0 to 130",
        ]
    );
}

#[test]
fn one_address_column_is_split_into_area_building_unit_and_room() {
    let (_d, store) = store();
    let text = "\
序号,姓名,家庭住址,联系方式
1,张伟,胜利花苑3号楼2单元501室,13812345678
2,李娜,胜利花苑3栋2-501,
3,王芳,胜利花苑 3-2-502,
4,赵强,石油新村12号楼1单元101,
";
    let report = import_text(&store, "a.csv", text).unwrap();
    assert_eq!(
        (
            report.areas_added,
            report.buildings_added,
            report.households_added
        ),
        (2, 2, 3)
    );
    assert_eq!(
        people(&store),
        [
            "胜利花苑(slhy)/3号楼(3)/2-501 张伟 [13812345678]  [] ",
            "胜利花苑(slhy)/3号楼(3)/2-501 李娜 []  [] ",
            "胜利花苑(slhy)/3号楼(3)/2-502 王芳 []  [] ",
            "石油新村(syxc)/12号楼(12)/1-101 赵强 []  [] ",
        ]
    );
    // A known area whose name runs into the building part is taken first.
    let (_e, s2) = self::store();
    import_text(&s2, "a.csv", "小区,楼栋,房号,姓名\n幸福2区,1栋,101,甲\n").unwrap();
    import_text(&s2, "b.csv", "住址,姓名\n幸福2区1栋2-201,乙\n").unwrap();
    assert_eq!(
        people(&s2),
        [
            "幸福2区(xf2q)/1栋(1)/101 甲 []  [] ",
            "幸福2区(xf2q)/1栋(1)/2-201 乙 []  [] ",
        ]
    );
}

#[test]
fn an_unreadable_address_is_a_row_error_with_its_line_and_text() {
    let text = "姓名,住址\n张伟,胜利花苑3号楼2单元501室\n李娜,胜利花苑东门口\n";
    assert_eq!(
        errors_of("a.csv", text),
        [
            "a.csv:3: column 2 (住址): cannot read the address `胜利花苑东门口`: expected area, building, unit and room, e.g. 胜利花苑3号楼2单元501室, 胜利花苑3栋2-501 or 胜利花苑 3-2-501"
        ]
    );
}

#[test]
fn a_household_level_roster_makes_each_row_a_household_and_its_head() {
    let (_d, store) = store();
    let text = "\
小区,楼号,单元号,房间号,户主姓名,家庭人口,手机号码
胜利花苑,1号楼,1,101,张伟,3,13812345678
胜利花苑,1号楼,1,102,王芳,1,
";
    let report = import_text(&store, "h.csv", text).unwrap();
    assert_eq!(report.ignored_columns, ["家庭人口"]);
    assert_eq!(
        people(&store),
        [
            "胜利花苑(slhy)/1号楼(1)/1-101 张伟 [13812345678] 户主 [] ",
            "胜利花苑(slhy)/1号楼(1)/1-102 王芳 [] 户主 [] ",
        ]
    );
}

#[test]
fn building_names_meaning_one_number_are_one_building_and_area_suffixes_match() {
    let (_d, store) = store();
    import_text(
        &store,
        "a.csv",
        "小区,楼栋,房号,姓名\n幸福家园,1栋,101,甲\n",
    )
    .unwrap();
    let text = "\
小区,楼栋,房号,姓名
幸福家园小区,1号楼,101,乙
幸福家园,1幢,102,丙
幸福家园,1#,103,丁
幸福家园,一栋,104,戊
幸福家园,１号,105,己
";
    let report = import_text(&store, "b.csv", text).unwrap();
    assert_eq!((report.areas_added, report.buildings_added), (0, 0));
    assert_eq!(
        report
            .warnings
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["line 2: area `幸福家园小区` taken as 幸福家园"]
    );
    assert!(
        report
            .to_string()
            .contains("warning: line 2: area `幸福家园小区` taken as 幸福家园")
    );
    assert_eq!(store.areas().unwrap().len(), 1);
    let area = &store.areas().unwrap()[0];
    assert_eq!(store.buildings_of(area.meta.id).unwrap().len(), 1);
    // The address side follows the same rule.
    for addr in [
        "幸福家园/1号楼/101",
        "幸福家园小区/1幢/102",
        "xfjy/一栋/103",
        "幸福家园/1#",
    ] {
        gridbook::address::resolve(&store, addr).unwrap_or_else(|e| panic!("{addr}: {e}"));
    }
}

#[test]
fn an_exact_full_building_name_resolves_when_its_number_is_ambiguous() {
    let (_d, store) = store();
    // Two buildings stored before the rule: `3号` and `3栋` both mean 3.
    let a = gridbook::ops::add_area(&store, ctx(), "胜利花苑", "slhy").unwrap();
    gridbook::ops::add_building(&store, ctx(), a.meta.id, "3栋", "3").unwrap();
    gridbook::ops::add_building(&store, ctx(), a.meta.id, "3号", "3a").unwrap();
    let z = gridbook::address::resolve(&store, "胜利花苑/3号").unwrap();
    assert_eq!(z.path(), "胜利花苑/3号");
    let e = gridbook::address::resolve(&store, "胜利花苑/3号楼").unwrap_err();
    assert_eq!(e.to_string(), "`3号楼` is ambiguous in 胜利花苑: 3栋, 3号");
}

#[test]
fn errors_in_crlf_files_name_the_physical_line() {
    let lf = "小区,楼栋,房号,姓名,电话\n\n胜利花苑,1栋,101,甲,\n胜利花苑,1栋,102,乙,\n胜利花苑,1栋,103,丙,12345\n";
    let crlf = lf.replace('\n', "\r\n");
    for text in [lf.to_string(), crlf] {
        let e = errors_of("c.csv", &text);
        assert_eq!(e.len(), 1);
        assert!(e[0].starts_with("c.csv:5: column 5 (电话)"), "{}", e[0]);
    }
}

/// A sheet whose columns slid: `多余` and `列` under no header.
const PAST_HEADER: &str = "小区,楼栋,单元,房号,姓名\n\
胜利花苑,5栋,1,101,李四\n\
胜利花苑,5栋,1,102,张三,多余,列\n\
胜利花苑,5栋,1,103,王五,,,\n";

#[test]
fn a_cell_past_the_header_is_a_row_error_and_empty_ones_are_fine() {
    assert_eq!(
        errors_of("extra.csv", PAST_HEADER),
        [
            "extra.csv:3: column 6: `多余` is past the header's last column (姓名): a column is missing from the header, or this row's cells are shifted"
        ]
    );
    // All rows or none: nothing is written; skipping keeps the two good rows
    // (王五's trailing `,,,` is what Excel pads rows with).
    let (_d, store) = store();
    let parsed = roster::parse("extra.csv", PAST_HEADER.as_bytes()).unwrap();
    assert!(roster::import(&store, ctx(), &parsed, false, false).is_err());
    assert!(store.is_empty());
    roster::import(&store, ctx(), &parsed, false, true).unwrap();
    assert_eq!(
        people(&store),
        [
            "胜利花苑(slhy)/5栋(5)/1-101 李四 []  [] ",
            "胜利花苑(slhy)/5栋(5)/1-103 王五 []  [] ",
        ]
    );
    // An empty header cell does not widen the header; a trailing empty
    // header cell with a value under it is past the last named column too.
    let text = "小区,楼栋,房号,姓名,,\n胜利花苑,5栋,101,李四,,x\n";
    assert_eq!(
        errors_of("e.csv", text),
        [
            "e.csv:2: column 6: `x` is past the header's last column (姓名): a column is missing from the header, or this row's cells are shifted"
        ]
    );
}

#[test]
fn a_cell_past_the_header_of_a_sheet_names_its_cell() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("花名册.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet().set_name("居民").unwrap();
    for (r, row) in [
        ["小区", "楼栋", "房号", "姓名", ""],
        ["胜利花苑", "5栋", "101", "李四", ""],
        ["胜利花苑", "5栋", "102", "张三", "13812345678"],
    ]
    .iter()
    .enumerate()
    {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                sheet.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
    }
    book.save(&path).unwrap();
    let r = roster::read(&path).unwrap();
    assert_eq!(
        r.errors.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
        [
            "居民!E3: `13812345678` is past the header's last column (姓名): a column is missing from the header, or this row's cells are shifted"
        ]
    );
    assert_eq!(r.rows.len(), 1);
}

#[test]
fn a_quote_never_closed_is_a_row_error_where_it_opens() {
    let text = "小区,楼栋,单元,房号,姓名\n\
                胜利花苑,5栋,1,101,李四\n\
                胜利花苑,5栋,1,102,\"王大明\n\
                胜利花苑,5栋,1,103,王五\n";
    assert_eq!(
        errors_of("q.csv", text),
        [
            "q.csv:3: column 5 (姓名): the quote (\") that starts this cell is never closed, so lines 3-4 would all be this one cell; close the quote or remove it"
        ]
    );
    // On the last line, with CRLF line ends and a BOM alike.
    let text = "\u{feff}小区,楼栋,房号,姓名,备注\r\n胜利花苑,5栋,101,李四,\"独居\r\n";
    assert_eq!(
        errors_of("q.csv", text),
        [
            "q.csv:2: column 5 (备注): the quote (\") that starts this cell is never closed; close the quote or remove it"
        ]
    );
    // Closed quotes, doubled quotes, line breaks inside quotes and a quote
    // in the middle of a cell are all fine.
    let text = "小区,楼栋,房号,姓名,备注\n\
                胜利花苑,5栋,101,李四,\"说\"\"好\"\"，\n下周再来\"\n\
                胜利花苑,5栋,102,王\"大明,\"\"\n";
    let r = roster::parse("ok.csv", text.as_bytes()).unwrap();
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(r.rows[0].notes, "说\"好\"，\n下周再来");
    assert_eq!(r.rows[1].name, "王\"大明");
}

#[test]
fn cli_says_cells_past_the_header_and_open_quotes_in_chinese() {
    let d = tempfile::tempdir().unwrap();
    let extra = d.path().join("extra.csv");
    std::fs::write(&extra, PAST_HEADER).unwrap();
    gridbook(&d.path().join("data"))
        .args(["--lang", "zh", "import", "roster"])
        .arg(&extra)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            ":3：第 6 列：「多余」在表头最后一列（姓名）的右边：表头少了一列，或这一行的单元格错位了",
        ));
    let quote = d.path().join("quote.csv");
    std::fs::write(
        &quote,
        "小区,楼栋,单元,房号,姓名\n胜利花苑,5栋,1,102,\"王大明\n胜利花苑,5栋,1,103,王五\n",
    )
    .unwrap();
    gridbook(&d.path().join("data"))
        .args(["--lang", "zh", "import", "roster"])
        .arg(&quote)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            ":2：第 5 列（姓名）：这一格开头的引号（\"）没有闭合，第 2 至 3 行都会成为这一格；请补上或删去这个引号",
        ));
    assert!(Store::open(&d.path().join("data")).unwrap().is_empty());
}
