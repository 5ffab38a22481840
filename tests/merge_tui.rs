//! The conflicts screen: a resident's name edited on two laptops and a
//! household deleted on one while the other visited it, merged; the ⚠
//! count in the header and on Today, the versions side by side, and
//! keeping one from the keyboard. Both languages, Chinese rows.

mod tui_harness;
use tui_harness::*;

use gridbook::export::Dump;
use gridbook::i18n::Lang;
use gridbook::model::*;
use gridbook::ops::{self, Ctx, ResidentInput};
use gridbook::store::Store;

struct Merged {
    _dir: tempfile::TempDir,
    store: Store,
    resident: Id,
    /// Device ids as the screen shows them, and what the snapshot says instead.
    devices: Vec<(String, &'static str)>,
}

fn rename(s: &Store, by: Id, id: Id, name: &str) {
    let r = s.resident(id).unwrap().unwrap();
    let ctx = Ctx {
        by: Some(by),
        now: Ts::now(),
    };
    ops::edit_resident(
        s,
        ctx,
        id,
        &ResidentInput {
            name: name.into(),
            phones: r.phones.join(";"),
            relation: r.relation.clone(),
            tags: r.tags.join(";"),
            notes: r.notes.clone(),
        },
    )
    .unwrap();
}

/// The demo estate on this laptop, a copy on another; both rename 吕… one
/// resident, then the other laptop's batch arrives here.
fn merged() -> Merged {
    let (dir, store) = demo_store();
    let other = Store::memory().unwrap();
    Dump::from_store(&store).unwrap().load_into(&other).unwrap();
    let members = store.members().unwrap();
    let (a, b) = (members[0].meta.id, members[1].meta.id);
    let r = store
        .all::<Resident>()
        .map(Result::unwrap)
        .find(|r| r.meta.is_live() && r.name.chars().count() == 3)
        .unwrap();
    let first: String = r.name.chars().take(1).collect();
    rename(&store, a, r.meta.id, &format!("{first}桂芳"));
    rename(&other, b, r.meta.id, &format!("{first}贵英"));
    gridbook::merge::apply(&store, &Dump::from_store(&other).unwrap(), "laptop-2").unwrap();
    let devices = vec![
        (store.device_id().unwrap().unwrap().short(), "DEVICE-1"),
        (other.device_id().unwrap().unwrap().short(), "DEVICE-2"),
    ];
    Merged {
        _dir: dir,
        store,
        resident: r.meta.id,
        devices,
    }
}

fn shot(m: &Merged, a: &gridbook::tui::App, w: u16, h: u16) -> String {
    let mut s = screen(a, w, h);
    for (id, name) in &m.devices {
        s = s.replace(id.as_str(), name);
    }
    s
}

#[test]
fn the_conflicts_screen_shows_both_versions_and_keeps_one_from_the_keyboard() {
    let m = merged();
    let mut a = app(&m.store, Lang::En, 120, 40);
    a.press("g t");
    let today = shot(&m, &a, 120, 40);
    assert!(today.contains("⚠ 1"), "{today}");
    insta::assert_snapshot!("conflicts_today_120x40", today);
    a.press("g !");
    insta::assert_snapshot!("conflicts_list_120x40", shot(&m, &a, 120, 40));
    a.press("enter");
    insta::assert_snapshot!("conflicts_item_120x40", shot(&m, &a, 120, 40));
    let kept = m.store.resident(m.resident).unwrap().unwrap().name;
    a.press("j ctrl-k");
    let after = shot(&m, &a, 120, 40);
    assert!(!after.contains("⚠"), "{after}");
    let now = m.store.resident(m.resident).unwrap().unwrap().name;
    assert_ne!(
        now, kept,
        "the provisional name gave way to the version kept"
    );
    assert!(
        gridbook::merge::conflicts::list(&m.store, Lang::En)
            .unwrap()
            .is_empty()
    );
    assert!(after.contains(&now), "{after}");
}

#[test]
fn the_conflicts_screen_in_chinese_at_80x24_and_120x40() {
    let m = merged();
    let mut a = app(&m.store, Lang::Zh, 80, 24);
    // Started on the browser, the header counts what the merge left.
    let first = shot(&m, &a, 80, 24);
    assert!(first.lines().next().unwrap().contains("⚠ 1"), "{first}");
    a.press("g !");
    insta::assert_snapshot!("conflicts_list_zh_80x24", shot(&m, &a, 80, 24));
    a.press("enter");
    insta::assert_snapshot!("conflicts_item_zh_80x24", shot(&m, &a, 80, 24));
    let mut a = app(&m.store, Lang::Zh, 120, 40);
    a.press(": \"conflicts\" enter");
    insta::assert_snapshot!("conflicts_list_zh_120x40", shot(&m, &a, 120, 40));
    // keep is for a conflict's versions: on the list it says where it works.
    a.press("ctrl-k");
    let s = shot(&m, &a, 120, 40);
    assert!(s.contains("保留只能用在冲突的版本上"), "{s}");
}

#[test]
fn the_conflicts_screen_lists_erasures_by_kind_and_laptop_never_by_name() {
    let (_dir, store) = demo_store();
    let people: Vec<Resident> = store
        .all::<Resident>()
        .map(Result::unwrap)
        .filter(|r| r.meta.is_live())
        .take(5)
        .collect();
    let now = Ts::now();
    for r in &people {
        gridbook::erase::record(
            &store,
            gridbook::erase::Whom::Resident(r.meta.id),
            now,
            None,
        )
        .unwrap();
    }
    for (lang, more, line) in [
        (
            Lang::En,
            "before these, 2 people erased on request: `gridbook conflicts` lists them all",
            "erased on request: resident",
        ),
        (
            Lang::Zh,
            "更早另有：应本人要求删除 2 人；`gridbook conflicts` 可列出全部",
            "应本人要求删除：居民",
        ),
    ] {
        let mut a = app(&store, lang, 120, 40);
        a.press("g !");
        let s = screen(&a, 120, 40);
        assert!(s.contains(more), "{s}");
        // The three newest, each with this laptop's word for itself.
        let here = if lang == Lang::En {
            "(this laptop)"
        } else {
            "（设备 本机）"
        };
        let listed: Vec<&str> = s.lines().filter(|l| l.contains(line)).collect();
        assert_eq!(listed.len(), 3, "{s}");
        assert!(listed.iter().all(|l| l.contains(here)), "{s}");
        for r in &people {
            assert!(!s.contains(&r.name), "{} shown: {s}", r.name);
        }
    }
}
