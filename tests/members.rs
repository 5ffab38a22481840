//! Members files as community offices write them: Excel's dates, several
//! zones in one cell, members without a phone, a branch column, re-imports
//! that update a member instead of adding a second one, and physical line
//! numbers whatever the line ends.

use gridbook::model::*;
use gridbook::ops::Ctx;
use gridbook::store::Store;
use gridbook::{members_csv, roster};

fn ctx() -> Ctx {
    Ctx {
        by: None,
        now: Ts(1_795_000_000_000),
    }
}

/// A store holding 胜利花苑 with buildings 1栋 and 2栋 and a few households.
fn estate() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let text = "小区,楼栋,单元,房号,姓名\n\
                胜利花苑,1栋,1,101,甲\n\
                胜利花苑,1栋,1,102,乙\n\
                胜利花苑,2栋,1,201,丙\n";
    let r = roster::parse("r.csv", text.as_bytes()).unwrap();
    roster::import(&store, ctx(), &r, false, false).unwrap();
    (dir, store)
}

fn import(store: &Store, text: &str) -> Result<members_csv::Report, String> {
    members_csv::import(store, ctx(), "m.csv", text.as_bytes()).map_err(|e| e.to_string())
}

/// Every member as `name phone kind [tags] branch: zones`.
fn members(store: &Store) -> Vec<String> {
    store
        .members()
        .unwrap()
        .iter()
        .map(|m| {
            format!(
                "{} {} {} [{}] {}",
                m.name,
                m.phone,
                m.kind.code(),
                m.tags.join(","),
                m.branch
            )
        })
        .collect()
}

#[test]
fn office_dates_several_zones_in_a_cell_no_phone_and_a_branch() {
    let (_d, store) = estate();
    let text = "姓名,手机号码,类型,标签,所在支部,责任区,联系户,任职日期\n\
                朱杰,13900001111,网格员,,第一支部,胜利花苑/1栋、胜利花苑/2栋,,2024/3/1\n\
                许胜利,,党员,流动,第二支部,,\"胜利花苑/1栋/1-101，胜利花苑/1栋/1-102\n胜利花苑/2栋/1-201\",2024年3月1日\n\
                孙丽,13900002222,志愿者,,,,胜利花苑/1栋/1-101;胜利花苑/1栋/1-102,2024-3-1\n";
    let report = import(&store, text).unwrap();
    assert_eq!(
        report.to_string(),
        "members: 3 added, 0 updated, 0 unchanged; assignments: 7 added, 0 unchanged\n\
         warning: m.csv:3: 许胜利 has no phone"
    );
    assert_eq!(
        members(&store),
        [
            "朱杰 13900001111 grid-worker [] 第一支部",
            "许胜利  party-member [流动] 第二支部",
            "孙丽 13900002222 volunteer [] ",
        ]
    );
    // The dates are the same day, however written.
    let zhu = &store.members().unwrap()[0];
    let b1 = gridbook::address::resolve(&store, "胜利花苑/1栋")
        .unwrap()
        .id();
    let a = store.assignments_of(b1).unwrap();
    let since = a.iter().find(|a| a.member == zhu.meta.id).unwrap().since;
    let xu = &store.members().unwrap()[1];
    let h = gridbook::address::resolve(&store, "胜利花苑/2栋/1-201")
        .unwrap()
        .id();
    let xs = store.assignments_of(h).unwrap();
    let xu_since = xs.iter().find(|a| a.member == xu.meta.id).unwrap().since;
    assert_eq!(since.date(), xu_since.date());
    assert_eq!(since.date().to_string(), "2024-03-01");
}

#[test]
fn a_reimport_updates_the_member_found_by_phone_or_name_and_kind() {
    let (_d, store) = estate();
    import(
        &store,
        "姓名,电话,类型,标签\n朱杰,13900001111,网格员,\n孙丽,13900002222,志愿者,\n",
    )
    .unwrap();
    // 朱杰 by phone (new tags, a branch); 孙丽 by name and kind (new phone).
    let report = import(
        &store,
        "姓名,电话,类型,标签,所在支部\n朱杰,13900001111,网格员,复转军人,第一支部\n孙丽,13900003333,志愿者,,\n",
    )
    .unwrap();
    assert_eq!(
        report.to_string(),
        "members: 0 added, 2 updated, 0 unchanged; assignments: 0 added, 0 unchanged\n  \
         朱杰: tags  → 复转军人\n  \
         朱杰: branch  → 第一支部\n  \
         孙丽: phone 13900002222 → 13900003333"
    );
    assert_eq!(
        members(&store),
        [
            "朱杰 13900001111 grid-worker [复转军人] 第一支部",
            "孙丽 13900003333 volunteer [] ",
        ]
    );
    // A second 孙丽 of another kind is another person.
    let r = import(&store, "姓名,电话,类型\n孙丽,13900004444,党员\n").unwrap();
    assert_eq!(r.members_added, 1);
}

#[test]
fn crlf_files_report_the_physical_line() {
    let (_d, store) = estate();
    let lf = "姓名,电话,责任区\n朱杰,13900001111,\n\n孙丽,13900002222,\n许胜利,13900003333,胜利花苑/9栋\n";
    let crlf = lf.replace('\n', "\r\n");
    for text in [lf.to_string(), crlf] {
        let e = import(&store, &text).unwrap_err();
        assert!(
            e.starts_with("m.csv:5: column 3 (责任区): no building `9栋` in 胜利花苑"),
            "{e}"
        );
    }
    assert!(store.members().unwrap().is_empty());
}
