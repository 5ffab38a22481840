//! Reliability at the command line's edges (issue 11): imports that are all
//! or nothing, data directories that are gridbook's or refused untouched,
//! closed pipes, exit codes that keep the contract (0 ok, 2 bad input, 3 store
//! unavailable, 1 a bug), encoding errors that say where, control characters
//! refused on the way in and escaped on the way out, and waiting for the lock.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use gridbook::model::*;
use gridbook::store::{Store, Writes};

const NOW: &str = "2026-11-28T06:30:00Z";

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("gridbook")
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/roster")
        .join(name)
}

/// The binary on `data`, with no user config and the clock pinned.
fn gb(data: &Path) -> Command {
    let mut c = Command::new(bin());
    c.arg("--data")
        .arg(data)
        .env_remove("GRIDBOOK_DATA")
        .env_remove("GRIDBOOK_WAIT")
        .env("GRIDBOOK_CONFIG", "/nonexistent/gridbook-test-config")
        .env("GRIDBOOK_NOW", NOW)
        .env("GRIDBOOK_TZ", "Asia/Shanghai")
        .env("LANG", "C")
        .stdin(Stdio::null());
    c
}

struct Ran {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
}

fn run(c: &mut Command) -> Ran {
    let out = c.output().unwrap();
    Ran {
        code: out.status.code(),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn ok(c: &mut Command) -> Vec<u8> {
    let r = run(c);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    r.stdout
}

/// Runs and expects exit `code` with exactly one line on standard error.
fn refused(c: &mut Command, code: i32) -> String {
    let r = run(c);
    assert_eq!(r.code, Some(code), "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "one line: {}", r.stderr);
    r.stderr
}

/// A data directory (inside a temporary one) holding the demo estate.
fn demo() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    ok(gb(&data).args(["demo", "--load-only"]));
    (tmp, data)
}

fn export(data: &Path) -> Vec<u8> {
    ok(gb(data).arg("export"))
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Runs `c` as a user the file system's permissions apply to: as root
/// (which permissions do not stop) the command runs as `nobody`.
fn unprivileged(c: &mut Command) -> &mut Command {
    if is_root() {
        c.uid(65534).gid(65534);
    }
    c
}

/// Makes `p` and everything under it belong to the user of [`unprivileged`].
fn give_away(p: &Path) {
    if !is_root() {
        return;
    }
    std::os::unix::fs::lchown(p, Some(65534), Some(65534)).unwrap();
    if p.is_dir() && !p.is_symlink() {
        for e in std::fs::read_dir(p).unwrap() {
            give_away(&e.unwrap().path());
        }
    }
}

// ---- finding 3: import members is all rows or none ----------------------

#[test]
fn import_members_writes_nothing_when_a_later_row_breaks_a_rule_and_names_its_line() {
    let (tmp, data) = demo();
    let before = export(&data);
    // Row 2 is fine; row 3 would start a responsibility before the current
    // responsible member's span starts.
    std::fs::write(
        tmp.path().join("m.csv"),
        "姓名,电话,类型,标签,责任区,联系户,起始日期\n\
         新人甲,13900001111,党员,,slhy/2,,-1d\n\
         新人乙,13900002222,党员,,slhy/1,,2025-01-01\n",
    )
    .unwrap();
    for _ in 0..2 {
        let err = refused(
            gb(&data)
                .current_dir(tmp.path())
                .args(["import", "members", "m.csv"]),
            2,
        );
        assert!(
            err.starts_with("gridbook: m.csv:3: column 5 (责任区): 胜利花苑/1栋: ")
                && err.contains("is responsible here from"),
            "{err}"
        );
        assert!(export(&data) == before, "nothing may be written");
    }

    // Two rows of the file that conflict with each other: refused as a
    // whole too, at the second row.
    std::fs::write(
        tmp.path().join("m2.csv"),
        "姓名,电话,责任区,起始日期\n\
         新人甲,13900001111,slhy/3,-1d\n\
         \n\
         新人乙,13900002222,slhy/3,-2d\n",
    )
    .unwrap();
    let err = refused(
        gb(&data)
            .current_dir(tmp.path())
            .args(["import", "members", "m2.csv"]),
        2,
    );
    assert!(
        err.starts_with(
            "gridbook: m2.csv:4: column 3 (责任区): 胜利花苑/3栋: 新人甲 is responsible here from 2026-11-27"
        ),
        "{err}"
    );
    assert!(export(&data) == before);

    // One person on two rows is one member with two zones; all saved at once.
    std::fs::write(
        tmp.path().join("m3.csv"),
        "姓名,电话,责任区,联系户,起始日期\n\
         新人甲,13900001111,slhy/2,,-1d\n\
         新人甲,13900001111,,slhy/2/1-101,-1d\n",
    )
    .unwrap();
    let out = ok(gb(&data)
        .current_dir(tmp.path())
        .args(["import", "members", "m3.csv"]));
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "members: 1 added, 0 updated, 1 unchanged; assignments: 2 added, 0 unchanged\n"
    );
    let show = String::from_utf8(ok(gb(&data).args(["show", "slhy/2"]))).unwrap();
    assert!(
        show.contains("covered by: 新人甲 13900001111 (direct"),
        "{show}"
    );
    let again = ok(gb(&data)
        .current_dir(tmp.path())
        .args(["import", "members", "m3.csv"]));
    assert_eq!(
        String::from_utf8(again).unwrap(),
        "members: 0 added, 0 updated, 2 unchanged; assignments: 0 added, 2 unchanged\n"
    );
}

// ---- finding 4: --data adopts only what is gridbook's --------------------

#[test]
fn a_directory_that_is_not_gridbooks_is_refused_and_left_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let shared = tmp.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
    std::fs::write(shared.join("notes.txt"), "not gridbook's").unwrap();
    let roster = fixture("en.csv");
    let commands: Vec<Vec<&std::ffi::OsStr>> = vec![
        vec!["show".as_ref(), "x".as_ref()],
        vec!["find".as_ref(), "zs".as_ref()],
        vec!["export".as_ref()],
        vec!["check".as_ref()],
        vec!["report".as_ref(), "coverage".as_ref()],
        vec![
            "log".as_ref(),
            "problem".as_ref(),
            "--zone".as_ref(),
            "x".as_ref(),
            "--category".as_ref(),
            "repair".as_ref(),
            "--note".as_ref(),
            "漏水".as_ref(),
        ],
        vec!["import".as_ref(), "roster".as_ref(), roster.as_os_str()],
        vec!["demo".as_ref(), "--load-only".as_ref()],
        // The TUI: refused before it takes the terminal.
        vec![],
    ];
    for args in &commands {
        let err = refused(gb(&shared).args(args), 2);
        assert!(
            err.contains("is not a gridbook data directory") && err.contains("notes.txt"),
            "{args:?}: {err}"
        );
        assert_eq!(mode(&shared), 0o1777, "{args:?} changed the mode");
        assert_eq!(entries(&shared), ["notes.txt"], "{args:?} wrote");
    }
}

#[test]
fn reading_never_creates_a_store_and_an_empty_directory_is_adopted_by_a_write() {
    let tmp = tempfile::tempdir().unwrap();
    let new = tmp.path().join("new");
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    std::fs::set_permissions(&empty, std::fs::Permissions::from_mode(0o755)).unwrap();
    for args in [
        vec!["show", "x"],
        vec!["find", "zs"],
        vec!["export"],
        vec!["check"],
        vec!["report", "problems", "--json"],
    ] {
        let err = refused(gb(&new).args(&args), 3);
        assert!(err.contains("there is no data in"), "{args:?}: {err}");
        assert!(!new.exists(), "{args:?} created the directory");
        refused(gb(&empty).args(&args), 3);
        assert!(entries(&empty).is_empty(), "{args:?} wrote");
        assert_eq!(mode(&empty), 0o755);
    }
    // Nothing to back up, and nothing made on the way.
    for dir in [&new, &empty] {
        let err = refused(gb(dir).arg("backup"), 2);
        assert!(err.contains("nothing to back up"), "{err}");
    }
    assert!(!new.exists());
    assert!(entries(&empty).is_empty());
    // A write adopts the empty directory and makes it private.
    ok(gb(&empty).args(["import", "roster"]).arg(fixture("en.csv")));
    assert_eq!(mode(&empty), 0o700);
    assert!(
        String::from_utf8(ok(gb(&empty).args(["show", "幸福小区/3栋/2-501"])))
            .unwrap()
            .contains("张伟")
    );
    // A write creates a new directory, private.
    ok(gb(&new).args(["import", "roster"]).arg(fixture("en.csv")));
    assert_eq!(mode(&new), 0o700);
}

#[test]
fn a_missing_store_beside_backups_is_named_not_replaced_by_an_empty_one() {
    let (_tmp, data) = demo();
    ok(gb(&data).arg("backup"));
    let newest = gridbook::backup::newest(&data).unwrap();
    let name = newest.file_name().unwrap().to_string_lossy().into_owned();
    std::fs::remove_dir_all(data.join("store")).unwrap();
    for args in [
        vec!["show", "slhy"],
        vec!["check"],
        vec!["export"],
        vec![
            "log",
            "problem",
            "--zone",
            "slhy",
            "--category",
            "repair",
            "--note",
            "漏水",
        ],
    ] {
        let err = refused(gb(&data).args(&args), 3);
        assert!(
            err.contains("the store in") && err.contains("is missing") && err.contains(&name),
            "{args:?}: {err}"
        );
        assert!(!data.join("store").exists(), "{args:?} made a new store");
    }
    ok(gb(&data).arg("restore"));
    assert!(
        String::from_utf8(ok(gb(&data).args(["show", "slhy"])))
            .unwrap()
            .contains("胜利花苑")
    );
}

// ---- finding 6: a closed pipe is not an error ---------------------------

#[test]
fn a_reader_that_went_away_ends_the_command_quietly_with_0() {
    let (_tmp, data) = demo();
    for args in [
        vec!["report", "problems", "--json"],
        vec!["report", "coverage"],
        vec!["report", "members"],
        vec!["show", "slhy", "--json"],
        vec!["show", "slhy"],
        vec!["find", "张"],
        vec!["find", "张", "--json"],
        vec!["export"],
        vec!["check", "--json"],
        vec![
            "log",
            "problem",
            "--zone",
            "slhy",
            "--category",
            "repair",
            "--note",
            "无人读取",
        ],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = gb(&data)
            .args(&args)
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
    }
    // The entry logged with nobody reading its id was saved.
    let problems = String::from_utf8(ok(gb(&data).args(["report", "problems"]))).unwrap();
    assert!(problems.contains("无人读取"), "{problems}");
}

// ---- finding 7: exit codes ---------------------------------------------

#[test]
fn paths_that_cannot_be_a_data_directory_are_bad_input() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("file");
    std::fs::write(&file, "x").unwrap();
    let long_part = tmp.path().join("x".repeat(4096));
    let long_path = (0..21).fold(tmp.path().to_path_buf(), |p, i| {
        p.join(format!("{i:02}{}", "y".repeat(198)))
    });
    for data in [
        file.clone(),
        PathBuf::from("/dev/null"),
        file.join("under"),
        long_part,
        long_path,
    ] {
        for args in [
            vec!["show", "x"],
            vec!["backup"],
            vec!["demo", "--load-only"],
        ] {
            let err = refused(gb(&data).args(&args), 2);
            assert!(err.starts_with("gridbook: "), "{err}");
        }
    }
    assert_eq!(std::fs::read(&file).unwrap(), b"x");
}

