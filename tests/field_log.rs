//! Field logging from the shell: every entry round-trips through
//! `show --json`; bad input is exit 2 with a clear message and writes nothing.

use std::sync::{Mutex, MutexGuard};

use assert_cmd::Command;
use gridbook::store::Store;

/// A child process briefly inherits every open descriptor while it starts,
/// the store's lock file included. Tests in this binary run in parallel, so
/// opening a store here and starting a child take turns.
static TURN: Mutex<()> = Mutex::new(());

fn turn() -> MutexGuard<'static, ()> {
    TURN.lock().unwrap_or_else(|e| e.into_inner())
}

struct Demo {
    dir: tempfile::TempDir,
}

impl Demo {
    fn new() -> Demo {
        let dir = tempfile::tempdir().unwrap();
        let d = Demo { dir };
        d.ok(&["demo", "--load-only"]);
        d
    }

    fn run(&self, args: &[&str]) -> Command {
        let mut c = Command::cargo_bin("gridbook").unwrap();
        c.env("GRIDBOOK_NOW", "2026-11-28T06:30:00Z")
            .env("GRIDBOOK_TZ", "Asia/Shanghai")
            .env("GRIDBOOK_CONFIG", self.dir.path().join("config"))
            .arg("--data")
            .arg(self.dir.path())
            .args(args);
        c
    }

