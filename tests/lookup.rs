//! Quick lookup: pinyin, initials, special surnames, phones, rooms, ranking,
//! following changes, and `gridbook find` from the shell.
//!
//! Expected pinyin is written out by hand, never computed by the code under test.

use assert_cmd::Command;
use gridbook::lookup::{Head, Hit, HitKind, LookupIndex, Tier};
use gridbook::model::*;
use gridbook::ops::{self, Ctx, ResidentInput};
use gridbook::roster;
use gridbook::store::Store;

const TRICKY: &str = include_str!("../fixtures/lookup/tricky.csv");
/// Names with polyphonic characters, ü, rare surnames; tags; households
/// whose head is not the first row or has no phone.
const READINGS: &str = include_str!("../fixtures/lookup/readings.csv");

fn now() -> Ts {
    Ts(1_790_000_000_000)
}

fn ctx() -> Ctx {
    Ctx {
        by: None,
        now: now(),
    }
}

fn fixture() -> (tempfile::TempDir, Store) {
    load("tricky.csv", TRICKY)
}

fn readings_fixture() -> (tempfile::TempDir, Store) {
    load("readings.csv", READINGS)
}

fn load(name: &str, csv: &str) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let parsed = roster::parse(name, csv.as_bytes()).unwrap();
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    roster::import(&store, ctx(), &parsed, false, false).unwrap();
    (dir, store)
}

/// The first hit for `q` is `want`, matched exactly.
fn finds_exactly(ix: &LookupIndex, q: &str, want: &str) {
    let hits = ix.search(q, 5);
    let h = first(&hits, q);
    assert_eq!(
        (q, h.name.as_str(), h.tier),
        (q, want, Tier::Exact),
        "{:?}",
        names(&hits)
    );
}

fn score_of(ix: &LookupIndex, q: &str, name: &str) -> u64 {
    ix.search(q, 20)
        .into_iter()
        .find(|h| h.name == name)
        .unwrap_or_else(|| panic!("{q} does not find {name}"))
        .score
}

fn index(store: &Store) -> LookupIndex {
    LookupIndex::build(store, now()).unwrap()
}

fn names(hits: &[Hit]) -> Vec<&str> {
    hits.iter().map(|h| h.name.as_str()).collect()
}

fn first<'a>(hits: &'a [Hit], q: &str) -> &'a Hit {
    hits.first().unwrap_or_else(|| panic!("no hit for {q}"))
}

fn household(store: &Store, addr: &str) -> Id {
    gridbook::address::resolve(store, addr).unwrap().id()
}

#[test]
fn full_pinyin_finds_and_highlights_the_name() {
    let (_d, store) = fixture();
    let ix = index(&store);
    let hits = ix.search("zhangsan", 10);
    let h = first(&hits, "zhangsan");
    assert_eq!(h.name, "张三");
    assert_eq!(h.kind, HitKind::Resident);
    assert_eq!(h.tier, Tier::Exact);
    assert_eq!(h.name_match, vec![0, 1]);
    assert_eq!(h.address, "幸福小区/3栋/2-501");
    assert_eq!(h.phone.as_deref(), Some("13812345678"));
    assert_eq!(h.household, Some(household(&store, "幸福小区/3栋/2-501")));
    assert_eq!(h.zone, h.household);
    // A prefix of the pinyin highlights the characters it spells.
    let hits = ix.search("zhangs", 10);
    assert_eq!(first(&hits, "zhangs").name_match, vec![0, 1]);
    let hits = ix.search("zhang", 10);
    assert_eq!(first(&hits, "zhang").name_match, vec![0]);
}

#[test]
fn initials_match_every_name_that_has_them() {
    let (_d, store) = fixture();
    let ix = index(&store);
    let hits = ix.search("zs", 20);
    let exact: Vec<&str> = hits
        .iter()
        .filter(|h| h.tier == Tier::Exact)
        .map(|h| h.name.as_str())
        .collect();
    assert!(
        exact.contains(&"张三") && exact.contains(&"张山") && exact.contains(&"赵四"),
        "{exact:?}"
    );
    // 张三丰 (zsf) starts with zs: after every exact match.
    let pos = |n: &str| names(&hits).iter().position(|x| *x == n).unwrap();
    assert!(pos("张三丰") > pos("张三") && pos("张三丰") > pos("赵四"));
    assert_eq!(hits[pos("张三丰")].tier, Tier::Prefix);
    assert_eq!(hits[pos("张三丰")].name_match, vec![0, 1]);
}