#[test]
fn a_lock_file_that_is_a_directory_or_unreadable_makes_the_store_unavailable() {
    let (tmp, data) = demo();
    let lock = data.join("gridbook.lock");
    std::fs::remove_file(&lock).unwrap();
    std::fs::create_dir(&lock).unwrap();
    let err = refused(gb(&data).args(["show", "slhy"]), 3);
    assert!(err.contains("gridbook.lock is a directory"), "{err}");
    std::fs::remove_dir(&lock).unwrap();

    // Unreadable: as a user the permissions apply to.
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    give_away(&data);
    std::fs::write(&lock, "").unwrap();
    std::fs::set_permissions(&lock, std::fs::Permissions::from_mode(0o000)).unwrap();
    if is_root() {
        std::os::unix::fs::lchown(&lock, Some(0), Some(0)).unwrap();
    }
    let err = refused(unprivileged(gb(&data).args(["show", "slhy"])), 3);
    assert!(err.contains("permission denied on"), "{err}");
}

#[test]
fn an_unwritable_parent_makes_the_store_unavailable() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let parent = tmp.path().join("readonly");
    std::fs::create_dir(&parent).unwrap();
    std::fs::set_permissions(&parent, std::fs::Permissions::from_mode(0o555)).unwrap();
    let data = parent.join("data");
    let err = refused(
        unprivileged(gb(&data).args(["import", "roster"]).arg(fixture("en.csv"))),
        3,
    );
    assert!(err.contains("permission denied on"), "{err}");
    assert!(!data.exists());
}

