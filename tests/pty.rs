//! The real binary in a real pseudo-terminal: open the demo, drill down to a
//! household, see a resident's phone, quit, and find the terminal restored —
//! also after a panic.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

struct Session {
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl Session {
    fn start(args: &[&str], envs: &[(&str, &str)]) -> Session {
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows: 30,
                cols: 100,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_gridbook"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env("LANG", "en_US.UTF-8");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("spawn gridbook");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let parser = Arc::new(Mutex::new(vt100::Parser::new(30, 100, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (p, r) = (parser.clone(), raw.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                p.lock().unwrap().process(&buf[..n]);
                r.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        // The master must outlive the reader thread's use of it.
        std::mem::forget(pair.master);
        Session {
            parser,
            raw,
            writer,
            child,
        }
    }

    fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    fn wait_for(&self, what: impl Fn(&str) -> bool, label: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let s = self.screen();
            if what(&s) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {label}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
        self.writer.flush().unwrap();
        std::thread::sleep(Duration::from_millis(150));
    }

    fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Let the reader drain what was written last.
                std::thread::sleep(Duration::from_millis(200));
                return status;
            }
            assert!(Instant::now() < deadline, "gridbook did not exit");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn raw(&self) -> String {
        String::from_utf8_lossy(&self.raw.lock().unwrap()).into_owned()
    }
}

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