#[test]
fn surnames_with_special_readings() {
    let (_d, store) = fixture();
    let ix = index(&store);
    for (q, want) in [
        ("shantianfang", "单田芳"),
        ("stf", "单田芳"),
        ("zengguofan", "曾国藩"),
        ("zgf", "曾国藩"),
        ("xiexiaodong", "解晓东"),
        ("xxd", "解晓东"),
        ("ouzhiqiang", "区志强"),
        ("ozq", "区志强"),
        ("qiuying", "仇英"),
        ("qy", "仇英"),
    ] {
        let hits = ix.search(q, 5);
        let h = first(&hits, q);
        assert_eq!((q, h.name.as_str(), h.tier), (q, want, Tier::Exact));
    }
    // The everyday reading of the character still finds the person, after the right one.
    let hits = ix.search("dantianfang", 5);
    assert_eq!(first(&hits, "dantianfang").name, "单田芳");
    let right = ix.search("shantianfang", 1)[0].score;
    assert!(hits[0].score < right);
    // Nobody else is read with the surname reading: 单 as `shan` is only the surname.
    assert!(ix.search("xie", 10).iter().all(|h| h.name != "张三"));
}

#[test]
fn compound_surnames() {
    let (_d, store) = fixture();
    let ix = index(&store);
    let h = ix.search("oynn", 5);
    assert_eq!(first(&h, "oynn").name, "欧阳娜娜");
    assert_eq!(h[0].name_match, vec![0, 1, 2, 3]);
    let h = ix.search("ouyang", 5);
    assert_eq!(first(&h, "ouyang").name, "欧阳娜娜");
    assert_eq!(h[0].tier, Tier::Prefix);
    assert_eq!(h[0].name_match, vec![0, 1]);
    let h = ix.search("欧阳", 5);
    assert_eq!(first(&h, "欧阳").name_match, vec![0, 1]);
    let h = ix.search("smg", 5);
    assert_eq!(first(&h, "smg").name, "司马光");
    let h = ix.search("simaguang", 5);
    assert_eq!(first(&h, "simaguang").name, "司马光");
}

#[test]
fn phone_digits_anywhere() {
    let (_d, store) = fixture();
    let ix = index(&store);
    let h = ix.search("5678", 5);
    let h = first(&h, "5678");
    assert_eq!(h.name, "张三");
    assert_eq!(h.tier, Tier::Substring);
    assert_eq!(h.phone_match, vec![7, 8, 9, 10]);
    assert!(h.name_match.is_empty());
    // A prefix of the number ranks before numbers that only contain it.
    let hits = ix.search("1391", 5);
    assert_eq!(first(&hits, "1391").name, "赵四");
    // Landlines match by their digits, the dash skipped in the highlight.
    let hits = ix.search("05468312", 5);
    let h = first(&hits, "05468312");
    assert_eq!(h.name, "解晓东");
    assert_eq!(h.phone.as_deref(), Some("0546-8312345"));
    assert_eq!(h.phone_match, vec![0, 1, 2, 3, 5, 6, 7, 8]);
    // Full-width digits from a Chinese input method work too.
    assert_eq!(first(&ix.search("５６７８", 5), "５６７８").name, "张三");
}