#[test]
fn an_unusable_export_destination_is_bad_input_and_a_device_is_never_replaced() {
    let (tmp, data) = demo();
    // A full disk, safely: a link to /dev/full in our own directory. Were
    // the export to rename a file over its destination, it would replace
    // the link, never the device.
    let full = tmp.path().join("full.json");
    std::os::unix::fs::symlink("/dev/full", &full).unwrap();
    let err = refused(gb(&data).arg("export").arg("--out").arg(&full), 2);
    assert!(
        err.contains("cannot write") && err.contains("no space left on the device"),
        "{err}"
    );
    assert!(std::fs::symlink_metadata(&full).unwrap().is_symlink());
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::metadata("/dev/full")
            .unwrap()
            .file_type()
            .is_char_device()
    );
    // A directory, and a directory that is not there.
    refused(gb(&data).arg("export").arg("--out").arg(tmp.path()), 2);
    refused(
        gb(&data)
            .arg("export")
            .arg("--out")
            .arg(tmp.path().join("nowhere/x.json")),
        2,
    );
    // A directory the user may not write in.
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    give_away(&data);
    let locked = tmp.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
    let err = refused(
        unprivileged(
            gb(&data)
                .arg("export")
                .arg("--out")
                .arg(locked.join("x.json")),
        ),
        2,
    );
    assert!(err.contains("cannot write"), "{err}");
    // A named pipe is written in place.
    let fifo = tmp.path().join("fifo");
    let status = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(status.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    ok(gb(&data).arg("export").arg("--out").arg(&fifo));
    let got = reader.join().unwrap();
    assert!(got == export(&data));
}

// ---- finding 8: encoding errors say where -------------------------------

#[test]
fn an_encoding_error_names_the_line_and_byte_offset() {
    // UTF-8 with a stray byte on line 3.
    let mut bytes = "小区,楼栋,房号,姓名\n幸福小区,3栋,2-501,张伟\n幸福小区,3栋,2-502,王"
        .as_bytes()
        .to_vec();
    let offset = bytes.len();
    bytes.extend_from_slice(b"\xff\n");
    let e = gridbook::roster::parse("u.csv", &bytes).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "u.csv:3: the file is neither UTF-8 nor GB18030 text: at byte offset {offset} (0xFF) it stops being UTF-8; save it as \"CSV UTF-8\" and import that"
        )
    );
    // GB18030 (ASCII until then) with a bad pair on line 2.
    let (head, _, _) = encoding_rs::GB18030.encode("area,building,room,name\n");
    let mut bytes = head.into_owned();
    bytes.extend_from_slice(b"A,1,101,");
    let offset = bytes.len();
    bytes.extend_from_slice(b"\x81\x20\n");
    let e = gridbook::roster::parse("g.csv", &bytes).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "g.csv:2: the file is neither UTF-8 nor GB18030 text: at byte offset {offset} (0x81) it stops being GB18030; save it as \"CSV UTF-8\" and import that"
        )
    );
    // The members importer says the same.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("m.csv"),
        b"name,phone\n\xe5\xbc\xa0\xff,13900001111\n",
    )
    .unwrap();
    let err = refused(
        gb(&tmp.path().join("data"))
            .current_dir(tmp.path())
            .args(["import", "members", "m.csv"]),
        2,
    );
    assert!(
        err.contains("m.csv:2: the file is neither UTF-8 nor GB18030 text: at byte offset 14 (0xFF) it stops being UTF-8"),
        "{err}"
    );
}

#[test]
fn row_errors_name_the_physical_line_after_blank_lines() {
    // The csv reader's own positions do not count the blank lines it skips.
    let text = "\n\n小区,楼栋,房号,姓名\n\n\n幸福小区,3栋,2-501,\n\r\n幸福小区,3栋,2-502,王芳\n";
    let r = gridbook::roster::parse("b.csv", text.as_bytes()).unwrap();
    let errors: Vec<String> = r.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(errors, ["b.csv:6: column 4 (姓名): missing name (姓名)"]);
    assert_eq!(r.rows[0].line, 8);
    let e = gridbook::roster::parse("h.csv", "\n\n小区,楼栋,姓名\n".as_bytes()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "h.csv:3: missing required column 房号 (room)"
    );
}

// ---- finding 9: control characters in, escapes out ----------------------

const OSC52: &str = "\u{1b}]52;c;ZXZpbA==\u{7}";

#[test]
fn roster_cells_with_control_characters_are_row_errors() {
    let text = format!(
        "小区,楼栋,房号,姓名,电话,标签,备注\n\
         幸福小区,3栋,2-501,张伟{OSC52},13812345678,,\n\
         幸福小区,3栋,2-5\u{7}02,王芳,,,\n\
         \"幸福\n小区\",3栋,2-503,李娜,,,\n\
         幸福小区,3栋,2-504,赵强,138\u{0}12345678,,\n\
         幸福小区,3栋,2-505,钱\u{9b}2J多,,,\n\
         幸福小区,3栋,2-506,孙丽,,\"独居老人\n低保\",\"腿脚不便\r\n需要扶手\"\n"
    );
    let r = gridbook::roster::parse("c.csv", text.as_bytes()).unwrap();
    let errors: Vec<String> = r.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        errors,
        [
            "c.csv:2: column 4 (姓名): name contains a control character (ESC, U+001B) at character 3; remove it",
            "c.csv:3: column 3 (房号): room contains a control character (BEL, U+0007) at character 4; remove it",
            "c.csv:4: column 1 (小区): area must be one line: there is a line break (LF) at character 3",
            "c.csv:6: column 5 (电话): phone contains a control character (NUL, U+0000) at character 4; remove it",
            "c.csv:7: column 4 (姓名): name contains a control character (CSI, U+009B) at character 2; remove it",
        ]
    );
    // Line breaks stay allowed in notes and list cells.
    assert_eq!(r.rows.len(), 1);
    // (Both words name care groups, so they come as care groups.)
    assert_eq!(r.rows[0].care, ["alone-elder", "low-income"]);
    assert_eq!(r.rows[0].notes, "腿脚不便\n需要扶手");
}

