//! Read-only commands while the TUI has the store open.
//!
//! The TUI holds the one-writer lock for as long as it runs. So that `show`,
//! `find`, `report`, `plan`, `export`, `check` (without `--rebuild`),
//! `conflicts` (the list, `show`) and `sync status` still work from another terminal or a script, the running TUI listens on
//! a Unix socket in the data directory (`gridbook.sock`, mode 0600 in the
//! 0700 directory) and answers them from a background thread through a
//! read-only share of the store it holds ([`Store::share`]); the UI never
//! waits for it. Writers still wait for the lock (`--wait`) and then exit 3,
//! and a second TUI is still turned away at once: there stays one writer.
//!
//! The protocol, one request per connection: the client sends
//! `GBREQ2\n`, a count and then length-prefixed strings (its working
//! directory, its language, whether its standard output and standard error
//! take colour, its arguments; `GBREQ1` had no colours and gets none); the
//! TUI answers with the exit
//! code (one byte) and the command's standard output and standard error
//! (each length-prefixed). A socket nobody listens on (the TUI was killed)
//! is stale: the next command that can take the lock removes it.

use std::io::{self, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clap::Parser;
use gridbook_domain::error::ErrorKind;
use gridbook_domain::i18n::Lang;
use gridbook_store::store::Store;

use crate::cli::{Cli, Cmd, out};
use crate::env::Env;
use crate::fail::Fail;

/// The socket's name in the data directory.
pub const SOCKET: &str = "gridbook.sock";

const MAGIC: &[u8] = b"GBREQ2\n";
/// The first protocol, without the caller's colours: still answered.
const MAGIC_V1: &[u8] = b"GBREQ1\n";
/// The longest request taken: arguments, not data.
const MAX_REQUEST: u32 = 1 << 20;
/// How long a client waits for the TUI's answer.
const ANSWER_WAIT: Duration = Duration::from_secs(120);

pub fn socket_path(data: &Path) -> PathBuf {
    data.join(SOCKET)
}

/// Whether the running TUI may answer `cmd`: it reads only, and asks
/// nothing on a terminal.
pub fn answers(cmd: &Option<Cmd>) -> bool {
    matches!(
        cmd,
        Some(
            Cmd::Show { .. }
                | Cmd::Find { .. }
                | Cmd::Report(_)
                | Cmd::Plan { .. }
                | Cmd::Export {
                    passphrase: false,
                    ..
                }
                | Cmd::Check { rebuild: false, .. }
                | Cmd::Conflicts {
                    what: None | Some(crate::cli::ConflictsCmd::Show { .. }),
                    ..
                }
                | Cmd::Sync(crate::cli::sync::SyncArgs {
                    what: Some(crate::cli::sync::SyncCmd::Status { .. }),
                    ..
                })
        )
    )
}

// ---- the client ---------------------------------------------------------

/// What the running TUI answered.
pub struct Answer {
    pub code: u8,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// Asks the TUI running on `data` to run this process's arguments, if one
/// is listening. `None`: no TUI answers (none runs, or its socket was
/// stale and is now removed): run the command here.
pub fn ask(data: &Path, lang: Lang) -> Result<Option<Answer>, Fail> {
    let path = socket_path(data);
    if std::fs::symlink_metadata(&path).is_err() {
        return Ok(None);
    }
    let mut stream = match UnixStream::connect(&path) {
        Ok(s) => s,
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::ConnectionRefused | io::ErrorKind::NotFound
            ) =>
        {
            remove_stale(data);
            return Ok(None);
        }
        Err(e) => return Err(crate::fail::io_fail(&path.display().to_string(), &e)),
    };
    let cwd = std::env::current_dir().unwrap_or_default();
    // The caller's colours: its --color, NO_COLOR, and its own streams.
    let colors = out::Colors::here();
    let mut strings = vec![
        cwd.to_string_lossy().into_owned(),
        match lang {
            Lang::En => "en".to_string(),
            Lang::Zh => "zh".to_string(),
        },
        colors_text(colors),
    ];
    strings.extend(std::env::args_os().map(|a| a.to_string_lossy().into_owned()));
    let unavailable = |e: io::Error| {
        Fail::of(
            ErrorKind::Unavailable,
            format!(
                "the gridbook TUI running on {} did not answer ({e}); try again, or close it",
                data.display()
            ),
        )
    };
    stream
        .set_read_timeout(Some(ANSWER_WAIT))
        .map_err(unavailable)?;
    write_request(&mut stream, &strings).map_err(unavailable)?;
    read_answer(&mut stream).map(Some).map_err(unavailable)
}

/// Removes a socket nobody listens on, if no gridbook holds the lock (a
/// TUI starting up binds it after taking the lock).
fn remove_stale(data: &Path) {
    if let Ok(lock) = Store::lock(data) {
        let _ = std::fs::remove_file(socket_path(data));
        drop(lock);
    }
}

/// Prints what the TUI answered and ends the process with its exit code.
pub fn finish(a: Answer) -> ! {
    let code = match out::bytes(&a.stdout) {
        Ok(()) => a.code,
        Err(f) if f.is_quiet() => 0,
        Err(f) => f.code,
    };
    let _ = io::stderr().lock().write_all(&a.stderr);
    std::process::exit(code.into())
}

/// Colours as the request says them: one `0` or `1` per stream.
fn colors_text(c: out::Colors) -> String {
    [c.stdout, c.stderr]
        .iter()
        .map(|&on| if on { '1' } else { '0' })
        .collect()
}

fn parse_colors(s: &str) -> out::Colors {
    out::Colors {
        stdout: s.as_bytes().first() == Some(&b'1'),
        stderr: s.as_bytes().get(1) == Some(&b'1'),
    }
}

fn write_request(w: &mut impl Write, strings: &[String]) -> io::Result<()> {
    let mut b = MAGIC.to_vec();
    b.extend_from_slice(&(strings.len() as u32).to_be_bytes());
    for s in strings {
        b.extend_from_slice(&(s.len() as u32).to_be_bytes());
        b.extend_from_slice(s.as_bytes());
    }
    w.write_all(&b)?;
    w.flush()
}

fn read_answer(r: &mut impl Read) -> io::Result<Answer> {
    let mut code = [0u8; 1];
    r.read_exact(&mut code)?;
    let mut part = || -> io::Result<Vec<u8>> {
        let mut n = [0u8; 8];
        r.read_exact(&mut n)?;
        let mut v = Vec::new();
        r.take(u64::from_be_bytes(n)).read_to_end(&mut v)?;
        Ok(v)
    };
    let stdout = part()?;
    let stderr = part()?;
    Ok(Answer {
        code: code[0],
        stdout,
        stderr,
    })
}

// ---- the server (the TUI) -------------------------------------------------

/// Stops the listening thread when dropped, and removes the socket.
pub struct Serving {
    stop: Arc<AtomicBool>,
    path: PathBuf,
}

impl Drop for Serving {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Binds the socket of `data` (whose lock the caller holds, so a socket
/// already there is stale) and answers requests on a thread of `scope`
/// until the returned guard is dropped. `None` when the socket cannot be
/// made (then read-only commands wait for the lock, as writers do).
pub fn serve<'scope, 'env>(
    scope: &'scope std::thread::Scope<'scope, 'env>,
    store: &'env Store,
    data: &Path,
) -> Option<Serving> {
    let path = socket_path(data);
    let _ = std::fs::remove_file(&path);
    let listener = bind_private(&path).ok()?;
    listener.set_nonblocking(true).ok()?;
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = stop.clone();
    let data = data.to_path_buf();
    let shown = path.clone();
    scope.spawn(move || {
        while !stopped.load(Ordering::SeqCst) {
            match listener.accept() {
                Ok((stream, _)) => answer(stream, store, &data),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(25));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
        let _ = std::fs::remove_file(&shown);
    });
    Some(Serving { stop, path })
}

impl Serving {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Binds the socket and makes it 0600 (the data directory is 0700
/// already, so nobody else could reach it in between).
fn bind_private(path: &Path) -> io::Result<UnixListener> {
    let listener = UnixListener::bind(path)?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    Ok(listener)
}

/// Answers one connection: reads the request, runs it, writes the answer.
fn answer(mut stream: UnixStream, store: &Store, data: &Path) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let Ok(strings) = read_request(&mut stream) else {
        return;
    };
    let (code, stdout, stderr) = run(&strings, store, data);
    let mut b = vec![code];
    b.extend_from_slice(&(stdout.len() as u64).to_be_bytes());
    b.extend_from_slice(&stdout);
    b.extend_from_slice(&(stderr.len() as u64).to_be_bytes());
    b.extend_from_slice(&stderr);
    let _ = stream.write_all(&b);
}

fn read_request(r: &mut impl Read) -> io::Result<Vec<String>> {
    let bad = || io::Error::new(io::ErrorKind::InvalidData, "not a gridbook request");
    let mut magic = [0u8; 7];
    r.read_exact(&mut magic)?;
    let v1 = magic == MAGIC_V1;
    if magic != MAGIC && !v1 {
        return Err(bad());
    }
    let mut n = [0u8; 4];
    r.read_exact(&mut n)?;
    let count = u32::from_be_bytes(n);
    if count > 4096 {
        return Err(bad());
    }
    let mut total = 0u32;
    let mut out = Vec::new();
    for _ in 0..count {
        r.read_exact(&mut n)?;
        let len = u32::from_be_bytes(n);
        total = total.saturating_add(len);
        if total > MAX_REQUEST {
            return Err(bad());
        }
        let mut s = vec![0; len as usize];
        r.read_exact(&mut s)?;
        out.push(String::from_utf8(s).map_err(|_| bad())?);
    }
    if v1 && out.len() >= 2 {
        // No colours said: none.
        out.insert(2, "00".to_string());
    }
    Ok(out)
}

/// Runs a request's arguments as the command line would, against a share
/// of the TUI's store, with the output kept: exit code, stdout, stderr.
fn run(strings: &[String], store: &Store, data: &Path) -> (u8, Vec<u8>, Vec<u8>) {
    let said =
        |code: u8, msg: String| (code, Vec::new(), format!("gridbook: {msg}\n").into_bytes());
    let [cwd, lang, colors, argv @ ..] = strings else {
        return said(2, "an empty request".into());
    };
    let cli = match Cli::try_parse_from(argv) {
        Ok(cli) => cli,
        Err(e) => return said(2, e.to_string().trim().to_string()),
    };
    if !answers(&cli.cmd) {
        return said(
            3,
            format!(
                "the data directory {} is in use by the gridbook TUI, which answers only commands that read; close it first",
                data.display()
            ),
        );
    }
    let cmd = cli.cmd.map(|c| in_dir(c, Path::new(cwd)));
    let lang = lang.parse::<Lang>().ok().or(cli.lang);
    let colors = parse_colors(colors);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        out::capture(colors, || {
            let mut env = Env::resolve(Some(data), lang, cli.as_member.clone())?;
            env.lent = Some(store.share());
            crate::cli::run_in(env, cmd)
        })
    }));
    let Ok((result, got)) = result else {
        return said(1, "the command failed inside the running TUI".into());
    };
    let mut stderr = got.stderr;
    let code = match result {
        Ok(()) => 0,
        Err(f) if f.is_quiet() => 0,
        Err(f) => {
            stderr.extend_from_slice(
                format!(
                    "{} {}\n",
                    out::paint(colors.stderr, out::Paint::Red, "gridbook:"),
                    // In the caller's language, as its own run would say it.
                    gridbook_domain::text::visible_lines(&f.message(lang.unwrap_or(Lang::En)))
                )
                .as_bytes(),
            );
            f.code
        }
    };
    (code, got.stdout, stderr)
}

/// Paths the client gave relative to its own working directory.
fn in_dir(cmd: Cmd, cwd: &Path) -> Cmd {
    let abs = |p: PathBuf| if p.is_absolute() { p } else { cwd.join(p) };
    match cmd {
        Cmd::Export {
            format,
            out,
            bom,
            no_bom,
            passphrase,
            recipients,
        } => Cmd::Export {
            format,
            out: out.map(abs),
            bom,
            no_bom,
            passphrase,
            recipients,
        },
        Cmd::Report(mut args) => {
            args.csv = args.csv.map(abs);
            args.xlsx = args.xlsx.map(abs);
            Cmd::Report(args)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_answers_round_trip() {
        let strings = vec![
            "/home/x".to_string(),
            "zh".into(),
            "gridbook".into(),
            "show".into(),
            "胜利花苑".into(),
        ];
        let mut b = Vec::new();
        write_request(&mut b, &strings).unwrap();
        assert_eq!(read_request(&mut b.as_slice()).unwrap(), strings);
        assert!(read_request(&mut &b"GET / HTTP/1.1\r\n"[..]).is_err());
        let mut a = vec![3u8];
        for part in [b"out".as_slice(), b"err"] {
            a.extend_from_slice(&(part.len() as u64).to_be_bytes());
            a.extend_from_slice(part);
        }
        // The first protocol said no colours: none.
        let mut v1 = b"GBREQ1\n".to_vec();
        v1.extend_from_slice(&b[7..]);
        let old = read_request(&mut v1.as_slice()).unwrap();
        assert_eq!(old[2], "00");
        assert_eq!(old[3..], strings[2..]);
        assert_eq!(
            parse_colors("10"),
            out::Colors {
                stdout: true,
                stderr: false
            }
        );
        assert_eq!(
            parse_colors(&colors_text(out::Colors {
                stdout: false,
                stderr: true
            })),
            out::Colors {
                stdout: false,
                stderr: true
            }
        );
        let got = read_answer(&mut a.as_slice()).unwrap();
        assert_eq!(
            (got.code, got.stdout, got.stderr),
            (3, b"out".to_vec(), b"err".to_vec())
        );
    }
}
