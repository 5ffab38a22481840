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
            "「+7x」不是有效日期：可填 今天、昨天、明天",
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

/// Every rejected row of a roster is said in Chinese, still naming its
/// file, line and column, on the dry run's report and on the failing
/// import; `--json` keeps the English reasons it always carried.
#[test]
fn roster_rejections_are_said_in_chinese_with_file_line_and_column() {
    let d = Data::new();
    let file = d.path("坏.csv");
    std::fs::write(
        &file,
        "小区,楼栋,单元,房号,姓名,电话,居住状态,出生日期\n\
         胜利花苑,3栋,2,,吕明,,,\n\
         胜利花苑,3栋,2,502,吕亮,12345,,\n\
         胜利花苑,3栋,2,503,,,,\n\
         胜利花苑,3栋,2,504,吕光,,借住,\n\
         胜利花苑,3栋,2,505,吕辉,,,去年\n\
         胜利花苑,3栋,2,506,吕华,5468312345,,\n\
         胜利花苑,3栋,2,507,吕强,,,,多余\n",
    )
    .unwrap();
    let want = [
        format!("{file}:2：第 4 列（房号）：缺少房号"),
        format!("{file}:3：第 6 列（电话）：「12345」不是电话号码"),
        format!("{file}:4：第 5 列（姓名）：缺少姓名"),
        format!(
            "{file}:5：第 7 列（居住状态）：不认识的居住状态「借住」：可选 自住、出租、空置、商用"
        ),
        format!("{file}:6：第 8 列（出生日期）：「去年」不是出生日期"),
        format!("{file}:7：第 6 列（电话）：「5468312345」像是丢了开头 0 的座机号"),
        format!("{file}:8：第 9 列：「多余」在表头最后一列（出生日期）的右边"),
    ];
    let english = [
        "column",
        "missing",
        "is not a",
        "unknown occupancy",
        "looks like",
        "past the header",
    ];
    let out = d
        .cmd(NOW, &zh(&["import", "roster", &file, "--dry-run"]))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let report = String::from_utf8_lossy(&out.stdout).to_string();
    let (code, refused) = fails(&d, &zh(&["import", "roster", &file]));
    assert_eq!(code, Some(2), "{refused}");
    for said in [&report, &refused] {
        for w in &want {
            assert!(said.contains(w.as_str()), "missing `{w}` in {said}");
        }
        for e in english {
            assert!(!said.contains(e), "`{e}` in {said}");
        }
    }
    let (_, en) = fails(&d, &["import", "roster", &file]);
    assert!(
        en.contains(&format!("{file}:2: column 4 (房号): missing room (房号)"))
            && en.contains(&format!(
                "{file}:5: column 7 (居住状态): unknown occupancy `借住`: use owner (自住)"
            )),
        "{en}"
    );
    let json = d
        .cmd(
            NOW,
            &zh(&["import", "roster", &file, "--dry-run", "--json"]),
        )
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["rejected"][0]["reason"], "missing room (房号)");
    assert_eq!(v["rejected"][0]["line"], 2);
    assert!(v["rejected"][0].get("reason_zh").is_none(), "{v}");
}

/// An area written with its suffix is taken as the stored one: said in
/// Chinese, the JSON keeping its English sentence.
#[test]
fn an_area_taken_as_a_stored_one_is_said_in_chinese() {
    let d = Data::new();
    let file = d.path("小区.csv");
    std::fs::write(
        &file,
        "小区,楼栋,单元,房号,姓名\n胜利花苑小区,3栋,2,501,吕桂英\n",
    )
    .unwrap();
    let said = d.ok(&zh(&["import", "roster", &file, "--dry-run"]));
    assert!(
        said.contains("注意：第 2 行：小区「胜利花苑小区」视为已有的「胜利花苑」"),
        "{said}"
    );
    assert!(!said.contains("taken as"), "{said}");
    let en = d.ok(&["import", "roster", &file, "--dry-run"]);
    assert!(
        en.contains("warning: line 2: area `胜利花苑小区` taken as 胜利花苑"),
        "{en}"
    );
    let v = d.json(&["import", "roster", &file, "--dry-run", "--json"]);
    assert_eq!(
        v["warnings"][0],
        "line 2: area `胜利花苑小区` taken as 胜利花苑"
    );
}

