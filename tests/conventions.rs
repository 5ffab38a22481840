//! What terminal users expect: completions and a man page that generate,
//! colour only where it belongs (`--color`, `NO_COLOR`, never on a pipe by
//! default), and progress that never reaches a pipe or `--json` output.

mod common;

use assert_cmd::Command;
use common::Data;

fn bare() -> Command {
    let mut c = Command::cargo_bin("gridbook").unwrap();
    c.env_remove("NO_COLOR").env_remove("GRIDBOOK_DATA");
    c
}

#[test]
fn completions_and_the_man_page_generate() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = bare().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.len() > 1000, "{shell}: {} bytes", text.len());
        assert!(text.contains("import"), "{shell} does not complete import");
        assert!(text.contains("report"), "{shell} does not complete report");
    }
    let out = bare().arg("man").output().unwrap();
    assert!(out.status.success());
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(
        page.starts_with(".ie") || page.contains(".TH gridbook"),
        "{}",
        &page[..200]
    );
    assert!(page.contains("gridbook import"));
    assert!(page.contains("gridbook report"));
    // An unknown shell is bad input.
    bare().args(["completions", "tcsh"]).assert().code(2);
}

fn has_escape(b: &[u8]) -> bool {
    b.contains(&0x1b)
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let d = Data::new();
    let run = |color: Option<&str>, no_color: Option<&str>, args: &[&str]| {
        let mut c = d.cmd(common::NOW, &[]);
        c.env_remove("NO_COLOR");
        if let Some(v) = no_color {
            c.env("NO_COLOR", v);
        }
        if let Some(w) = color {
            c.args(["--color", w]);
        }
        c.args(args).output().unwrap()
    };
    let table = ["report", "workload"];
    let bad = ["show", "nowhere"];
    // On a pipe, auto means no colour, with or without NO_COLOR.
    for no_color in [None, Some("1")] {
        for color in [None, Some("auto"), Some("never")] {
            let out = run(color, no_color, &table);
            assert!(out.status.success());
            assert!(!has_escape(&out.stdout), "{color:?} {no_color:?}");
            let out = run(color, no_color, &bad);
            assert_eq!(out.status.code(), Some(2));
            assert!(!has_escape(&out.stderr), "{color:?} {no_color:?}");
        }
    }
    // --color always colours even a pipe: the table's header, the error's prefix.
    let out = run(Some("always"), Some("1"), &table);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("\x1b[1m"));
    let out = run(Some("always"), None, &bad);
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("\x1b[31mgridbook:\x1b[0m "));
    // JSON never carries colour.
    let out = run(Some("always"), None, &["report", "workload", "--json"]);
    assert!(!has_escape(&out.stdout));
    serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap();
    // A bad --color value is bad input.
    assert_eq!(run(Some("sometimes"), None, &table).status.code(), Some(2));
}

#[test]
fn progress_never_reaches_a_pipe_or_json() {
    assert!(
        !gridbook::cli::progress::shown(true),
        "progress with --json"
    );
    let d = Data::new();
    let json = d.path("all.json");
    let runs: Vec<Vec<&str>> = vec![
        vec!["import", "roster", "ROSTER", "--json"],
        vec!["import", "roster", "ROSTER"],
        vec!["export", "--out", "JSON"],
        vec!["export"],
        vec!["backup"],
        vec!["check", "--rebuild", "--json"],
        vec!["check", "--rebuild"],
        vec!["check"],
        // Re-importing the same members adds nothing, and succeeds.
        vec!["import", "members", "MEMBERS"],
    ];
    let roster = d.path("roster.csv");
    let members = d.path("members.csv");
    for args in runs {
        let args: Vec<&str> = args
            .iter()
            .map(|a| match *a {
                "ROSTER" => roster.as_str(),
                "MEMBERS" => members.as_str(),
                "JSON" => json.as_str(),
                a => a,
            })
            .collect();
        let out = d.cmd(common::NOW, &args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        for stream in [&out.stdout, &out.stderr] {
            let s = String::from_utf8_lossy(stream);
            assert!(!has_escape(stream), "{args:?}: {s}");
            assert!(!s.contains('…'), "{args:?} drew progress: {s}");
            assert!(!s.contains('\r'), "{args:?} drew progress: {s}");
        }
        if args.contains(&"--json") {
            serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap();
        }
    }
}

/// Every option and argument of every command says what it is in `--help`
/// (an undescribed `--relation` or `--notes` leaves a worker guessing).
#[test]
fn every_option_and_argument_has_help() {
    use clap::CommandFactory;
    fn walk(cmd: &clap::Command, path: &str, bare: &mut Vec<String>) {
        for arg in cmd.get_arguments() {
            let id = arg.get_id().as_str();
            if id == "help" || id == "version" || arg.is_hide_set() {
                continue;
            }
            if arg.get_help().is_none() && arg.get_long_help().is_none() {
                bare.push(format!("{path} {id}"));
            }
        }
        for sub in cmd.get_subcommands() {
            walk(sub, &format!("{path} {}", sub.get_name()), bare);
        }
    }
    let mut bare = Vec::new();
    walk(&gridbook::cli::Cli::command(), "gridbook", &mut bare);
    assert!(bare.is_empty(), "no help text: {bare:#?}");
}