#[test]
fn rooms_and_places() {
    let (_d, store) = fixture();
    let ix = index(&store);
    // A label finds the households first, then the people in them.
    let hits = ix.search("2-501", 20);
    assert_eq!(hits[0].kind, HitKind::Household);
    assert_eq!(hits[0].tier, Tier::Exact);
    let households: Vec<&str> = hits
        .iter()
        .filter(|h| h.kind == HitKind::Household)
        .map(|h| h.address.as_str())
        .collect();
    assert_eq!(households.len(), 2, "{households:?}");
    assert!(
        households.contains(&"幸福小区/3栋/2-501") && households.contains(&"幸福小区/5栋/2-501")
    );
    let people: Vec<&str> = hits
        .iter()
        .filter(|h| h.kind == HitKind::Resident)
        .map(|h| h.name.as_str())
        .collect();
    assert!(people.contains(&"张三") && people.contains(&"李梅") && people.contains(&"张小三"));
    // Building and room narrow each other; the room is highlighted in the address.
    let hits = ix.search("3栋 501", 20);
    assert!(!hits.is_empty());
    assert!(
        hits.iter()
            .all(|h| h.address.contains("3栋/") && h.address.ends_with("501")),
        "{hits:#?}"
    );
    assert!(hits.iter().any(|h| h.address == "幸福小区/3栋/1-501"));
    assert!(hits.iter().all(|h| h.address != "胜利花苑/2栋/1-501"));
    let zs = hits.iter().find(|h| h.name == "张三").unwrap();
    let addr: Vec<char> = zs.address.chars().collect();
    let lit: String = zs.address_match.iter().map(|i| addr[*i]).collect();
    assert_eq!(lit, "3栋501");
    // Names and rooms mix: zs at a room 501 is 张三, 张山 and 赵四, not 张三丰 (502);
    // 张小三 (zxs) at 2-501 only fuzzily, so last.
    let hits = ix.search("zs 501", 20);
    let mut got = names(&hits[..3]);
    got.sort();
    assert_eq!(got, vec!["张三", "张山", "赵四"]);
    assert!(hits[..3].iter().all(|h| h.tier == Tier::Exact));
    assert_eq!(names(&hits[3..]), vec!["张小三"]);
    assert_eq!(hits[3].tier, Tier::Fuzzy);
    assert_eq!(hits[3].name_match, vec![0, 2]);
    let hits = ix.search("zs 3栋 501", 20);
    let mut got = names(&hits);
    got.sort();
    assert_eq!(got, vec!["张三", "张山"]);
    // Short addresses by code work as terms too.
    let area_code = store
        .areas()
        .unwrap()
        .into_iter()
        .find(|a| a.name == "幸福小区")
        .unwrap()
        .code;
    let hits = ix.search(&format!("{area_code}/3/2-501"), 5);
    assert_eq!(first(&hits, "by code").address, "幸福小区/3栋/2-501");
    // Places themselves.
    let hits = ix.search("胜利", 5);
    assert_eq!(first(&hits, "胜利").kind, HitKind::Area);
    assert_eq!(hits[0].name_match, vec![0, 1]);
    let hits = ix.search("slhy", 5);
    assert_eq!(first(&hits, "slhy").name, "胜利花苑");
}

#[test]
fn rooms_as_the_roster_writes_them_find_the_household() {
    let (_d, store) = fixture();
    let ix = index(&store);
    // The roster reads `2单元501室` in the room column as unit 2, room 501:
    // lookup reads it the same, with or without 室 or 号, full-width too.
    for q in [
        "2单元501",
        "2单元501室",
        "2单元-501号",
        "２单元５０１",
        "２－５０１",
        "2-501室",
    ] {
        let hits = ix.search(q, 20);
        let households: Vec<&str> = hits
            .iter()
            .filter(|h| h.kind == HitKind::Household)
            .map(|h| h.address.as_str())
            .collect();
        assert_eq!(
            households,
            ["幸福小区/3栋/2-501", "幸福小区/5栋/2-501"],
            "{q}"
        );
        assert_eq!((q, hits[0].tier), (q, Tier::Exact));
        assert_eq!(hits[0].name_match, vec![0, 1, 2, 3, 4], "{q}");
        assert!(names(&hits).contains(&"张三"), "{q}");
    }
    // With the building, glued or not: only 3栋's 2-501 and its people.
    for q in ["3栋2单元501室", "3栋 2单元501", "3栋/2单元501"] {
        let hits = ix.search(q, 20);
        assert_eq!(hits[0].kind, HitKind::Household, "{q}");
        assert_eq!(hits[0].address, "幸福小区/3栋/2-501", "{q}");
        let mut got = names(&hits);
        got.sort();
        assert_eq!(got, ["2-501", "张三", "李梅"], "{q}");
    }
    // A unit alone: its households by prefix, 3栋 unit 1 here.
    let hits = ix.search("3栋 1单元", 20);
    let households: Vec<&str> = hits
        .iter()
        .filter(|h| h.kind == HitKind::Household)
        .map(|h| h.name.as_str())
        .collect();
    assert_eq!(households, ["1-501", "1-502"]);
    // `501室` is room 501 in any unit; `zs 501室` as `zs 501`.
    assert!(names(&ix.search("3栋 501室", 20)).contains(&"张山"));
    assert_eq!(
        names(&ix.search("zs 501室", 3)),
        names(&ix.search("zs 501", 3))
    );
}