/// A file that is not text, and a workbook that cannot be read or lacks
/// the sheet asked for, are refused in Chinese.
#[test]
fn unreadable_roster_files_are_refused_in_chinese() {
    let d = Data::new();
    let bytes = d.path("bytes.csv");
    std::fs::write(&bytes, b"a,b\n\xff\xfe\xfa\n").unwrap();
    let fake = d.path("假.xlsx");
    std::fs::write(&fake, "小区,楼栋\n").unwrap();
    let csv = d.path("roster.csv");
    for (args, want) in [
        (
            vec!["import", "roster", &bytes],
            format!("{bytes}:2：文件既不是 UTF-8 也不是 GB18030 文本"),
        ),
        (
            vec!["import", "roster", &fake],
            format!("{fake}：不是 gridbook 能读的工作簿"),
        ),
        (
            vec!["import", "roster", &csv, "--sheet", "居民"],
            format!("--sheet 只用于工作簿（.xlsx、.xls、.ods）；{csv} 按 CSV 读取"),
        ),
    ] {
        let (code, said) = fails(&d, &zh(&args));
        assert_eq!(code, Some(2), "{said}");
        assert!(said.contains(&want), "{args:?}: {said}");
        assert!(
            !said.contains("neither") && !said.contains("workbook") && !said.contains("applies"),
            "{said}"
        );
    }
}

/// `gen` says what it wrote, and export's refusals about its flags and
/// passphrases are said in Chinese.
#[test]
fn gen_and_export_refusals_are_said_in_chinese() {
    let d = Data::new();
    let dir = d.path("fixtures");
    let said = d.ok(&zh(&["gen", "--demo-fixtures", &dir]));
    assert!(
        said.starts_with("已写入居民 ") && said.contains(&format!("条到 {dir}")),
        "{said}"
    );
    let (code, said) = fails(&d, &zh(&["gen", "--households", "3"]));
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("gen 只填充空的数据目录"), "{said}");
    let xlsx = d.path("x.xlsx");
    for (args, want) in [
        (
            vec!["export", "--bom"],
            "--bom 和 --no-bom 只用于 --format csv",
        ),
        (
            vec!["export", "--format", "xlsx"],
            "请用 --out 文件.xlsx 指定文件",
        ),
        (
            vec!["export", "--format", "csv"],
            "请用 --out 目录 指定目录",
        ),
        (
            vec!["export", "--format", "xlsx", "--out", &xlsx, "--passphrase"],
            "--passphrase 和 --recipient 只用于 --format json",
        ),
        (
            vec!["export", "--passphrase", "--recipient", "age1x"],
            "--passphrase 和 --recipient 只能选一个",
        ),
    ] {
        let (code, said) = fails(&d, &zh(&args));
        assert_eq!(code, Some(2), "{args:?}: {said}");
        assert!(said.contains(want), "{args:?}: {said}");
        assert!(!said.contains("apply") && !said.contains("name "), "{said}");
    }
    let json = d.path("x.json");
    let out = d
        .cmd(NOW, &zh(&["export", "--passphrase", "--out", &json]))
        .env("GRIDBOOK_PASSPHRASE", "")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains(&format!("{json}：口令不能为空")), "{said}");
    let out = d
        .cmd(NOW, &zh(&["backup", "--passphrase"]))
        .env("GRIDBOOK_PASSPHRASE", "")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("备份：口令不能为空"), "{said}");
    // English as it was.
    let out = d
        .cmd(NOW, &["export", "--passphrase", "--out", &json])
        .env("GRIDBOOK_PASSPHRASE", "")
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains(": an empty passphrase is not a passphrase; nothing was done"),
    );
}

