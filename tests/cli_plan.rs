//! The building plan from the command line: text and JSON, and what is refused.

mod common;
use common::*;

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
