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

/// Standard output and standard error of a run that succeeds.
fn both(d: &Data, args: &[&str]) -> String {
    let out = d.cmd(NOW, args).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?}: {err}");
    format!("{}{err}", String::from_utf8_lossy(&out.stdout))
}

#[test]
fn check_says_its_summary_in_chinese() {
    let d = Data::new();
    let said = d.ok(&["--lang", "zh", "check"]);
    assert!(
        said.contains("条记录") && said.contains("条索引正常") && said.contains("无法解码 0"),
        "{said}"
    );
    assert!(
        !said.contains("records") && !said.contains("missing"),
        "{said}"
    );
    let en = d.ok(&["check"]);
    assert!(
        en.contains("records,") && en.contains("0 undecodable"),
        "{en}"
    );
}

#[test]
fn a_dry_run_that_would_reject_rows_says_so_in_chinese() {
    let d = Data::new();
    let file = d.path("bad.csv");
    std::fs::write(
        &file,
        "小区,楼栋,单元,房号,姓名,电话,与户主关系\n胜利花苑,3栋,2,501,吕德,1380546,子女\n",
    )
    .unwrap();
    let (code, said) = fails(&d, &zh(&["import", "roster", &file, "--dry-run"]));
    assert_eq!(code, Some(2), "{said}");
    let last = said.lines().last().unwrap();
    assert!(last.contains("将有 1 行被拒收"), "{said}");
    assert!(!last.contains("would be rejected"), "{said}");
    let (_, en) = fails(&d, &["import", "roster", &file, "--dry-run"]);
    assert!(en.contains("1 rows would be rejected"), "{en}");
}

#[test]
fn export_says_what_it_wrote_in_chinese() {
    let d = Data::new();
    let json = d.path("全部.json");
    let xlsx = d.path("全部.xlsx");
    let dir = d.path("csv");
    let said = both(&d, &zh(&["export", "--out", &json]));
    assert!(
        said.contains("已导出小区 1 个、楼栋 2 栋、住户 4 户、居民 5 人")
            && said.contains("请妥善保管"),
        "{said}"
    );
    let said = both(&d, &zh(&["export", "--format", "xlsx", "--out", &xlsx]));
    assert!(said.contains("已导出居民 5 人"), "{said}");
    let said = both(&d, &zh(&["export", "--format", "csv", "--out", &dir]));
    assert!(said.contains("已导出居民 5 人到"), "{said}");
    for said in [
        both(&d, &zh(&["export", "--out", &json])),
        both(&d, &zh(&["export", "--format", "xlsx", "--out", &xlsx])),
        both(&d, &zh(&["export", "--format", "csv", "--out", &dir])),
    ] {
        assert!(
            !said.contains("exported") && !said.contains("keep it private"),
            "{said}"
        );
    }
    let en = both(&d, &["export", "--out", &json]);
    assert!(
        en.contains("exported 1 areas, 2 buildings, 4 households, 5 residents"),
        "{en}"
    );
}

#[test]
fn erase_reports_in_chinese() {
    let d = Data::new();
    let said = both(&d, &zh(&["erase", "slhy/3/1-601", "欧阳娜娜"]));
    assert!(
        said.contains("已删除 欧阳娜娜（胜利花苑/3栋/1-601 的居民）")
            && said.contains("数据已重新写入")
            && said.contains("无法触及"),
        "{said}"
    );
    // The mark the record now reads is bilingual by design.
    assert!(
        !said.contains("values in the record") && !said.contains("not reached"),
        "{said}"
    );
    let (code, said) = fails(&d, &zh(&["erase", "slhy/3"]));
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("还需给出居民姓名"), "{said}");
}

#[test]
fn the_age_group_follows_the_birth_year_and_is_not_tagged_by_hand() {
    let d = Data::new();
    let before = d.ok(&["export"]);
    for (op, group) in [
        ("--add", "aged-80"),
        ("--remove", "高龄老人"),
        ("--add", "高龄"),
    ] {
        let args = ["tag", "slhy/3/1-101", "周海燕", op, group];
        let (code, en) = fails(&d, &args);
        assert_eq!(code, Some(2), "{en}");
        assert!(
            en.contains("aged 80 and over follows the birth year")
                && en.contains("born in 1946 or earlier")
                && en.contains("gridbook import roster"),
            "{en}"
        );
        let (code, said) = fails(&d, &zh(&args));
        assert_eq!(code, Some(2), "{said}");
        assert!(
            said.contains("高龄老人按出生年份计算") && said.contains("1946 年及以前出生"),
            "{said}"
        );
        assert!(!said.contains("follows"), "{said}");
    }
    // Nothing written, also with a real group named beside it.
    let (code, _) = fails(
        &d,
        &[
            "tag",
            "slhy/3/1-101",
            "周海燕",
            "--add",
            "低保户",
            "--add",
            "aged-80",
        ],
    );
    assert_eq!(code, Some(2));
    assert_eq!(d.ok(&["export"]), before);
    let care = |d: &Data| d.json(&["report", "care", "--json"]);
    assert!(care(&d).as_array().unwrap().is_empty());
    // A mark set by hand (a roster tag) on a younger resident comes out.
    let file = d.path("tagged.csv");
    std::fs::write(
        &file,
        "小区,楼栋,单元,房号,姓名,电话,与户主关系,标签\n胜利花苑,5栋,1,102,庞秀兰,13905460009,户主,高龄\n",
    )
    .unwrap();
    d.ok(&["import", "roster", &file]);
    assert_eq!(care(&d)[0]["groups"], serde_json::json!(["aged-80"]));
    let out = d.ok(&zh(&["tag", "slhy/5/1-102", "庞秀兰", "--remove", "高龄"]));
    assert!(out.contains("已移出高龄老人"), "{out}");
    assert!(care(&d).as_array().unwrap().is_empty());
}
