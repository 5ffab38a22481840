//! The building plan from the command line: text and JSON, and what is refused.

use assert_cmd::Command;

const NOW: &str = "2026-12-01T06:30:00Z";

/// A data directory filled from a roster and a members file through the
/// command line, with the clock pinned.
struct Data {
    dir: tempfile::TempDir,
}

const ROSTER: &str = "小区,楼栋,单元,房号,姓名,电话,与户主关系\n\
胜利花苑,3栋,2,501,吕桂英,,户主\n\
胜利花苑,3栋,2,501,吕德,13805461234,子女\n\
胜利花苑,3栋,1,101,周海燕,13905460001,户主\n\
胜利花苑,3栋,1,601,欧阳娜娜,13905460002,户主\n\
胜利花苑,5栋,1,101,严建国,13905460003,户主\n";

const MEMBERS: &str = "姓名,电话,类型,标签,责任区,联系户,起始日期\n\
赵建国,13800000001,党员,,胜利花苑/3栋,,-100d\n\
孙丽,13800000002,党员,流动,,胜利花苑/3栋/2-501,-100d\n\
王强,13800000003,网格员,,,,-100d\n";

impl Data {
    fn new() -> Data {
        let dir = tempfile::tempdir().unwrap();
        let d = Data { dir };
        std::fs::write(d.dir.path().join("roster.csv"), ROSTER).unwrap();
        std::fs::write(d.dir.path().join("members.csv"), MEMBERS).unwrap();
        let roster = d.path("roster.csv");
        let members = d.path("members.csv");
        d.ok_at("2026-08-01T02:00:00Z", &["import", "roster", &roster]);
        d.ok_at("2026-08-01T02:00:00Z", &["import", "members", &members]);
        d
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
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

    fn ok_at(&self, now: &str, args: &[&str]) -> String {
        let out = self.cmd(now, args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        self.ok_at(NOW, args)
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    /// Runs expecting exit 2 and that nothing was written; returns stderr.
    fn bad(&self, args: &[&str]) -> String {
        let before = self.ok(&["export"]);
        let out = self.cmd(NOW, args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(self.ok(&["export"]), before, "{args:?} wrote something");
        err
    }
}

#[test]
fn plan_text_and_json_floors_top_first_with_flags_and_a_legend() {
    let d = Data::new();
    d.ok(&["edit", "household", "slhy/3/1-601", "--status", "出租"]);
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
        "slhy/3/2-501",
        "--category",
        "repair",
        "--note",
        "水管漏水",
    ]);
    let v = d.json(&["plan", "胜利花苑/3栋", "--json"]);
    assert_eq!(v["building"], "胜利花苑/3栋");
    let floors = v["floors"].as_array().unwrap();
    let nums: Vec<_> = floors.iter().map(|f| f["floor"].clone()).collect();
    assert_eq!(
        nums,
        vec![
            serde_json::json!(6),
            serde_json::json!(5),
            serde_json::json!(1)
        ]
    );
    let door = |room: &str| {
        floors
            .iter()
            .flat_map(|f| f["households"].as_array().unwrap())
            .find(|h| h["room"] == room)
            .unwrap()
            .clone()
    };
    assert_eq!(door("1-101")["flags"], serde_json::json!(["visited"]));
    assert_eq!(door("1-101")["head"], "周海燕");
    assert_eq!(door("1-101")["phone"], "13905460001");
    assert_eq!(
        door("1-601")["flags"],
        serde_json::json!(["not-visited", "rented"])
    );
    assert_eq!(
        door("2-501")["flags"],
        serde_json::json!(["not-visited", "open-problem"])
    );
    assert_eq!(v["summary"]["households"], 3);
    assert_eq!(v["summary"]["rented"], 1);

    let en = d.ok(&["--lang", "en", "plan", "slhy/3"]);
    let lines: Vec<&str> = en.lines().collect();
    assert!(lines[0].starts_with("胜利花苑/3栋: 3 households"), "{en}");
    let floor_lines: Vec<&&str> = lines
        .iter()
        .filter(|l| {
            l.ends_with(|c: char| c != ' ')
                && (l.starts_with("6F") || l.starts_with("5F") || l.starts_with("1F"))
        })
        .collect();
    assert_eq!(floor_lines.len(), 3, "{en}");
    assert!(
        floor_lines[0].starts_with("6F") && floor_lines[0].contains("1-601·R 欧阳娜娜"),
        "{en}"
    );
    assert!(floor_lines[2].contains("1-101✓ 周海燕"), "{en}");
    assert!(
        en.contains("✓ visited") && en.contains("♥ care visit due"),
        "{en}"
    );
    let zh = d.ok(&["--lang", "zh", "plan", "slhy/3"]);
    assert!(
        zh.contains("6层") && zh.contains("图例：") && zh.contains("R 出租"),
        "{zh}"
    );
    // Columns are grouped by unit: unit 1's doors line up, and unit 2's
    // column starts after the widest of unit 1's cells.
    let at =
        |l: &str, room: &str| unicode_width::UnicodeWidthStr::width(&l[..l.find(room).unwrap()]);
    let rows: Vec<&str> = zh.lines().filter(|l| l.contains("层 ")).collect();
    assert_eq!(rows.len(), 3, "{zh}");
    assert_eq!(at(rows[0], "1-601"), at(rows[2], "1-101"), "{zh}");
    assert!(
        at(rows[1], "2-501") > at(rows[0], "1-601") + "1-601·R 欧阳娜娜".len() / 3,
        "{zh}"
    );
}

#[test]
fn a_plan_of_an_area_or_household_names_the_buildings() {
    let d = Data::new();
    let err = d.bad(&["plan", "胜利花苑"]);
    assert!(
        err.contains("胜利花苑/3栋") && err.contains("胜利花苑/5栋"),
        "{err}"
    );
    let err = d.bad(&["--lang", "zh", "plan", "slhy/3/2-501"]);
    assert!(
        err.contains("楼盘表") && err.contains("胜利花苑/3栋"),
        "{err}"
    );
    d.bad(&["plan", "slhy/3", "--days", "0"]);
}

#[test]
fn first_floor_override_moves_rooms_down_the_plan() {
    let d = Data::new();
    d.ok(&["edit", "building", "slhy/3", "--first-floor", "2"]);
    let v = d.json(&["plan", "slhy/3", "--json"]);
    let nums: Vec<_> = v["floors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["floor"].clone())
        .collect();
    assert_eq!(
        nums,
        vec![
            serde_json::json!(7),
            serde_json::json!(6),
            serde_json::json!(2)
        ]
    );
    d.bad(&["edit", "building", "slhy/3", "--first-floor", "x"]);
    d.bad(&["edit", "building", "slhy/3/2-501", "--name", "x"]);
}