/// Erasing someone a household does not list is refused in Chinese, with
/// the residents it does list.
#[test]
fn erase_of_someone_not_listed_is_refused_in_chinese() {
    let d = Data::new();
    let (code, said) = fails(&d, &zh(&["erase", "slhy/3/2-501", "吕明"]));
    assert_eq!(code, Some(2), "{said}");
    assert!(
        said.contains("「吕明」不是 胜利花苑/3栋/2-501 的居民；该户居民有：吕"),
        "{said}"
    );
    assert!(
        said.contains("吕桂英") && said.contains("吕德") && said.contains("、"),
        "{said}"
    );
    assert!(!said.contains("no resident"), "{said}");
    let (_, en) = fails(&d, &["erase", "slhy/3/2-501", "吕明"]);
    assert!(
        en.contains("no resident `吕明` in 胜利花苑/3栋/2-501; its residents: "),
        "{en}"
    );
}

/// The members import says its own rows' reasons in Chinese, each with its
/// file, line and column; English stays as it was.
#[test]
fn members_import_rejections_are_said_in_chinese_with_file_line_and_column() {
    let d = Data::new();
    let file = d.path("成员.csv");
    std::fs::write(
        &file,
        "姓名,电话,类型,责任区,联系户,起始日期,编号\n\
         张三,13800000011,坏类型,,,,\n\
         李四,13800000012,,胜利花苑/9栋,,,\n\
         王五,13800000013,,,,某天,\n\
         赵六,13800000014,,,,,xyz\n\
         钱七,12345,,,,,\n\
         ,13800000015,,,,,\n",
    )
    .unwrap();
    let want = [
        format!(
            "{file}:2：第 3 列（类型）：未知类型「坏类型」（党员、网格员、志愿者、楼栋长，或 party-member、grid-worker、volunteer、building-head）"
        ),
        format!("{file}:3：第 4 列（责任区）：没有楼栋「9栋」（在 胜利花苑 中）"),
        format!("{file}:4：第 6 列（起始日期）：「某天」不是有效时间"),
        format!("{file}:5：第 7 列（编号）：「xyz」不是成员编号"),
        format!("{file}:6：第 2 列（电话）：「12345」不是电话号码"),
        format!("{file}:7：第 1 列（姓名）："),
    ];
    let (code, said) = fails(&d, &zh(&["import", "members", &file]));
    assert_eq!(code, Some(2), "{said}");
    for w in &want {
        assert!(said.contains(w.as_str()), "missing `{w}` in {said}");
    }
    for e in [
        "column",
        "unknown",
        "is not",
        "no building",
        "missing",
        "empty",
    ] {
        assert!(!said.contains(e), "`{e}` in {said}");
    }
    let (_, en) = fails(&d, &["import", "members", &file]);
    assert!(
        en.contains(&format!(
            "{file}:5: column 7 (编号): `xyz` is not a member id"
        )) && en.contains(&format!(
            "{file}:2: column 3 (类型): unknown kind `坏类型` (党员"
        )),
        "{en}"
    );

    // The rules an assignment breaks, checked once every row reads well.
    let rules = d.path("规则.csv");
    std::fs::write(
        &rules,
        "姓名,电话,责任区,联系户,起始日期\n\
         周八,13800000016,,胜利花苑/3栋,\n\
         吴九,13800000017,胜利花苑/3栋,,-300d\n",
    )
    .unwrap();
    let (code, said) = fails(&d, &zh(&["import", "members", &rules]));
    assert_eq!(code, Some(2), "{said}");
    for w in [
        format!("{rules}:2：第 4 列（联系户）：胜利花苑/3栋：联系户只能指定到户"),
        format!("{rules}:3：第 3 列（责任区）：胜利花苑/3栋：赵建国 自 "),
    ] {
        assert!(said.contains(w.as_str()), "missing `{w}` in {said}");
    }
    assert!(
        !said.contains("responsible") && !said.contains("liaison"),
        "{said}"
    );

    // Two columns for one field: the header row, in Chinese.
    let twice = d.path("两列.csv");
    std::fs::write(&twice, "姓名,电话,name\n张三,13800000011,张三\n").unwrap();
    let (_, said) = fails(&d, &zh(&["import", "members", &twice]));
    assert!(
        said.contains(&format!(
            "{twice}:1：第 3 列（name）：第 1 列（姓名）已经是姓名列；只保留其中一列"
        )),
        "{said}"
    );
    let (_, en) = fails(&d, &["import", "members", &twice]);
    assert!(
        en.contains("column 1 (姓名) is already the name column; keep one of them"),
        "{en}"
    );
}