#[test]
fn members_cells_and_arguments_with_control_characters_are_refused() {
    let (tmp, data) = demo();
    let before = export(&data);
    std::fs::write(
        tmp.path().join("m.csv"),
        format!("姓名,电话,标签\n新人{OSC52},13900001111,\n新人乙,13900002222,\"流动\n协解\"\n"),
    )
    .unwrap();
    let err = refused(
        gb(&data)
            .current_dir(tmp.path())
            .args(["import", "members", "m.csv"]),
        2,
    );
    assert_eq!(
        err,
        "gridbook: m.csv:2: column 1 (姓名): name contains a control character (ESC, U+001B) at character 3; remove it\n"
    );
    assert!(export(&data) == before);

    // Any argument: refused before anything is opened.
    let note = format!("漏水{OSC52}");
    let err = refused(
        gb(&data).args([
            "log",
            "problem",
            "--zone",
            "slhy",
            "--category",
            "repair",
            "--note",
            &note,
        ]),
        2,
    );
    assert_eq!(
        err,
        "gridbook: argument 10 contains a control character (ESC, U+001B) at character 3; remove it\n"
    );
    // A line break where one line belongs.
    let err = refused(
        gb(&data).args([
            "log",
            "problem",
            "--zone",
            "slhy/1/1-101",
            "--category",
            "repair",
            "--note",
            "楼道灯\n不亮",
        ]),
        2,
    );
    assert!(err.contains("description must be one line"), "{err}");
    // An entry time outside 1970 to 9999.
    let err = refused(
        gb(&data).args([
            "log",
            "problem",
            "--zone",
            "slhy",
            "--category",
            "repair",
            "--note",
            "漏水",
            "--at",
            "1969-12-31 08:00",
        ]),
        2,
    );
    assert!(err.contains("outside the years 1970 to 9999"), "{err}");
    assert!(export(&data) == before);
    // A note may hold lines.
    ok(gb(&data).args([
        "--as",
        "孙梓涵",
        "log",
        "visit",
        "--household",
        "slhy/1/1-101",
        "--note",
        "一切正常\n下周再来",
    ]));
}

/// The demo estate's export as JSON, for editing.
fn demo_json() -> serde_json::Value {
    let (_tmp, data) = demo();
    serde_json::from_slice(&export(&data)).unwrap()
}

/// `import json` of `v` into a new data directory: exit 2, one line, and no
/// data directory made.
fn import_refused(v: &serde_json::Value) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("in.json");
    std::fs::write(&file, serde_json::to_vec(v).unwrap()).unwrap();
    let data = tmp.path().join("data");
    let err = refused(gb(&data).args(["import", "json"]).arg(&file), 2);
    assert!(!data.exists(), "nothing may be made: {err}");
    err
}

#[test]
fn import_json_refuses_control_characters_unknown_versions_and_dangling_references() {
    let base = demo_json();
    let events = base["events"].as_array().unwrap();
    let find = |kind: &str| {
        events
            .iter()
            .position(|e| e["body"].get(kind).is_some())
            .unwrap()
    };

    let mut v = base.clone();
    v["residents"][5]["name"] = format!("张{OSC52}").into();
    let err = import_refused(&v);
    assert!(
        err.contains(
            "residents[5].name: name contains a control character (ESC, U+001B) at character 2"
        ),
        "{err}"
    );

    let mut v = base.clone();
    v["households"][2]["room"] = "5\n01".into();
    assert!(import_refused(&v).contains("households[2].room: room must be one line"));

    for (field, value, says) in [
        (
            "format_version",
            0,
            "format version 0 is not one gridbook ever wrote",
        ),
        ("format_version", 2, "format version 2 is newer"),
        ("schema_version", 99, "schema version 99 is newer"),
    ] {
        let mut v = base.clone();
        v[field] = value.into();
        let err = import_refused(&v);
        assert!(err.contains(says), "{field}: {err}");
    }

    let nobody = Id::new().to_string();
    let visit = find("Visit");
    let step = find("ProblemStepped");
    let assigned = find("Assigned");
    for (path, edit) in [
        (format!("events[{visit}].zone"), vec!["zone"]),
        (
            format!("events[{visit}].body.Visit.member"),
            vec!["body", "Visit", "member"],
        ),
        (
            format!("events[{step}].body.ProblemStepped.problem"),
            vec!["body", "ProblemStepped", "problem"],
        ),
        (
            format!("events[{assigned}].body.Assigned.member"),
            vec!["body", "Assigned", "member"],
        ),
    ] {
        let mut v = base.clone();
        let i: usize = path[7..].split(']').next().unwrap().parse().unwrap();
        let mut at = &mut v["events"][i];
        for k in &edit {
            at = &mut at[*k];
        }
        *at = nobody.clone().into();
        let err = import_refused(&v);
        assert!(
            err.contains(&format!("{path}: no ")) && err.contains(&nobody),
            "{path}: {err}"
        );
    }

    let mut v = base.clone();
    v["events"][visit]["at"] = (-86_400_000i64).into();
    let err = import_refused(&v);
    assert!(
        err.contains(&format!(
            "events[{visit}].at: time 1969-12-31 00:00 UTC is outside the years 1970 to 9999"
        )),
        "{err}"
    );
}

/// Writes an area, a building and a household whose names hold raw control
/// characters straight into a store, as an older gridbook could have.
fn store_with_raw_controls(data: &Path) {
    let store = Store::open(data).unwrap();
    let area = Area {
        meta: Meta::new(None),
        code: "ev".into(),
        name: format!("恶意{OSC52}小区"),
    };
    let b = Building {
        meta: Meta::new(None),
        area: area.meta.id,
        code: "1".into(),
        name: "1栋\r\u{9b}2J".into(),
        first_floor: 1,
        doors_per_floor: None,
    };
    let h = Household {
        meta: Meta::new(None),
        building: b.meta.id,
        unit: String::new(),
        room: "101\u{202e}".into(),
        notes: String::new(),
        occupancy: Occupancy::default(),
    };
    let mut w = Writes::new();
    store.stage_new(&mut w, &area).unwrap();
    store.stage_new(&mut w, &b).unwrap();
    store.stage_new(&mut w, &h).unwrap();
    store.commit(w).unwrap();
}

