//! Privacy of a community's personal data: encrypted backups and exports
//! (age), and erasing a person on request from the store, its timeline and
//! the backups in the data directory.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use gridbook::export::Dump;
use gridbook::model::*;
use gridbook::ops::{self, Ctx, ResidentInput, VisitInput};
use gridbook::store::Store;
use predicates::prelude::*;

/// The person every test looks for: a name and phones no demo resident has.
const NAME: &str = "欧阳雪晴";
const PHONE: &str = "13912345678";
const OLD_PHONE: &str = "13787654321";
const ADDR: &str = "slhy/2/2-501";
const MEMBER_NAME: &str = "司马青云";
const MEMBER_PHONE: &str = "15811112222";

struct Data {
    root: tempfile::TempDir,
    dir: PathBuf,
    conf: PathBuf,
}

impl Data {
    fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("gridbook").unwrap();
        c.arg("--data")
            .arg(&self.dir)
            .env("GRIDBOOK_CONFIG", &self.conf)
            .env_remove("GRIDBOOK_DATA")
            .env_remove("GRIDBOOK_PASSPHRASE");
        c
    }
    fn config(&self, text: &str) {
        std::fs::write(self.conf.join("config.toml"), text).unwrap();
    }
    fn file(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }
    fn export(&self) -> Vec<u8> {
        self.cmd()
            .arg("export")
            .assert()
            .success()
            .get_output()
            .stdout
            .clone()
    }
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// The demo estate plus a resident with a changed phone, notes and a visit
/// naming her, and a member; built in a scratch store of this process, then
/// brought in through `import json` so only the command line touches the
/// data directory.
fn estate() -> Data {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("data");
    let conf = root.path().join("conf");
    std::fs::create_dir_all(&conf).unwrap();
    let scratch = root.path().join("scratch");
    let json = root.path().join("estate.json");
    {
        let store = Store::open(&scratch).unwrap();
        let now = Ts::now();
        gridbook::demo::load(&store, now).unwrap();
        let ctx = Ctx { by: None, now };
        let hh = gridbook::address::resolve(&store, ADDR).unwrap().id();
        let input = |phones: &str| ResidentInput {
            name: NAME.into(),
            phones: phones.into(),
            relation: "户主".into(),
            tags: String::new(),
            notes: format!("{NAME}的女儿在外地"),
        };
        let r = ops::add_resident(&store, ctx, hh, &input(OLD_PHONE)).unwrap();
        ops::edit_resident(&store, ctx, r.meta.id, &input(PHONE)).unwrap();
        let member = store.members().unwrap()[0].meta.id;
        ops::log_visit(
            &store,
            ctx,
            &VisitInput {
                household: hh,
                member,
                at: now,
                purpose: "routine".into(),
                note: format!("{NAME}说电话换成{PHONE}了"),
                follow_up: None,
            },
        )
        .unwrap();
        let mut m = store.members().unwrap()[1].clone();
        m.name = MEMBER_NAME.into();
        m.phone = MEMBER_PHONE.into();
        let mut w = gridbook::store::Writes::new();
        store.stage_update(&mut w, &mut m).unwrap();
        store.commit(w).unwrap();
        std::fs::write(&json, Dump::from_store(&store).unwrap().to_json()).unwrap();
    }
    std::fs::remove_dir_all(&scratch).unwrap();
    let data = Data { root, dir, conf };
    data.cmd()
        .args(["import", "json"])
        .arg(&json)
        .assert()
        .success();
    std::fs::remove_file(&json).unwrap();
    let plain = data.export();
    assert!(contains(&plain, NAME) && contains(&plain, PHONE));
    data
}

