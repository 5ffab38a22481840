//! Export and import: the lossless JSON round trip (byte-identical), the CSV
//! export re-importing, the personal-data notice and file modes, and refusals.

use std::path::Path;

use assert_cmd::Command;
use gridbook::export::{Dump, NOTICE};
use gridbook::model::*;
use gridbook::ops::{self, Ctx, ResidentInput};
use gridbook::store::Store;
use predicates::prelude::*;

fn gridbook(data: &Path) -> Command {
    let mut c = Command::cargo_bin("gridbook").unwrap();
    c.arg("--data")
        .arg(data)
        .env("GRIDBOOK_CONFIG", data.join("no-config"))
        .env_remove("GRIDBOOK_DATA");
    c
}

/// Fills `dir` (through `import json`) with the demo estate plus deletions,
/// edits and an amendment, so the export has to carry tombstones, versions and
/// every kind of event. The estate is built in a scratch store of this
/// process and only the command line touches `dir`: a store this process had
/// open could still be locked by a child another test thread forked meanwhile.
fn rich_store(dir: &Path) {
    let scratch = tempfile::tempdir().unwrap();
    let json = scratch.path().join("rich.json");
    build_rich(&scratch.path().join("data"), &json);
    gridbook(dir)
        .args(["import", "json"])
        .arg(&json)
        .assert()
        .success();
    assert!(export(dir) == std::fs::read(&json).unwrap());
}

fn export(dir: &Path) -> Vec<u8> {
    gridbook(dir)
        .arg("export")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone()
}

fn build_rich(dir: &Path, json: &Path) {
    let store = Store::open(dir).unwrap();
    let now = Ts::now();
    gridbook::demo::load(&store, now).unwrap();
    let ctx = Ctx { by: None, now };
    let hh = gridbook::address::resolve(&store, "slhy/2/2-501")
        .unwrap()
        .id();
    let residents = store.residents_of(hh).unwrap();
    let r = &residents[0];
    ops::edit_resident(
        &store,
        ctx,
        r.meta.id,
        &ResidentInput {
            name: r.name.clone(),
            phones: "13800001111; 0546-8312345".into(),
            relation: r.relation.clone(),
            tags: "独居老人".into(),
            notes: "换了手机 \"新号\", 已核实".into(),
        },
    )
    .unwrap();
    ops::tombstone(&store, ctx, residents.last().unwrap().meta.id, "搬走").unwrap();
    // 1-102 is gone; 1-101 stays, empty.
    for (addr, drop_household) in [("slhy/1/1-102", true), ("slhy/1/1-101", false)] {
        let other = gridbook::address::resolve(&store, addr).unwrap().id();
        for res in store.residents_of(other).unwrap() {
            ops::tombstone(&store, ctx, res.meta.id, "搬走").unwrap();
        }
        if drop_household {
            ops::tombstone(&store, ctx, other, "拆除").unwrap();
        }
    }
    let member = store.members().unwrap()[0].meta.id;
    ops::tombstone(&store, ctx, member, "退休").unwrap();
    let visit = store
        .events()
        .map(|e| e.unwrap())
        .find(|e| matches!(e.body, EventBody::Visit(_)))
        .unwrap();
    let mut replacement = visit.body.clone();
    if let EventBody::Visit(VisitBody { note, .. }) = &mut replacement {
        *note = "更正：上门两次".into();
    }
    ops::amend(&store, ctx, visit.id, replacement, "记错了").unwrap();
    std::fs::write(json, Dump::from_store(&store).unwrap().to_json()).unwrap();
}

