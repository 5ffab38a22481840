//! Team sync through git: several data directories (laptops) against an
//! office repository in a temporary folder, driven through the binary.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command as Std;

use assert_cmd::Command;
use common::{MEMBERS, NOW, ROSTER};

/// One laptop: its own data and config directories.
struct Laptop {
    dir: tempfile::TempDir,
}

impl Laptop {
    fn new() -> Laptop {
        Laptop {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// The office's laptop: the roster and members imported.
    fn with_estate() -> Laptop {
        let l = Laptop::new();
        std::fs::write(l.dir.path().join("roster.csv"), ROSTER).unwrap();
        std::fs::write(l.dir.path().join("members.csv"), MEMBERS).unwrap();
        let roster = l.path("roster.csv");
        let members = l.path("members.csv");
        l.ok(&["import", "roster", &roster]);
        l.ok(&["import", "members", &members]);
        l
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn cmd(&self, args: &[&str]) -> Command {
        Command::from_std(self.std_cmd(args))
    }

    /// The same command as a standard one, to spawn and kill.
    fn std_cmd(&self, args: &[&str]) -> Std {
        let mut c = Std::new(assert_cmd::cargo::cargo_bin("gridbook"));
        c.env("GRIDBOOK_NOW", NOW)
            .env("GRIDBOOK_TZ", "Asia/Shanghai")
            .env("GRIDBOOK_CONFIG", self.dir.path().join("config"))
            .env_remove("GRIDBOOK_DATA")
            .arg("--data")
            .arg(self.data())
            .args(args);
        c
    }

    fn run(&self, args: &[&str]) -> (Option<i32>, String, String) {
        let out = self.cmd(args).output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    }

    fn ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.run(args);
        assert_eq!(code, Some(0), "{args:?} failed: {err}");
        out
    }

    /// Runs expecting exit `code`, one line on standard error, and the
    /// export unchanged; returns the line.
    fn fails(&self, code: i32, args: &[&str]) -> String {
        let before = self.export_raw();
        let (got, _, err) = self.run(args);
        assert_eq!(got, Some(code), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert_eq!(self.export_raw(), before, "{args:?} changed the store");
        err
    }

    fn export_raw(&self) -> Option<String> {
        let (code, out, _) = self.run(&["export"]);
        (code == Some(0)).then_some(out)
    }

    /// Every record and event, as a set of JSON texts (the order of replay
    /// is the merge rule's business; the set is what must agree).
    fn entries(&self) -> BTreeSet<String> {
        let v: serde_json::Value = serde_json::from_str(&self.ok(&["export"])).unwrap();
        let mut set = BTreeSet::new();
        for kind in [
            "areas",
            "buildings",
            "households",
            "residents",
            "members",
            "events",
        ] {
            for e in v[kind].as_array().unwrap() {
                set.insert(format!("{kind}:{e}"));
            }
        }
        set
    }

    /// Syncs, then checks that every derived index is what a full rebuild
    /// gives (the replay after a merge recomputes only what arrived).
    fn sync(&self) -> String {
        let out = self.ok(&["sync"]);
        self.ok(&["check"]);
        out
    }

    fn events(&self) -> usize {
        let v: serde_json::Value = serde_json::from_str(&self.ok(&["export"])).unwrap();
        v["events"].as_array().unwrap().len()
    }

    /// A new laptop holding a copy of this one's data directory, without
    /// its `sync` folder (how an office sets up laptops from one).
    fn copy(&self) -> Laptop {
        let c = Laptop::new();
        let ok = Std::new("cp")
            .arg("-a")
            .arg(self.data())
            .arg(c.data())
            .status()
            .unwrap();
        assert!(ok.success());
        std::fs::remove_dir_all(c.data().join("sync")).unwrap();
        c
    }

    /// The stamp's device of the event whose note is `note`.
    fn stamp_device(&self, note: &str) -> String {
        let v: serde_json::Value = serde_json::from_str(&self.ok(&["export"])).unwrap();
        let event = v["events"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e.to_string().contains(note))
            .unwrap_or_else(|| panic!("no event noted {note}"));
        let id = &event["id"];
        let stamp = v["stamps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| &s["id"] == id)
            .unwrap();
        stamp["device"].as_str().unwrap().to_string()
    }

    fn visit(&self, room: &str, member: &str, note: &str) {
        self.ok(&[
            "--as",
            member,
            "log",
            "visit",
            "--household",
            &format!("slhy/3/{room}"),
            "--note",
            note,
        ]);
    }
}

/// An office in a temporary folder, with its community key.
struct Office {
    dir: tempfile::TempDir,
}

impl Office {
    fn new(plaintext: bool) -> Office {
        let o = Office {
            dir: tempfile::tempdir().unwrap(),
        };
        let l = Laptop::new();
        let repo = o.repo();
        let key = o.key();
        let mut args = vec!["office", "init", repo.as_str()];
        if plaintext {
            args.push("--plaintext");
        } else {
            args.extend(["--key-out", key.as_str()]);
        }
        let out = l.ok(&args);
        assert!(out.contains("Office made"), "{out}");
        o
    }

    fn repo(&self) -> String {
        self.dir.path().join("office.git").display().to_string()
    }

    fn key(&self) -> String {
        self.dir.path().join("community.key").display().to_string()
    }

    fn join(&self, l: &Laptop, name: &str) {
        let repo = self.repo();
        let key = self.key();
        let mut args = vec!["sync", "init", "--office", &repo, "--device-name", name];
        if Path::new(&key).exists() {
            args.extend(["--key", &key]);
        }
        let out = l.ok(&args);
        assert!(out.contains(name), "{out}");
    }

    /// Every object in the office repository, as `git cat-file` prints it.
    fn all_objects(&self) -> Vec<u8> {
        let out = Std::new("git")
            .args(["--git-dir", &self.repo()])
            .args(["cat-file", "--batch-all-objects", "--batch", "--unordered"])
            .output()
            .unwrap();
        assert!(out.status.success());
        out.stdout
    }
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn laptops_syncing_in_any_order_end_with_every_entry_once() {
    let office = Office::new(false);
    let hq = Laptop::with_estate();
    office.join(&hq, "office-pc");
    let out = hq.sync();
    assert!(out.starts_with("sent "), "{out}");
    assert!(out.contains("received 0 from 0 devices"), "{out}");

    let a = Laptop::new();
    let b = Laptop::new();
    // Named to sort before the office: batches apply in time order, not by name.
    office.join(&a, "aa-zhu");
    office.join(&b, "sun-laptop");
    let out = a.sync();
    assert!(
        out.contains("sent 0") && out.contains("from 1 device,"),
        "{out}"
    );
    assert_eq!(a.entries(), hq.entries(), "the roster arrived whole");

    // Offline work on every laptop, then syncs in several orders.
    a.visit("2-501", "孙丽", "老人身体不错");
    a.visit("1-101", "孙丽", "家中无人");
    b.sync();
    b.visit("1-601", "赵建国", "反映楼道灯坏了");
    hq.visit("2-501", "王强", "送慰问品");
    let out = b.sync();
    assert!(out.starts_with("sent 1,"), "{out}");
    let out = a.sync();
    assert!(
        out.starts_with("sent 2,") && out.contains("received 1 from 1 device"),
        "{out}"
    );
    hq.sync();
    b.sync();
    a.sync();
    // A problem stepped on two laptops at once: the resolve and the
    // progress note interleave in the agreed order on every laptop.
    let p = b.ok(&[
        "log",
        "problem",
        "--zone",
        "slhy/3",
        "--category",
        "repair",
        "--note",
        "楼道灯不亮",
    ]);
    let p = p.trim().to_string();
    b.sync();
    a.sync();
    a.ok(&["log", "resolve", &p, "--note", "已修好"]);
    b.ok(&["log", "progress", &p, "--note", "已报物业"]);
    a.sync();
    b.sync();
    hq.sync();
    a.sync();
    let all = hq.entries();
    assert_eq!(a.entries(), all);
    assert_eq!(b.entries(), all);
    // A laptop joining late takes every batch at once; its indexes agree.
    let late = Laptop::new();
    office.join(&late, "aaa-late");
    late.sync();
    assert_eq!(late.entries(), all);
    for l in [&hq, &a, &b, &late] {
        l.ok(&["check"]);
    }
    // Nothing lost, nothing twice: 4 visits, a problem and 2 steps beyond
    // the estate's events.
    let fresh = Laptop::with_estate();
    assert_eq!(hq.events(), fresh.events() + 7);

    // A sync with nothing new changes nothing and says so.
    let before = a.export_raw();
    let out = a.ok(&["sync"]);
    assert_eq!(out.trim(), "sent 0, received 0 from 0 devices, 0 conflicts");
    assert_eq!(a.export_raw(), before);
    let zh = a.ok(&["--lang", "zh", "sync"]);
    assert_eq!(zh.trim(), "发出 0 条，收到 0 条，来自 0 台设备，0 处冲突");

    // Status: nothing unsent, every device's last batch.
    let s: serde_json::Value = serde_json::from_str(&a.ok(&["sync", "status", "--json"])).unwrap();
    // The fields the README documents, and no others.
    let fields: BTreeSet<&str> = s.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        fields,
        BTreeSet::from([
            "device",
            "office",
            "plaintext",
            "unsent",
            "last_push",
            "last_pull",
            "devices"
        ])
    );
    assert_eq!(s["device"], "aa-zhu");
    assert_eq!(s["unsent"], 0);
    assert_eq!(s["plaintext"], false);
    assert!(
        s["last_push"].is_string() && s["last_pull"].is_string(),
        "{s}"
    );
    let names: Vec<&str> = s["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["aa-zhu", "office-pc", "sun-laptop"]);
    assert!(
        s["devices"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["last_batch_at"].is_string()),
        "{s}"
    );
    // Unsent counts what waits.
    a.visit("2-501", "孙丽", "又来一次");
    let s: serde_json::Value = serde_json::from_str(&a.ok(&["sync", "status", "--json"])).unwrap();
    assert_eq!(s["unsent"], 1);
    let out = a.ok(&["sync", "--dry-run"]);
    assert!(out.starts_with("would send 1,"), "{out}");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&a.ok(&["sync", "status", "--json"])).unwrap()["unsent"],
        1,
        "a dry run sends nothing"
    );
}

#[test]
fn no_resident_name_is_readable_in_an_encrypted_office() {
    for plaintext in [false, true] {
        let office = Office::new(plaintext);
        let hq = Laptop::with_estate();
        office.join(&hq, "office-pc");
        hq.visit("2-501", "孙丽", "吕桂英血压偏高");
        hq.ok(&["sync"]);
        let objects = office.all_objects();
        let leaked = ["吕桂英", "欧阳娜娜", "13805461234", "血压偏高"]
            .iter()
            .any(|n| contains(&objects, n));
        // The plaintext office shows that the search would find them.
        assert_eq!(leaked, plaintext, "plaintext: {plaintext}");
        let s: serde_json::Value =
            serde_json::from_str(&hq.ok(&["sync", "status", "--json"])).unwrap();
        assert_eq!(s["plaintext"], plaintext);
    }
}

/// Pushes `refspec` from a scratch repository to the office with git itself,
/// naming `device` as gridbook does; returns whether git succeeded and what
/// it said.
fn raw_push(office: &Office, device: Option<&str>, refspec: &str, work: &Path) -> (bool, String) {
    let mut c = Std::new("git");
    c.current_dir(work).args(["push", "--porcelain"]);
    let opt;
    if let Some(d) = device {
        opt = format!("gridbook-device={d}");
        c.args(["-o", &opt]);
    }
    let out = c.arg(office.repo()).arg(refspec).output().unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn the_office_refuses_a_foreign_branch_a_forced_push_and_a_deletion() {
    let office = Office::new(false);
    let work = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let out = Std::new("git")
            .current_dir(work.path())
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@t")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@t")
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    git(&["init", "-q"]);
    git(&["commit", "-q", "--allow-empty", "-m", "one"]);
    // Its own branch: accepted.
    let (ok, said) = raw_push(
        &office,
        Some("alpha"),
        "HEAD:refs/heads/dev/alpha",
        work.path(),
    );
    assert!(ok, "{said}");
    // Another device's branch, the marker, a branch outside dev/, no name.
    for (device, refspec) in [
        (Some("alpha"), "HEAD:refs/heads/dev/beta"),
        (Some("alpha"), "HEAD:refs/heads/main"),
        (None, "HEAD:refs/heads/dev/alpha2"),
        (Some("Alpha;rm"), "HEAD:refs/heads/dev/Alpha;rm"),
    ] {
        let (ok, said) = raw_push(&office, device, refspec, work.path());
        assert!(!ok, "{refspec} was accepted: {said}");
        assert!(said.contains("gridbook: refused"), "{said}");
    }
    // The office's marker cannot be replaced either.
    let (ok, said) = raw_push(
        &office,
        Some("alpha"),
        "+HEAD:refs/heads/office",
        work.path(),
    );
    assert!(!ok, "{said}");
    // A rewritten history (forced push) and a deletion of its own branch.
    git(&[
        "commit",
        "-q",
        "--amend",
        "--allow-empty",
        "-m",
        "rewritten",
    ]);
    let (ok, said) = raw_push(
        &office,
        Some("alpha"),
        "+HEAD:refs/heads/dev/alpha",
        work.path(),
    );
    assert!(!ok && said.contains("non-fast-forward"), "{said}");
    let (ok, said) = raw_push(&office, Some("alpha"), ":refs/heads/dev/alpha", work.path());
    assert!(!ok && said.contains("deletion"), "{said}");
    // A revoked device is refused on the folder too.
    let l = Laptop::new();
    let repo = office.repo();
    let keys = office
        .dir
        .path()
        .join("authorized_keys")
        .display()
        .to_string();
    l.ok(&[
        "office",
        "revoke-device",
        "alpha",
        "--office",
        &repo,
        "--authorized-keys",
        &keys,
    ]);
    git(&["fetch", "-q", &repo, "refs/heads/dev/alpha"]);
    git(&["reset", "-q", "--hard", "FETCH_HEAD"]);
    git(&["commit", "-q", "--allow-empty", "-m", "two"]);
    let (ok, said) = raw_push(
        &office,
        Some("alpha"),
        "HEAD:refs/heads/dev/alpha",
        work.path(),
    );
    assert!(!ok && said.contains("revoked"), "{said}");
}

#[test]
fn add_device_pins_the_key_to_git_shell_and_the_name() {
    let office = Office::new(false);
    let l = Laptop::new();
    let repo = office.repo();
    let keys = office.dir.path().join("ssh/authorized_keys");
    let keys_s = keys.display().to_string();
    let pub_key = l.path("zhu.pub");
    std::fs::write(
        &pub_key,
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBvmu0rvxjJHj0c8KcbwSxZRvhOrG7z5s8wW1XYx3Mwb 朱杰@laptop\n",
    )
    .unwrap();
    let add = [
        "office",
        "add-device",
        "zhu-laptop",
        "--key",
        &pub_key,
        "--office",
        &repo,
        "--authorized-keys",
        &keys_s,
    ];
    l.ok(&add);
    let text = std::fs::read_to_string(&keys).unwrap();
    assert_eq!(
        text,
        "command=\"GRIDBOOK_DEVICE=zhu-laptop git-shell -c \\\"$SSH_ORIGINAL_COMMAND\\\"\",restrict ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBvmu0rvxjJHj0c8KcbwSxZRvhOrG7z5s8wW1XYx3Mwb gridbook-device:zhu-laptop\n"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&keys).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let mode = std::fs::metadata(office.key())
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "the community key");
    }
    // Twice, a bad name, a file that is no key: exit 2, file unchanged.
    for (args, code) in [
        (add.to_vec(), 2),
        (
            [
                "office",
                "add-device",
                "Zhu Laptop",
                "--key",
                &pub_key,
                "--office",
                &repo,
                "--authorized-keys",
                &keys_s,
            ]
            .to_vec(),
            2,
        ),
        (
            [
                "office",
                "add-device",
                "other",
                "--key",
                &repo,
                "--office",
                &repo,
                "--authorized-keys",
                &keys_s,
            ]
            .to_vec(),
            2,
        ),
        (
            [
                "office",
                "add-device",
                "other",
                "--key",
                &pub_key,
                "--office",
                &l.path("."),
                "--authorized-keys",
                &keys_s,
            ]
            .to_vec(),
            2,
        ),
    ] {
        let (got, _, err) = l.run(&args);
        assert_eq!(got, Some(code), "{args:?}: {err}");
        assert_eq!(std::fs::read_to_string(&keys).unwrap(), text);
    }
    l.ok(&[
        "office",
        "revoke-device",
        "zhu-laptop",
        "--office",
        &repo,
        "--authorized-keys",
        &keys_s,
    ]);
    assert_eq!(std::fs::read_to_string(&keys).unwrap(), "");
}

#[test]
fn a_bundle_carries_batches_between_laptops_without_the_office() {
    let office = Office::new(false);
    let hq = Laptop::with_estate();
    office.join(&hq, "office-pc");
    hq.ok(&["sync"]);
    let a = Laptop::new();
    let b = Laptop::new();
    office.join(&a, "zhu-laptop");
    office.join(&b, "sun-laptop");
    a.ok(&["sync"]);
    b.ok(&["sync"]);
    a.visit("2-501", "孙丽", "离线走访");
    let stick = a.path("gridbook.bundle");
    let out = a.ok(&["sync", "bundle", "export", &stick]);
    assert!(out.contains("1 entries") || out.contains("(1 "), "{out}");
    let out = b.ok(&["sync", "bundle", "import", &stick]);
    assert!(out.contains("received 1 from 1 device"), "{out}");
    assert_eq!(a.entries(), b.entries());
    // Importing it again changes nothing.
    let before = b.export_raw();
    let out = b.ok(&["sync", "bundle", "import", &stick]);
    assert!(out.contains("received 0"), "{out}");
    assert_eq!(b.export_raw(), before);
    // The office never saw it until a laptop syncs; then every laptop agrees.
    b.ok(&["sync"]);
    hq.ok(&["sync"]);
    assert_ne!(hq.entries(), a.entries(), "b sends only what b wrote");
    a.ok(&["sync"]);
    hq.ok(&["sync"]);
    assert_eq!(hq.entries(), a.entries());
    // A file that is not a bundle: exit 2, nothing changed.
    let junk = b.path("junk.bundle");
    std::fs::write(&junk, "not a bundle").unwrap();
    b.fails(2, &["sync", "bundle", "import", &junk]);
}

#[test]
fn faults_are_one_line_with_their_exit_code_and_change_nothing() {
    let office = Office::new(false);
    let repo = office.repo();
    let key = office.key();
    let l = Laptop::with_estate();
    // Not set up yet.
    let err = l.fails(2, &["sync"]);
    assert!(err.contains("sync init"), "{err}");
    // A folder that is no office, a git repository without the marker.
    let plain = l.path("plain.git");
    assert!(
        Std::new("git")
            .args(["init", "-q", "--bare", &plain])
            .status()
            .unwrap()
            .success()
    );
    for not in [l.path("roster.csv"), plain] {
        let err = l.fails(2, &["sync", "init", "--office", &not, "--key", &key]);
        assert!(err.contains("not a gridbook office"), "{err}");
    }
    // A missing office folder (a USB stick not plugged in): unavailable.
    let err = l.fails(
        3,
        &[
            "sync",
            "init",
            "--office",
            &l.path("nowhere"),
            "--key",
            &key,
        ],
    );
    assert!(err.contains("cannot be reached"), "{err}");
    // A wrong key, no key, a bad device name.
    let other = Office::new(false);
    let err = l.fails(
        2,
        &["sync", "init", "--office", &repo, "--key", &other.key()],
    );
    assert!(err.contains("wrong community key"), "{err}");
    let err = l.fails(2, &["sync", "init", "--office", &repo]);
    assert!(err.contains("--key"), "{err}");
    let err = l.fails(
        2,
        &[
            "sync",
            "init",
            "--office",
            &repo,
            "--key",
            &key,
            "--device-name",
            "Zhu/../x",
        ],
    );
    assert!(err.contains("cannot be a device name"), "{err}");
    assert!(
        !l.data().join("sync").exists(),
        "a failed init leaves nothing"
    );

    office.join(&l, "office-pc");
    let err = l.fails(2, &["sync", "init", "--office", &repo, "--key", &key]);
    assert!(err.contains("already set up"), "{err}");
    l.ok(&["sync"]);
    // The office went away: unavailable, and the outbox keeps the entry.
    l.visit("2-501", "孙丽", "办公室不在");
    let moved = office.dir.path().join("away.git");
    std::fs::rename(&repo, &moved).unwrap();
    let err = l.fails(3, &["sync"]);
    assert!(err.contains("cannot be reached"), "{err}");
    std::fs::rename(&moved, &repo).unwrap();

    // The same device name on a second laptop whose journal went its own
    // way (a batch made into a bundle, never pushed): refused, not forced.
    let twin = Laptop::new();
    office.join(&twin, "office-pc");
    twin.ok(&["sync"]);
    twin.visit("1-101", "孙丽", "同名设备");
    twin.ok(&["sync", "bundle", "export", &twin.path("b.bundle")]);
    l.ok(&["sync"]);
    let err = twin.fails(2, &["sync"]);
    assert!(err.contains("non-fast-forward"), "{err}");
    // The first laptop still syncs.
    let out = l.ok(&["sync"]);
    assert!(out.starts_with("sent 0,"), "{out}");
}

fn zh<'a>(args: &[&'a str]) -> Vec<&'a str> {
    [&["--lang", "zh"], args].concat()
}

