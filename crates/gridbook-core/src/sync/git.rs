//! The `git` command, driven with plumbing and `--porcelain` output only
//! (git 2.30 or newer). Nothing here names a person: refs, commit messages
//! and authors carry device names and counts.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use super::SyncError;

/// A bare repository driven through `git --git-dir`.
pub struct Git {
    pub dir: PathBuf,
}

/// A `git` command with a clean environment: no repository or hook
/// variables of a caller leak in, messages are in English (they are parsed),
/// nothing prompts, and ssh never asks for a password.
pub fn command() -> Command {
    let mut c = Command::new("git");
    for var in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_NAMESPACE",
        "GIT_QUARANTINE_PATH",
    ] {
        c.env_remove(var);
    }
    c.env("LC_ALL", "C")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_AUTHOR_NAME", "gridbook")
        .env("GIT_AUTHOR_EMAIL", "gridbook@localhost")
        .env("GIT_COMMITTER_NAME", "gridbook")
        .env("GIT_COMMITTER_EMAIL", "gridbook@localhost");
    if std::env::var_os("GIT_SSH_COMMAND").is_none() && std::env::var_os("GIT_SSH").is_none() {
        c.env(
            "GIT_SSH_COMMAND",
            "ssh -o BatchMode=yes -o ConnectTimeout=20",
        );
    }
    c.stdin(Stdio::null());
    c
}

fn spawn_failed(e: std::io::Error) -> SyncError {
    if e.kind() == std::io::ErrorKind::NotFound {
        SyncError::NoGit
    } else {
        SyncError::Git {
            what: "run git".into(),
            detail: e.to_string(),
        }
    }
}

/// The last non-empty line git wrote on standard error, without `fatal: `.
pub fn last_line(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    // The first fatal line says what went wrong; what follows is advice.
    lines
        .iter()
        .find(|l| l.starts_with("fatal: ") || l.starts_with("error: "))
        .or(lines.last())
        .copied()
        .unwrap_or("")
        .trim_start_matches("fatal: ")
        .trim_start_matches("error: ")
        .to_string()
}

impl Git {
    pub fn new(dir: &Path) -> Git {
        Git {
            dir: dir.to_path_buf(),
        }
    }

    pub fn cmd(&self) -> Command {
        let mut c = command();
        c.arg("--git-dir").arg(&self.dir);
        c
    }

    /// Runs git with `args` (and `input` on standard input), whatever it exits with.
    pub fn output(&self, args: &[&str], input: Option<&[u8]>) -> Result<Output, SyncError> {
        let mut c = self.cmd();
        c.args(args);
        run(c, input)
    }

    /// Runs git and returns its standard output, trimmed; a failure names `args[0]`.
    pub fn ok(&self, args: &[&str]) -> Result<String, SyncError> {
        self.ok_with(args, None)
    }

    pub fn ok_with(&self, args: &[&str], input: Option<&[u8]>) -> Result<String, SyncError> {
        let out = self.output(args, input)?;
        if !out.status.success() {
            return Err(SyncError::Git {
                what: format!("git {}", args.first().copied().unwrap_or("")),
                detail: last_line(&out.stderr),
            });
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// The commit a ref names, if it exists.
    pub fn rev(&self, name: &str) -> Result<Option<String>, SyncError> {
        let out = self.output(
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{name}^{{commit}}"),
            ],
            None,
        )?;
        Ok(out
            .status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string()))
    }

    /// Whether `a` is `b` or an ancestor of it.
    pub fn is_ancestor(&self, a: &str, b: &str) -> Result<bool, SyncError> {
        let out = self.output(&["merge-base", "--is-ancestor", a, b], None)?;
        match out.status.code() {
            Some(0) => Ok(true),
            Some(1) => Ok(false),
            _ => Err(SyncError::Git {
                what: "git merge-base".into(),
                detail: last_line(&out.stderr),
            }),
        }
    }

    /// Refs under `prefix` with the commit each names.
    pub fn refs(&self, prefix: &str) -> Result<Vec<(String, String)>, SyncError> {
        let text = self.ok(&["for-each-ref", "--format=%(objectname) %(refname)", prefix])?;
        Ok(text
            .lines()
            .filter_map(|l| l.split_once(' '))
            .map(|(sha, name)| (name.to_string(), sha.to_string()))
            .collect())
    }

    /// The bytes of `path` in `commit`.
    pub fn file(&self, commit: &str, path: &str) -> Result<Option<Vec<u8>>, SyncError> {
        let out = self.output(&["cat-file", "blob", &format!("{commit}:{path}")], None)?;
        Ok(out.status.success().then_some(out.stdout))
    }

    /// Stores `bytes` as a blob; returns its id.
    pub fn blob(&self, bytes: &[u8]) -> Result<String, SyncError> {
        self.ok_with(&["hash-object", "-w", "--stdin"], Some(bytes))
    }

    /// A commit holding one file, on top of `parent`.
    pub fn commit_file(
        &self,
        parent: Option<&str>,
        name: &str,
        bytes: &[u8],
        message: &str,
    ) -> Result<String, SyncError> {
        let blob = self.blob(bytes)?;
        let tree = self.ok_with(
            &["mktree"],
            Some(format!("100644 blob {blob}\t{name}\n").as_bytes()),
        )?;
        let mut args = vec!["commit-tree", tree.as_str(), "-m", message];
        if let Some(p) = parent {
            args.extend(["-p", p]);
        }
        self.ok(&args)
    }

    /// Moves `name` to `new` if it still names `old` (none: it must not exist).
    pub fn update_ref(&self, name: &str, new: &str, old: Option<&str>) -> Result<(), SyncError> {
        // The all-zero id means "must not exist yet".
        let zero = "0".repeat(new.len());
        self.ok(&["update-ref", name, new, old.unwrap_or(&zero)])
            .map(|_| ())
    }
}

/// Runs a prepared command with `input` on standard input.
pub fn run(mut c: Command, input: Option<&[u8]>) -> Result<Output, SyncError> {
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    if input.is_some() {
        c.stdin(Stdio::piped());
    }
    let mut child = c.spawn().map_err(spawn_failed)?;
    if let Some(bytes) = input {
        let mut stdin = child.stdin.take().ok_or_else(|| SyncError::Git {
            what: "run git".into(),
            detail: "no standard input".into(),
        })?;
        // A large input is written while git reads it; its output is
        // collected after, which git's plumbing allows (it reads all first).
        stdin.write_all(bytes).map_err(|e| SyncError::Git {
            what: "run git".into(),
            detail: e.to_string(),
        })?;
    }
    child.wait_with_output().map_err(spawn_failed)
}

/// Makes a bare repository at `dir` whose writes reach the disk before git
/// reports them done.
pub fn init_bare(dir: &Path) -> Result<Git, SyncError> {
    let mut c = command();
    c.args(["init", "--bare", "--quiet"]).arg(dir);
    let out = run(c, None)?;
    if !out.status.success() {
        return Err(SyncError::Git {
            what: "git init".into(),
            detail: last_line(&out.stderr),
        });
    }
    let git = Git::new(dir);
    git.ok(&["config", "core.fsync", "committed"])?;
    git.ok(&["config", "core.fsyncMethod", "fsync"])?;
    Ok(git)
}