#[test]
fn export_import_export_is_byte_identical() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    rich_store(a.path());
    let first = files.path().join("first.json");
    let second = files.path().join("second.json");
    gridbook(a.path())
        .args(["export", "--out"])
        .arg(&first)
        .assert()
        .success()
        .stdout(predicate::str::contains("personal data"));
    gridbook(b.path())
        .args(["import", "json"])
        .arg(&first)
        .assert()
        .success()
        .stdout(predicate::str::contains("backup written: "));
    // The import changed the store, so a backup of it was taken.
    let backups = gridbook::backup::list(b.path());
    assert_eq!(backups.len(), 1);
    assert!(std::fs::read(&backups[0]).unwrap() == std::fs::read(&first).unwrap());
    gridbook(b.path())
        .args(["export", "--format", "json", "--out"])
        .arg(&second)
        .assert()
        .success();
    let (x, y) = (
        std::fs::read(&first).unwrap(),
        std::fs::read(&second).unwrap(),
    );
    assert!(x == y, "the second export differs from the first");
    // To standard output, the same bytes.
    let out = gridbook(b.path())
        .arg("export")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(out == x);

    // Tombstoned records and every event kind made it across, and the
    // indexes of the imported store are exactly what its records imply.
    let dump = Dump::from_json("first.json", &x).unwrap();
    assert!(dump.residents.iter().any(|r| r.meta.tombstone.is_some()));
    assert!(dump.households.iter().any(|h| h.meta.tombstone.is_some()));
    assert!(dump.members.iter().any(|m| m.meta.tombstone.is_some()));
    assert!(dump.residents.iter().any(|r| r.meta.version > 1));
    for kind in [
        "assigned",
        "visit",
        "problem",
        "problem-resolved",
        "patrol",
        "edited",
        "deleted",
        "amended",
    ] {
        assert!(
            dump.events.iter().any(|e| e.body.kind_code() == kind),
            "no {kind} event"
        );
    }
    gridbook(b.path()).arg("check").assert().success();
    let store = Store::open(b.path()).unwrap();
    let original = Store::open(a.path()).unwrap();
    for (x, y) in [("slhy/2/2-501", "slhy/2/2-501"), ("syxc", "syxc")] {
        let zx = gridbook::address::resolve(&original, x).unwrap().id();
        let zy = gridbook::address::resolve(&store, y).unwrap().id();
        assert_eq!(
            original.timeline(zx, 50).unwrap(),
            store.timeline(zy, 50).unwrap()
        );
        assert_eq!(
            original.open_problems_in(zx).unwrap(),
            store.open_problems_in(zy).unwrap()
        );
    }
    assert!(
        gridbook::address::resolve(&store, "slhy/1/1-102").is_err(),
        "tombstoned household is listed"
    );
}

#[test]
fn exports_are_private_and_start_with_the_notice() {
    let a = tempfile::tempdir().unwrap();
    rich_store(a.path());
    let out = a.path().join("x.json");
    // An existing, world-readable file is replaced by a private one.
    std::fs::write(&out, "old").unwrap();
    gridbook(a.path())
        .args(["export", "--out"])
        .arg(&out)
        .assert()
        .success();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with(&format!(
        "{{\n  \"notice\": \"{NOTICE}\",\n  \"format\": \"gridbook-export\""
    )));
    let csv_dir = a.path().join("csv");
    gridbook(a.path())
        .args(["export", "--format", "csv", "--bom", "--out"])
        .arg(&csv_dir)
        .assert()
        .success();
    // Excel opens the files cleanly: a BOM, then the header on line 1; the
    // notice is in README.txt beside them.
    for (f, header) in [("roster.csv", "area,building"), ("events.csv", "id,at")] {
        let bytes = std::fs::read(csv_dir.join(f)).unwrap();
        let expect = format!("\u{feff}{header}");
        assert!(
            bytes.starts_with(expect.as_bytes()),
            "{f} does not start with its header"
        );
    }
    let readme = std::fs::read_to_string(csv_dir.join("README.txt")).unwrap();
    assert!(readme.starts_with(NOTICE));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            mode(&csv_dir),
            0o700,
            "a directory made for the export is private"
        );
        // An existing directory keeps its mode.
        let shared = a.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o755)).unwrap();
        gridbook(a.path())
            .args(["export", "--format", "csv", "--out"])
            .arg(&shared)
            .assert()
            .success();
        assert_eq!(mode(&shared), 0o755);
        assert_eq!(mode(&shared.join("roster.csv")), 0o600);
        for f in [
            out,
            csv_dir.join("roster.csv"),
            csv_dir.join("events.csv"),
            csv_dir.join("README.txt"),
        ] {
            let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", f.display());
        }
    }
}