#[test]
fn a_passphrase_backup_hides_names_and_restores_with_the_passphrase_only() {
    let data = estate();
    let before = data.export();
    let out = data
        .cmd()
        .args(["backup", "--passphrase"])
        .env("GRIDBOOK_PASSPHRASE", "月亮 correct horse")
        .assert()
        .success()
        .stdout(predicate::str::contains("encrypted to a passphrase"))
        .get_output()
        .stdout
        .clone();
    let newest = gridbook::backup::newest(&data.dir).unwrap();
    assert!(
        newest.to_string_lossy().ends_with(".json.age"),
        "{}",
        String::from_utf8_lossy(&out)
    );
    let bytes = std::fs::read(&newest).unwrap();
    assert!(gridbook::seal::is_sealed(&bytes));
    for secret in [NAME, PHONE, "胜利花苑"] {
        assert!(
            !contains(&bytes, secret),
            "{secret} in the encrypted backup"
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&newest).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Nothing left beside it on the way: every file in backups/ is a
    // backup (the plaintext one is what `import json` wrote before).
    let listed = gridbook::backup::list(&data.dir);
    for f in files_under(&gridbook::backup::dir(&data.dir)) {
        assert!(listed.contains(&f), "stray {f:?}");
    }
    assert_eq!(
        listed
            .iter()
            .filter(|f| contains(&std::fs::read(f).unwrap(), NAME))
            .count(),
        listed.len() - 1,
        "only the encrypted backup hides the name"
    );

    // Restoring into a new data directory: the wrong passphrase is exit 2,
    // says so, and creates nothing.
    let target = data.file("restored");
    let mut wrong = Command::cargo_bin("gridbook").unwrap();
    wrong
        .arg("--data")
        .arg(&target)
        .env("GRIDBOOK_CONFIG", &data.conf)
        .env("GRIDBOOK_PASSPHRASE", "wrong")
        .arg("restore")
        .arg(&newest)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("wrong passphrase"));
    assert!(!target.exists(), "a refused restore made {target:?}");
    // Without a passphrase and no terminal to ask on: exit 2, named.
    let mut none = Command::cargo_bin("gridbook").unwrap();
    none.arg("--data")
        .arg(&target)
        .env("GRIDBOOK_CONFIG", &data.conf)
        .env_remove("GRIDBOOK_PASSPHRASE")
        .arg("restore")
        .arg(&newest)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("GRIDBOOK_PASSPHRASE"));
    assert!(!target.exists());

    let mut right = Command::cargo_bin("gridbook").unwrap();
    right
        .arg("--data")
        .arg(&target)
        .env("GRIDBOOK_CONFIG", &data.conf)
        .env("GRIDBOOK_PASSPHRASE", "月亮 correct horse")
        .arg("restore")
        .arg(&newest)
        .assert()
        .success()
        .stdout(predicate::str::contains("restored"));
    let mut export = Command::cargo_bin("gridbook").unwrap();
    let after = export
        .arg("--data")
        .arg(&target)
        .env("GRIDBOOK_CONFIG", &data.conf)
        .arg("export")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(before == after, "the restored store differs");
}