/// Under `--lang zh` a community key that will not do and a batch that
/// will not open are refused in Chinese, as restore's and import's files
/// are: one line, exit 2, nothing changed.
#[test]
fn key_and_batch_faults_are_said_in_chinese() {
    let office = Office::new(false);
    let (repo, key) = (office.repo(), office.key());
    let other = Office::new(false);
    let hq = Laptop::with_estate();
    let english = |err: &str| {
        [
            "wrong community",
            "holds no",
            "encrypt",
            "cannot",
            "laptop",
            "give its",
        ]
        .iter()
        .any(|w| err.contains(w))
    };
    // A file that holds no key, another office's key, no key at all.
    let junk = hq.path("钥匙.txt");
    std::fs::write(&junk, "不是密钥\n").unwrap();
    let other_key = other.key();
    for (key, want) in [
        (Some(junk.as_str()), format!("{junk} 中没有 age 私钥")),
        (
            Some(other_key.as_str()),
            "这不是该办公室加密所用的密钥".into(),
        ),
        (None, "请用 --key FILE 给出社区密钥".into()),
    ] {
        let mut args = vec!["sync", "init", "--office", &repo];
        args.extend(key.map(|k| ["--key", k]).into_iter().flatten());
        let err = hq.fails(2, &zh(&args));
        assert!(
            err.contains("社区密钥不对：") && err.contains(&want),
            "{err}"
        );
        assert!(!english(&err), "{err}");
    }

    office.join(&hq, "hq");
    hq.ok(&["sync"]);
    let b = Laptop::new();
    office.join(&b, "b");
    b.sync();
    // The key kept in the data directory swapped for another office's,
    // then gone.
    let kept = b.data().join("sync").join("community.key");
    std::fs::copy(&other_key, &kept).unwrap();
    let err = b.fails(2, &zh(&["sync"]));
    assert!(err.contains("社区密钥不对：这不是该办公室"), "{err}");
    std::fs::remove_file(&kept).unwrap();
    let err = b.fails(2, &zh(&["sync"]));
    assert!(err.contains("无法读取社区密钥"), "{err}");
    assert!(!english(&err) && !err.contains("No such file"), "{err}");
    std::fs::copy(&key, &kept).unwrap();

    // A damaged batch at the office, on a device branch of its own.
    let work = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let ok = Std::new("git")
            .current_dir(work.path())
            .args(["-c", "user.name=x", "-c", "user.email=x@x"])
            .args(args)
            .status()
            .unwrap();
        assert!(ok.success(), "{args:?}");
    };
    git(&["init", "-q"]);
    std::fs::write(
        work.path().join("batch.jsonl.age"),
        "age-encryption.org/v1\n-> X25519 坏了\n--- 坏了\n",
    )
    .unwrap();
    git(&["add", "batch.jsonl.age"]);
    git(&["commit", "-q", "-m", "batch"]);
    let (pushed, said) = raw_push(
        &office,
        Some("broken"),
        "HEAD:refs/heads/dev/broken",
        work.path(),
    );
    assert!(pushed, "{said}");
    let err = b.fails(2, &zh(&["sync"]));
    assert!(
        err.contains("来自 broken 的批次（") && err.contains("无法读取：不是可读的 age 加密文件"),
        "{err}"
    );
    assert!(!english(&err) && !err.contains("batch:"), "{err}");
    let (_, _, en) = b.run(&["sync"]);
    assert!(en.contains("a batch from broken ("), "{en}");
    assert!(
        en.contains("cannot be read: batch: not a readable age file: "),
        "{en}"
    );
}

