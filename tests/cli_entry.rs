//! `log` takes relative dates the way its help writes them (`--at -2d`,
//! `--follow-up -3d`) and refuses words outside its lists, naming them.

mod common;
use common::*;

fn visit(extra: &[&str]) -> Vec<String> {
    let mut args = vec![
        "log",
        "visit",
        "--household",
        "slhy/3/1-101",
        "--member",
        "赵建国",
    ];
    args.extend_from_slice(extra);
    args.into_iter().map(String::from).collect()
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn relative_dates_with_a_leading_minus_are_accepted() {
    let d = Data::new();
    let args = visit(&["--at", "-2d", "--follow-up", "-3d"]);
    let id = d.ok(&strs(&args));
    assert!(!id.trim().is_empty());
    let args = [
        "log",
        "problem",
        "--zone",
        "slhy/3",
        "--category",
        "repair",
        "--note",
        "灯坏了",
        "--at",
        "-1d",
    ];
    d.ok(&args);
}

#[test]
fn purposes_are_checked_against_their_list_in_either_language() {
    let d = Data::new();
    let err = d.bad(&strs(&visit(&["--purpose", "xyz"])));
    assert!(err.contains("xyz") && err.contains("routine"), "{err}");
    assert!(
        err.contains("safety-check") && err.contains("日常走访"),
        "{err}"
    );
    d.ok(&strs(&visit(&["--purpose", "follow-up"])));
    // The Chinese word stores the code.
    d.ok(&strs(&visit(&["--purpose", "日常走访"])));
    let json = d.json(&["show", "slhy/3/1-101", "--json"]);
    let text = json.to_string();
    assert!(
        !text.contains("日常走访"),
        "the code is stored, not the word"
    );
}

#[test]
fn categories_urgencies_and_patrol_kinds_are_checked_and_named() {
    let d = Data::new();
    let base = [
        "log",
        "problem",
        "--zone",
        "slhy/3",
        "--note",
        "x",
        "--category",
    ];
    let mut bad_cat = base.to_vec();
    bad_cat.push("roof");
    let err = d.bad(&bad_cat);
    assert!(
        err.contains("roof") && err.contains("repair") && err.contains("报修"),
        "{err}"
    );
    let mut zh = base.to_vec();
    zh.push("报修");
    d.ok(&zh);
    let mut bad_urgency = base.to_vec();
    bad_urgency.extend(["repair", "--urgency", "asap"]);
    let err = d.bad(&bad_urgency);
    assert!(err.contains("asap") && err.contains("high"), "{err}");
    let err = d.bad(&["log", "patrol", "--zone", "slhy/3", "--kind", "traffic"]);
    assert!(err.contains("traffic") && err.contains("security"), "{err}");
}

#[test]
fn help_lists_the_allowed_words() {
    let d = Data::new();
    let visit_help = d.ok(&["log", "visit", "--help"]);
    for w in ["routine", "elderly-care", "safety-check", "-3d"] {
        assert!(visit_help.contains(w), "{w} in:\n{visit_help}");
    }
    let problem_help = d.ok(&["log", "problem", "--help"]);
    for w in ["repair", "blocked-drain", "low, normal or high"] {
        assert!(problem_help.contains(w), "{w} in:\n{problem_help}");
    }
    let patrol_help = d.ok(&["log", "patrol", "--help"]);
    assert!(patrol_help.contains("hygiene or security"), "{patrol_help}");
}