/// True when some string in `v` (or ending a `›`/`/` path in it) is `s`.
fn holds(v: &serde_json::Value, s: &str) -> bool {
    match v {
        serde_json::Value::String(t) => t == s || t.ends_with(s) || t.starts_with(s),
        serde_json::Value::Array(a) => a.iter().any(|x| holds(x, s)),
        serde_json::Value::Object(o) => o.values().any(|x| holds(x, s)),
        _ => false,
    }
}

#[test]
fn text_from_data_reaches_the_terminal_with_its_controls_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    store_with_raw_controls(&data);
    let raw = |c: char| c.is_control() && c != '\n' || matches!(c, '\u{202a}'..='\u{202e}');
    for args in [
        vec!["show", "ev"],
        vec!["show", "ev/1"],
        vec!["find", "恶意"],
        vec!["report", "coverage"],
        vec!["show", "ev", "--json"],
        vec!["find", "恶意", "--json"],
        vec!["report", "coverage", "--json"],
        vec!["export"],
    ] {
        let out = String::from_utf8(ok(gb(&data).args(&args))).unwrap();
        assert!(
            !out.chars().any(raw),
            "{args:?} printed a raw control: {out:?}"
        );
        if args.contains(&"--json") || args == ["export"] {
            // The escapes are JSON's own: the text reads back the same.
            assert!(
                out.contains("\\u001b]52;c;ZXZpbA==\\u0007"),
                "{args:?}: {out}"
            );
            let v: serde_json::Value = serde_json::from_str(&out).unwrap();
            assert!(
                holds(&v, &format!("恶意{OSC52}小区")),
                "{args:?} does not read back: {out}"
            );
        } else {
            assert!(
                out.contains("恶意\\x1b]52;c;ZXZpbA==\\x07小区"),
                "{args:?}: {out}"
            );
        }
    }
    // gridbook's own backups of such data still restore (data saved by an
    // older gridbook is never locked out), but `import json` refuses it.
    let json = tmp.path().join("old.json");
    std::fs::write(&json, export(&data)).unwrap();
    let err = refused(
        gb(&tmp.path().join("other"))
            .args(["import", "json"])
            .arg(&json),
        2,
    );
    assert!(err.contains("areas[0].name"), "{err}");
    ok(gb(&tmp.path().join("other")).arg("restore").arg(&json));
}

// ---- finding 12: writers wait for the lock ------------------------------

#[test]
fn a_writer_waits_for_the_lock_and_a_second_tui_does_not() {
    let (_tmp, data) = demo();
    let log = |wait: &str| {
        let mut c = gb(&data);
        c.args([
            "--wait",
            wait,
            "log",
            "problem",
            "--zone",
            "slhy",
            "--category",
            "repair",
            "--note",
            "等锁测试",
        ]);
        c
    };
    let store = Store::open(&data).unwrap();
    // Gives up after --wait, with exit 3 and one line that says so.
    let t0 = Instant::now();
    let err = refused(&mut log("0.4"), 3);
    assert!(t0.elapsed() >= Duration::from_millis(400));
    assert!(
        err.contains("in use by another gridbook (waited 0.4 s)"),
        "{err}"
    );
    // A second TUI is turned away at once, whatever --wait says.
    let t0 = Instant::now();
    refused(gb(&data).args(["--wait", "30"]), 3);
    assert!(t0.elapsed() < Duration::from_secs(10));
    // Gets in once the holder lets go.
    let child = log("20").stdout(Stdio::piped()).spawn().unwrap();
    std::thread::sleep(Duration::from_millis(700));
    drop(store);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim().len(), 26);

    // Writers started at the same instant all get their write in.
    let children: Vec<_> = (0..4)
        .map(|_| {
            log("20")
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let report = String::from_utf8(ok(gb(&data).args(["report", "problems", "--json"]))).unwrap();
    let v: serde_json::Value = serde_json::from_str(&report).unwrap();
    let ours = v["open"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["description"] == "等锁测试")
        .count();
    assert_eq!(ours, 5);
}

// ---- finding 10: damage to the store files ------------------------------

/// What reading a damaged store came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    /// Opening refused: exit 3 naming the newest backup.
    Refused,
    /// Exit 3 saying permission was denied on the file (not damage: the
    /// data is there; the owner or mode needs fixing).
    Denied,
    /// Reads answered, as before the damage, and `check` refused (exit 3
    /// naming the newest backup): the damage is where these reads do not go.
    CheckRefused,
    /// `check` flagged the indexes (exit 3 naming the newest backup) and
    /// `check --rebuild` made every read right again.
    CheckedAndRebuilt,
    /// Everything reads as before the damage.
    ReadsCorrectly,
}

/// Every file under `dir`, sled's log first.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out.sort_by_key(|p| (p.file_name().unwrap() != "db", p.clone()));
    out
}

fn snapshot_of(store: &Path) -> PathBuf {
    files_under(store)
        .into_iter()
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("snap.")
        })
        .expect("sled keeps a snapshot")
}

fn truncate(p: &Path, keep: u64) {
    std::fs::OpenOptions::new()
        .write(true)
        .open(p)
        .unwrap()
        .set_len(keep)
        .unwrap();
}

fn patch(p: &Path, at: u64, bytes: &[u8]) {
    use std::io::{Seek, SeekFrom, Write};
    let mut f = std::fs::OpenOptions::new().write(true).open(p).unwrap();
    f.seek(SeekFrom::Start(at)).unwrap();
    f.write_all(bytes).unwrap();
}

fn flip(p: &Path, at: u64) {
    let b = std::fs::read(p).unwrap();
    let at = at.min(b.len() as u64 - 1);
    patch(p, at, &[b[at as usize] ^ 0x5A]);
}

fn len(p: &Path) -> u64 {
    std::fs::metadata(p).unwrap().len()
}

type Damage = Box<dyn Fn(&Path)>;