#[test]
fn csv_export_reimports_to_the_same_roster() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    rich_store(a.path());
    let first = a.path().join("csv1");
    let second = a.path().join("csv2");
    gridbook(a.path())
        .args(["export", "--format", "csv", "--out"])
        .arg(&first)
        .assert()
        .success()
        .stdout(
            predicate::str::contains("exported 1420 residents").and(predicate::str::contains(
                "1 households without residents are not in roster.csv",
            )),
        );
    let roster = first.join("roster.csv");
    // The store it came from already has everyone in it.
    gridbook(a.path())
        .args(["import", "roster", "--dry-run"])
        .arg(&roster)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "residents: 0 added, 0 updated, 1420 unchanged, 0 rejected",
        ));
    gridbook(b.path())
        .args(["import", "roster"])
        .arg(&roster)
        .assert()
        .success()
        .stdout(
            predicate::str::contains("households: 694 added")
                .and(predicate::str::contains("residents: 1420 added")),
        );
    gridbook(b.path())
        .args(["export", "--format", "csv", "--out"])
        .arg(&second)
        .assert()
        .success();
    assert!(
        std::fs::read(&roster).unwrap() == std::fs::read(second.join("roster.csv")).unwrap(),
        "roster.csv changed on the way through"
    );
    let original = Store::open(a.path()).unwrap();
    let copy = Store::open(b.path()).unwrap();
    let phones = |s: &Store| {
        let hh = gridbook::address::resolve(s, "胜利花苑/2栋/2-501")
            .unwrap()
            .id();
        s.residents_of(hh)
            .unwrap()
            .into_iter()
            // A tag naming a care group comes back as the care group: the
            // tags column (plain tags and care groups) is what round-trips.
            .map(|r| {
                let tags = gridbook::roster::tags_cell(&r);
                (r.name, r.phones, r.relation, tags, r.notes)
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(phones(&original), phones(&copy));

    // events.csv: header, one row per event, with the exact body.
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(first.join("events.csv"))
        .unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows[0][0].trim_start_matches('\u{feff}'), "id");
    assert_eq!(rows.len() - 1, original.event_count().unwrap());
    let first_event = original.events().next().unwrap().unwrap();
    assert_eq!(&rows[1][0], first_event.id.to_string());
    let body: EventBody = serde_json::from_str(&rows[1][9]).unwrap();
    assert_eq!(body, first_event.body);
}

#[test]
fn import_json_refuses_a_store_with_data_and_bad_files() {
    let a = tempfile::tempdir().unwrap();
    rich_store(a.path());
    let file = a.path().join("all.json");
    gridbook(a.path())
        .args(["export", "--out"])
        .arg(&file)
        .assert()
        .success();
    let before = export(a.path());
    gridbook(a.path())
        .args(["import", "json"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already holds data"));
    assert!(export(a.path()) == before);

    let empty = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    let cases = [
        (
            "broken.json",
            text[..text.len() / 2].to_string(),
            "broken.json: not a gridbook export: line",
        ),
        (
            "other.json",
            "{\"hello\": 1}".to_string(),
            "no \"format\": \"gridbook-export\" field",
        ),
        (
            "newer.json",
            text.replacen("\"format_version\": 1", "\"format_version\": 99", 1),
            "format version 99 is newer",
        ),
        (
            "fields.json",
            text.replacen("\"areas\"", "\"estates\"", 1),
            "missing field `areas`",
        ),
    ];
    for (name, body, expect) in cases {
        let f = empty.path().join(name);
        std::fs::write(&f, body).unwrap();
        gridbook(empty.path())
            .args(["import", "json"])
            .arg(&f)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(expect));
    }
    // A building whose area is not in the file.
    let mut dump = Dump::from_json("all.json", text.as_bytes()).unwrap();
    dump.areas.remove(0);
    let f = empty.path().join("orphan.json");
    std::fs::write(&f, dump.to_json()).unwrap();
    gridbook(empty.path())
        .args(["import", "json"])
        .arg(&f)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("which is not in the file"));
    assert!(Store::open(empty.path()).unwrap().is_empty());
}

#[test]
fn csv_export_needs_a_directory_and_bom_needs_csv() {
    let a = tempfile::tempdir().unwrap();
    gridbook(a.path())
        .args(["export", "--format", "csv"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--out DIR"));
    gridbook(a.path())
        .args(["export", "--bom"])
        .assert()
        .code(2);
}

#[test]
fn an_export_with_a_repeated_id_is_refused() {
    let scratch = tempfile::tempdir().unwrap();
    let json = scratch.path().join("rich.json");
    build_rich(&scratch.path().join("data"), &json);
    let text = std::fs::read(&json).unwrap();
    let mut dump = Dump::from_json("rich.json", &text).unwrap();
    let twin = dump.residents[3].clone();
    dump.residents.push(twin.clone());
    let err = Dump::from_json("twin.json", &dump.to_json()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "twin.json: resident {}: the id appears more than once",
            twin.meta.id
        )
    );
    assert_eq!(
        gridbook::fail::exit_code(gridbook::error::Kinded::kind(&err)),
        2
    );
    dump.residents.pop();
    let e = dump.events[0].clone();
    dump.events.push(e.clone());
    let err = Dump::from_json("twin.json", &dump.to_json()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("twin.json: event {}: the id appears more than once", e.id)
    );
}

#[test]
fn csv_export_in_chinese_with_local_times_and_without_bom_on_request() {
    let a = tempfile::tempdir().unwrap();
    rich_store(a.path());
    let zh = a.path().join("zh");
    gridbook(a.path())
        .env("GRIDBOOK_TZ", "Asia/Shanghai")
        .args(["--lang", "zh", "export", "--format", "csv", "--out"])
        .arg(&zh)
        .assert()
        .success()
        // The notice is said on the terminal, since the files do not carry it.
        .stderr(predicate::str::contains(NOTICE));
    let roster = std::fs::read_to_string(zh.join("roster.csv")).unwrap();
    assert!(roster.starts_with(
        "\u{feff}小区,楼栋,单元,房号,姓名,电话,与户主关系,标签,备注,出生日期,居住状态,人员状态\n"
    ));
    let events = std::fs::read_to_string(zh.join("events.csv")).unwrap();
    assert!(events.starts_with("\u{feff}编号,时间,"));
    // Times are local (China is UTC+8): the first event's time as Excel shows it.
    let store = Store::open(a.path()).unwrap();
    let e = store.events().next().unwrap().unwrap();
    drop(store);
    let local =
        e.at.to_jiff()
            .to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap())
            .strftime("%Y-%m-%d %H:%M:%S")
            .to_string();
    let second_line = events.lines().nth(1).unwrap();
    assert!(
        second_line.starts_with(&format!("{},{local},", e.id)),
        "{second_line}"
    );
    // A Chinese roster.csv imports as it was written.
    let b = tempfile::tempdir().unwrap();
    gridbook(b.path())
        .args(["import", "roster"])
        .arg(zh.join("roster.csv"))
        .assert()
        .success()
        .stdout(predicate::str::contains("residents: 1420 added"));

    let plain = a.path().join("plain");
    gridbook(a.path())
        .args(["export", "--format", "csv", "--no-bom", "--out"])
        .arg(&plain)
        .assert()
        .success();
    for f in ["roster.csv", "events.csv"] {
        let bytes = std::fs::read(plain.join(f)).unwrap();
        assert!(!bytes.starts_with(b"\xEF\xBB\xBF"), "{f} has a BOM");
    }
    gridbook(a.path())
        .args(["export", "--format", "csv", "--bom", "--no-bom", "--out"])
        .arg(&plain)
        .assert()
        .code(2);
}

/// A household's occupancy and each resident's status, birth year and care
/// groups (高龄老人 from the birth year included), by address and name.
type Roster = Vec<(
    String,
    &'static str,
    String,
    &'static str,
    Option<i16>,
    Vec<String>,
)>;

fn roster_of(dir: &Path) -> Roster {
    let store = Store::open(dir).unwrap();
    let dump = Dump::from_store(&store).unwrap();
    let today = Ts::now().date();
    let live = |m: &Meta| m.is_live();
    let mut out: Roster = Vec::new();
    for r in dump.residents.iter().filter(|r| live(&r.meta)) {
        let h = dump
            .households
            .iter()
            .find(|h| h.meta.id == r.household)
            .unwrap();
        let b = dump
            .buildings
            .iter()
            .find(|b| b.meta.id == h.building)
            .unwrap();
        let a = dump.areas.iter().find(|a| a.meta.id == b.area).unwrap();
        let mut groups: Vec<String> = gridbook::care::groups_of(r, today)
            .into_iter()
            .map(|(g, _)| g)
            .collect();
        groups.sort();
        out.push((
            format!("{}/{}/{}", a.name, b.name, h.label()),
            h.occupancy.code(),
            r.name.clone(),
            r.status.code(),
            r.birth_year,
            groups,
        ));
    }
    out.sort();
    out
}

#[test]
fn roster_export_round_trips_occupancy_status_and_birth_year() {
    let files = tempfile::tempdir().unwrap();
    let a = tempfile::tempdir().unwrap();
    let source = files.path().join("source.csv");
    std::fs::write(
        &source,
        "小区,楼栋,单元,房号,姓名,电话,与户主关系,标签,备注,出生日期,居住状态,人员状态\n\
胜利花苑,3栋,2,501,王大明,13800000001,户主,,,1940-05-01,自住,在住\n\
胜利花苑,3栋,2,501,李秀英,13800000002,配偶,独居老人,,1948,自住,去世\n\
胜利花苑,3栋,2,502,张伟,,户主,,\"房屋空置，业主在外地\",1975-03-02,空置,迁出\n\
胜利花苑,1栋,1,101,刘小红,13900000003,户主,,开了小卖部,,商用,\n\
胜利花苑,1栋,1,102,赵强,,户主,,,,出租,\n",
    )
    .unwrap();
    gridbook(a.path())
        .args(["import", "roster"])
        .arg(&source)
        .assert()
        .success();
    let want = roster_of(a.path());
    // What the store holds before the round trip, so a loss shows up below.
    let head = want.iter().find(|r| r.2 == "王大明").unwrap();
    assert_eq!(head.4, Some(1940));
    assert!(head.5.contains(&"aged-80".to_string()), "{want:?}");
    assert!(want.iter().any(|r| r.2 == "李秀英" && r.3 == "deceased"));
    assert!(
        want.iter()
            .any(|r| r.2 == "张伟" && r.1 == "vacant" && r.3 == "moved-out")
    );
    assert!(want.iter().any(|r| r.2 == "刘小红" && r.1 == "commercial"));
    assert_eq!(want.len(), 5);

    for lang in ["en", "zh"] {
        for format in ["csv", "xlsx"] {
            let out = files.path().join(format!("out-{lang}.{format}"));
            gridbook(a.path())
                .args(["--lang", lang, "export", "--format", format, "--out"])
                .arg(&out)
                .assert()
                .success();
            let file = if format == "csv" {
                out.join("roster.csv")
            } else {
                out
            };
            let fresh = tempfile::tempdir().unwrap();
            gridbook(fresh.path())
                .args(["import", "roster"])
                .arg(&file)
                .assert()
                .success()
                .stdout(predicate::str::contains("residents: 5 added"));
            assert_eq!(
                roster_of(fresh.path()),
                want,
                "--lang {lang} --format {format}"
            );
            // Read back into the store it came from, it changes nothing.
            gridbook(a.path())
                .args(["import", "roster", "--dry-run"])
                .arg(&file)
                .assert()
                .success()
                .stdout(predicate::str::contains(
                    "residents: 0 added, 0 updated, 5 unchanged, 0 rejected",
                ));
        }
    }
    // The columns are named in the export's language, their values too.
    let zh = std::fs::read_to_string(files.path().join("out-zh.csv").join("roster.csv")).unwrap();
    assert!(
        zh.starts_with("\u{feff}小区,楼栋,单元,房号,姓名,电话,与户主关系,标签,备注,出生日期,居住状态,人员状态\n"),
        "{zh}"
    );
    assert!(zh.contains(",1940,自住,在住\n"), "{zh}");
    let en = std::fs::read_to_string(files.path().join("out-en.csv").join("roster.csv")).unwrap();
    assert!(
        en.starts_with("\u{feff}area,building,unit,room,name,phone,relation,tags,notes,birth date,occupancy,status\n"),
        "{en}"
    );
    assert!(en.contains(",1975,vacant,moved-out\n"), "{en}");
}
