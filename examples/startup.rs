//! Start-up time and memory of the TUI through a real pseudo-terminal, for
//! `benches/startup.sh`.
//!
//!     startup BIN DATA [RUNS]
//!
//! Each run spawns `BIN --data DATA` in a PTY of `COLS`×`ROWS` (default
//! 120×40) and measures:
//! - **first data frame**: from the spawn to the first screen that shows
//!   `MARKER` (default `胜利花苑`, the first area of every estate `gridbook gen`
//!   makes; the areas list is the first screen when no `me` is configured,
//!   and only data read from the store, or a first screen saved from it, can
//!   paint the name);
//! - **lookup**: then `/` and `QUERY` (default `zs`) are typed, and the time
//!   from the spawn until the overlay counts its results (`results`);
//! - **peak RSS**: `VmHWM` of the process from `/proc/PID/status` with the
//!   results on screen, just before `esc q` quits.
//!
//! One untimed run comes first (whatever a first start leaves behind, such
//! as a saved first screen, is then there for the timed runs, as it is for
//! a grid worker every day after the first). Prints one line per run and the
//! medians. The config directory is a fresh one with `backups = 0`, so the
//! daily backup is not part of the figures (it is written once a day).

// What ships: the app's allocator (see `gridbook::Alloc`).
#[global_allocator]
static ALLOC: gridbook::Alloc = gridbook::ALLOC;

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

struct Run {
    first_data: Duration,
    lookup: Duration,
    peak_kb: u64,
}

fn env_or(key: &str, default: &str) -> String {
    std::env::var(key).unwrap_or_else(|_| default.to_string())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: startup BIN DATA [RUNS]");
        std::process::exit(2);
    }
    let bin = &args[1];
    let data = &args[2];
    let runs: usize = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(5);
    let cols: u16 = env_or("COLS", "120").parse().expect("COLS is a number");
    let rows: u16 = env_or("ROWS", "40").parse().expect("ROWS is a number");
    let marker = env_or("MARKER", "胜利花苑");
    let query = env_or("QUERY", "zs");

    let config = std::env::temp_dir().join(format!("gridbook-startup-{}", std::process::id()));
    std::fs::create_dir_all(&config).expect("make a config directory");
    std::fs::write(config.join("config.toml"), "backups = 0\n").expect("write config.toml");

    let mut results = Vec::new();
    for i in 0..=runs {
        let r = run(bin, data, &config, cols, rows, &marker, &query);
        if i == 0 {
            println!(
                "warm-up: first data frame {:.1} ms, lookup {:.1} ms, peak RSS {:.1} MB",
                ms(r.first_data),
                ms(r.lookup),
                r.peak_kb as f64 / 1024.0
            );
            continue;
        }
        println!(
            "run {i}: first data frame {:.1} ms, lookup {:.1} ms, peak RSS {:.1} MB",
            ms(r.first_data),
            ms(r.lookup),
            r.peak_kb as f64 / 1024.0
        );
        results.push(r);
    }
    let _ = std::fs::remove_dir_all(&config);
    let first = median(results.iter().map(|r| ms(r.first_data)).collect());
    let lookup = median(results.iter().map(|r| ms(r.lookup)).collect());
    let peak = median(results.iter().map(|r| r.peak_kb as f64 / 1024.0).collect());
    println!(
        "median of {runs}: first data frame {first:.1} ms, lookup {lookup:.1} ms, peak RSS {peak:.1} MB"
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// When each text first appeared on the screen, seen by the reader thread
/// after every chunk it parses (no polling delay).
#[derive(Default)]
struct Seen {
    first_data: Option<Instant>,
    results: Option<Instant>,
    want_results: bool,
}

fn run(
    bin: &str,
    data: &str,
    config: &std::path::Path,
    cols: u16,
    rows: u16,
    marker: &str,
    query: &str,
) -> Run {
    let pair = native_pty_system()
        .openpty(PtySize {
            rows,
            cols,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("open a pty");
    let mut cmd = CommandBuilder::new(bin);
    cmd.args(["--data", data]);
    cmd.env("TERM", "xterm-256color");
    cmd.env("LANG", "en_US.UTF-8");
    cmd.env("GRIDBOOK_CONFIG", config);
    let start = Instant::now();
    let mut child = pair.slave.spawn_command(cmd).expect("spawn gridbook");
    drop(pair.slave);
    let pid = child.process_id().expect("a process id");
    let mut reader = pair.master.try_clone_reader().expect("pty reader");
    let mut writer = pair.master.take_writer().expect("pty writer");
    let seen = Arc::new(Mutex::new(Seen::default()));
    let screen = Arc::new(Mutex::new(String::new()));
    let (seen2, screen2, marker2) = (seen.clone(), screen.clone(), marker.to_string());
    let reading = std::thread::spawn(move || {
        let mut parser = vt100::Parser::new(rows, cols, 0);
        let mut buf = [0u8; 65536];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            let now = Instant::now();
            parser.process(&buf[..n]);
            let text = parser.screen().contents();
            let mut s = seen2.lock().unwrap();
            if s.first_data.is_none() && text.contains(&marker2) {
                s.first_data = Some(now);
            }
            if s.want_results && s.results.is_none() && text.contains(" results") {
                s.results = Some(now);
            }
            drop(s);
            *screen2.lock().unwrap() = text;
        }
    });
    let wait = |what: &dyn Fn(&Seen) -> Option<Instant>, label: &str| -> Instant {
        let deadline = Instant::now() + Duration::from_secs(300);
        loop {
            if let Some(t) = what(&seen.lock().unwrap()) {
                return t;
            }
            if Instant::now() > deadline {
                panic!(
                    "timed out waiting for {label}; screen:\n{}",
                    screen.lock().unwrap()
                );
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    };
    let first_data = wait(&|s| s.first_data, "the first data frame") - start;
    seen.lock().unwrap().want_results = true;
    writer.write_all(b"/").unwrap();
    writer.flush().unwrap();
    std::thread::sleep(Duration::from_millis(100));
    writer.write_all(query.as_bytes()).unwrap();
    writer.flush().unwrap();
    let lookup = wait(&|s| s.results, "lookup results") - start;
    // Let the last frames settle before reading the peak.
    std::thread::sleep(Duration::from_millis(300));
    let peak_kb = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0);
    writer.write_all(b"\x1b").unwrap();
    writer.flush().unwrap();
    std::thread::sleep(Duration::from_millis(150));
    writer.write_all(b"q").unwrap();
    writer.flush().unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "gridbook exited with {status:?}");
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("gridbook did not quit");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(writer);
    drop(pair.master);
    let _ = reading.join();
    Run {
        first_data,
        lookup,
        peak_kb,
    }
}