/// `--recipient` that is not a key, and an age-encrypted file opened
/// without an identity, are said in Chinese.
#[test]
fn recipient_and_identity_refusals_are_said_in_chinese() {
    let d = Data::new();
    let out = d.path("x.json");
    let (code, said) = fails(
        &d,
        &zh(&["export", "--recipient", "age1bogus", "--out", &out]),
    );
    assert_eq!(code, Some(2), "{said}");
    assert!(
        said.contains("--recipient「age1bogus」不是 age 公钥（age1…）：不是有效的 Bech32 编码"),
        "{said}"
    );
    assert!(
        !said.contains("is not") && !said.contains("invalid"),
        "{said}"
    );
    let (_, en) = fails(&d, &["export", "--recipient", "age1bogus", "--out", &out]);
    assert!(
        en.contains(
            "--recipient `age1bogus` is not an age public key (age1…): invalid Bech32 encoding"
        ),
        "{en}"
    );

    // Sealed to a key; opened with none.
    let id = age::x25519::Identity::generate();
    let sealed = d.path("sealed.json.age");
    d.ok(&[
        "export",
        "--recipient",
        &id.to_public().to_string(),
        "--out",
        &sealed,
    ]);
    // The file is opened before the store is looked at.
    let (code, said) = fails(&d, &zh(&["import", "json", &sealed]));
    assert_eq!(code, Some(2), "{said}");
    assert!(
        said.contains(&format!(
            "{sealed}：此文件用 age 密钥加密：请用 --identity FILE 指定身份文件"
        )),
        "{said}"
    );
    assert!(!said.contains("encrypted to"), "{said}");
    let (_, en) = fails(&d, &["import", "json", &sealed]);
    assert!(
        en.contains(&format!(
            "{sealed}: encrypted to age keys: give the identity file with --identity FILE"
        )),
        "{en}"
    );
}

/// What a members import did, its changes and its warnings, in Chinese.
#[test]
fn members_import_reports_in_chinese() {
    let d = Data::new();
    let file = d.path("成员.csv");
    std::fs::write(&file, "姓名,电话,标签\n赵建国,13800000001,楼长\n钱明,,\n").unwrap();
    let said = d.ok(&zh(&["import", "members", &file]));
    assert!(
        said.contains("成员：新增 1，更新 1，未变 0；分工：新增 0，未变 0"),
        "{said}"
    );
    assert!(said.contains("赵建国：标签  → 楼长"), "{said}");
    assert!(
        said.contains(&format!("注意：{file}:3：钱明 没有电话")),
        "{said}"
    );
    assert!(
        !said.contains("added") && !said.contains("warning"),
        "{said}"
    );
    // English as it was.
    std::fs::write(&file, "姓名,电话,标签\n赵建国,13800000001,党小组长\n").unwrap();
    let said = d.ok(&["import", "members", &file]);
    assert!(
        said.contains(
            "members: 0 added, 1 updated, 0 unchanged; assignments: 0 added, 0 unchanged"
        ) && said.contains("赵建国: tags 楼长 → 党小组长"),
        "{said}"
    );
}

/// Runs `gridbook` with `passphrase` in GRIDBOOK_PASSPHRASE, expecting
/// exit 2; returns standard error.
fn refused_with(d: &Data, passphrase: &str, args: &[&str]) -> String {
    let out = d
        .cmd(NOW, args)
        .env("GRIDBOOK_PASSPHRASE", passphrase)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    err
}

