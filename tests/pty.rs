//! The real binary in a real pseudo-terminal: open the demo, drill down to a
//! household, see a resident's phone, quit, and find the terminal restored —
//! also after a panic.

use std::time::{Duration, Instant};

mod pty_session;
use pty_session::Session;

fn is_mobile(word: &str) -> bool {
    word.len() == 11 && word.starts_with('1') && word.chars().all(|c| c.is_ascii_digit())
}

#[test]
fn demo_drill_down_to_a_phone_and_quit_cleanly() {
    let config = tempfile::tempdir().unwrap();
    let mut s = Session::start(
        &["demo"],
        &[("GRIDBOOK_CONFIG", config.path().to_str().unwrap())],
    );
    s.wait_for(
        |t| t.contains("胜利花苑") && t.contains("Areas"),
        "the areas list",
    );
    s.send(b"\r");
    s.wait_for(|t| t.contains("Buildings of"), "the buildings");
    s.send(b"\r");
    s.wait_for(|t| t.contains("Households of"), "the households");
    s.send(b"\r");
    let screen = s.wait_for(|t| t.contains("Residents of"), "a household");
    assert!(
        screen.split_whitespace().any(is_mobile),
        "a resident's phone is on screen:\n{screen}"
    );
    assert!(s.parser.lock().unwrap().screen().alternate_screen());
    s.send(b"?");
    s.wait_for(|t| t.contains("move down"), "help");
    s.send(b"\x1b");
    s.send(b"q");
    let status = s.wait_exit();
    assert!(status.success(), "exit status {status:?}");
    let raw = s.raw();
    assert!(raw.contains("\x1b[?1049h"), "entered the alternate screen");
    assert!(raw.contains("\x1b[?1049l"), "left the alternate screen");
    assert!(raw.contains("\x1b[?2004h"), "turned bracketed paste on");
    assert!(
        raw.rfind("\x1b[?2004l") > raw.rfind("\x1b[?2004h"),
        "turned bracketed paste off on the way out"
    );
    assert!(
        !s.parser.lock().unwrap().screen().alternate_screen(),
        "terminal restored"
    );
}

#[test]
fn a_panic_still_restores_the_terminal() {
    let config = tempfile::tempdir().unwrap();
    let mut s = Session::start(
        &["demo"],
        &[
            ("GRIDBOOK_CONFIG", config.path().to_str().unwrap()),
            ("GRIDBOOK_TEST_PANIC", "1"),
        ],
    );
    s.wait_for(|t| t.contains("Areas"), "the first screen");
    s.send(b"j");
    let status = s.wait_exit();
    assert!(!status.success());
    let raw = s.raw();
    assert!(
        raw.contains("\x1b[?1049l"),
        "left the alternate screen after the panic"
    );
    assert!(
        raw.rfind("\x1b[?2004l") > raw.rfind("\x1b[?2004h"),
        "bracketed paste off after the panic"
    );
    assert!(!s.parser.lock().unwrap().screen().alternate_screen());
}

/// Wraps text as a terminal sends a paste with bracketed paste on.
fn pasted(text: &str) -> Vec<u8> {
    format!("\x1b[200~{text}\x1b[201~").into_bytes()
}

#[test]
fn paste_arrives_whole_and_ctrl_c_asks_before_losing_typing() {
    let config = tempfile::tempdir().unwrap();
    let mut s = Session::start(
        &["demo"],
        &[("GRIDBOOK_CONFIG", config.path().to_str().unwrap())],
    );
    s.wait_for(|t| t.contains("Areas"), "the first screen");
    // Pasted outside a field: not keys, so no `q`, no `:`.
    s.send(&pasted("jjq:goto x"));
    s.wait_for(|t| t.contains("nothing was run"), "the paste refused");
    assert!(s.child.try_wait().unwrap().is_none(), "still running");
    s.send(b"\r");
    s.wait_for(|t| t.contains("Buildings of"), "the buildings");
    s.send(b"\r");
    s.wait_for(|t| t.contains("Households of"), "the households");
    s.send(b"\r");
    s.wait_for(|t| t.contains("Residents of"), "a household");
    s.send(b"n");
    s.wait_for(|t| t.contains("New resident"), "the form");
    s.send(&pasted("欧阳娜娜"));
    s.send(b"\t");
    s.send(&pasted("139-8765 4321"));
    s.wait_for(
        |t| t.contains("欧阳娜娜") && t.contains("139-8765 4321"),
        "the pasted name and phone in their fields",
    );
    // ctrl-c with typing in the form asks; `n` keeps it all.
    s.send(b"\x03");
    s.wait_for(|t| t.contains("Quit and discard"), "the question");
    s.send(b"n");
    s.wait_for(
        |t| !t.contains("Quit and discard") && t.contains("139-8765 4321"),
        "the form kept",
    );
    assert!(s.child.try_wait().unwrap().is_none(), "still running");
    s.send(b"\x03");
    s.wait_for(|t| t.contains("Quit and discard"), "the question again");
    s.send(b"y");
    let status = s.wait_exit();
    assert!(status.success(), "exit status {status:?}");
    let raw = s.raw();
    assert!(raw.rfind("\x1b[?2004l") > raw.rfind("\x1b[?2004h"));
    assert!(!s.parser.lock().unwrap().screen().alternate_screen());
}