#[test]
fn exact_before_prefix_before_fuzzy() {
    let (_d, store) = fixture();
    let ix = index(&store);
    let hits = ix.search("张三", 10);
    let got = names(&hits);
    assert_eq!(&got[..3], &["张三", "张三丰", "张小三"], "{got:?}");
    assert_eq!(hits[0].tier, Tier::Exact);
    assert_eq!(hits[1].tier, Tier::Prefix);
    assert_eq!(hits[2].tier, Tier::Fuzzy);
    assert_eq!(hits[2].name_match, vec![0, 2]);
    assert!(hits[0].score > hits[1].score && hits[1].score > hits[2].score);
    // Pinyin: exact, prefix, then a fuzzy subsequence.
    let hits = ix.search("zhangsan", 10);
    let got = names(&hits);
    assert_eq!(&got[..2], &["张三", "张三丰"]);
    let fuzzy: Vec<&Hit> = hits.iter().filter(|h| h.tier == Tier::Fuzzy).collect();
    assert!(fuzzy.iter().any(|h| h.name == "张山"), "{got:?}");
    assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
}

#[test]
fn covering_member_is_reported_and_followed() {
    let (_d, store) = fixture();
    let m = ops::add_member(
        &store,
        ctx(),
        "欧阳修",
        "13600001234",
        MemberKind::GridWorker,
        "",
    )
    .unwrap();
    let building = household(&store, "幸福小区/3栋");
    ops::assign(
        &store,
        ctx(),
        building,
        m.meta.id,
        Role::Responsible,
        Ts(now().0 - 1000),
        None,
    )
    .unwrap();
    let mut ix = index(&store);
    let h = ix.search("zhangsan", 1);
    assert_eq!(h[0].cover.as_deref(), Some("欧阳修"));
    let member = ix.search("欧阳修", 1);
    assert_eq!(member[0].kind, HitKind::Member);
    assert_eq!(member[0].address, "幸福小区/3栋");
    assert_eq!(member[0].zone, Some(building));
    // A household's own responsible member takes over from the building's
    // (the member is new to the index: refreshing the household adds them).
    let other = ops::add_member(
        &store,
        ctx(),
        "司马迁",
        "13600005678",
        MemberKind::Volunteer,
        "",
    )
    .unwrap();
    let hh = household(&store, "幸福小区/3栋/2-501");
    ops::assign(
        &store,
        ctx(),
        hh,
        other.meta.id,
        Role::Responsible,
        Ts(now().0 - 500),
        None,
    )
    .unwrap();
    ix.refresh_household(&store, hh).unwrap();
    assert_eq!(ix.search("zhangsan", 1)[0].cover.as_deref(), Some("司马迁"));
    assert_eq!(first(&ix.search("smq", 5), "smq").kind, HitKind::Member);
    // Renaming the member shows at once in covers.
    ops::edit_member(
        &store,
        ctx(),
        other.meta.id,
        "司马谈",
        "13600005678",
        MemberKind::Volunteer,
        "",
    )
    .unwrap();
    ix.refresh_member(&store, other.meta.id).unwrap();
    assert_eq!(ix.search("zhangsan", 1)[0].cover.as_deref(), Some("司马谈"));
    assert_eq!(first(&ix.search("smt", 5), "smt").name, "司马谈");
    assert!(ix.search("司马迁", 5).iter().all(|h| h.name != "司马迁"));
}