/// A file that will not open for restore or import json (a wrong
/// passphrase, another key, an identity file that holds no key, a file
/// that is no export) and a restore with no backup are refused in
/// Chinese; the English is as it was.
#[test]
fn files_that_will_not_open_are_refused_in_chinese() {
    let d = Data::new();
    let sealed = d.path("口令.json.age");
    let out = d
        .cmd(NOW, &["export", "--passphrase", "--out", &sealed])
        .env("GRIDBOOK_PASSPHRASE", "正确的口令")
        .output()
        .unwrap();
    assert!(out.status.success());
    for cmd in [["restore", "--force"], ["import", "json"]] {
        let args = [&cmd[..], &[sealed.as_str()]].concat();
        let said = refused_with(&d, "错的", &zh(&args));
        assert!(
            said.contains(&format!("{sealed}：口令不对（或文件已损坏）；未做任何改动")),
            "{args:?}: {said}"
        );
        let en = refused_with(&d, "错的", &args);
        assert!(
            en.contains(&format!(
                "{sealed}: wrong passphrase (or the file is damaged); nothing was changed"
            )),
            "{en}"
        );
    }

    // Sealed to one key, opened with another, or with a file of no keys.
    let id = age::x25519::Identity::generate();
    let keyed = d.path("密钥.json.age");
    d.ok(&[
        "export",
        "--recipient",
        &id.to_public().to_string(),
        "--out",
        &keyed,
    ]);
    let other = d.path("别人的.key");
    std::fs::write(
        &other,
        format!(
            "# 别人的\n{}\n",
            age::secrecy::ExposeSecret::expose_secret(
                &age::x25519::Identity::generate().to_string()
            )
        ),
    )
    .unwrap();
    let not_key = d.path("不是密钥.txt");
    std::fs::write(&not_key, "# 备注\n张三 13800001111\n").unwrap();
    let no_key = d.path("空.key");
    std::fs::write(&no_key, "# 只有注释\n").unwrap();
    let cases = [
        (
            other.as_str(),
            format!(
                "{keyed}：身份文件中没有能打开它的密钥（它加密给了别的 age 密钥）；未做任何改动"
            ),
            format!(
                "{keyed}: none of the keys in the identity file opens it (it was encrypted to other age keys); nothing was changed"
            ),
        ),
        (
            not_key.as_str(),
            format!(
                "{not_key}：无法读取身份文件：身份文件 {not_key} 第 2 行不是 age 私钥（应为 AGE-SECRET-KEY-1…）"
            ),
            format!(
                "{not_key}: cannot read the identity file: identity file {not_key} contains non-identity data on line 2"
            ),
        ),
        (
            no_key.as_str(),
            format!("{no_key}：身份文件中没有密钥"),
            format!("{no_key}: the identity file holds no key"),
        ),
    ];
    for (identity, want, want_en) in &cases {
        for cmd in [["restore", "--force"], ["import", "json"]] {
            let args = [&cmd[..], &[keyed.as_str(), "--identity", identity]].concat();
            let (code, said) = fails(&d, &zh(&args));
            assert_eq!(code, Some(2), "{said}");
            assert!(said.contains(want.as_str()), "{args:?}: {said}");
            assert!(!said.contains("identity file") && !said.contains("none of"));
            let (_, en) = fails(&d, &args);
            assert!(en.contains(want_en.as_str()), "{en}");
        }
    }

    // Not an export at all, and a file that is not there.
    let notes = d.path("笔记.json");
    std::fs::write(&notes, "{\"标题\": \"走访\"}\n").unwrap();
    let missing = d.path("没有.json");
    for (file, want, want_en) in [
        (
            &notes,
            format!("{notes}：不是 gridbook 导出文件：没有 \"format\": \"gridbook-export\" 字段"),
            format!("{notes}: not a gridbook export: no \"format\": \"gridbook-export\" field"),
        ),
        (
            &missing,
            format!("无法读取 {missing}：文件不存在"),
            format!("cannot read {missing}: "),
        ),
    ] {
        let (code, said) = fails(&d, &zh(&["restore", "--force", file]));
        assert_eq!(code, Some(2), "{said}");
        assert!(said.contains(&want), "{said}");
        let (_, en) = fails(&d, &["restore", "--force", file]);
        assert!(en.contains(&want_en), "{en}");
    }

    // Import into a store that holds data.
    let plain = d.path("导出.json");
    d.ok(&["export", "--out", &plain]);
    let (_, said) = fails(&d, &zh(&["import", "json", &plain]));
    assert!(
        said.contains(
            "中已有数据；import json 和 restore 只填充空的数据库（restore --force 会替换它）"
        ),
        "{said}"
    );
}