// ---- the TUI and other gridbook processes on the same data (issue 11) ----

const NOW: &str = "2026-11-28T06:30:00Z";

/// The binary on `data` with the test's settings (no user config, the
/// clock pinned), as the TUI in [`Session`] gets them too.
fn cli(data: &std::path::Path, config: &std::path::Path) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_gridbook"));
    c.arg("--data")
        .arg(data)
        .env_remove("GRIDBOOK_DATA")
        .env_remove("GRIDBOOK_WAIT")
        .env("GRIDBOOK_CONFIG", config)
        .env("GRIDBOOK_NOW", NOW)
        .env("GRIDBOOK_TZ", "Asia/Shanghai")
        .env("LANG", "C")
        .stdin(std::process::Stdio::null());
    c
}

fn tui_envs(config: &std::path::Path) -> Vec<(&'static str, String)> {
    vec![
        ("GRIDBOOK_CONFIG", config.display().to_string()),
        ("GRIDBOOK_NOW", NOW.to_string()),
        ("GRIDBOOK_TZ", "Asia/Shanghai".to_string()),
    ]
}

fn start_tui(data: &std::path::Path, config: &std::path::Path) -> Session {
    let envs = tui_envs(config);
    let envs: Vec<(&str, &str)> = envs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let data = data.display().to_string();
    Session::start(&["--data", &data], &envs)
}