/// The ways of damaging a data directory's store, by name. Fractions are
/// of the file's length.
fn damages(older: &Path) -> Vec<(String, Damage)> {
    let mut out: Vec<(String, Damage)> = Vec::new();
    // sled's files from before the latest commits, under the current seal:
    // a store that went back to an earlier state, consistent in itself.
    let older = older.to_path_buf();
    out.push((
        "the store's files replaced by an older copy".into(),
        Box::new(move |d: &Path| {
            let store = d.join("store");
            for e in std::fs::read_dir(&store).unwrap() {
                let p = e.unwrap().path();
                if p.file_name().unwrap() == "gridbook.seal" {
                    continue;
                }
                if p.is_dir() {
                    std::fs::remove_dir_all(&p).unwrap();
                } else {
                    std::fs::remove_file(&p).unwrap();
                }
            }
            copy_dir(&older, &store);
        }),
    ));
    let db = |d: &Path| d.join("store").join("db");
    for frac in [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99] {
        out.push((
            format!("log truncated at {frac}"),
            Box::new(move |d: &Path| {
                let p = db(d);
                truncate(&p, (len(&p) as f64 * frac) as u64)
            }),
        ));
    }
    out.push((
        "log truncated by 1 byte".into(),
        Box::new(move |d: &Path| {
            let p = db(d);
            truncate(&p, len(&p) - 1)
        }),
    ));
    for frac in [0.0, 0.01, 0.2, 0.4, 0.6, 0.8, 0.95, 0.999] {
        out.push((
            format!("log byte flipped at {frac}"),
            Box::new(move |d: &Path| {
                let p = db(d);
                flip(&p, (len(&p) as f64 * frac) as u64)
            }),
        ));
    }
    for frac in [0.0, 0.3, 0.7, 0.97] {
        out.push((
            format!("log 4 KiB zeroed at {frac}"),
            Box::new(move |d: &Path| {
                let p = db(d);
                let at = (len(&p) as f64 * frac) as u64;
                let n = 4096.min(len(&p) - at);
                patch(&p, at, &vec![0; n as usize])
            }),
        ));
    }
    for frac in [0.0, 0.5] {
        out.push((
            format!("snapshot truncated at {frac}"),
            Box::new(move |d: &Path| {
                let p = snapshot_of(&d.join("store"));
                truncate(&p, (len(&p) as f64 * frac) as u64)
            }),
        ));
    }
    for frac in [0.1, 0.5, 0.9] {
        out.push((
            format!("snapshot byte flipped at {frac}"),
            Box::new(move |d: &Path| {
                let p = snapshot_of(&d.join("store"));
                flip(&p, (len(&p) as f64 * frac) as u64)
            }),
        ));
    }
    out.push((
        "conf byte flipped".into(),
        Box::new(|d: &Path| flip(&d.join("store").join("conf"), 3)),
    ));
    out.push((
        "conf truncated".into(),
        Box::new(|d: &Path| truncate(&d.join("store").join("conf"), 0)),
    ));
    out.push((
        "log deleted".into(),
        Box::new(move |d: &Path| std::fs::remove_file(db(d)).unwrap()),
    ));
    out.push((
        "snapshot deleted".into(),
        Box::new(|d: &Path| std::fs::remove_file(snapshot_of(&d.join("store"))).unwrap()),
    ));
    out.push((
        "conf deleted".into(),
        Box::new(|d: &Path| std::fs::remove_file(d.join("store").join("conf")).unwrap()),
    ));
    out.push((
        "log unreadable".into(),
        Box::new(move |d: &Path| {
            std::fs::set_permissions(db(d), std::fs::Permissions::from_mode(0o000)).unwrap()
        }),
    ));
    out.push((
        "store directory unreadable".into(),
        Box::new(|d: &Path| {
            std::fs::set_permissions(d.join("store"), std::fs::Permissions::from_mode(0o000))
                .unwrap()
        }),
    ));
    out.push((
        "a file where the store directory should be".into(),
        Box::new(|d: &Path| {
            std::fs::remove_dir_all(d.join("store")).unwrap();
            std::fs::write(d.join("store"), b"not a store").unwrap();
        }),
    ));
    out.push((
        "a directory where the log should be".into(),
        Box::new(move |d: &Path| {
            std::fs::remove_file(db(d)).unwrap();
            std::fs::create_dir(db(d)).unwrap();
        }),
    ));
    // Damage inside the engine, as a bug or a bad sector under sled's
    // checksums might leave it.
    let raw = |f: fn(&gridbook::store::Raw<'_>)| -> Damage {
        Box::new(move |d: &Path| {
            let s = Store::open(d).unwrap();
            f(&s.raw_for_tests());
        })
    };
    out.push((
        "schema marker garbled".into(),
        raw(|r| r.insert("meta", b"schema", b"\xff\xff")),
    ));
    out.push((
        "schema marker removed".into(),
        raw(|r| r.remove("meta", b"schema")),
    ));
    out.push((
        "a projection entry removed".into(),
        raw(|r| {
            let k = r.keys("idx_children")[3].clone();
            r.remove("idx_children", &k)
        }),
    ));
    out.push((
        "a projection entry added".into(),
        raw(|r| {
            let mut k = r.keys("idx_open_problems")[0].clone();
            k[15] ^= 1;
            r.insert("idx_open_problems", &k, &[0; 16])
        }),
    ));
    out.push((
        "a projection value changed".into(),
        raw(|r| {
            let k = r.keys("idx_last_visit")[0].clone();
            r.insert("idx_last_visit", &k, &[1; 24])
        }),
    ));
    out.push((
        "a projection tree cleared".into(),
        raw(|r| r.clear("idx_timeline")),
    ));
    out.push((
        "a record garbled".into(),
        raw(|r| {
            let k = r.keys("residents")[5].clone();
            r.insert("residents", &k, b"\x01garbage")
        }),
    ));
    out.push((
        "an event garbled".into(),
        raw(|r| {
            let k = r.keys("events")[7].clone();
            r.insert("events", &k, b"\x01\x00\x00")
        }),
    ));
    out.push((
        "an event lost".into(),
        raw(|r| {
            let k = r.keys("events")[11].clone();
            r.remove("events", &k)
        }),
    ));
    out.push((
        "a record lost".into(),
        raw(|r| {
            let k = r.keys("households")[2].clone();
            r.remove("households", &k)
        }),
    ));
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// What the reads say: every record and event, a zone with its counts and
/// timeline, and a report built from the projections.
fn reads(data: &Path) -> Result<Vec<Vec<u8>>, Ran> {
    let mut out = Vec::new();
    for args in [
        vec!["export", "--format", "json"],
        vec!["show", "slhy", "--json", "--recent", "1000"],
        vec!["show", "slhy/3", "--json", "--recent", "1000"],
        vec!["report", "problems", "--json"],
        vec!["report", "coverage", "--json"],
        vec!["find", "13"],
    ] {
        let r = run(unprivileged(gb(data).args(&args)));
        if r.code != Some(0) {
            return Err(r);
        }
        out.push(r.stdout);
    }
    Ok(out)
}

/// Which reads differ from the original, and the first line of each that
/// does (record ids and counts: the demo holds no real person).
fn differing(got: &[Vec<u8>], want: &[Vec<u8>]) -> String {
    let mut out = Vec::new();
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        if g != w {
            let (g, w) = (String::from_utf8_lossy(g), String::from_utf8_lossy(w));
            let line = g
                .lines()
                .zip(w.lines())
                .find(|(a, b)| a != b)
                .map(|(a, b)| format!("{a:?} where the original has {b:?}"))
                .unwrap_or_else(|| {
                    format!(
                        "{} lines where the original has {}",
                        g.lines().count(),
                        w.lines().count()
                    )
                });
            out.push(format!("read {i} ({line})"));
        }
    }
    out.join("; ")
}

