//! Scripted edits and assignment management from the command line.

mod common;
use common::*;

impl Data {
    fn export(&self) -> serde_json::Value {
        serde_json::from_str(&self.ok(&["export"])).unwrap()
    }
    fn resident(&self, name: &str) -> serde_json::Value {
        self.export()["residents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap()
            .clone()
    }
    fn member(&self, name: &str) -> serde_json::Value {
        self.export()["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap()
            .clone()
    }
    /// `report workload --json` row of a member.
    fn workload(&self, name: &str) -> serde_json::Value {
        self.json(&["report", "workload", "--json"])
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap()
            .clone()
    }
}

#[test]
fn residents_phones_names_and_status_in_either_language() {
    let d = Data::new();
    d.ok(&[
        "edit",
        "resident",
        "slhy/5/1-101",
        "严建国",
        "--phone",
        "13905469999",
        "--notes",
        "腿脚不便",
    ]);
    let r = d.resident("严建国");
    assert_eq!(r["phones"], serde_json::json!(["13905469999"]));
    assert_eq!(r["notes"], "腿脚不便");
    d.ok(&[
        "edit",
        "resident",
        "slhy/3/2-501",
        "吕桂英",
        "--status",
        "去世",
    ]);
    assert_eq!(d.resident("吕桂英")["status"], "Deceased");
    d.ok(&[
        "edit",
        "resident",
        "slhy/3/2-501",
        "吕桂英",
        "--status",
        "present",
    ]);
    assert_eq!(d.resident("吕桂英")["status"], "Present");
    d.ok(&[
        "edit",
        "resident",
        "slhy/3/2-501",
        "吕德",
        "--status",
        "moved-out",
        "--name",
        "吕德华",
    ]);
    let r = d.resident("吕德华");
    assert_eq!(r["status"], "MovedOut");
    // The history keeps each change as an edit.
    let events = d.export()["events"].to_string();
    assert!(
        events.contains("\"moved-out\"") && events.contains("\"deceased\""),
        "{events}"
    );

    let err = d.bad(&[
        "edit",
        "resident",
        "slhy/3/2-501",
        "吕桂英",
        "--status",
        "gone",
    ]);
    assert!(err.contains("moved-out") && err.contains("迁出"), "{err}");
    let err = d.bad(&[
        "edit",
        "resident",
        "slhy/3/2-501",
        "吕桂",
        "--phone",
        "13905469999",
    ]);
    assert!(err.contains("吕桂英"), "{err}");
    d.bad(&[
        "edit",
        "resident",
        "slhy/3/2-501",
        "吕桂英",
        "--phone",
        "12345",
    ]);
    d.bad(&["edit", "resident", "slhy/3/2-501", "吕桂英"]);
    // A refused field leaves the status alone as well.
    d.bad(&[
        "edit",
        "resident",
        "slhy/3/2-501",
        "吕桂英",
        "--phone",
        "12345",
        "--status",
        "迁出",
    ]);
}

#[test]
fn households_buildings_and_members() {
    let d = Data::new();
    d.ok(&[
        "edit",
        "household",
        "slhy/3/1-601",
        "--status",
        "vacant",
        "--notes",
        "房主在外地",
    ]);
    let h = d.export()["households"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["room"] == "601")
        .unwrap()
        .clone();
    assert_eq!(h["occupancy"], "Vacant");
    assert_eq!(h["notes"], "房主在外地");
    let err = d.bad(&["edit", "household", "slhy/3/1-601", "--status", "borrowed"]);
    assert!(
        err.contains("owner") && err.contains("commercial") && err.contains("出租"),
        "{err}"
    );
    let err = d.bad(&[
        "--lang",
        "zh",
        "edit",
        "household",
        "slhy/3/1-601",
        "--status",
        "借住",
    ]);
    assert!(err.contains("不是居住状态"), "{err}");
    d.bad(&["edit", "household", "slhy/3", "--status", "vacant"]);

    d.ok(&[
        "edit",
        "building",
        "slhy/5",
        "--name",
        "5号楼",
        "--code",
        "05",
        "--doors-per-floor",
        "4",
    ]);
    assert!(d.ok(&["show", "胜利花苑/5号楼"]).contains("5号楼"));

    d.ok(&[
        "edit",
        "member",
        "孙丽",
        "--branch",
        "第一党支部",
        "--tags",
        "流动,复转军人",
        "--kind",
        "网格长",
    ]);
    let m = d.member("孙丽");
    assert_eq!(m["branch"], "第一党支部");
    assert_eq!(m["tags"], serde_json::json!(["流动", "复转军人"]));
    assert_eq!(m["kind"], "GridLeader");
    let v = d.json(&["report", "members", "--branch", "第一党支部", "--json"]);
    assert_eq!(v.as_array().unwrap().len(), 1);
    d.bad(&["report", "members", "--branch", "第九党支部"]);
    let err = d.bad(&["edit", "member", "孙丽", "--kind", "boss"]);
    assert!(err.contains("grid-leader"), "{err}");
    let err = d.bad(&["edit", "member", "孙", "--phone", "13800000009"]);
    assert!(err.contains("孙丽"), "{err}");
}

#[test]
fn assign_unassign_and_a_supervisor_beside_the_responsible_member() {
    let d = Data::new();
    d.ok(&["assign", "王强", "胜利花苑/3栋", "--role", "supervisor"]);
    // The supervisor does not end the responsible member's span.
    assert_eq!(
        d.workload("赵建国")["zones"],
        serde_json::json!(["胜利花苑/3栋"])
    );
    assert_eq!(
        d.workload("王强")["zones"],
        serde_json::json!(["胜利花苑/3栋"])
    );
    let show = d.ok(&["show", "slhy/3/1-101", "--json"]);
    assert!(show.contains("赵建国"), "{show}");

    d.ok(&[
        "assign",
        "王强",
        "slhy/5",
        "--role",
        "责任人",
        "--since",
        "2026/11/1",
    ]);
    assert_eq!(d.workload("王强")["households_covered"], 1);
    d.ok(&["unassign", "王强", "slhy/5", "--until", "2026年11月20日"]);
    assert_eq!(d.workload("王强")["households_covered"], 0);
    let err = d.bad(&["unassign", "王强", "slhy/5"]);
    assert!(err.contains("王强"), "{err}");
    let err = d.bad(&["assign", "王强", "slhy/3", "--role", "boss"]);
    assert!(err.contains("supervisor"), "{err}");
    d.bad(&["assign", "王强", "slhy/3", "--role", "liaison"]);
    d.bad(&[
        "assign",
        "王强",
        "slhy/3/2-501",
        "--role",
        "liaison",
        "--since",
        "someday",
    ]);
}

/// A new responsible member ends the span of the one before: the command
/// says whose span ended, in both languages; a supervisor ends nobody's.
#[test]
fn a_new_responsible_member_says_whose_span_it_ends() {
    let d = Data::new();
    let out = d.ok(&["assign", "王强", "slhy/3", "--role", "supervisor"]);
    assert_eq!(out.lines().count(), 1, "{out}");
    let out = d.ok(&["assign", "王强", "slhy/3", "--role", "responsible"]);
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        [
            "王强 is now responsible for 胜利花苑/3栋 (from 2026-12-01)",
            "赵建国: responsible for 胜利花苑/3栋 ends 2026-12-01",
        ]
    );
    let d = Data::new();
    let out = d.ok(&[
        "--lang",
        "zh",
        "assign",
        "孙丽",
        "slhy/3",
        "--role",
        "责任人",
    ]);
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        [
            "孙丽 现为责任人（胜利花苑/3栋，自 2026-12-01 起）",
            "赵建国：责任人（胜利花苑/3栋）于 2026-12-01 结束",
        ]
    );
}