/// Exit code, standard output and standard error of a finished command.
fn ran(c: &mut std::process::Command) -> (Option<i32>, Vec<u8>, String) {
    let out = c.output().unwrap();
    (
        out.status.code(),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn demo_data() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let config = tmp.path().join("config");
    std::fs::create_dir(&config).unwrap();
    let (code, _, err) = ran(cli(&data, &config).args(["demo", "--load-only"]));
    assert_eq!(code, Some(0), "{err}");
    (tmp, data, config)
}

const READS: [&[&str]; 6] = [
    &["show", "slhy"],
    &["show", "slhy/3", "--json"],
    &["find", "13"],
    &["report", "problems", "--json"],
    &["export", "--format", "json"],
    &["check"],
];

fn kill9(s: &Session) {
    let pid = s.child.process_id().expect("a pid") as i32;
    // SAFETY: sending a signal to our own child has no memory effects.
    unsafe { libc::kill(pid, libc::SIGKILL) };
}

#[test]
fn reads_are_answered_by_the_running_tui_and_writers_still_wait() {
    use std::os::unix::fs::PermissionsExt;
    let (_tmp, data, config) = demo_data();
    let want: Vec<_> = READS
        .iter()
        .map(|args| ran(cli(&data, &config).args(*args)))
        .collect();
    for (args, (code, _, err)) in READS.iter().zip(&want) {
        assert_eq!(*code, Some(0), "{args:?}: {err}");
    }

    let mut s = start_tui(&data, &config);
    s.wait_for(|t| t.contains("Areas"), "the TUI");
    let sock = data.join("gridbook.sock");
    assert!(sock.exists(), "the TUI listens");
    assert_eq!(
        std::fs::metadata(&sock).unwrap().permissions().mode() & 0o777,
        0o600
    );
    for (args, w) in READS.iter().zip(&want) {
        let got = ran(cli(&data, &config).args(*args));
        assert_eq!(got.0, w.0, "{args:?}: {}", got.2);
        assert!(got.1 == w.1, "{args:?}: the TUI's answer differs");
    }
    // A bad address is still exit 2 with the same one line.
    let direct = ran(cli(&data, &config).args(["show", "没有这个小区"]));
    assert_eq!(direct.0, Some(2), "{}", direct.2);
    // Relative paths are the client's.
    let out_dir = tempfile::tempdir().unwrap();
    let got =
        ran(cli(&data, &config)
            .current_dir(out_dir.path())
            .args(["export", "--out", "copy.json"]));
    assert_eq!(got.0, Some(0), "{}", got.2);
    assert_eq!(
        std::fs::read(out_dir.path().join("copy.json")).unwrap(),
        want[4].1
    );

    // Writers wait for the lock, then give up with exit 3.
    let t0 = Instant::now();
    let got = ran(cli(&data, &config).args([
        "--wait",
        "0.3",
        "log",
        "problem",
        "--zone",
        "slhy",
        "--category",
        "repair",
        "--note",
        "等锁",
    ]));
    assert_eq!(got.0, Some(3), "{}", got.2);
    assert!(got.2.contains("in use by another gridbook"), "{}", got.2);
    assert!(t0.elapsed() >= Duration::from_millis(300));
    // A second TUI is turned away at once.
    let t0 = Instant::now();
    let got = ran(cli(&data, &config).args(["--wait", "30"]));
    assert_eq!(got.0, Some(3), "{}", got.2);
    assert!(t0.elapsed() < Duration::from_secs(5));
    assert!(
        !s.screen().contains("in use"),
        "the running TUI is untouched"
    );

    s.send(b"q");
    assert!(s.wait_exit().success());
    assert!(!sock.exists(), "the socket goes with the TUI");

    // A killed TUI leaves its socket; the next command finds it stale,
    // removes it and reads by itself.
    let mut s = start_tui(&data, &config);
    // Areas may be the saved first screen, drawn before the store opens:
    // the socket says the TUI is up.
    s.wait_for(|t| t.contains("Areas") && sock.exists(), "the TUI again");
    kill9(&s);
    let _ = s.wait_exit();
    assert!(sock.exists(), "a SIGKILL leaves the socket behind");
    let got = ran(cli(&data, &config).args(READS[0]));
    assert_eq!(got.0, Some(0), "{}", got.2);
    assert_eq!(got.1, want[0].1);
    assert!(!sock.exists(), "the stale socket was removed");
}

#[test]
fn a_damaged_store_is_one_line_before_the_tui_takes_the_terminal() {
    let (_tmp, data, config) = demo_data();
    let (code, _, err) = ran(cli(&data, &config).arg("backup"));
    assert_eq!(code, Some(0), "{err}");
    let backup = std::fs::read_dir(data.join("backups"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .file_name()
        .to_string_lossy()
        .into_owned();
    // A log whose snapshot survives it: the log file is gone.
    std::fs::remove_file(data.join("store").join("db")).unwrap();
    let mut s = start_tui(&data, &config);
    let status = s.wait_exit();
    assert_eq!(status.exit_code(), 3);
    let raw = s.raw();
    assert!(!raw.contains("\x1b[?1049h"), "the terminal was never taken");
    assert!(raw.contains("damaged") && raw.contains(&backup), "{raw}");
    assert_eq!(raw.trim_end().lines().count(), 1, "one line: {raw}");
}

/// SIGKILLs of the TUI while it saves visits: every visit it reported as
/// saved is in the store, and the store opens. 4 cycles in `cargo test`;
/// `GRIDBOOK_KILLS=N` runs N (the kill campaign in the README).
#[test]
fn every_visit_the_tui_reported_saved_survives_sigkill() {
    let cycles = std::env::var("GRIDBOOK_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4);
    let (_tmp, data, config) = demo_data();
    let mut rng = fastrand::Rng::with_seed(11);
    let mut reported = Vec::new();
    let mut killed_saving = 0;
    for i in 0..cycles {
        let mut s = start_tui(&data, &config);
        s.wait_for(|t| t.contains("Areas"), "the TUI");
        s.send(b"\r\r\r");
        s.wait_for(|t| t.contains("Residents of"), "a household");
        let note = format!("kill-{i}-走访");
        s.send(b"v");
        s.wait_for(|t| t.contains("Log a visit"), "the visit form");
        s.send(b"\t\t\t");
        s.send(note.as_bytes());
        // ctrl-s saves; the kill lands at a seeded moment around it.
        s.writer.write_all(b"\x13").unwrap();
        s.writer.flush().unwrap();
        std::thread::sleep(Duration::from_millis(rng.u64(0..120)));
        let saw_saved = s.screen().contains("visit saved");
        kill9(&s);
        let _ = s.wait_exit();
        if saw_saved {
            reported.push(note);
        } else {
            killed_saving += 1;
        }
        // The store opens after every kill.
        let (code, _, err) = ran(cli(&data, &config).arg("check"));
        assert_eq!(code, Some(0), "cycle {i}: {err}");
    }
    let (code, export, err) = ran(cli(&data, &config).arg("export"));
    assert_eq!(code, Some(0), "{err}");
    let export = String::from_utf8(export).unwrap();
    for note in &reported {
        assert!(
            export.contains(note.as_str()),
            "{note} was reported saved and is gone"
        );
    }
    eprintln!(
        "tui kills: {cycles} cycles, {} visits reported saved and all present, {killed_saving} killed before the report",
        reported.len()
    );
}

/// `1234567` as indicatif counts it on a bar: `1,234,567`.
fn human(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Runs the binary in the terminal until it exits; its bytes as drawn.
fn on_terminal(args: &[&str], config: &std::path::Path) -> String {
    let envs = tui_envs(config);
    let envs: Vec<(&str, &str)> = envs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut s = Session::start(args, &envs);
    let status = s.wait_exit();
    assert!(status.success(), "{args:?}: {}", s.raw());
    s.raw()
}

#[test]
fn check_rebuild_and_a_members_import_draw_a_counting_bar_on_a_terminal() {
    let (_tmp, data, config) = demo_data();
    let (code, out, err) = ran(cli(&data, &config).args(["check", "--json"]));
    assert_eq!(code, Some(0), "{err}");
    let entries = serde_json::from_slice::<serde_json::Value>(&out).unwrap()["records"]
        .as_u64()
        .unwrap();
    assert!(entries > 3000, "the demo estate: {entries}");
    let data = data.display().to_string();
    // The rebuild counts each record and event replayed, then the check
    // each replayed and decoded: bars ending at their totals.
    let raw = on_terminal(&["--data", &data, "check", "--rebuild"], &config);
    assert!(raw.contains("rebuilding the indexes…"), "{raw}");
    assert!(raw.contains(&format!("/{}", human(entries))), "{raw}");
    assert!(raw.contains("checking the indexes…"), "{raw}");
    assert!(raw.contains(&format!("/{}", human(2 * entries))), "{raw}");
    // A members file counts its rows (40 in the demo's, imported again:
    // nothing new, and still a bar).
    let members = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/demo/members.csv");
    let raw = on_terminal(&["--data", &data, "import", "members", members], &config);
    assert!(raw.contains("importing…"), "{raw}");
    assert!(raw.contains("/40"), "{raw}");
}

// ---- the saved first screen (start-up while the store opens) ------------

/// A write by the CLI.
const LOG_A_PROBLEM: &[&str] = &[
    "log",
    "problem",
    "--zone",
    "slhy",
    "--category",
    "repair",
    "--note",
    "路灯不亮",
];

/// What the status line says while the store opens behind a saved screen.
const OPENING: &str = "Opening the data";

fn start_tui_with(
    data: &std::path::Path,
    config: &std::path::Path,
    args: &[&str],
    extra: &[(&str, &str)],
) -> Session {
    let mut envs = tui_envs(config);
    for (k, v) in extra {
        envs.retain(|(name, _)| name != k);
        envs.push((k, v.to_string()));
    }
    let envs: Vec<(&str, &str)> = envs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let data = data.display().to_string();
    let mut all = vec!["--data", data.as_str()];
    all.extend_from_slice(args);
    Session::start(&all, &envs)
}

fn quit(s: &mut Session) {
    s.send(b"q");
    let status = s.wait_exit();
    assert!(status.success(), "exit status {status:?}");
}

/// Runs the TUI once to its first screen and quits: that saves it.
fn run_once(data: &std::path::Path, config: &std::path::Path, args: &[&str], first: &str) {
    let mut s = start_tui_with(data, config, args, &[]);
    s.wait_for(|t| t.contains(first), first);
    quit(&mut s);
    assert!(
        data.join("first.screen").exists(),
        "a first screen is saved"
    );
}

/// Starts the TUI with its open held back, waits for `first` to be drawn
/// from the store, and says whether a saved screen was drawn before it.
fn drew_a_saved_screen(
    data: &std::path::Path,
    config: &std::path::Path,
    args: &[&str],
    envs: &[(&str, &str)],
    first: &str,
) -> bool {
    let mut all = vec![("GRIDBOOK_TEST_SLOW_OPEN", "1500")];
    all.extend_from_slice(envs);
    let mut s = start_tui_with(data, config, args, &all);
    s.wait_for(|t| t.contains(first) && !t.contains(OPENING), first);
    quit(&mut s);
    s.raw().contains(OPENING)
}

#[test]
fn a_saved_first_screen_is_drawn_while_the_store_opens_and_keys_wait_for_it() {
    let (_tmp, data, config) = demo_data();
    run_once(&data, &config, &[], "胜利花苑");
    let mut s = start_tui_with(&data, &config, &[], &[("GRIDBOOK_TEST_SLOW_OPEN", "4000")]);
    let early = s.wait_for(
        |t| t.contains(OPENING) && t.contains("胜利花苑") && t.contains("Areas"),
        "the saved areas list while the store opens",
    );
    assert!(!early.contains("Buildings of"), "{early}");
    // Typed while the store is still opening: acted on once it is open.
    s.send(b"\r");
    assert!(
        s.screen().contains(OPENING),
        "still opening:\n{}",
        s.screen()
    );
    s.wait_for(
        |t| t.contains("Buildings of") && !t.contains(OPENING),
        "the key typed during the open, acted on",
    );
    quit(&mut s);
    // Today, for a member, is saved and drawn the same way.
    run_once(&data, &config, &["--as", "朱杰"], "Today");
    assert!(drew_a_saved_screen(
        &data,
        &config,
        &["--as", "朱杰"],
        &[],
        "Today"
    ));
}

#[test]
fn a_saved_screen_is_not_trusted_after_a_write_a_kill_another_day_or_member() {
    let (_tmp, data, config) = demo_data();
    let areas = "胜利花苑";
    run_once(&data, &config, &[], areas);
    assert!(drew_a_saved_screen(&data, &config, &[], &[], areas));

    // A write by the CLI deletes it before its commit.
    let (code, _, err) = ran(cli(&data, &config).args(LOG_A_PROBLEM));
    assert_eq!(code, Some(0), "{err}");
    assert!(!data.join("first.screen").exists());
    assert!(!drew_a_saved_screen(&data, &config, &[], &[], areas));

    // A writer killed after its commit but before the seal: the seal is as
    // before, and still the screen is gone (deleted before the commit).
    let seal = data.join("store").join("gridbook.seal");
    let bytes = std::fs::read(&seal).unwrap();
    let modified = std::fs::metadata(&seal).unwrap().modified().unwrap();
    assert!(data.join("first.screen").exists());
    let (code, _, err) = ran(cli(&data, &config).args(LOG_A_PROBLEM));
    assert_eq!(code, Some(0), "{err}");
    std::fs::write(&seal, &bytes).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&seal)
        .unwrap()
        .set_modified(modified)
        .unwrap();
    assert!(!drew_a_saved_screen(&data, &config, &[], &[], areas));

    // Another day, another member, then the saved day again.
    run_once(&data, &config, &[], areas);
    let tomorrow = [("GRIDBOOK_NOW", "2026-11-29T06:30:00Z")];
    assert!(!drew_a_saved_screen(&data, &config, &[], &tomorrow, areas));
    run_once(&data, &config, &[], areas);
    assert!(!drew_a_saved_screen(
        &data,
        &config,
        &["--as", "朱杰"],
        &[],
        "Today"
    ));
    assert!(!drew_a_saved_screen(&data, &config, &[], &[], areas));

    // A damaged file is ignored.
    run_once(&data, &config, &[], areas);
    let file = data.join("first.screen");
    let mut b = std::fs::read(&file).unwrap();
    let mid = b.len() / 2;
    b[mid] ^= 0x20;
    std::fs::write(&file, &b).unwrap();
    assert!(!drew_a_saved_screen(&data, &config, &[], &[], areas));
    assert!(drew_a_saved_screen(&data, &config, &[], &[], areas));
}

#[test]
fn a_damaged_store_behind_a_saved_screen_gives_the_terminal_back_then_one_line() {
    let (_tmp, data, config) = demo_data();
    run_once(&data, &config, &[], "胜利花苑");
    std::fs::remove_file(data.join("store").join("db")).unwrap();
    let mut s = start_tui(&data, &config);
    let status = s.wait_exit();
    assert_eq!(status.exit_code(), 3);
    let raw = s.raw();
    assert!(
        raw.contains("\x1b[?1049h"),
        "the saved screen took the terminal"
    );
    let after = &raw[raw.rfind("\x1b[?1049l").expect("the terminal given back")..];
    assert!(after.contains("damaged"), "{raw}");
    let lines: Vec<&str> = after.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line after the terminal: {after:?}");
    assert!(
        !s.parser.lock().unwrap().screen().alternate_screen(),
        "terminal restored"
    );
}

#[test]
fn the_tui_still_takes_the_daily_backup_after_its_first_frame() {
    let (_tmp, data, config) = demo_data();
    let (code, before, err) = ran(cli(&data, &config).args(["export", "--format", "json"]));
    assert_eq!(code, Some(0), "{err}");
    let backups = || {
        std::fs::read_dir(data.join("backups"))
            .map(|d| d.map(|e| e.unwrap().path()).collect::<Vec<_>>())
            .unwrap_or_default()
    };
    assert!(backups().is_empty());
    let mut s = start_tui(&data, &config);
    s.wait_for(|t| t.contains("胜利花苑"), "the areas list");
    quit(&mut s);
    let taken = backups();
    assert_eq!(taken.len(), 1, "{taken:?}");
    let json = |b: &[u8]| serde_json::from_slice::<serde_json::Value>(b).unwrap();
    assert_eq!(json(&std::fs::read(&taken[0]).unwrap()), json(&before));
}

#[test]
fn an_erasure_left_waiting_is_finished_before_the_tui_shows_the_store() {
    use gridbook::model::Resident;
    let (_tmp, data, config) = demo_data();
    // Recorded but not yet written through the store, as a kill between
    // the two (or a session that synced one in and died) leaves it.
    let (name, phone) = {
        let store = gridbook::store::Store::open(&data).unwrap();
        let r = store
            .all::<Resident>()
            .map(Result::unwrap)
            .find(|r| r.meta.is_live() && !r.phones.is_empty())
            .unwrap();
        let whom = gridbook::erase::Whom::Resident(r.meta.id);
        gridbook::erase::record(&store, whom, gridbook::model::Ts::now(), None).unwrap();
        store.flush().unwrap();
        (r.name, r.phones[0].clone())
    };
    let export = |data: &std::path::Path| {
        let (code, out, err) = ran(cli(data, &config).args(["export", "--format", "json"]));
        assert_eq!(code, Some(0), "{err}");
        String::from_utf8(out).unwrap()
    };
    assert!(export(&data).contains(&name), "waiting: still in the store");
    let mut s = start_tui(&data, &config);
    s.wait_for(
        |t| t.contains("erasure on request finished"),
        "the erasure said",
    );
    quit(&mut s);
    let after = export(&data);
    assert!(!after.contains(&name) && !after.contains(&phone));
    for b in std::fs::read_dir(data.join("backups")).unwrap() {
        let bytes = std::fs::read(b.unwrap().path()).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(&name), "a backup still names them");
    }
}

#[test]
fn quitting_after_a_change_says_the_backup_in_the_users_language() {
    let (_tmp, data, config) = demo_data();
    let mut s = start_tui_with(&data, &config, &["--lang", "zh", "--as", "邓美玲"], &[]);
    s.wait_for(|t| t.contains("胜利花苑"), "the areas list");
    s.send(b"\r\r\r");
    s.wait_for(|t| t.contains("的居民"), "a household");
    s.send(b"v");
    s.wait_for(|t| t.contains("记录走访"), "the visit form");
    s.send(b"\t\t\t");
    s.send("退出前走访".as_bytes());
    s.send(b"\x13");
    s.wait_for(|t| t.contains("走访已保存"), "the visit saved");
    quit(&mut s);
    let raw = s.raw();
    assert!(raw.contains("gridbook：备份已写入"), "{raw}");
    assert!(!raw.contains("backup written"), "{raw}");
}

/// config.toml's `me` is the user's, and may name nobody in this data
/// directory: the TUI opens unsigned and says so, in either language.
#[test]
fn a_config_me_naming_nobody_here_opens_the_tui_unsigned_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let config = tmp.path().join("config");
    std::fs::create_dir(&config).unwrap();
    for (lang, said) in [
        (
            "zh",
            "me「孙梓涵」不是此处的成员，未指定身份；输入 :me 姓名 选择",
        ),
        (
            "en",
            "me = \"孙梓涵\" names no member here, not signed in; :me NAME picks one",
        ),
    ] {
        std::fs::write(
            config.join("config.toml"),
            format!("me = \"孙梓涵\"\nlang = \"{lang}\"\n"),
        )
        .unwrap();
        let mut s = start_tui(&data, &config);
        s.wait_for(|t| t.contains(said), said);
        quit(&mut s);
    }
}