/// What `gridbook --lang LANG --data DATA COMMAND` says on stderr when it
/// refuses (exit 2), with a config of its own under `dir`.
fn refused_in(dir: &std::path::Path, data: &std::path::Path, lang: &str, command: &str) -> String {
    let out = assert_cmd::Command::cargo_bin("gridbook")
        .unwrap()
        .env("GRIDBOOK_CONFIG", dir.join("config"))
        .env_remove("GRIDBOOK_DATA")
        .args(["--lang", lang, "--data"])
        .arg(data)
        .arg(command)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// `restore` without a file, where no backup was ever written, is
/// refused in Chinese.
#[test]
fn restore_with_no_backup_is_refused_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("数据");
    std::fs::create_dir_all(data.join("backups")).unwrap();
    let run = |lang: &str| refused_in(dir.path(), &data, lang, "restore");
    let backups = data.join("backups").display().to_string();
    let said = run("zh");
    assert!(
        said.contains(&format!("{backups} 中没有备份；请指定要恢复的文件")),
        "{said}"
    );
    let en = run("en");
    assert!(
        en.contains(&format!(
            "no backup in {backups}; name the file to restore from"
        )),
        "{en}"
    );
}

/// A backup of a directory that holds nothing is refused in the user's
/// language, naming the directory.
#[test]
fn backup_of_nothing_is_refused_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("空目录");
    std::fs::create_dir_all(&data).unwrap();
    let run = |lang: &str| refused_in(dir.path(), &data, lang, "backup");
    let shown = data.display().to_string();
    let said = run("zh");
    assert!(
        said.contains(&format!("{shown} 中没有数据，无可备份")),
        "{said}"
    );
    assert!(!said.contains("holds no data"), "{said}");
    let en = run("en");
    assert!(
        en.contains(&format!("{shown} holds no data; nothing to back up")),
        "{en}"
    );
}

/// config.toml's `me` naming nobody in this data directory: a write that
/// takes its writer from it says where the name came from and how to
/// change it; an explicit `--as` keeps its own message.
#[test]
fn a_writer_from_config_me_that_names_nobody_here_says_it_came_from_config() {
    let d = Data::new();
    let conf = d.dir.path().join("config");
    std::fs::create_dir_all(&conf).unwrap();
    std::fs::write(conf.join("config.toml"), "me = \"孙梓涵\"\n").unwrap();
    let file = conf.join("config.toml").display().to_string();
    let visit = ["log", "visit", "--household", "slhy/3/2-501"];
    let en = d.bad(&visit);
    assert!(
        en.contains("me = \"孙梓涵\"") && en.contains(&file) && en.contains("--as MEMBER"),
        "{en}"
    );
    assert!(en.contains(":me NAME"), "{en}");
    let zh = d.bad(&zh(&visit));
    assert!(
        zh.contains("me「孙梓涵」") && zh.contains(&file) && zh.contains("--as 成员"),
        "{zh}"
    );
    // `--as` is not the config's: its message is the lookup's own.
    let as_flag = d.bad(&[&["--as", "孙梓涵"][..], &visit[..]].concat());
    assert!(
        as_flag.contains("no member") && !as_flag.contains("config.toml"),
        "{as_flag}"
    );
}
