//! What the command line says: an output path it cannot write is the
//! user's (exit 2, never the store's), messages follow `--lang`, Chinese
//! output keeps Chinese punctuation, and `show` of a building names each
//! household's head.

mod common;
use common::*;

/// Runs expecting failure; returns the exit code and standard error.
fn fails(d: &Data, args: &[&str]) -> (Option<i32>, String) {
    let out = d.cmd(NOW, args).output().unwrap();
    assert!(!out.status.success(), "{args:?} succeeded");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn zh<'a>(args: &[&'a str]) -> Vec<&'a str> {
    [&["--lang", "zh"][..], args].concat()
}

#[test]
fn an_output_path_that_cannot_be_written_is_bad_input_not_a_broken_store() {
    let d = Data::new();
    let missing = d.path("no-such-folder/x");
    let file = d.path("a-file");
    std::fs::write(&file, "x").unwrap();
    let under_file = format!("{file}/x.csv");
    let csv = format!("{missing}.csv");
    let xlsx = format!("{missing}.xlsx");
    let json = format!("{missing}.json");
    for args in [
        vec![
            "report", "ledger", "visits", "--month", "2026-11", "--csv", &csv,
        ],
        vec!["report", "ledger", "visits", "--xlsx", &xlsx],
        vec!["report", "members", "--csv", &under_file],
        vec!["report", "coverage", "--xlsx", &xlsx],
        vec!["export", "--out", &json],
        vec!["export", "--format", "xlsx", "--out", &xlsx],
        vec!["export", "--format", "csv", "--out", &under_file],
    ] {
        let path = args.last().unwrap().to_string();
        let (code, en) = fails(&d, &args);
        assert_eq!(code, Some(2), "{args:?}: {en}");
        assert!(en.contains(&path) && en.contains("cannot write"), "{en}");
        assert!(!en.contains("backup") && !en.contains("restore"), "{en}");
        let (code, said) = fails(&d, &zh(&args));
        assert_eq!(code, Some(2), "{args:?}: {said}");
        assert!(said.contains(&path) && said.contains("无法写入"), "{said}");
        assert!(!said.contains("备份") && !said.contains("cannot"), "{said}");
    }
    let (_, said) = fails(&d, &zh(&["report", "members", "--csv", &csv]));
    assert!(said.contains("所在的文件夹不存在"), "{said}");
}

#[test]
fn messages_follow_lang_zh() {
    let d = Data::new();
    let cases: [(&[&str], &str, &str); 9] = [
        (&["find", ""], "find 需要查询内容", "find needs a query"),
        (&["find", "zs", "--limit", "0"], "--limit 0", "no match"),
        (
            &[
                "log",
                "visit",
                "--household",
                "slhy/3/2-501",
                "--as",
                "赵建国",
                "--follow-up",
                "+7x",
            ],
            "`+7x` 不是有效日期",
            "is not a date",
        ),
        (
            &["report", "members", "--month", "2026-13"],
            "月份请写成",
            "give a month",
        ),
        (
            &["report", "members", "--days", "0"],
            "天数须在",
            "give a number",
        ),
        (
            &["report", "members", "--days", "30", "--month", "2026-11"],
            "只能给出一种时段",
            "give one period",
        ),
        (
            &[
                "log",
                "problem",
                "--zone",
                "slhy",
                "--category",
                "不存在",
                "--note",
                "x",
                "--as",
                "赵建国",
            ],
            "没有这种问题类别「不存在」；可选：repair（报修）、",
            "unknown category",
        ),
        (
            &["log", "resolve", "abc", "--note", "x"],
            "「abc」不是编号",
            "is not an id",
        ),
        (&["sync", "status"], "尚未设置同步", "sync is not set up"),
    ];
    for (args, want, english) in cases {
        let (code, said) = fails(&d, &zh(args));
        assert_eq!(code, Some(2), "{args:?}: {said}");
        assert!(said.contains(want), "{args:?}: {said}");
        assert!(!said.contains(english), "{args:?}: {said}");
    }
    // A place named with its code, in Chinese brackets.
    let (_, said) = fails(&d, &zh(&["show", "zzz"]));
    assert!(said.contains("胜利花苑（slhy）"), "{said}");
    // No match is a note, in Chinese.
    let out = d.cmd(NOW, &zh(&["find", "qqqqxx"])).output().unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("没有找到「qqqqxx」"), "{err}");
}

#[test]
fn the_writer_lock_message_follows_lang() {
    let d = Data::new();
    let _held = gridbook::store::Store::open(std::path::Path::new(&d.path("data"))).unwrap();
    let (code, said) = fails(
        &d,
        &zh(&[
            "--wait",
            "0.1",
            "log",
            "resolve",
            "01KZ0000000000000000000000",
            "--note",
            "x",
        ]),
    );
    assert_eq!(code, Some(3), "{said}");
    assert!(
        said.contains("正被另一个 gridbook 使用") && said.contains("--wait"),
        "{said}"
    );
    assert!(!said.contains("in use"), "{said}");
}

#[test]
fn show_of_a_building_names_each_households_head_and_phone() {
    let d = Data::new();
    let out = d.ok(&["--lang", "zh", "show", "slhy/3"]);
    let header = out.lines().find(|l| l.contains("门牌")).unwrap();
    assert!(header.contains("户主") && header.contains("电话"), "{out}");
    assert!(!header.contains("姓名"), "{out}");
    // 2-501's head has no phone: her son answers, named.
    let row = out.lines().find(|l| l.contains("2-501")).unwrap();
    assert!(
        row.contains("吕桂英") && row.contains("13805461234（吕德）"),
        "{out}"
    );
    let row = out.lines().find(|l| l.contains("1-101")).unwrap();
    assert!(
        row.contains("周海燕") && row.contains("13905460001"),
        "{out}"
    );
    assert_eq!(row.matches("1-101").count(), 1, "{out}");
    let en = d.ok(&["show", "slhy/3"]);
    assert!(
        en.lines()
            .any(|l| l.contains("label") && l.contains("head")),
        "{en}"
    );
    let v = d.json(&["show", "slhy/3", "--json"]);
    let first = &v["children"][0];
    assert!(first["head"]["head"].is_string(), "{v}");
}

#[test]
fn chinese_output_keeps_chinese_punctuation() {
    let d = Data::new();
    let cov = d.ok(&["--lang", "zh", "report", "coverage"]);
    assert!(cov.contains("各责任人的覆盖："), "{cov}");
    assert!(!cov.contains(" (") && !cov.contains(":\n"), "{cov}");
    let mem = d.ok(&["--lang", "zh", "report", "members"]);
    let first = mem.lines().next().unwrap();
    assert!(
        first.contains("近 30 天") && first.contains("名成员"),
        "{mem}"
    );
    assert!(!first.contains("30d") && !first.contains("党员"), "{mem}");
    let act = d.ok(&["--lang", "zh", "report", "activity"]);
    assert!(act.starts_with("近 30 天："), "{act}");
    let care = d.ok(&["--lang", "zh", "report", "care"]);
    assert!(!care.contains("(天)"), "{care}");
    // A flag takes no value: zh help lists none for it.
    let help = d.ok(&["--lang", "zh", "show", "--help"]);
    assert!(!help.contains("true、false"), "{help}");
}