#[test]
fn a_laptop_reinstalled_with_its_device_name_takes_its_branch_back() {
    let office = Office::new(false);
    let hq = Laptop::with_estate();
    office.join(&hq, "office-pc");
    hq.visit("2-501", "孙丽", "重装之前");
    hq.ok(&["sync"]);
    let all = hq.entries();
    // Same name, empty data: the branch comes back, then new work goes on top.
    let again = Laptop::new();
    office.join(&again, "office-pc");
    again.ok(&["sync"]);
    assert_eq!(again.entries(), all);
    again.visit("1-101", "孙丽", "重装之后");
    let out = again.ok(&["sync"]);
    assert!(out.starts_with("sent 1,"), "{out}");
}

#[test]
fn a_copy_of_a_synced_laptop_becomes_a_device_of_its_own_sending_only_what_is_unsent() {
    let office = Office::new(false);
    let hq = Laptop::with_estate();
    office.join(&hq, "office-pc");
    hq.visit("2-501", "孙丽", "复制之前");
    hq.sync();
    hq.visit("1-101", "孙丽", "复制时未发送");
    let copy = hq.copy();
    let out = copy.ok(&[
        "sync",
        "init",
        "--office",
        &office.repo(),
        "--key",
        &office.key(),
        "--device-name",
        "zhu-laptop",
    ]);
    assert!(out.contains("synced before as office-pc"), "{out}");
    assert!(out.contains("only its 1 unsent entries"), "{out}");
    let status: serde_json::Value =
        serde_json::from_str(&copy.ok(&["sync", "status", "--json"])).unwrap();
    assert_eq!(status["unsent"], 1, "{status}");

    copy.visit("1-601", "赵建国", "复制之后");
    assert_ne!(
        copy.stamp_device("复制之后"),
        hq.stamp_device("复制之前"),
        "the copy writes as a device of its own"
    );
    // The estate is not sent again, and nothing of the office's comes back.
    let out = copy.sync();
    assert!(out.starts_with("sent 2, received 0"), "{out}");
    let out = hq.sync();
    assert!(out.starts_with("sent 1, received 1 from 1 device"), "{out}");
    let out = copy.sync();
    assert!(out.starts_with("sent 0, received 0"), "{out}");
    assert_eq!(copy.entries(), hq.entries());
    assert_eq!(
        copy.stamp_device("复制时未发送"),
        hq.stamp_device("复制时未发送"),
        "an entry both sent keeps one stamp"
    );
    assert_eq!(copy.export_raw(), hq.export_raw());
}

