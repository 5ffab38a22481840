//! Reads the running TUI answers for another gridbook (`crate::serve`):
//! `conflicts` is answered like the other reads (its `resolve` still waits
//! for the lock), the caller's colour choice decides, and errors follow
//! the caller's `--lang`. The test process plays the TUI: it holds the
//! store and serves its socket, as the TUI does.

mod common;
use common::*;

fn run(d: &Data, args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let mut c = d.cmd(NOW, args);
    for (k, v) in env {
        c.env(k, v);
    }
    c.env_remove("NO_COLOR");
    if let Some((_, v)) = env.iter().find(|(k, _)| *k == "NO_COLOR") {
        c.env("NO_COLOR", v);
    }
    let out = c.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Without the TUI's answer these would wait 0.2 s and exit 3.
fn with<'a>(args: &[&'a str]) -> Vec<&'a str> {
    [&["--wait", "0.2"][..], args].concat()
}

#[test]
fn the_tui_answers_conflicts_in_the_callers_colours_and_language() {
    let d = Data::new();
    let list = d.ok(&["--lang", "zh", "conflicts"]);
    let json = d.ok(&["conflicts", "--json"]);
    let data = std::path::PathBuf::from(d.path("data"));
    // The served commands run in this process: its config is the test's.
    // SAFETY: set before any thread of this test binary's one test starts.
    unsafe { std::env::set_var("GRIDBOOK_CONFIG", d.path("config")) };
    let store = gridbook::store::Store::open(&data).unwrap();
    std::thread::scope(|scope| {
        let serving = gridbook::serve::serve(scope, &store, &data).expect("the socket");

        let got = run(&d, &with(&["--lang", "zh", "conflicts"]), &[]);
        assert_eq!(got.0, Some(0), "{}", got.2);
        assert_eq!(got.1, list);
        let got = run(&d, &with(&["conflicts", "--json"]), &[]);
        assert_eq!(
            (got.0, got.1.as_str()),
            (Some(0), json.as_str()),
            "{}",
            got.2
        );
        let got = run(
            &d,
            &with(&["--lang", "zh", "conflicts", "show", "ABC"]),
            &[],
        );
        assert_eq!(got.0, Some(2), "{}", got.2);
        assert!(got.2.contains("ABC") && got.2.contains("冲突"), "{}", got.2);
        // Keeping a version writes: it waits for the lock, as before.
        let got = run(
            &d,
            &with(&["conflicts", "resolve", "ABC", "--keep", "1"]),
            &[],
        );
        assert_eq!(got.0, Some(3), "{}", got.2);
        assert!(got.2.contains("in use by another gridbook"), "{}", got.2);

        // Colour is the caller's: its output is a pipe here.
        for (args, env) in [
            (vec!["--color", "never"], vec![]),
            (vec![], vec![("NO_COLOR", "1")]),
            (vec![], vec![]),
        ] {
            let args = with(&[&args[..], &["--lang", "zh", "report", "members"]].concat());
            let got = run(&d, &args, &env);
            assert_eq!(got.0, Some(0), "{args:?}: {}", got.2);
            assert!(got.1.contains("姓名"), "{}", got.1);
            assert!(!got.1.contains('\x1b'), "{args:?} {env:?}: {:?}", got.1);
        }
        let got = run(&d, &with(&["--color", "always", "report", "members"]), &[]);
        assert_eq!(got.0, Some(0), "{}", got.2);
        assert!(got.1.contains("\x1b[1m"), "{:?}", got.1);

        // An error answered by the TUI is said in the caller's language.
        let got = run(&d, &with(&["--lang", "zh", "show", "没有这个小区"]), &[]);
        assert_eq!(got.0, Some(2), "{}", got.2);
        assert!(
            got.2.contains("没有小区") && !got.2.contains("no area"),
            "{}",
            got.2
        );
        drop(serving);
    });
}