#[test]
fn transfer_moves_every_zone_and_liaison_household_in_one_step() {
    let d = Data::new();
    d.ok(&["assign", "孙丽", "slhy/5", "--role", "responsible"]);
    let out = d.ok(&["transfer", "孙丽", "赵建国", "--since", "2026-12-01"]);
    assert!(
        out.starts_with("2 places moved from 孙丽 to 赵建国"),
        "{out}"
    );
    assert!(
        out.contains("胜利花苑/5栋") && out.contains("胜利花苑/3栋/2-501"),
        "{out}"
    );
    let sun = d.workload("孙丽");
    assert_eq!(
        (
            sun["zones"].as_array().unwrap().len(),
            sun["liaison_households"].as_u64()
        ),
        (0, Some(0))
    );
    let zhao = d.workload("赵建国");
    assert_eq!(zhao["liaison_households"], 1);
    assert_eq!(zhao["zones"].as_array().unwrap().len(), 2);
    let err = d.bad(&["transfer", "孙丽", "赵建国"]);
    assert!(err.contains("孙丽"), "{err}");
    d.bad(&["transfer", "赵建国", "赵建国"]);
    d.bad(&["transfer", "赵建国", "nobody"]);
}

#[test]
fn every_new_command_has_examples_in_its_help() {
    let d = Data::new();
    for cmd in [
        vec!["tag"],
        vec!["plan"],
        vec!["assign"],
        vec!["unassign"],
        vec!["transfer"],
        vec!["report"],
        vec!["log", "activity"],
        vec!["edit", "resident"],
        vec!["edit", "household"],
        vec!["edit", "building"],
        vec!["edit", "member"],
    ] {
        let mut a = cmd.clone();
        a.push("--help");
        let help = d.ok(&a);
        assert!(help.contains("Examples:\n  gridbook "), "{cmd:?}: {help}");
    }
}