/// Reads a damaged store and says what came of it; panics on a wrong answer.
fn outcome(name: &str, data: &Path, want: &[Vec<u8>], backup: &str) -> Outcome {
    let refusal = |r: &Ran, what: &str| {
        assert_eq!(r.code, Some(3), "{name}: {what}: {}", r.stderr);
        assert!(
            r.stderr.contains(backup),
            "{name}: {what} names the newest backup: {}",
            r.stderr
        );
    };
    match reads(data) {
        Err(r) if r.code == Some(3) && r.stderr.contains("permission denied") => {
            return Outcome::Denied;
        }
        Err(r) => {
            refusal(&r, "a read");
            return Outcome::Refused;
        }
        Ok(got) => {
            let check = run(unprivileged(gb(data).arg("check")));
            if check.code == Some(0) {
                assert!(
                    got == want,
                    "{name}: reads differ from the original though check passed: {}",
                    differing(&got, want)
                );
                return Outcome::ReadsCorrectly;
            }
            refusal(&check, "check");
            if !check.stderr.contains("check --rebuild") {
                assert!(
                    got == want,
                    "{name}: reads answered wrongly; only check noticed: {}; check said: {}",
                    differing(&got, want),
                    check.stderr
                );
                return Outcome::CheckRefused;
            }
        }
    }
    ok(unprivileged(gb(data).args(["check", "--rebuild"])));
    let again = reads(data).unwrap_or_else(|r| panic!("{name}: after rebuild: {}", r.stderr));
    assert!(again == want, "{name}: reads after check --rebuild differ");
    Outcome::CheckedAndRebuilt
}

#[test]
fn every_way_of_damaging_the_store_is_refused_or_reads_correctly() {
    let (tmp, data) = demo();
    let older = tmp.path().join("older-store");
    copy_dir(&data.join("store"), &older);
    std::fs::remove_file(older.join("gridbook.seal")).unwrap();
    // Recent writes at the log's end, then a backup to name.
    for i in 0..5 {
        ok(gb(&data).args([
            "log",
            "problem",
            "--zone",
            "slhy/3",
            "--category",
            "repair",
            "--note",
            &format!("损坏测试 {i}"),
        ]));
    }
    ok(gb(&data).arg("backup"));
    let backup = gridbook::backup::newest(&data)
        .unwrap()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    give_away(&data);
    let want = reads(&data).unwrap_or_else(|r| panic!("{}", r.stderr));
    let mut tally = std::collections::BTreeMap::new();
    let cases = damages(&older);
    for (i, (name, damage)) in cases.iter().enumerate() {
        let case = tmp.path().join(format!("case-{i}"));
        copy_dir(&data, &case);
        damage(&case);
        give_away(&case);
        let got = outcome(name, &case, &want, &backup);
        eprintln!("damage: {name}: {got:?}");
        *tally.entry(got).or_insert(0) += 1;
        // Unreadable files come back so the directory can be removed.
        let _ = std::process::Command::new("chmod")
            .args(["-R", "u+rwX"])
            .arg(&case)
            .status();
        std::fs::remove_dir_all(&case).unwrap();
    }
    eprintln!("damage: {} ways: {tally:?}", cases.len());
}

// ---- entry times and control characters in the operations themselves ----

#[test]
fn operations_refuse_entry_times_out_of_range_or_ahead_and_control_characters() {
    use gridbook::ops::{self, Ctx, PatrolInput, VisitInput};
    let store = Store::memory().unwrap();
    let now = Ts(1_764_311_400_000);
    let ctx = Ctx { by: None, now };
    let area = ops::add_area(&store, ctx, "幸福小区", "xf").unwrap();
    let b = ops::add_building(&store, ctx, area.meta.id, "3栋", "3").unwrap();
    let h = ops::add_household(&store, ctx, b.meta.id, "2", "501", "").unwrap();
    let m = ops::add_member(
        &store,
        ctx,
        "赵建国",
        "13800000001",
        MemberKind::GridWorker,
        "",
    )
    .unwrap();
    let visit = |at: Ts, note: &str| VisitInput {
        household: h.meta.id,
        member: m.meta.id,
        at,
        purpose: "routine".into(),
        note: note.into(),
        follow_up: None,
    };
    let events = store.event_count().unwrap();
    for (at, says) in [
        (Ts(now.0 + 3_600_001), "more than an hour ahead"),
        (Ts(now.0 + 86_400_000), "more than an hour ahead"),
        (Ts(-1), "1970 to 9999"),
        (Ts(253_402_300_800_000), "1970 to 9999"),
    ] {
        let e = ops::log_visit(&store, ctx, &visit(at, "")).unwrap_err();
        assert!(e.to_string().contains(says), "{at:?}: {e}");
    }
    assert!(ops::log_visit(&store, ctx, &visit(Ts(now.0 + 3_600_000), "")).is_ok());
    let e = ops::log_visit(&store, ctx, &visit(now, "ok\x1b]52;c;eA==\x07")).unwrap_err();
    assert!(e.to_string().contains("control character"), "{e}");
    let patrol = |item: &str, note: &str, at: Ts| PatrolInput {
        zone: b.meta.id,
        kind: PatrolKind::Security,
        at,
        items: vec![CheckResult {
            item: item.into(),
            ok: false,
            note: note.into(),
        }],
        note: String::new(),
        open_problems: true,
    };
    for bad in [
        patrol("灭火器\x07", "", now),
        patrol("灭火器", "过期\x1b[2J", now),
        patrol("灭火器", "", Ts(now.0 + 7_200_000)),
    ] {
        assert!(ops::log_patrol(&store, ctx, bad).is_err());
    }
    let p = ops::log_patrol(&store, ctx, patrol("灭火器", "过期", now))
        .unwrap()
        .patrol;
    let e = ops::amend(
        &store,
        ctx,
        p.id,
        EventBody::Patrol(PatrolBody {
            kind: PatrolKind::Security,
            items: vec![CheckResult {
                item: "灭火器\x1b".into(),
                ok: true,
                note: String::new(),
            }],
            note: String::new(),
        }),
        "记错了",
    )
    .unwrap_err();
    assert!(e.to_string().contains("control character"), "{e}");
    // The two that passed, and the patrol's problem: nothing else written.
    assert_eq!(store.event_count().unwrap(), events + 3);
}