#[test]
fn index_follows_changes_without_a_rebuild() {
    let (_d, store) = fixture();
    let mut ix = index(&store);
    let hh = household(&store, "胜利花苑/1栋/1-101");
    assert!(ix.search("gongsunli", 5).is_empty());
    let input = ResidentInput {
        name: "公孙离".into(),
        phones: "13011112222".into(),
        relation: "子女".into(),
        ..Default::default()
    };
    let r = ops::add_resident(&store, ctx(), hh, &input).unwrap();
    ix.refresh_household(&store, hh).unwrap();
    let h = ix.search("gsl", 5);
    assert_eq!(first(&h, "gsl").name, "公孙离");
    assert_eq!(h[0].address, "胜利花苑/1栋/1-101");
    assert_eq!(first(&ix.search("1111222", 5), "phone").name, "公孙离");

    // Rename: the new name is found, the old one no longer.
    let renamed = ResidentInput {
        name: "上官婉儿".into(),
        ..input.clone()
    };
    ops::edit_resident(&store, ctx(), r.meta.id, &renamed).unwrap();
    ix.refresh_household(&store, hh).unwrap();
    assert!(ix.search("gongsunli", 5).is_empty());
    let h = ix.search("sgwe", 5);
    assert_eq!(first(&h, "sgwe").name, "上官婉儿");
    assert_eq!(h[0].id, r.meta.id);

    // Deleted: gone.
    ops::tombstone(&store, ctx(), r.meta.id, "moved away").unwrap();
    ix.remove(r.meta.id);
    assert!(ix.search("shangguan", 5).is_empty());

    // Removing a place takes the people inside it along.
    let before = ix.search("区志强", 5);
    assert_eq!(first(&before, "区志强").name, "区志强");
    ix.remove(hh);
    assert!(ix.search("区志强", 5).iter().all(|h| h.name != "区志强"));
    assert!(ix.approx_bytes() > 0);
}

#[test]
fn new_places_are_picked_up_from_below() {
    let (_d, store) = fixture();
    let mut ix = index(&store);
    let area = ops::add_area(&store, ctx(), "石油新村", "syxc").unwrap();
    let b = ops::add_building(&store, ctx(), area.meta.id, "7栋", "7").unwrap();
    let h = ops::add_household(&store, ctx(), b.meta.id, "1", "808", "").unwrap();
    let input = ResidentInput {
        name: "诸葛亮".into(),
        ..Default::default()
    };
    ops::add_resident(&store, ctx(), h.meta.id, &input).unwrap();
    // Only the household is refreshed: its building and area come along.
    ix.refresh_household(&store, h.meta.id).unwrap();
    let hits = ix.search("zgl 808", 5);
    assert_eq!(first(&hits, "zgl 808").address, "石油新村/7栋/1-808");
    assert_eq!(first(&ix.search("syxc", 5), "syxc").kind, HitKind::Area);
}

#[test]
fn renamed_place_changes_addresses() {
    let (_d, store) = fixture();
    let mut ix = index(&store);
    let b = household(&store, "幸福小区/5栋");
    ops::edit_place(&store, ctx(), b, &[("name", "五号楼")]).unwrap();
    ix.refresh_zone(&store, b).unwrap();
    let h = ix.search("单田芳", 1);
    assert_eq!(h[0].address, "幸福小区/五号楼/1-101");
    assert!(ix.search("五号楼 曾", 5).iter().any(|h| h.name == "曾国藩"));
}

#[test]
fn narrowing_queries_agree_with_fresh_searches() {
    let (_d, store) = fixture();
    let typed = index(&store);
    let fresh = |q: &str, n: usize| index(&store).search(q, n);
    // Type queries one key at a time, as the TUI does, with small and large limits.
    for limit in [1, 3, 50] {
        for query in ["zs 501", "zhangsan", "张三 2", "13 5", "oynn", "3栋 5"] {
            let mut q = String::new();
            for c in query.chars() {
                q.push(c);
                assert_eq!(
                    typed.search(&q, limit),
                    fresh(&q, limit),
                    "typing {q:?} limit {limit}"
                );
            }
        }
    }
}

#[test]
fn odd_queries_never_panic() {
    let (_d, store) = fixture();
    let ix = index(&store);
    let long = "张".repeat(10_000);
    for q in [
        "",
        " ",
        "\t\n",
        "/",
        "///",
        "\0",
        "🙂",
        "e\u{301}",
        "İ",
        "ǅ",
        "﷽",
        "-",
        "--",
        "0",
        "00000000000000000000",
        &long,
        "a b c d e f g h i j k l",
        "\u{200b}",
        "ａｂｃ",
        "зс",
    ] {
        let hits = ix.search(q, 10);
        for h in &hits {
            let n = h.name.chars().count();
            assert!(h.name_match.iter().all(|i| *i < n), "{q:?}: {h:?}");
            let a = h.address.chars().count();
            assert!(h.address_match.iter().all(|i| *i < a), "{q:?}: {h:?}");
        }
    }
    assert!(ix.search("zs", 0).is_empty());
    assert!(!ix.search("zs", usize::MAX).is_empty());
}

