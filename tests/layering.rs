//! The workspace's layering, checked: the app → core → store → domain
//! dependencies point one way (Cargo enforces that), the domain pulls in no
//! storage, terminal or CLI crate, only the sled engine's file names sled,
//! and only `src/tui/` names ratatui or crossterm.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The crates `package` depends on (normal dependencies, transitively).
fn deps_of(package: &str) -> Vec<String> {
    let out = Command::new(env!("CARGO"))
        .current_dir(root())
        .args([
            "tree",
            "--locked",
            "--offline",
            "-e",
            "normal",
            "--prefix",
            "none",
            "-p",
        ])
        .arg(package)
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "cargo tree -p {package}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

#[test]
fn dependencies_point_one_way() {
    let forbidden: &[(&str, &[&str])] = &[
        (
            "gridbook-domain",
            &[
                "gridbook-store",
                "gridbook-core",
                "sled",
                "bincode",
                "ratatui",
                "crossterm",
                "clap",
                "directories",
            ],
        ),
        (
            "gridbook-store",
            &["gridbook-core", "ratatui", "crossterm", "clap"],
        ),
        ("gridbook-core", &["ratatui", "crossterm", "clap"]),
    ];
    for (package, banned) in forbidden {
        let deps = deps_of(package);
        assert!(
            deps.iter().any(|d| d == package),
            "{package} not in its own tree: {deps:?}"
        );
        for b in *banned {
            assert!(
                !deps.iter().any(|d| d == b),
                "{package} must not depend on {b}, but its tree has it"
            );
        }
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Every source file of the workspace's libraries and binary, relative to the root.
fn sources() -> Vec<(String, String)> {
    let mut files = Vec::new();
    for d in ["src", "crates"] {
        rust_files(&root().join(d), &mut files);
    }
    files
        .into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(root())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

/// Whether `text` uses `name` as a path (`name::`) or in a `use`/`extern crate`.
fn names(text: &str, name: &str) -> bool {
    text.lines()
        .map(str::trim_start)
        .filter(|l| !l.starts_with("//"))
        .any(|l| {
            l.contains(&format!("{name}::"))
                || l.starts_with(&format!("use {name}"))
                || l.starts_with(&format!("extern crate {name}"))
        })
}

/// The one file that may name sled: the store's sled engine.
const SLED_ENGINE: &str = "crates/gridbook-store/src/engine/sled.rs";
/// And the example measuring sled alone, with nothing of gridbook's around it.
const SLED_FLOOR: &str = "crates/gridbook-store/examples/sled_floor.rs";

#[test]
fn only_the_sled_engine_names_sled() {
    let offenders: Vec<String> = sources()
        .into_iter()
        .filter(|(p, t)| p != SLED_ENGINE && p != SLED_FLOOR && names(t, "sled"))
        .map(|(p, _)| p)
        .collect();
    assert!(
        offenders.is_empty(),
        "sled named outside {SLED_ENGINE}: {offenders:?}"
    );
}

#[test]
fn only_the_tui_names_ratatui_or_crossterm() {
    let offenders: Vec<String> = sources()
        .into_iter()
        .filter(|(p, t)| {
            !p.starts_with("src/tui/") && (names(t, "ratatui") || names(t, "crossterm"))
        })
        .map(|(p, _)| p)
        .collect();
    assert!(
        offenders.is_empty(),
        "ratatui/crossterm named outside src/tui/: {offenders:?}"
    );
}

#[test]
fn the_domain_does_no_io() {
    let offenders: Vec<String> = sources()
        .into_iter()
        .filter(|(p, t)| {
            p.starts_with("crates/gridbook-domain/")
                && ["std::fs", "std::net", "std::process", "std::io::stdout"]
                    .iter()
                    .any(|io| t.contains(io))
        })
        .map(|(p, _)| p)
        .collect();
    assert!(
        offenders.is_empty(),
        "I/O in the domain crate: {offenders:?}"
    );
}

#[test]
fn the_scan_sees_what_it_checks() {
    // A scan that found no files would pass every rule above.
    let all = sources();
    assert!(
        all.iter()
            .any(|(p, t)| p == SLED_ENGINE && names(t, "sled"))
    );
    assert!(
        all.iter()
            .any(|(p, t)| p.starts_with("src/tui/") && names(t, "ratatui"))
    );
    assert!(
        all.iter()
            .any(|(p, _)| p.starts_with("crates/gridbook-domain/"))
    );
}
