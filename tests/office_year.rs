//! A community office's year, end to end through the command line with the
//! clock pinned at each step: the first roster, the members file, two roster
//! updates with local work in between, a transfer, a retirement and a monthly
//! CSV report. The final JSON export is compared with the expected export in
//! `tests/expected/office_year.json` (read through by hand when it was made).
//!
//! Ids are made on the device and `created_at` is when a record was written
//! (the real clock): the comparison maps each id to `ID<n>` in order of first
//! appearance and sets `created_at` to 0. Everything else is pinned.
//! `GRIDBOOK_BLESS=1` rewrites the expected file (then read it again).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

const FIRST: &str = "小区,楼栋,单元,房号,姓名,电话,与户主关系,标签\n\
胜利花苑,1栋,1,101,严建国,13905460003,户主,\n\
胜利花苑,1栋,1,101,吕桂英,13905460004,配偶,独居老人\n\
胜利花苑,1栋,1,102,罗桂兰,13905460005,户主,\n\
胜利花苑,1栋,1,201,周海燕,13905460006,户主,低保\n\
胜利花苑,1栋,1,201,周小军,,儿子,\n\
胜利花苑,2栋,1,101,欧阳娜娜,13905460007,户主,\n\
胜利花苑,2栋,1,102,王建,13905460008,户主,\n";

const MEMBERS: &str = "姓名,电话,类型,标签,责任区,联系户,起始日期,所在支部\n\
赵建国,13800000001,网格员,,胜利花苑/1栋,,2026-01-05,第一党支部\n\
孙丽,13800000002,党员,流动,胜利花苑/2栋,胜利花苑/1栋/1-101、胜利花苑/1栋/1-201,2026-01-05,第一党支部\n\
王强,13800000003,党员,,,,2026-01-05,第二党支部\n";

/// March: the office's first update. 罗桂兰 is still listed (local work
/// marked her moved out), 严建国's old phone is still there (corrected
/// here), a baby is born in 1-201, 2-102 has a new phone.
const MARCH: &str = "小区,楼栋,单元,房号,姓名,电话,与户主关系,标签\n\
胜利花苑,1栋,1,101,严建国,13905460003,户主,\n\
胜利花苑,1栋,1,101,吕桂英,13905460004,配偶,独居老人\n\
胜利花苑,1栋,1,102,罗桂兰,13905460005,户主,\n\
胜利花苑,1栋,1,201,周海燕,13905460006,户主,低保\n\
胜利花苑,1栋,1,201,周小军,,儿子,\n\
胜利花苑,1栋,1,201,周乐乐,,孙女,\n\
胜利花苑,2栋,1,101,欧阳娜娜,13905460007,户主,\n\
胜利花苑,2栋,1,102,王建,13905460018,户主,\n";

/// June: the second update writes the buildings as `1号楼` (the same
/// buildings), adds a household, and no longer lists 周小军.
const JUNE: &str = "小区,楼栋,单元,房号,姓名,电话,与户主关系,标签\n\
胜利花苑小区,1号楼,1,101,严建国,13905460003,户主,\n\
胜利花苑小区,1号楼,1,101,吕桂英,13905460004,配偶,独居老人\n\
胜利花苑小区,1号楼,1,201,周海燕,13905460006,户主,低保\n\
胜利花苑小区,1号楼,1,201,周乐乐,,孙女,\n\
胜利花苑小区,1号楼,1,202,崔紫萱,13905460009,户主,\n\
胜利花苑小区,2号楼,1,101,欧阳娜娜,13905460007,户主,\n\
胜利花苑小区,2号楼,1,102,王建,13905460018,户主,\n";

struct Year {
    dir: tempfile::TempDir,
}

impl Year {
    fn file(&self, name: &str, text: &str) -> String {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    }

    fn cmd(&self, now: &str, args: &[&str]) -> Command {
        let mut c = Command::cargo_bin("gridbook").unwrap();
        c.env("GRIDBOOK_NOW", now)
            .env("GRIDBOOK_TZ", "Asia/Shanghai")
            .env("GRIDBOOK_CONFIG", self.dir.path().join("config"))
            .env_remove("GRIDBOOK_DATA")
            .arg("--data")
            .arg(self.dir.path().join("data"))
            .args(args);
        c
    }

