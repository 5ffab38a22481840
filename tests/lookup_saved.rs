//! The lookup index saved beside the store (`DATA/lookup.idx`): `find`
//! answers from it without opening the store while it is fresh, and never
//! once the store has moved on (a write by another process, a writer killed
//! before sealing, an old index put back, restore, rebuild, erase); it gives
//! the same answers as an index built from the store; a damaged file is
//! ignored.

mod common;

use std::path::{Path, PathBuf};

use common::Data;
use gridbook::lookup::{LookupIndex, persist};
use gridbook::model::Ts;
use gridbook::ops::{self, Ctx, ResidentInput};
use gridbook::store::Store;

fn data_dir(d: &Data) -> PathBuf {
    d.dir.path().join("data")
}

fn index_file(d: &Data) -> PathBuf {
    data_dir(d).join(persist::FILE)
}

/// Names of `find QUERY --json`, in order.
fn found(d: &Data, query: &str) -> Vec<String> {
    d.json(&["find", query, "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap().to_string())
        .collect()
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn find_answers_from_the_saved_index_without_the_store() {
    let d = Data::new();
    // The first query builds the index from the store and saves it, 0600.
    let built = d.ok(&["find", "ouyang", "--json"]);
    let meta = std::fs::metadata(index_file(&d)).expect("find saves the index");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    // With another process holding the store's lock, the next query still
    // answers, the same, at once: it never opened the store.
    let lock = Store::lock(&data_dir(&d)).unwrap();
    let saved = d.ok(&["find", "ouyang", "--json", "--wait", "0"]);
    assert_eq!(saved, built);
    let v: serde_json::Value = serde_json::from_str(&saved).unwrap();
    assert_eq!(v[0]["name"], "欧阳娜娜");
    assert_eq!(v[0]["cover"], "赵建国");
    // A member's zones and text output come from the index too.
    let member = d.ok(&["find", "赵建国", "--wait", "0"]);
    assert!(member.contains("胜利花苑/3栋"), "{member}");
    // Without the index the store is needed, and it is locked: exit 3.
    std::fs::remove_file(index_file(&d)).unwrap();
    let out = d
        .cmd(common::NOW, &["find", "ouyang", "--wait", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    drop(lock);
    assert_eq!(d.ok(&["find", "ouyang", "--json"]), built);
}

#[test]
fn a_write_by_another_process_makes_the_index_stale() {
    let d = Data::new();
    assert_eq!(found(&d, "周海燕"), vec!["周海燕"]);
    let old = std::fs::read(index_file(&d)).unwrap();
    // A writer removes the index before it commits.
    d.ok(&[
        "edit",
        "resident",
        "胜利花苑/3栋/1-101",
        "周海燕",
        "--name",
        "周海鸥",
    ]);
    assert!(!index_file(&d).exists());
    assert_eq!(found(&d, "zhouhai"), vec!["周海鸥"]);
    assert!(found(&d, "周海燕").is_empty());
    // An index from before the write, put back (a process killed between
    // the commit and writing its index, a copy from elsewhere), is not
    // trusted: its stamp is not the store's.
    std::fs::write(index_file(&d), &old).unwrap();
    assert_eq!(found(&d, "zhouhai"), vec!["周海鸥"]);
    // A write through the library, which knows nothing of the file: the
    // commit count tells.
    assert!(index_file(&d).exists());
    {
        let store = Store::open(&data_dir(&d)).unwrap();
        let hh = gridbook::address::resolve(&store, "胜利花苑/5栋/1-101")
            .unwrap()
            .id();
        let input = ResidentInput {
            name: "钱多多".into(),
            phones: "13905469999".into(),
            relation: "子女".into(),
            tags: String::new(),
            notes: String::new(),
        };
        ops::add_resident(&store, Ctx::now(None), hh, &input).unwrap();
    }
    assert_eq!(found(&d, "qdd"), vec!["钱多多"]);
    assert_eq!(found(&d, "13905469999"), vec!["钱多多"]);
}

/// A writer killed after its commit reached the disk but before the seal
/// was written: the seal (bytes and time) is as before the write. The index
/// is gone all the same, removed before the commit.
#[test]
fn a_writer_killed_before_sealing_leaves_no_index_to_trust() {
    let d = Data::new();
    assert_eq!(found(&d, "严建国"), vec!["严建国"]);
    let seal = data_dir(&d).join("store").join("gridbook.seal");
    let bytes = std::fs::read(&seal).unwrap();
    let modified = std::fs::metadata(&seal).unwrap().modified().unwrap();
    d.ok(&[
        "edit",
        "resident",
        "胜利花苑/5栋/1-101",
        "严建国",
        "--name",
        "严建华",
    ]);
    std::fs::write(&seal, &bytes).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&seal)
        .unwrap()
        .set_modified(modified)
        .unwrap();
    assert_eq!(found(&d, "严建"), vec!["严建华"]);
}

#[test]
fn restore_rebuild_and_erase_leave_no_stale_index() {
    let d = Data::new();
    assert_eq!(found(&d, "吕德"), vec!["吕德"]);
    d.ok(&["backup"]);
    let backup = gridbook::backup::list(&data_dir(&d))
        .pop()
        .expect("a backup");
    d.ok(&[
        "edit",
        "resident",
        "胜利花苑/3栋/2-501",
        "吕德",
        "--name",
        "吕得",
    ]);
    assert_eq!(found(&d, "lvde"), vec!["吕得"]);
    assert!(index_file(&d).exists());
    // Restore swaps in the backup's store.
    d.ok(&["restore", "--force", backup.to_str().unwrap()]);
    assert_eq!(found(&d, "lvde"), vec!["吕德"]);
    // A rebuild of the derived indexes.
    assert!(index_file(&d).exists());
    d.ok(&["check", "--rebuild"]);
    assert!(!index_file(&d).exists());
    assert_eq!(found(&d, "lvde"), vec!["吕德"]);
    // Erase: the index held her name and phone; it must not outlive them.
    assert!(contains(
        &std::fs::read(index_file(&d)).unwrap(),
        "13805461234"
    ));
    d.ok(&["erase", "胜利花苑/3栋/2-501", "吕德"]);
    for name in [persist::FILE, "lookup.idx.held", "lookup.idx.tmp"] {
        assert!(!data_dir(&d).join(name).exists(), "{name}");
    }
    assert!(found(&d, "吕德").is_empty());
    assert!(found(&d, "13805461234").is_empty());
    let saved = std::fs::read(index_file(&d)).unwrap();
    assert!(!contains(&saved, "吕德") && !contains(&saved, "13805461234"));
    assert_eq!(found(&d, "吕桂英"), vec!["吕桂英"]);
}

const QUERIES: &[&str] = &[
    "1381", "欧阳", "2-501", "zs", "z", "zhang", "wcm", "lv", "lü", "nv", "低保", "独居",
    "3栋 501", "138", "胜利", "sl", "slhy 3", "zhgsn", "5栋", "1-101", "王", "wang", "李", "xf",
    "0546", "13", "ouyang", "dan", "shan",
];

/// Saves `ix` for the store in `dir` and loads it back.
fn round_trip(dir: &Path, ix: &LookupIndex, now: Ts) -> LookupIndex {
    let stamp = persist::stamp(dir).expect("a sealed store");
    persist::save(dir, ix, stamp).unwrap();
    persist::load(dir, now).expect("the saved index loads")
}

fn same_answers(store: &Store, now: Ts) {
    let built = LookupIndex::build(store, now).unwrap();
    let loaded = round_trip(store.dir(), &built, now);
    assert_eq!(loaded.len(), built.len());
    assert_eq!(
        loaded.entries().collect::<Vec<_>>(),
        built.entries().collect::<Vec<_>>()
    );
    for q in QUERIES {
        assert_eq!(loaded.find(q, 20, now), built.find(q, 20, now), "{q}");
        assert_eq!(loaded.search(q, 200), built.search(q, 200), "{q}");
    }
}

#[test]
fn the_saved_index_answers_as_the_built_one_on_the_demo_estate() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let now = Ts::now();
    gridbook::demo::load(&store, now).unwrap();
    same_answers(&store, now);
}

#[test]
fn the_saved_index_answers_as_the_built_one_on_a_generated_estate() {
    use gridbook::generator::{self, Spec};
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let now = Ts::now();
    let est = generator::generate(&Spec::large(3_000, 7, 0, now));
    generator::load(&store, &est).unwrap();
    same_answers(&store, now);
}

#[test]
fn a_damaged_index_file_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let now = Ts::now();
    gridbook::demo::load(&store, now).unwrap();
    let built = LookupIndex::build(&store, now).unwrap();
    round_trip(dir.path(), &built, now);
    let file = dir.path().join(persist::FILE);
    let good = std::fs::read(&file).unwrap();
    let n = good.len();
    let mut damaged: Vec<Vec<u8>> = [0, 1, 7, 8, 12, 60, 100, n / 3, n / 2, n - 5, n - 1]
        .iter()
        .map(|cut| good[..*cut].to_vec())
        .collect();
    for at in [0, 9, 13, 40, 100, 120, n / 4, n / 2, n - 4, n - 1] {
        let mut b = good.clone();
        b[at] ^= 0x5a;
        damaged.push(b);
    }
    let mut longer = good.clone();
    longer.extend_from_slice(b"more");
    damaged.push(longer);
    damaged.push((0..n).map(|i| (i * 7919 % 251) as u8).collect());
    for (i, b) in damaged.iter().enumerate() {
        std::fs::write(&file, b).unwrap();
        assert!(persist::load(dir.path(), now).is_none(), "damage {i}");
    }
    std::fs::write(&file, &good).unwrap();
    assert!(persist::load(dir.path(), now).is_some());
}

#[test]
fn find_rebuilds_over_a_damaged_index() {
    let d = Data::new();
    let want = d.ok(&["find", "ouyang", "--json"]);
    let file = index_file(&d);
    let good = std::fs::read(&file).unwrap();
    std::fs::write(&file, &good[..good.len() / 2]).unwrap();
    assert_eq!(d.ok(&["find", "ouyang", "--json"]), want);
    // Saved whole again.
    assert_eq!(std::fs::read(&file).unwrap().len(), good.len());
}

/// The TUI holds the writer lock for its run: it sets the index aside, loads
/// it from there, and puts it back only when it committed nothing.
#[test]
fn the_tui_puts_the_index_back_only_after_a_run_without_commits() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let store = Store::open(data).unwrap();
    let now = Ts::now();
    gridbook::demo::load(&store, now).unwrap();
    let built = LookupIndex::build(&store, now).unwrap();
    round_trip(data, &built, now);

    let at_start = persist::stamp(data);
    let held = persist::hold(data).expect("an index to hold");
    assert!(!data.join(persist::FILE).exists());
    let loaded = persist::load_from(&held, at_start.unwrap(), now).unwrap();
    assert_eq!(loaded.find("zs", 20, now), built.find("zs", 20, now));
    persist::put_back(data, at_start);
    assert!(persist::load(data, now).is_some());

    let at_start = persist::stamp(data);
    persist::hold(data).unwrap();
    let hh = store
        .all::<gridbook::model::Household>()
        .next()
        .unwrap()
        .unwrap()
        .meta
        .id;
    let input = ResidentInput {
        name: "钱多多".into(),
        phones: String::new(),
        relation: String::new(),
        tags: String::new(),
        notes: String::new(),
    };
    ops::add_resident(&store, Ctx::now(None), hh, &input).unwrap();
    persist::put_back(data, at_start);
    assert!(!data.join(persist::FILE).exists());
    assert!(!data.join("lookup.idx.held").exists());
}