// ---- a recent backup in every mode of use ----------------------------------

#[test]
fn the_first_write_of_each_day_backs_up_first() {
    let (tmp, data) = demo();
    let log = |now: &str, note: &str| {
        let mut c = gb(&data);
        c.env("GRIDBOOK_NOW", now).args([
            "log",
            "problem",
            "--zone",
            "slhy",
            "--category",
            "repair",
            "--note",
            note,
        ]);
        c
    };
    assert!(gridbook::backup::list(&data).is_empty());
    let before = export(&data);
    ok(&mut log(NOW, "今天第一次"));
    let first = gridbook::backup::list(&data);
    assert_eq!(first.len(), 1, "the first write of the day backed up");
    // The backup holds the store as it was before that write.
    let json = |b: &[u8]| serde_json::from_slice::<serde_json::Value>(b).unwrap();
    assert_eq!(json(&std::fs::read(&first[0]).unwrap()), json(&before));
    ok(&mut log("2026-11-28T09:00:00Z", "今天第二次"));
    assert_eq!(gridbook::backup::list(&data).len(), 1, "once a day");
    // The next day (in Shanghai) backs up again, including yesterday's writes.
    ok(&mut log("2026-11-28T16:30:00Z", "第二天"));
    let second = gridbook::backup::list(&data);
    assert_eq!(second.len(), 2);
    let text = String::from_utf8(std::fs::read(&second[1]).unwrap()).unwrap();
    assert!(text.contains("今天第二次") && !text.contains("第二天"));

    // With backup_recipients, the daily backup is encrypted.
    let config = tmp.path().join("config");
    std::fs::create_dir(&config).unwrap();
    let key = age::x25519::Identity::generate();
    std::fs::write(
        config.join("config.toml"),
        format!("backup_recipients = [\"{}\"]\n", key.to_public()),
    )
    .unwrap();
    ok(log("2026-11-30T06:30:00Z", "加密").env("GRIDBOOK_CONFIG", &config));
    let newest = gridbook::backup::newest(&data).unwrap();
    assert!(
        newest.to_string_lossy().ends_with(".json.age"),
        "{newest:?}"
    );
    assert!(!std::fs::read(&newest).unwrap().starts_with(b"{"));
}

// ---- one lock, briefly retried; one definition of a store ------------------

#[test]
fn the_lock_is_retried_for_a_moment_and_a_store_is_defined_once() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let held = Store::lock(d).unwrap();
    // Let go 20 ms later, as a forked sibling does once it executes.
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        drop(held);
    });
    assert!(
        Store::lock(d).is_ok(),
        "a lock held for a moment is waited for"
    );
    t.join().unwrap();
    let held = Store::lock(d).unwrap();
    let t0 = Instant::now();
    assert!(matches!(
        Store::lock(d),
        Err(gridbook::store::StoreError::Locked { .. })
    ));
    assert!(
        t0.elapsed() < Duration::from_millis(500),
        "and then refused at once"
    );
    drop(held);

    // The data directory's checks and the store agree on what a store is.
    let data = d.join("data");
    std::fs::create_dir_all(data.join("store")).unwrap();
    assert!(!gridbook::store::store_exists(&data));
    assert_eq!(
        gridbook::env::store_exists(&data),
        gridbook::store::store_exists(&data)
    );
    std::fs::write(data.join("store").join("snap.0000000000000001"), b"x").unwrap();
    assert!(gridbook::store::store_exists(&data));
    assert_eq!(
        gridbook::env::store_exists(&data),
        gridbook::store::store_exists(&data)
    );
    // Snapshots without their log are a damaged store, not a new one.
    let err = refused(gb(&data).args(["show", "slhy"]), 3);
    assert!(err.contains("damaged"), "{err}");
}

/// A store from an older gridbook is upgraded by the first command that
/// opens it, which says so first on standard error (a large store takes a
/// minute, and a blank wait reads as a hang); its output is unchanged and
/// the next command says nothing.
#[test]
fn opening_an_older_store_says_it_is_upgrading_it_once() {
    let (_tmp, data) = demo();
    let before = export(&data);
    let older = |data: &Path| Store::open(data).unwrap().set_schema_version_for_tests(6);
    older(&data);
    let r = run(gb(&data).arg("export"));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(r.stdout, before, "the same data after the upgrade");
    let shown = data.display().to_string();
    assert_eq!(
        r.stderr.trim_end(),
        format!(
            "Updating the data in {shown} to this version's format (done once; a large store takes a minute or two)…"
        )
    );
    let again = run(gb(&data).arg("export"));
    assert_eq!(again.stderr, "", "upgraded once");

    older(&data);
    let zh = run(gb(&data).args(["--lang", "zh", "export"]));
    assert_eq!(zh.code, Some(0), "{}", zh.stderr);
    assert!(
        zh.stderr
            .starts_with(&format!("正在把 {shown} 中的数据升级为本版本的格式")),
        "{}",
        zh.stderr
    );
}