    fn ok(&self, now: &str, args: &[&str]) -> String {
        let out = self.cmd(now, args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

/// Ids become `ID<n>` in order of first appearance; `created_at` (when a
/// record was written, by the real clock) becomes 0.
fn stable(json: &str) -> String {
    let mut v: serde_json::Value = serde_json::from_str(json).unwrap();
    fn zero_created(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m.iter_mut() {
                    if k == "created_at" {
                        *x = serde_json::Value::from(0);
                    } else {
                        zero_created(x);
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(zero_created),
            _ => {}
        }
    }
    zero_created(&mut v);
    let text = serde_json::to_string_pretty(&v).unwrap();
    let crockford = |c: char| c.is_ascii_digit() || (c.is_ascii_uppercase() && !"ILOU".contains(c));
    let mut names: HashMap<String, String> = HashMap::new();
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(i) = rest.find('"') {
        out.push_str(&rest[..=i]);
        rest = &rest[i + 1..];
        let end = rest.find('"').unwrap_or(rest.len());
        let s = &rest[..end];
        if s.len() == 26 && s.chars().all(crockford) {
            let n = names.len() + 1;
            out.push_str(
                names
                    .entry(s.to_string())
                    .or_insert_with(|| format!("ID{n}")),
            );
        } else {
            out.push_str(s);
        }
        out.push('"');
        rest = rest.get(end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

fn expected_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expected/office_year.json")
}

#[test]
fn an_office_year_round_trips_to_the_expected_export() {
    let y = Year {
        dir: tempfile::tempdir().unwrap(),
    };
    // January: the first roster and the members file.
    let first = y.file("2026-01.csv", FIRST);
    y.ok("2026-01-05T01:00:00Z", &["import", "roster", &first]);
    let members = y.file("members.csv", MEMBERS);
    y.ok("2026-01-05T02:00:00Z", &["import", "members", &members]);

    // February: local work. A corrected phone, a resident who moved out, visits.
    y.ok(
        "2026-02-10T02:00:00Z",
        &[
            "edit",
            "resident",
            "胜利花苑/1栋/1-101",
            "严建国",
            "--phone",
            "13912345678",
        ],
    );
    y.ok(
        "2026-02-10T02:10:00Z",
        &[
            "edit",
            "resident",
            "胜利花苑/1栋/1-102",
            "罗桂兰",
            "--status",
            "迁出",
        ],
    );
    y.ok(
        "2026-02-12T03:00:00Z",
        &[
            "--as",
            "孙丽",
            "log",
            "visit",
            "--household",
            "胜利花苑/1栋/1-101",
            "--note",
            "老人身体不错",
            "--follow-up",
            "+7d",
        ],
    );

    // March: the first update keeps the local work and says so.
    let march = y.file("2026-03.csv", MARCH);
    let out = y.ok("2026-03-02T01:00:00Z", &["import", "roster", &march]);
    assert!(out.contains("residents: 1 added, 1 updated"), "{out}");
    assert!(
        out.contains("严建国: phone changed here to 13912345678 (on 2026-02-10); the file says 13905460003: keeping it"),
        "{out}"
    );
    assert!(
        out.contains(
            "罗桂兰: marked moved out here (on 2026-02-10); the file lists them: keeping it"
        ),
        "{out}"
    );

    // April and May: more local work.
    y.ok(
        "2026-04-15T02:00:00Z",
        &[
            "edit",
            "resident",
            "胜利花苑/1栋/1-201",
            "周海燕",
            "--notes",
            "腿脚不便",
        ],
    );
    y.ok(
        "2026-05-20T02:00:00Z",
        &[
            "--as",
            "赵建国",
            "log",
            "visit",
            "--household",
            "胜利花苑/1栋/1-201",
            "--at",
            "2026-05-20 09:30",
            "--note",
            "送药上门",
        ],
    );

    // June: the second update (building names written differently).
    let june = y.file("2026-06.csv", JUNE);
    let out = y.ok("2026-06-01T01:00:00Z", &["import", "roster", &june]);
    assert!(out.contains("areas added: 0, buildings added: 0"), "{out}");
    assert!(
        out.contains("周小军: in the store, not in the file (kept)"),
        "{out}"
    );

    // July: 孙丽 (a 流动党员) moves away; 王强 takes over her zones.
    let out = y.ok("2026-07-01T01:00:00Z", &["transfer", "孙丽", "王强"]);
    assert!(out.contains("胜利花苑/2栋"), "{out}");
    // September: 赵建国 retires; his zone's span ends explicitly.
    let out = y.ok(
        "2026-09-01T01:00:00Z",
        &["retire", "赵建国", "--reason", "退休", "--yes"],
    );
    assert!(out.contains("responsible  胜利花苑/1栋"), "{out}");
    // A paper record from before the retirement, typed in later.
    y.ok(
        "2026-09-03T01:00:00Z",
        &[
            "--as",
            "赵建国",
            "log",
            "visit",
            "--household",
            "胜利花苑/2栋/1-102",
            "--at",
            "2026-08-28 10:00",
            "--note",
            "补录纸质记录",
        ],
    );
    y.ok(
        "2026-10-09T02:00:00Z",
        &[
            "--as",
            "王强",
            "log",
            "visit",
            "--household",
            "胜利花苑/2栋/1-101",
            "--note",
            "国庆后回访",
        ],
    );

    // October's monthly report for the review, as CSV.
    let csv = y.dir.path().join("2026-10.csv");
    y.ok(
        "2026-11-01T01:00:00Z",
        &[
            "--lang",
            "zh",
            "report",
            "members",
            "--month",
            "2026-10",
            "--csv",
            &csv.display().to_string(),
        ],
    );
    let report = std::fs::read_to_string(&csv).unwrap();
    assert!(report.starts_with('\u{feff}'), "UTF-8 with BOM");
    let wang = report.lines().find(|l| l.contains("王强")).unwrap();
    let sun = report.lines().find(|l| l.contains("孙丽")).unwrap();
    assert!(wang.contains(",1,"), "王强's October visit: {wang}");
    assert!(!sun.contains(",1,"), "孙丽 did nothing in October: {sun}");

    // The year's export, compared with the expected one.
    let export = y.ok("2026-12-01T01:00:00Z", &["export", "--format", "json"]);
    let got = stable(&export);
    let path = expected_path();
    if std::env::var_os("GRIDBOOK_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &got).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap();
    if got != want {
        let at = got
            .lines()
            .zip(want.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "the export differs from tests/expected/office_year.json from line {}:\n got: {}\nwant: {}",
            at + 1,
            got.lines().nth(at).unwrap_or(""),
            want.lines().nth(at).unwrap_or("")
        );
    }
}