#[test]
fn polyphonic_characters_count_anywhere_in_a_name() {
    let (_d, store) = readings_fixture();
    let ix = index(&store);
    for (q, want) in [
        // 长 zhǎng / cháng
        ("wangzhangming", "王长明"),
        ("wangchangming", "王长明"),
        ("wzm", "王长明"),
        ("wcm", "王长明"),
        // 乐 lè / yuè
        ("wangleming", "王乐明"),
        ("wangyueming", "王乐明"),
        ("wlm", "王乐明"),
        ("wym", "王乐明"),
        // 重 zhòng / chóng, last in the name
        ("liwenzhong", "李文重"),
        ("liwenchong", "李文重"),
        ("lwz", "李文重"),
        ("lwc", "李文重"),
    ] {
        finds_exactly(&ix, q, want);
    }
    // A prefix through the second reading highlights what it spells.
    let hits = ix.search("wangch", 5);
    assert_eq!(first(&hits, "wangch").name, "王长明");
    assert_eq!(hits[0].tier, Tier::Prefix);
    assert_eq!(hits[0].name_match, vec![0, 1]);
    // From inside the name, through the second reading.
    let hits = ix.search("changming", 5);
    assert_eq!(first(&hits, "changming").name, "王长明");
    assert_eq!(hits[0].name_match, vec![1, 2]);
    // A reading no character has still finds nothing exact.
    assert!(
        ix.search("wangchengming", 5)
            .iter()
            .all(|h| h.tier == Tier::Fuzzy)
    );
}

#[test]
fn u_umlaut_is_typed_as_v_or_u() {
    let (_d, store) = readings_fixture();
    let ix = index(&store);
    for (q, want) in [
        ("lvde", "吕德"),
        ("lude", "吕德"),
        ("ld", "吕德"),
        ("lvxiaohong", "吕小红"),
        ("luxiaohong", "吕小红"),
        ("xienvying", "谢女英"),
        ("xienuying", "谢女英"),
        ("xny", "谢女英"),
    ] {
        finds_exactly(&ix, q, want);
    }
    let h = ix.search("lv", 10);
    let got = names(&h);
    assert!(got.contains(&"吕德") && got.contains(&"吕小红"), "{got:?}");
    // 女 on its own, inside the name.
    assert!(names(&ix.search("nv", 10)).contains(&"谢女英"));
}

#[test]
fn rare_surnames_read_as_surnames() {
    let (_d, store) = readings_fixture();
    let ix = index(&store);
    for (q, want) in [
        ("moqixie", "万俟卨"),
        ("mqx", "万俟卨"),
        ("zhaizhongming", "祭仲明"),
        ("yuchigong", "尉迟恭"),
        ("ycg", "尉迟恭"),
        ("zhangsunwuji", "长孙无忌"),
        ("zswj", "长孙无忌"),
        ("tantaimieming", "澹台灭明"),
        ("ttmm", "澹台灭明"),
        ("niehong", "乜红"),
        ("zengming", "曾明"),
        ("shanming", "单明"),
    ] {
        finds_exactly(&ix, q, want);
    }
    // The everyday readings still find them, after the surname reading.
    assert!(score_of(&ix, "wansixie", "万俟卨") < score_of(&ix, "moqixie", "万俟卨"));
    assert!(score_of(&ix, "jizhongming", "祭仲明") < score_of(&ix, "zhaizhongming", "祭仲明"));
    assert!(score_of(&ix, "cengming", "曾明") < score_of(&ix, "zengming", "曾明"));
    assert!(score_of(&ix, "weichigong", "尉迟恭") < score_of(&ix, "yuchigong", "尉迟恭"));
    // 单 as a surname is shan: someone whose name is read dan comes first for `danming`.
    let hits = ix.search("danming", 5);
    assert_eq!(names(&hits[..2]), vec!["丹明", "单明"]);
    assert!(hits[..2].iter().all(|h| h.tier == Tier::Exact));
    let hits = ix.search("shanming", 5);
    assert_eq!(names(&hits[..1]), vec!["单明"]);
}