#[test]
fn a_copy_whose_batches_the_office_lacks_queues_everything() {
    let first = Office::new(true);
    let hq = Laptop::with_estate();
    first.join(&hq, "office-pc");
    hq.sync();
    let everything = hq.entries().len();
    // Set up against another office, which never got office-pc's batch.
    let other = Office::new(true);
    let copy = hq.copy();
    let out = copy.ok(&[
        "sync",
        "init",
        "--office",
        &other.repo(),
        "--device-name",
        "zhu-laptop",
    ]);
    assert!(
        out.contains("lacks the last batch it had from office-pc"),
        "{out}"
    );
    let out = copy.sync();
    assert!(out.starts_with(&format!("sent {everything},")), "{out}");
    let fresh = Laptop::new();
    other.join(&fresh, "fresh");
    fresh.sync();
    assert_eq!(fresh.entries(), hq.entries());
}

#[test]
fn a_sync_killed_at_any_moment_is_completed_by_the_next() {
    let office = Office::new(false);
    let hq = Laptop::with_estate();
    office.join(&hq, "office-pc");
    let a = Laptop::new();
    office.join(&a, "zhu-laptop");
    hq.ok(&["sync"]);
    a.ok(&["sync"]);
    let mut rounds = 0;
    for delay_ms in [5u64, 20, 40, 60, 90, 130, 200] {
        a.visit("2-501", "孙丽", &format!("第{delay_ms}次"));
        let mut child = a
            .std_cmd(&["sync"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        // Whatever the kill left, the store reads and checks clean.
        a.ok(&["check"]);
        rounds += 1;
        if rounds == 1 {
            // The first syncs bring the estate: let one finish.
            a.ok(&["sync"]);
        }
    }
    a.ok(&["sync"]);
    hq.ok(&["sync"]);
    let out = a.ok(&["sync"]);
    assert!(out.starts_with("sent 0,"), "{out}");
    assert_eq!(a.entries(), hq.entries());
    // Every visit made on the laptop is there once.
    let v: serde_json::Value = serde_json::from_str(&hq.ok(&["export"])).unwrap();
    let notes: Vec<String> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.to_string())
        .filter(|e| e.contains("次"))
        .collect();
    assert_eq!(notes.len(), 7, "{notes:?}");
}

/// Finds `sshd` where distributions put it.
fn sshd() -> Option<PathBuf> {
    ["/usr/sbin/sshd", "/usr/local/sbin/sshd", "/sbin/sshd"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

#[test]
fn sync_over_real_ssh_with_a_pinned_device_key() {
    let Some(sshd) = sshd() else {
        eprintln!(
            "SKIPPED sync_over_real_ssh_with_a_pinned_device_key: sshd is not installed (Debian: apt-get install openssh-server; .ci/run installs it)"
        );
        return;
    };
    let t = tempfile::tempdir().unwrap();
    let p = |n: &str| t.path().join(n);
    let keygen = |file: &Path| {
        assert!(
            Std::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-f"])
                .arg(file)
                .status()
                .unwrap()
                .success()
        );
    };
    keygen(&p("host_key"));
    keygen(&p("zhu"));
    keygen(&p("sun"));
    let office = Office::new(false);
    let repo = office.repo();
    let admin = Laptop::new();
    let keys = p("authorized_keys").display().to_string();
    for (name, key) in [("zhu-laptop", "zhu.pub"), ("sun-laptop", "sun.pub")] {
        admin.ok(&[
            "office",
            "add-device",
            name,
            "--key",
            &p(key).display().to_string(),
            "--office",
            &repo,
            "--authorized-keys",
            &keys,
        ]);
    }
    // sshd needs a private directory for its keys file and an absolute binary.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let user = String::from_utf8(Std::new("id").arg("-un").output().unwrap().stdout).unwrap();
    let user = user.trim();
    let config = format!(
        "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nAuthorizedKeysFile {keys}\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\nPidFile {}\nAllowUsers {user}\nPermitRootLogin prohibit-password\n",
        p("host_key").display(),
        p("sshd.pid").display(),
    );
    std::fs::write(p("sshd_config"), config).unwrap();
    std::fs::create_dir_all("/run/sshd").ok();
    let mut daemon = Std::new(&sshd)
        .args(["-D", "-e", "-f"])
        .arg(p("sshd_config"))
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _guard = {
        for _ in 0..50 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        if let Ok(Some(status)) = daemon.try_wait() {
            panic!("sshd exited at once: {status}");
        }
        Kill(daemon)
    };
    let url = format!("ssh://{user}@127.0.0.1:{port}{repo}");
    let ssh = |key: &str| {
        format!(
            "ssh -i {} -o IdentitiesOnly=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR",
            p(key).display()
        )
    };
    let join = |l: &Laptop, name: &str, key: &str| {
        let out = l
            .cmd(&[
                "sync",
                "init",
                "--office",
                &url,
                "--key",
                &office.key(),
                "--device-name",
                name,
            ])
            .env("GIT_SSH_COMMAND", ssh(key))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let sync = |l: &Laptop, key: &str| {
        l.cmd(&["sync"])
            .env("GIT_SSH_COMMAND", ssh(key))
            .output()
            .unwrap()
    };
    let zhu = Laptop::with_estate();
    let sun = Laptop::new();
    join(&zhu, "zhu-laptop", "zhu");
    join(&sun, "sun-laptop", "sun");
    let out = sync(&zhu, "zhu");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = sync(&sun, "sun");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(sun.entries(), zhu.entries());
    // A laptop using another device's key is pinned to that key's name:
    // its own branch is refused.
    sun.visit("2-501", "孙丽", "用错了钥匙");
    let out = sync(&sun, "zhu");
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("refused"));
    // Revoked: no access at all (exit 3).
    admin.ok(&[
        "office",
        "revoke-device",
        "sun-laptop",
        "--office",
        &repo,
        "--authorized-keys",
        &keys,
    ]);
    let out = sync(&sun, "sun");
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[path = "tui_harness/mod.rs"]
mod tui_harness;

#[test]
fn sync_runs_from_the_tui_and_says_what_it_did_in_both_languages() {
    use gridbook::i18n::Lang;
    let office = Office::new(false);
    let hq = Laptop::with_estate();
    office.join(&hq, "office-pc");
    hq.ok(&["sync"]);
    let a = Laptop::new();
    office.join(&a, "zhu-laptop");
    let store = gridbook::store::Store::open(&a.data()).unwrap();
    assert_eq!(store.count(gridbook::model::Kind::Household).unwrap(), 0);
    let mut app = tui_harness::app(&store, Lang::En, 100, 30);
    app.press(": \"sync\" enter");
    let screen = tui_harness::screen(&app, 100, 30);
    assert!(
        screen.contains("sent 0, received 20 from 1 device, 0 conflicts"),
        "{screen}"
    );
    assert_eq!(store.count(gridbook::model::Kind::Household).unwrap(), 4);
    drop(app);
    let mut app = tui_harness::app(&store, Lang::Zh, 100, 30);
    app.press(": \"sync\" enter");
    let screen = tui_harness::screen(&app, 100, 30);
    assert!(
        screen.contains("发出 0 条，收到 0 条，来自 0 台设备，0 处冲突"),
        "{screen}"
    );
    drop(app);
    drop(store);
    // A laptop that is not set up says so, in one line, and nothing changes.
    let b = Laptop::with_estate();
    let store = gridbook::store::Store::open(&b.data()).unwrap();
    let mut app = tui_harness::app(&store, Lang::En, 100, 30);
    app.press(": \"sync\" enter");
    let screen = tui_harness::screen(&app, 100, 30);
    assert!(screen.contains("sync is not set up"), "{screen}");
}

#[test]
fn a_conflict_that_arrived_by_sync_names_both_laptops() {
    let office = Office::new(false);
    let hq = Laptop::with_estate();
    office.join(&hq, "office-pc");
    hq.ok(&["sync"]);
    let a = Laptop::new();
    office.join(&a, "aa-zhu");
    a.ok(&["sync"]);
    // The same resident renamed on both laptops, offline.
    for (l, member, name) in [(&hq, "王强", "吕桂芳"), (&a, "孙丽", "吕贵英")] {
        l.ok(&[
            "--as",
            member,
            "edit",
            "resident",
            "胜利花苑/3栋/2-501",
            "吕桂英",
            "--name",
            name,
        ]);
    }
    a.ok(&["sync"]);
    let out = hq.ok(&["sync"]);
    assert!(out.contains("1 conflict"), "{out}");
    let list: serde_json::Value = serde_json::from_str(&hq.ok(&["conflicts", "--json"])).unwrap();
    let versions = list[0]["versions"].as_array().unwrap();
    let mut names: Vec<&str> = versions
        .iter()
        .map(|v| v["device_name"].as_str().unwrap_or("(none)"))
        .collect();
    names.sort();
    assert_eq!(names, ["aa-zhu", "office-pc"], "{list}");
    // `conflicts show` says the laptops by name too.
    let id = list[0]["id"].as_str().unwrap();
    let shown = hq.ok(&["conflicts", "show", id]);
    assert!(
        shown.contains("aa-zhu") && shown.contains("office-pc"),
        "{shown}"
    );
}

#[test]
fn one_resident_moved_on_two_laptops_lives_in_one_household_and_is_listed() {
    let office = Office::new(false);
    let hq = Laptop::with_estate();
    office.join(&hq, "office-pc");
    hq.ok(&["sync"]);
    let a = Laptop::new();
    office.join(&a, "aa-zhu");
    a.ok(&["sync"]);
    // 吕德 moved out of 2-501 on both laptops, offline, to different homes.
    for (l, to) in [(&hq, "胜利花苑/3栋/1-101"), (&a, "胜利花苑/3栋/1-601")] {
        l.ok(&["move", "胜利花苑/3栋/2-501", "吕德", "--to", to]);
    }
    a.ok(&["sync"]);
    hq.ok(&["sync"]);
    a.ok(&["sync"]);
    let homes = [
        "胜利花苑/3栋/2-501",
        "胜利花苑/3栋/1-101",
        "胜利花苑/3栋/1-601",
    ];
    let mut lives = Vec::new();
    for l in [&hq, &a] {
        let listed: Vec<&str> = homes
            .into_iter()
            // Without the timeline, which tells of the moves.
            .filter(|h| l.ok(&["show", "--recent", "0", h]).contains("吕德"))
            .collect();
        assert_eq!(
            listed.len(),
            1,
            "listed in exactly one household: {listed:?}"
        );
        lives.push(listed[0]);
        let check = l.ok(&["check"]);
        assert!(check.contains(" 0 missing, 0 extra, 0 wrong"), "{check}");
        let list: serde_json::Value =
            serde_json::from_str(&l.ok(&["conflicts", "--json"])).unwrap();
        let items: Vec<&serde_json::Value> = list
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["kind"] == "attention" && i["field"] == "concurrent-moves")
            .collect();
        assert_eq!(items.len(), 1, "{list}");
        assert_eq!(items[0]["record"]["name"], "吕德");
        let mut laptops: Vec<&str> = items[0]["versions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["device_name"].as_str().unwrap_or("(none)"))
            .collect();
        laptops.sort();
        assert_eq!(laptops, ["aa-zhu", "office-pc"], "{list}");
        // Nothing to keep: `show` says how it clears instead of `--keep`.
        let id = items[0]["id"].as_str().unwrap();
        let shown = l.ok(&["conflicts", "show", id]);
        assert!(
            shown.contains("move the resident to where they live") && !shown.contains("--keep"),
            "{shown}"
        );
    }
    assert_eq!(lives[0], lives[1], "the same household on both laptops");
    assert_eq!(hq.export_raw(), a.export_raw());
}

/// The resident erased on request in the tests below, and her phone.
const ERASED: (&str, &str) = ("周海燕", "13905460001");
const ERASED_AT: &str = "胜利花苑/3栋/1-101";

/// The office's laptop and two more, all holding the estate.
fn three_laptops(office: &Office) -> [Laptop; 3] {
    let hq = Laptop::with_estate();
    office.join(&hq, "office-pc");
    hq.sync();
    let b = Laptop::new();
    office.join(&b, "bb-sun");
    b.sync();
    let c = Laptop::new();
    office.join(&c, "cc-wang");
    c.sync();
    [hq, b, c]
}

/// No trace of the erased person in the laptop's export, nothing listed by
/// `conflicts`, and the derived state what a rebuild gives.
fn holds_no_trace(l: &Laptop, who: &str) {
    let export = l.export_raw().unwrap();
    for needle in [ERASED.0, ERASED.1] {
        let lines: Vec<&str> = export.lines().filter(|l| l.contains(needle)).collect();
        assert!(lines.is_empty(), "{who} still holds {needle}: {lines:#?}");
    }
    let list: serde_json::Value = serde_json::from_str(&l.ok(&["conflicts", "--json"])).unwrap();
    assert_eq!(list, serde_json::json!([]), "{who}: {list}");
    let check = l.ok(&["check"]);
    assert!(
        check.contains(" 0 missing, 0 extra, 0 wrong"),
        "{who}: {check}"
    );
}

fn all_the_same(laptops: &[Laptop]) {
    let first = laptops[0].export_raw().unwrap();
    for (i, l) in laptops.iter().enumerate().skip(1) {
        assert!(l.export_raw().unwrap() == first, "laptop {i} differs");
    }
}

#[test]
fn an_erasure_reaches_every_laptop_with_no_conflict_and_the_same_bytes() {
    let office = Office::new(false);
    let [hq, b, c] = three_laptops(&office);
    hq.visit("1-101", "赵建国", "周海燕说楼道灯坏了，回电13905460001");
    for l in [&hq, &b, &c] {
        l.sync();
    }
    assert!(c.export_raw().unwrap().contains(ERASED.0));

    let said = hq.ok(&["erase", ERASED_AT, ERASED.0]);
    assert!(said.contains("office's git history"), "{said}");
    hq.sync();
    let got = b.sync();
    assert!(got.contains("1 person erased on request"), "{got}");
    assert!(got.contains("erasure on request finished"), "{got}");
    assert!(!got.contains(ERASED.0), "{got}");
    c.sync();
    for l in [&hq, &b, &c] {
        l.sync();
    }
    for (l, who) in [(&hq, "hq"), (&b, "b"), (&c, "c")] {
        holds_no_trace(l, who);
    }
    all_the_same(&[hq, b, c][..]);
}

#[test]
fn an_erasure_says_so_on_the_timeline_without_the_name() {
    let office = Office::new(false);
    let [hq, b, _c] = three_laptops(&office);
    hq.ok(&["erase", ERASED_AT, ERASED.0]);
    hq.sync();
    b.sync();
    for lang in ["en", "zh"] {
        let shown = b.ok(&["--lang", lang, "show", ERASED_AT]);
        let line = if lang == "en" {
            "a person was erased on request"
        } else {
            "应本人要求删除了一个人的信息"
        };
        assert!(shown.contains(line), "{shown}");
        assert!(!shown.contains(ERASED.0), "{shown}");
    }
    // `conflicts` tells of it, by laptop, with nothing to resolve.
    let listed = b.ok(&["conflicts"]);
    assert!(
        listed.contains("erased on request: resident") && listed.contains("(office-pc laptop)"),
        "{listed}"
    );
    assert!(!listed.contains(ERASED.0), "{listed}");
}

#[test]
fn a_note_naming_the_person_written_offline_is_redacted_on_arrival_everywhere() {
    let office = Office::new(false);
    let [hq, b, c] = three_laptops(&office);
    // C, offline, notes her phone; the office erases her meanwhile.
    c.visit("1-101", "赵建国", "周海燕电话13905460001，已联系");
    hq.ok(&["erase", ERASED_AT, ERASED.0]);
    hq.sync();
    b.sync();
    c.sync();
    for l in [&hq, &b, &c] {
        l.sync();
    }
    for (l, who) in [(&hq, "hq"), (&b, "b"), (&c, "c")] {
        holds_no_trace(l, who);
        let export = l.export_raw().unwrap();
        assert!(
            export.contains("[已删除 erased]电话[已删除 erased]，已联系"),
            "{who}: the note did not arrive redacted"
        );
    }
    all_the_same(&[hq, b, c][..]);
}

/// The commit time (seconds) of the newest batch on `device`'s branch.
fn batch_time(office: &Office, device: &str) -> String {
    let out = std::process::Command::new("git")
        .args(["--git-dir", &office.repo(), "log", "-1", "--format=%ct"])
        .arg(format!("refs/heads/dev/{device}"))
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn batches_about_an_erased_person_arriving_with_the_erasure_are_redacted() {
    // A laptop joining later receives batches by commit time. B's resent
    // (redacted) store is dated, through git's own variable, to sort
    // before everything, or just before the office's note and erasure:
    // the order that once left the note both redacted and not, and
    // quarantined, on the laptop that joined.
    for early in [true, false] {
        let office = Office::new(false);
        let [hq, b, _c] = three_laptops(&office);
        hq.visit("1-101", "赵建国", "周海燕说楼道灯坏了");
        hq.sync();
        b.sync();
        let note_at = batch_time(&office, "office-pc");
        // An export of B taken before the erasure, restored after it.
        let old = b.path("before.json");
        b.ok(&["export", "--out", &old]);
        hq.ok(&["erase", ERASED_AT, ERASED.0]);
        hq.sync();
        b.sync();
        b.ok(&["restore", "--force", &old]);
        assert!(b.export_raw().unwrap().contains(ERASED.0));
        // B applies every batch again, the erasure among them, and sends
        // its whole store back: both redacted.
        let dated = if early {
            "1000000000".to_string()
        } else {
            note_at
        };
        let out = b
            .cmd(&["sync"])
            .env("GIT_COMMITTER_DATE", format!("@{dated} +0000"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        hq.sync();
        // A laptop that joins now receives the earlier batches and the
        // erasure in one sync.
        let d = Laptop::new();
        office.join(&d, "dd-new");
        d.sync();
        for (l, who) in [(&hq, "hq"), (&b, "b"), (&d, "d")] {
            holds_no_trace(l, &format!("{who} (early: {early})"));
        }
        all_the_same(&[hq, b, d][..]);
    }
}

mod pty_session;

#[test]
fn an_erasure_the_tuis_sync_brings_is_written_through_when_it_quits() {
    let office = Office::new(false);
    let [hq, b, _c] = three_laptops(&office);
    hq.ok(&["erase", ERASED_AT, ERASED.0]);
    hq.sync();
    let data = b.data().display().to_string();
    let config = b.dir.path().join("config").display().to_string();
    let envs = [
        ("GRIDBOOK_NOW", NOW),
        ("GRIDBOOK_TZ", "Asia/Shanghai"),
        ("GRIDBOOK_CONFIG", config.as_str()),
    ];
    let mut s = pty_session::Session::start(&["--data", &data], &envs);
    s.wait_for(|t| t.contains("胜利花苑"), "the first screen");
    s.send(b":");
    s.send(b"sync\r");
    // The sync says the store is written anew on the way out: the open
    // store cannot be swapped under the screens reading it.
    s.wait_for(
        |t| t.contains("erased on request; the store is written"),
        "the sync's line",
    );
    s.send(b"q");
    assert!(s.wait_exit().success());
    assert!(
        s.raw().contains("erasure on request finished"),
        "{}",
        s.raw()
    );
    holds_no_trace(&b, "bb-sun");
}