    /// Runs and returns stdout; panics with stderr on failure.
    fn output(&self, args: &[&str]) -> std::process::Output {
        let _t = turn();
        self.run(args).output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.output(args);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs expecting exit 2; returns stderr.
    fn bad(&self, args: &[&str]) -> String {
        let events = self.events();
        let out = self.output(args);
        assert_eq!(out.status.code(), Some(2), "{args:?} should be refused");
        assert_eq!(self.events(), events, "{args:?} wrote something");
        String::from_utf8(out.stderr).unwrap()
    }

    fn events(&self) -> usize {
        let _t = turn();
        Store::open(self.dir.path()).unwrap().event_count().unwrap()
    }

    fn show(&self, addr: &str) -> serde_json::Value {
        serde_json::from_str(&self.ok(&["show", addr, "--json", "--recent", "50"])).unwrap()
    }
}

fn recent_ids(v: &serde_json::Value) -> Vec<String> {
    v["recent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_visit_round_trips_through_show() {
    let d = Demo::new();
    let id = d.ok(&[
        "log",
        "visit",
        "--household",
        "slhy/2/2-502",
        "--member",
        "杨华",
        "--at",
        "yesterday 15:20",
        "--purpose",
        "elderly-care",
        "--note",
        "老人血压偏高，提醒按时吃药",
        "--follow-up",
        "+7d",
    ]);
    let id = id.trim();
    assert_eq!(id.len(), 26, "prints the new id: {id}");
    let v = d.show("胜利花苑/2栋/2-502");
    assert!(recent_ids(&v).contains(&id.to_string()));
    let entry = v["recent"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == id)
        .unwrap();
    assert_eq!(entry["at"], "2026-11-27 15:20");
    assert_eq!(entry["kind"], "visit");
    assert!(entry["text"].as_str().unwrap().contains("老人血压偏高"));
    assert!(
        // `+7d` counts from the visit's day (2026-11-27), not from today.
        entry["text"].as_str().unwrap().contains("2026-12-04"),
        "{entry}"
    );
    assert_eq!(v["last_visit"]["days_ago"], 0);
}

#[test]
fn problem_lifecycle() {
    let d = Demo::new();
    let p = d.ok(&[
        "log",
        "problem",
        "--zone",
        "slhy/3",
        "--category",
        "repair",
        "--note",
        "楼道灯不亮",
    ]);
    let p = p.trim().to_string();
    let v = d.show("slhy/3");
    assert!(
        v["open_problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == p.as_str()),
        "open in its building"
    );
    let area = d.show("slhy");
    assert!(
        area["open_problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == p.as_str()),
        "and in its area"
    );
    let r = d.ok(&["log", "resolve", &p, "--note", "已更换灯泡"]);
    assert_eq!(r.trim().len(), 26);
    let v = d.show("slhy/3");
    assert!(
        v["open_problems"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["id"] != p.as_str())
    );
    let err = d.bad(&["log", "resolve", &p, "--note", "again"]);
    assert!(err.contains("already resolved"), "{err}");
    let problems: serde_json::Value =
        serde_json::from_str(&d.ok(&["report", "problems", "--json"])).unwrap();
    assert!(
        problems["open"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["id"] != p.as_str())
    );
    assert!(problems["resolved_in_period"].as_u64().unwrap() >= 1);
}

#[test]
fn a_patrol_with_an_issue_opens_a_problem() {
    let d = Demo::new();
    let out = d.ok(&[
        "log",
        "patrol",
        "--zone",
        "syxc/2",
        "--kind",
        "security",
        "--issue",
        "灭火器:已过期",
        "--open-problems",
    ]);
    let ids: Vec<&str> = out.lines().collect();
    assert_eq!(ids.len(), 2, "the patrol and the problem it opened: {out}");
    let v = d.show("syxc/2");
    assert!(
        v["open_problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == ids[1])
    );
    let patrol = v["recent"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == ids[0])
        .unwrap();
    assert!(
        patrol["text"].as_str().unwrap().contains("4 of 5"),
        "{patrol}"
    );
}

#[test]
fn bad_input_is_refused_with_a_clear_message_and_writes_nothing() {
    let d = Demo::new();
    let err = d.bad(&["log", "visit", "--household", "slhy/2/9-999"]);
    assert!(
        err.contains("no household `9-999` in 胜利花苑/2栋"),
        "{err}"
    );
    let err = d.bad(&["log", "visit", "--household", "胜利花园/2栋/2-502"]);
    assert!(err.contains("did you mean 胜利花苑"), "{err}");
    let err = d.bad(&["log", "visit", "--household", "slhy/2", "--member", "杨华"]);
    assert!(err.contains("not a household"), "{err}");
    let err = d.bad(&[
        "log",
        "visit",
        "--household",
        "slhy/2/2-502",
        "--member",
        "查无此人",
    ]);
    assert!(err.contains("no member"), "{err}");
    let err = d.bad(&[
        "log",
        "visit",
        "--household",
        "slhy/2/2-502",
        "--member",
        "杨华",
        "--at",
        "+2d",
    ]);
    assert!(err.contains("more than an hour ahead"), "{err}");
    let err = d.bad(&[
        "log",
        "visit",
        "--household",
        "slhy/2/2-502",
        "--member",
        "杨华",
        "--at",
        "someday",
    ]);
    assert!(err.contains("not a time"), "{err}");
    let err = d.bad(&[
        "log",
        "problem",
        "--zone",
        "slhy/3",
        "--category",
        "repair",
        "--note",
        "  ",
    ]);
    assert!(err.contains("description must not be empty"), "{err}");
    let err = d.bad(&[
        "log",
        "problem",
        "--zone",
        "slhy/3",
        "--category",
        "aliens",
        "--note",
        "x",
    ]);
    assert!(err.contains("unknown category"), "{err}");
    let err = d.bad(&[
        "log",
        "patrol",
        "--zone",
        "slhy/3/1-101",
        "--kind",
        "hygiene",
    ]);
    assert!(err.contains("area or a building"), "{err}");
    let err = d.bad(&[
        "log",
        "patrol",
        "--zone",
        "slhy/3",
        "--kind",
        "hygiene",
        "--issue",
        "不存在的项目",
    ]);
    assert!(err.contains("not on the hygiene checklist"), "{err}");
    let err = d.bad(&["log", "resolve", "not-an-id", "--note", "x"]);
    assert!(err.contains("not an id"), "{err}");
}

#[test]
fn a_second_gridbook_on_the_same_data_is_refused_with_exit_3() {
    let d = Demo::new();
    let t = turn();
    let store = Store::open(d.dir.path()).unwrap();
    let out = d.run(&["show", "slhy"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1);
    assert!(err.contains(&d.dir.path().display().to_string()), "{err}");
    drop(store);
    drop(t);
    d.ok(&["show", "slhy"]);
}

/// The kind of an entry of `show --json`'s recent list, by id.
fn recent_entry(v: &serde_json::Value, id: &str) -> serde_json::Value {
    v["recent"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == id)
        .unwrap_or_else(|| panic!("{id} not among the recent entries"))
        .clone()
}

#[test]
fn reopen_progress_and_comment_from_the_shell() {
    let d = Demo::new();
    let p = d.ok(&[
        "log",
        "problem",
        "--zone",
        "slhy/3",
        "--category",
        "repair",
        "--note",
        "楼道灯不亮",
    ]);
    let p = p.trim().to_string();
    let open = |d: &Demo| {
        d.show("slhy/3")["open_problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == p.as_str())
    };
    let step = d.ok(&["log", "progress", &p, "--note", "已联系物业"]);
    assert_eq!(step.trim().len(), 26, "prints the step's id: {step}");
    assert_eq!(
        recent_entry(&d.show("slhy/3"), step.trim())["kind"],
        "problem-progress"
    );
    let err = d.bad(&["log", "reopen", &p, "--note", "又坏了"]);
    assert!(err.contains("still open"), "{err}");
    d.ok(&["log", "resolve", &p, "--note", "已更换灯泡"]);
    assert!(!open(&d));
    let err = d.bad(&["log", "progress", &p, "--note", "x"]);
    assert!(err.contains("already resolved"), "{err}");
    // A comment is welcome either way; reopening makes it open again.
    let c = d.ok(&["log", "comment", &p, "--note", "居民表示满意"]);
    assert_eq!(
        recent_entry(&d.show("slhy/3"), c.trim())["kind"],
        "problem-comment"
    );
    let r = d.ok(&["log", "reopen", &p, "--note", "又坏了"]);
    assert_eq!(
        recent_entry(&d.show("slhy/3"), r.trim())["kind"],
        "problem-reopened"
    );
    assert!(open(&d));
    // Unknown ids and ids of entries that are not problems are exit 2.
    let unknown = "01KZZZZZZZZZZZZZZZZZZZZZZZ";
    for cmd in ["reopen", "progress", "comment", "resolve"] {
        let err = d.bad(&["log", cmd, unknown, "--note", "x"]);
        assert!(err.contains("no problem with id"), "{cmd}: {err}");
        let err = d.bad(&["log", cmd, "not-an-id", "--note", "x"]);
        assert!(err.contains("not an id"), "{cmd}: {err}");
    }
    let err = d.bad(&["log", "comment", step.trim(), "--note", "x"]);
    assert!(err.contains("is not a problem"), "{err}");
}

#[test]
fn a_second_failing_patrol_adds_a_step_instead_of_a_new_problem() {
    let d = Demo::new();
    let patrol = |note: &str| {
        let issue = format!("灭火器在位:{note}");
        d.ok(&[
            "log",
            "patrol",
            "--zone",
            "syxc/2",
            "--kind",
            "security",
            "--issue",
            &issue,
            "--open-problems",
        ])
    };
    let count = |d: &Demo| d.show("syxc/2")["open_problems"].as_array().unwrap().len();
    let before = count(&d);
    let first = patrol("过期");
    let first: Vec<&str> = first.lines().collect();
    assert_eq!(first.len(), 2, "the patrol and a new problem: {first:?}");
    assert_eq!(count(&d), before + 1);
    let second = patrol("仍然过期");
    let second: Vec<&str> = second.lines().collect();
    assert_eq!(second.len(), 2, "the patrol and a step: {second:?}");
    assert_eq!(count(&d), before + 1, "no second problem for the same item");
    let v = d.show("syxc/2");
    let step = recent_entry(&v, second[1]);
    assert_eq!(step["kind"], "problem-progress");
    assert!(
        step["text"].as_str().unwrap().contains("still failing"),
        "{step}"
    );
    // The problem stores the item's key, and reads in each language.
    let problem = recent_entry(&v, first[1]);
    let text = problem["text"].as_str().unwrap();
    assert!(
        text.contains("extinguishers present: 过期") && !text.contains("灭火器"),
        "{text}"
    );
    let zh: serde_json::Value = serde_json::from_str(
        &d.ok(&["--lang", "zh", "show", "syxc/2", "--json", "--recent", "50"]),
    )
    .unwrap();
    let text = recent_entry(&zh, first[1])["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        text.contains("治安")
            && text.contains("灭火器在位：过期")
            && !text.contains("extinguishers"),
        "{text}"
    );
    // Once it is resolved, the next failing patrol opens a new problem.
    d.ok(&["log", "resolve", first[1], "--note", "已更换"]);
    let third = patrol("又过期了");
    assert_eq!(third.lines().count(), 2);
    assert_eq!(count(&d), before + 1);
    let third_id = third.lines().nth(1).unwrap().to_string();
    assert_eq!(
        recent_entry(&d.show("syxc/2"), &third_id)["kind"],
        "problem"
    );
}