#[test]
fn tags_find_the_people_who_carry_them() {
    let (_d, store) = readings_fixture();
    let ix = index(&store);
    let sorted = |q: &str| {
        let mut got: Vec<String> = ix.search(q, 50).into_iter().map(|h| h.name).collect();
        got.sort();
        got
    };
    assert_eq!(sorted("低保"), vec!["周强", "谢女英"]);
    assert_eq!(sorted("/独居"), vec!["吕德", "郑红"]);
    assert_eq!(sorted("残疾人"), vec!["周强"]);
    // Tags and names narrow each other.
    assert_eq!(sorted("低保 xny"), vec!["谢女英"]);
    let hits = ix.search("低保户", 5);
    let h = hits.iter().find(|h| h.name == "周强").unwrap();
    assert_eq!(h.kind, HitKind::Resident);
    assert_eq!(h.tags, vec!["低保户", "残疾人"]);
    assert_eq!(h.address, "和平小区/1栋/1-203");
    // Tags are shown on every hit of a person that has them.
    let h = ix.search("zhouqiang", 1);
    assert_eq!(h[0].tags, vec!["低保户", "残疾人"]);
    assert!(ix.search("wangchangming", 1)[0].tags.is_empty());
}

#[test]
fn results_with_a_phone_come_first() {
    let (_d, store) = readings_fixture();
    let ix = index(&store);
    let hits = ix.search("赵敏", 5);
    assert_eq!(names(&hits), vec!["赵敏", "赵敏"]);
    assert_eq!(hits[0].tier, hits[1].tier);
    assert_eq!(hits[0].score, hits[1].score);
    assert_eq!(hits[0].phone.as_deref(), Some("13800000402"));
    assert_eq!(hits[1].phone, None);
    // The same by initials and by pinyin.
    for q in ["zm", "zhaomin"] {
        let hits = ix.search(q, 5);
        let zm: Vec<&Hit> = hits.iter().filter(|h| h.name == "赵敏").collect();
        assert_eq!(zm.len(), 2, "{q}");
        assert!(zm[0].phone.is_some() && zm[1].phone.is_none(), "{q}");
    }
}

#[test]
fn households_show_their_head_and_whom_to_call() {
    let (_d, store) = readings_fixture();
    let mut ix = index(&store);
    let household_hit = |ix: &LookupIndex, label: &str| {
        ix.search(&format!("1栋 {label}"), 20)
            .into_iter()
            .find(|h| h.kind == HitKind::Household && h.name == label)
            .unwrap_or_else(|| panic!("no household {label}"))
    };
    let head = |name: &str, phone: Option<&str>, of: Option<&str>| {
        Some(Head {
            name: name.into(),
            phone: phone.map(Into::into),
            phone_of: of.map(Into::into),
        })
    };
    // The head (户主) has no phone: the first resident who has one, named.
    let h = household_hit(&ix, "1-201");
    assert_eq!(h.head, head("吕德", Some("13900000201"), Some("吕小红")));
    // The head is the 户主 even when listed second.
    let h = household_hit(&ix, "1-203");
    assert_eq!(h.head, head("周强", Some("13800000233"), Some("周强")));
    // No 户主: the first resident is the head; the phone is the next one's.
    let h = household_hit(&ix, "1-204");
    assert_eq!(h.head, head("钱芳", Some("13800000244"), Some("钱进")));
    // Nobody has a phone.
    let h = household_hit(&ix, "1-205");
    assert_eq!(h.head, head("郑红", None, None));
    // People are not households: no head.
    assert!(ix.search("lvde", 1)[0].head.is_none());
    // The dump of every entry agrees.
    let all: Vec<Hit> = ix.entries().collect();
    let e = all
        .iter()
        .find(|x| x.kind == HitKind::Household && x.address == "和平小区/1栋/1-201")
        .unwrap();
    assert_eq!(e.head, head("吕德", Some("13900000201"), Some("吕小红")));

    // A resident with a phone moves in: the index follows.
    let hh = household(&store, "和平小区/1栋/1-205");
    let input = ResidentInput {
        name: "郑大勇".into(),
        phones: "13700000205".into(),
        relation: "子女".into(),
        ..Default::default()
    };
    ops::add_resident(&store, ctx(), hh, &input).unwrap();
    ix.refresh_household(&store, hh).unwrap();
    let h = household_hit(&ix, "1-205");
    assert_eq!(h.head, head("郑红", Some("13700000205"), Some("郑大勇")));
    // Among households that match equally, one with a phone comes first:
    // in 3栋, 1-101's only resident has none, 1-102's has one.
    let hits = ix.search("3栋 1-10", 10);
    let order: Vec<&str> = hits
        .iter()
        .filter(|h| h.kind == HitKind::Household)
        .map(|h| h.name.as_str())
        .collect();
    assert_eq!(order, vec!["1-102", "1-101"]);
    assert_eq!(hits[0].score, hits[1].score);
}