#[test]
fn recipients_from_config_seal_every_backup_and_an_identity_opens_them() {
    let data = estate();
    let id = age::x25519::Identity::generate();
    let other = age::x25519::Identity::generate();
    let id_file = data.file("me.key");
    let other_file = data.file("other.key");
    {
        use age::secrecy::ExposeSecret;
        std::fs::write(&id_file, format!("{}\n", id.to_string().expose_secret())).unwrap();
        std::fs::write(
            &other_file,
            format!("# not mine\n{}\n", other.to_string().expose_secret()),
        )
        .unwrap();
    }
    data.config(&format!("backup_recipients = [\"{}\"]\n", id.to_public()));
    let before = data.export();
    data.cmd()
        .arg("backup")
        .assert()
        .success()
        .stdout(predicate::str::contains("encrypted to 1 age key"));
    let newest = gridbook::backup::newest(&data.dir).unwrap();
    let bytes = std::fs::read(&newest).unwrap();
    assert!(newest.to_string_lossy().ends_with(".json.age"));
    assert!(!contains(&bytes, NAME) && !contains(&bytes, PHONE));

    // `import json` of it: the wrong key is exit 2 and writes nothing; no
    // key at all names the flag; the right one brings everything back.
    let target = data.file("imported");
    let run = |args: &[&str]| {
        let mut c = Command::cargo_bin("gridbook").unwrap();
        c.arg("--data")
            .arg(&target)
            .env("GRIDBOOK_CONFIG", data.root.path().join("none"))
            .env_remove("GRIDBOOK_PASSPHRASE")
            .args(args);
        c
    };
    let newest_s = newest.to_str().unwrap();
    run(&["import", "json", newest_s])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--identity"));
    run(&[
        "import",
        "json",
        newest_s,
        "--identity",
        other_file.to_str().unwrap(),
    ])
    .assert()
    .code(2)
    .stderr(predicate::str::contains("none of the keys"));
    assert!(!target.exists());
    run(&[
        "import",
        "json",
        newest_s,
        "--identity",
        id_file.to_str().unwrap(),
    ])
    .assert()
    .success();
    let after = run(&["export"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(before == after);

    // A bad key in config is refused (exit 2) before anything runs.
    data.config("backup_recipients = [\"age1notakey\"]\n");
    data.cmd()
        .arg("backup")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("backup_recipients[0]"));
}

#[test]
fn an_encrypted_export_restores_through_config_identity() {
    let data = estate();
    let id = age::x25519::Identity::generate();
    let key = data.file("office.key");
    {
        use age::secrecy::ExposeSecret;
        std::fs::write(&key, format!("{}\n", id.to_string().expose_secret())).unwrap();
    }
    let out = data.file("export.json.age");
    data.cmd()
        .args(["export", "--recipient"])
        .arg(id.to_public().to_string())
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("encrypted to 1 age key"));
    let bytes = std::fs::read(&out).unwrap();
    assert!(!contains(&bytes, NAME));
    data.cmd()
        .args(["export", "--recipient", "age1bogus", "--out"])
        .arg(data.file("x.age"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not an age public key"));
    assert!(!data.file("x.age").exists());

    let target = data.file("elsewhere");
    let conf = data.file("conf2");
    std::fs::create_dir_all(&conf).unwrap();
    std::fs::write(
        conf.join("config.toml"),
        format!("identity = \"{}\"\n", key.display()),
    )
    .unwrap();
    let mut c = Command::cargo_bin("gridbook").unwrap();
    c.arg("--data")
        .arg(&target)
        .env("GRIDBOOK_CONFIG", &conf)
        .args(["restore"])
        .arg(&out)
        .assert()
        .success();
}

#[test]
fn erasing_a_resident_leaves_no_trace_in_store_backups_or_timeline() {
    let data = estate();
    // Several backups, of different states, all holding her.
    data.cmd().arg("backup").assert().success();
    data.cmd()
        .args(["backup", "--passphrase"])
        .env("GRIDBOOK_PASSPHRASE", "pw")
        .assert()
        .success();
    assert!(gridbook::backup::list(&data.dir).len() >= 3);

    // Wrong names are refused with the household's residents, nothing done.
    data.cmd()
        .args(["erase", ADDR, "欧阳雪"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(NAME));
    data.cmd().args(["erase", ADDR]).assert().code(2);

    // The newest backup is passphrase-sealed: the rewritten one is too.
    let out = data
        .cmd()
        .args(["erase", ADDR, NAME])
        .env("GRIDBOOK_PASSPHRASE", "pw")
        .assert()
        .success()
        .stdout(predicate::str::contains("not reached: exports"))
        .get_output()
        .stdout
        .clone();
    let said = String::from_utf8_lossy(&out);
    assert!(said.contains("erased 欧阳雪晴"), "{said}");
    assert!(said.contains("timeline entries"), "{said}");

    let export = data.export();
    for secret in [NAME, PHONE, OLD_PHONE] {
        assert!(!contains(&export, secret), "{secret} still in the export");
    }
    assert!(contains(&export, gridbook::erase::MARK));
    // The raw store files, every byte.
    for f in files_under(&data.dir.join("store")) {
        let bytes = std::fs::read(&f).unwrap();
        for secret in [NAME, PHONE, OLD_PHONE] {
            assert!(!contains(&bytes, secret), "{secret} in {f:?}");
        }
    }
    // No store copies left beside it.
    let names: Vec<String> = std::fs::read_dir(&data.dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with("store.")), "{names:?}");
    // One backup left, encrypted as before, and it holds the erased store.
    let backups = gridbook::backup::list(&data.dir);
    assert_eq!(backups.len(), 1, "{backups:?}");
    assert_eq!(
        files_under(&gridbook::backup::dir(&data.dir)).len(),
        1,
        "stray files in backups/"
    );
    assert!(backups[0].to_string_lossy().ends_with(".age"));
    let restored = data.file("restored");
    let mut r = Command::cargo_bin("gridbook").unwrap();
    r.arg("--data")
        .arg(&restored)
        .env("GRIDBOOK_CONFIG", &data.conf)
        .env("GRIDBOOK_PASSPHRASE", "pw")
        .arg("restore")
        .arg(&backups[0])
        .assert()
        .success();
    let mut e = Command::cargo_bin("gridbook").unwrap();
    let again = e
        .arg("--data")
        .arg(&restored)
        .env("GRIDBOOK_CONFIG", &data.conf)
        .arg("export")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(
        again == export,
        "the rewritten backup is not the erased store"
    );

    // The store is sound, the household no longer lists her, and the other
    // residents and the visit are still there.
    data.cmd().arg("check").assert().success();
    let show = data.cmd().args(["show", ADDR]).assert().success();
    let shown = String::from_utf8_lossy(&show.get_output().stdout).into_owned();
    assert!(!shown.contains(NAME), "{shown}");
    let dump = Dump::from_json("export", &export).unwrap();
    let visit_notes: Vec<&str> = dump
        .events
        .iter()
        .filter_map(|e| match &e.body {
            EventBody::Visit(VisitBody { note, .. }) if note.contains(gridbook::erase::MARK) => {
                Some(note.as_str())
            }
            _ => None,
        })
        .collect();
    assert_eq!(visit_notes.len(), 1, "{visit_notes:?}");
    let erased = dump
        .residents
        .iter()
        .find(|r| r.name == gridbook::erase::MARK)
        .unwrap();
    assert!(erased.phones.is_empty() && !erased.meta.is_live());
    assert!(dump.events.iter().any(|e| matches!(
        &e.body,
        EventBody::Tombstoned { target, .. } if *target == erased.meta.id
    )));
}

#[test]
fn erasing_a_member_by_name() {
    let data = estate();
    data.cmd()
        .args(["erase", "--member", "司马"])
        .assert()
        .code(2);
    data.cmd()
        .args(["erase", "--member", MEMBER_NAME])
        .assert()
        .success()
        .stdout(predicate::str::contains("erased 司马青云 (member)"));
    let export = data.export();
    assert!(!contains(&export, MEMBER_NAME) && !contains(&export, MEMBER_PHONE));
    for f in files_under(&data.dir) {
        let bytes = std::fs::read(&f).unwrap();
        assert!(
            !contains(&bytes, MEMBER_NAME) && !contains(&bytes, MEMBER_PHONE),
            "{f:?}"
        );
    }
    data.cmd().arg("check").assert().success();
}

#[test]
fn erase_refuses_to_drop_key_encryption_it_cannot_repeat() {
    let data = estate();
    let id = age::x25519::Identity::generate();
    data.config(&format!("backup_recipients = [\"{}\"]\n", id.to_public()));
    data.cmd().arg("backup").assert().success();
    // The keys are no longer in config: the rewritten backup would be plain.
    data.config("");
    let before = data.export();
    data.cmd()
        .args(["erase", ADDR, NAME])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("backup_recipients"));
    assert!(data.export() == before, "a refused erase changed the store");
}