#[test]
fn find_shows_heads_and_tags() {
    let (dir, store) = readings_fixture();
    drop(store);
    let run = |args: &[&str]| {
        for _ in 0..100 {
            let out = Command::cargo_bin("gridbook")
                .unwrap()
                .arg("--data")
                .arg(dir.path())
                .env("GRIDBOOK_CONFIG", dir.path().join("no-config"))
                .args(args)
                .output()
                .unwrap();
            if out.status.code() != Some(3) {
                return out;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("store stayed locked");
    };
    let out = run(&["find", "1栋", "1-201", "--json", "--limit", "1"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let h = &v[0];
    assert_eq!(h["kind"], "household");
    assert_eq!(h["address"], "和平小区/1栋/1-201");
    assert_eq!(h["phone"], serde_json::Value::Null);
    assert_eq!(
        h["head"],
        serde_json::json!({"name": "吕德", "phone": "13900000201", "phone_of": "吕小红"})
    );
    assert_eq!(h["tags"], serde_json::json!([]));

    let out = run(&["--lang", "en", "find", "1栋", "1-201", "--limit", "1"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("head 吕德, 吕小红 13900000201"), "{text}");
    let out = run(&["--lang", "zh", "find", "1栋", "1-201", "--limit", "1"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("户主 吕德，吕小红 13900000201"), "{text}");

    let out = run(&["find", "/独居", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut got: Vec<(&str, &serde_json::Value)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["name"].as_str().unwrap(), &h["tags"]))
        .collect();
    got.sort_by_key(|(n, _)| *n);
    assert_eq!(
        got,
        vec![
            ("吕德", &serde_json::json!(["独居老人"])),
            ("郑红", &serde_json::json!(["独居老人"]))
        ]
    );
    let out = run(&["--lang", "en", "find", "低保", "zhouqiang"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.trim_end().ends_with("低保户, 残疾人"), "{text}");
}

#[test]
fn find_from_the_shell() {
    let (dir, store) = fixture();
    drop(store);
    // sled's background threads may hold its file lock a moment after the
    // store is dropped; wait for it like a user would retry.
    let run = |args: &[&str]| {
        for _ in 0..100 {
            let out = Command::cargo_bin("gridbook")
                .unwrap()
                .arg("--data")
                .arg(dir.path())
                .env("GRIDBOOK_CONFIG", dir.path().join("no-config"))
                .args(args)
                .output()
                .unwrap();
            if out.status.code() != Some(3) {
                return out;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("store stayed locked");
    };
    let out = run(&["find", "zs", "501", "--json", "--limit", "3"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = out.stdout;
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let arr = v.as_array().unwrap();
    let mut got: Vec<&str> = arr.iter().map(|h| h["name"].as_str().unwrap()).collect();
    got.sort();
    assert_eq!(got, vec!["张三", "张山", "赵四"]);
    let zs = arr.iter().find(|h| h["name"] == "张三").unwrap();
    assert_eq!(zs["kind"], "resident");
    assert_eq!(zs["address"], "幸福小区/3栋/2-501");
    assert_eq!(zs["phone"], "13812345678");
    assert_eq!(zs["name_match"], serde_json::json!([0, 1]));
    assert_eq!(zs["household"].as_str().unwrap().len(), 26);

    // Text: one aligned line per result.
    let out = run(&["find", "zhangsan", "--limit", "2"]);
    assert!(out.status.success());
    let out = out.stdout;
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("张三    幸福小区/3栋/2-501"), "{text}");
    assert!(lines[0].contains("13812345678"));

    // No query is bad input.
    assert_eq!(run(&["find", " "]).status.code(), Some(2));
}
