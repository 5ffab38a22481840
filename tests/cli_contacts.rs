//! Contacts on the command line (notes and tags in `show`) and a command
//! line that speaks the chosen language: help, messages and errors.

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

#[test]
fn show_prints_residents_notes_and_tags() {
    let d = Data::new();
    d.ok(&[
        "edit",
        "resident",
        "slhy/3/2-501",
        "吕桂英",
        "--notes",
        "独居老人，行动不便",
    ]);
    d.ok(&["tag", "slhy/3/2-501", "吕桂英", "--add", "独居老人"]);
    let out = d.ok(&["show", "胜利花苑/3栋/2-501"]);
    let line = out.lines().find(|l| l.contains("吕桂英")).unwrap();
    assert!(line.contains("独居老人，行动不便"), "{out}");
    let header = out.lines().find(|l| l.contains("relation")).unwrap();
    assert!(header.contains("notes"), "{out}");
    // Notes line up under their header, whatever the names' widths.
    let col = |l: &str, what: &str| gridbook::text::width(&l[..l.find(what).unwrap()]);
    assert_eq!(col(header, "notes"), col(line, "独居老人，"), "{out}");
    let zh = d.ok(&["--lang", "zh", "show", "胜利花苑/3栋/2-501"]);
    assert!(
        zh.contains("备注") && zh.contains("独居老人，行动不便"),
        "{zh}"
    );
}

#[test]
fn show_prints_tags_from_the_roster() {
    let d = Data::new();
    let roster = d.path("tags.csv");
    std::fs::write(
        &roster,
        "小区,楼栋,单元,房号,姓名,电话,与户主关系,标签,备注\n\
         胜利花苑,5栋,1,201,龚秀兰,,户主,党员;流动,上午在家\n",
    )
    .unwrap();
    d.ok(&["import", "roster", &roster]);
    let out = d.ok(&["show", "slhy/5/1-201"]);
    let line = out.lines().find(|l| l.contains("龚秀兰")).unwrap();
    assert!(line.contains("党员") && line.contains("流动"), "{out}");
    assert!(line.contains("上午在家"), "{out}");
}

#[test]
fn help_is_chinese_under_lang_zh() {
    let d = Data::new();
    let zh = d.ok(&["--lang", "zh", "--help"]);
    assert!(zh.contains("用法"), "{zh}");
    assert!(zh.contains("查看一个责任区"), "{zh}");
    assert!(zh.contains("数据目录"), "{zh}");
    assert!(!zh.contains("Usage:") && !zh.contains("Print help"), "{zh}");
    let visit = d.ok(&["--lang", "zh", "log", "visit", "--help"]);
    assert!(
        visit.contains("走访人") && visit.contains("回访日期"),
        "{visit}"
    );
    assert!(visit.contains("选项"), "{visit}");
    // clap's annotations are said too.
    assert!(
        visit.contains("默认：now") && !visit.contains("[default"),
        "{visit}"
    );
    // English stays English.
    let en = d.ok(&["--lang", "en", "--help"]);
    assert!(en.contains("Usage:") && en.contains("One zone"), "{en}");
    // Config's `lang` decides when no flag is given.
    std::fs::create_dir_all(d.dir.path().join("config")).unwrap();
    std::fs::write(d.dir.path().join("config/config.toml"), "lang = \"zh\"\n").unwrap();
    let cfg = d.ok(&["--help"]);
    assert!(cfg.contains("用法"), "{cfg}");
}

#[test]
fn errors_are_chinese_under_lang_zh_with_the_same_exit_codes() {
    let d = Data::new();
    // An unknown address: exit 2 in both languages.
    let (code_en, en) = fails(&d, &["show", "胜利花苑/9栋"]);
    let (code_zh, zh) = fails(&d, &["--lang", "zh", "show", "胜利花苑/9栋"]);
    assert_eq!((code_en, code_zh), (Some(2), Some(2)));
    assert!(en.contains("no building `9栋`"), "{en}");
    assert!(
        zh.contains("没有楼栋「9栋」") && !zh.contains("did you mean"),
        "{zh}"
    );
    // A member not found: the names like it, joined the way each language
    // lists things.
    let visit = [
        "log",
        "visit",
        "--household",
        "slhy/3/2-501",
        "--member",
        "孙强",
    ];
    let (code, en) = fails(&d, &visit);
    assert_eq!(code, Some(2));
    assert!(en.contains("did you mean 孙丽, 王强?"), "{en}");
    let zh_visit: Vec<&str> = ["--lang", "zh"].iter().chain(&visit).copied().collect();
    let (code, zh) = fails(&d, &zh_visit);
    assert_eq!(code, Some(2));
    assert!(zh.contains("您要找的是不是 孙丽、王强？"), "{zh}");
    // An invalid phone (a domain rule): exit 2, Chinese, nothing written.
    let args = [
        "edit",
        "resident",
        "slhy/3/2-501",
        "吕德",
        "--phone",
        "12345",
    ];
    let en = d.bad(&args);
    assert!(en.contains("is not a phone number"), "{en}");
    let mut zh_args = vec!["--lang", "zh"];
    zh_args.extend(args);
    let zh = d.bad(&zh_args);
    assert!(zh.contains("「12345」不是电话号码"), "{zh}");
    // A rule broken in the domain: a room that already exists.
    let zh = d.bad(&[
        "--lang",
        "zh",
        "log",
        "resolve",
        "01KZ0000000000000000000000",
        "--note",
        "x",
    ]);
    assert!(zh.contains("没有编号为"), "{zh}");
    // clap's own refusal: an unknown command, exit 2, in Chinese.
    let (code, zh) = fails(&d, &["--lang", "zh", "shwo"]);
    assert_eq!(code, Some(2));
    assert!(
        zh.contains("未知的命令「shwo」") && zh.contains("--help"),
        "{zh}"
    );
    // A value clap refuses: Chinese, exit 2.
    let (code, zh) = fails(&d, &["--lang", "zh", "report", "coverage", "--days", "abc"]);
    assert_eq!(code, Some(2));
    assert!(zh.contains("值「abc」不能用于 --days"), "{zh}");
    // A visit says who made it (never guessed since the office's visit
    // rules): refused in Chinese when nobody is given.
    let zh = d.bad(&[
        "--lang",
        "zh",
        "log",
        "visit",
        "--household",
        "slhy/3/2-501",
    ]);
    assert!(
        zh.contains("走访人是谁") && !zh.contains("who made"),
        "{zh}"
    );
    // An entry time out of range (the field rule, in Chinese).
    let zh = d.bad(&[
        "--lang",
        "zh",
        "log",
        "visit",
        "--household",
        "slhy/3/2-501",
        "--as",
        "赵建国",
        "--at",
        "1960-01-01",
    ]);
    assert!(zh.contains("不在可记录的 1970 至 9999 年之内"), "{zh}");
    // More than an hour ahead: the same rule, in Chinese.
    let zh = d.bad(&[
        "--lang",
        "zh",
        "log",
        "visit",
        "--household",
        "slhy/3/2-501",
        "--as",
        "赵建国",
        "--at",
        "+2d",
    ]);
    assert!(zh.contains("比现在晚了一小时以上"), "{zh}");
    // A store that is not there: exit 3, said in Chinese.
    let empty = tempfile::tempdir().unwrap();
    let out = d
        .cmd(NOW, &["--lang", "zh", "show", "slhy"])
        .arg("--data")
        .arg(empty.path().join("none"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{err}"
    );
}

/// Where `what` starts in `line`, in terminal columns.
fn col(line: &str, what: &str) -> usize {
    let at = line
        .find(what)
        .unwrap_or_else(|| panic!("`{what}` not in `{line}`"));
    gridbook::text::width(&line[..at])
}

/// The line of `out` holding `what`.
fn line_of<'a>(out: &'a str, what: &str) -> &'a str {
    out.lines()
        .find(|l| l.contains(what))
        .unwrap_or_else(|| panic!("no line with `{what}` in\n{out}"))
}

#[test]
fn show_says_who_is_gone_the_occupancy_and_care_groups() {
    let d = Data::new();
    let h = "胜利花苑/3栋/2-501";
    d.ok(&["edit", "resident", h, "吕德", "--status", "迁出"]);
    d.ok(&["tag", h, "吕桂英", "--add", "独居老人"]);
    d.ok(&["edit", "household", h, "--status", "出租"]);
    let zh = d.ok(&["--lang", "zh", "show", h]);
    assert!(zh.lines().next().unwrap().contains("[户 · 出租]"), "{zh}");
    let header = line_of(&zh, "姓名");
    let gone = line_of(&zh, "吕德");
    let elder = line_of(&zh, "吕桂英");
    // The status beside the name, the care group under its own header;
    // columns line up whatever the names' widths.
    assert_eq!(col(header, "状态"), col(gone, "迁出"), "{zh}");
    assert_eq!(col(header, "重点人群"), col(elder, "独居老人"), "{zh}");
    assert_eq!(col(header, "电话"), col(gone, "13805461234"), "{zh}");
    assert!(
        !elder.contains("迁出") && !gone.contains("独居老人"),
        "{zh}"
    );

    let en = d.ok(&["show", h]);
    assert!(
        en.lines().next().unwrap().contains("[household · rented]"),
        "{en}"
    );
    let header = line_of(&en, "relation");
    assert_eq!(
        col(header, "status"),
        col(line_of(&en, "吕德"), "moved out"),
        "{en}"
    );
    assert_eq!(
        col(header, "care groups"),
        col(line_of(&en, "吕桂英"), "elder living alone"),
        "{en}"
    );

    let v = d.json(&["show", h, "--json"]);
    assert_eq!(v["occupancy"], "rented");
    let who = |name: &str| {
        v["residents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(who("吕德")["status"], "moved-out");
    assert_eq!(who("吕德")["care"], serde_json::json!([]));
    assert_eq!(who("吕桂英")["status"], "present");
    assert_eq!(who("吕桂英")["care"], serde_json::json!(["alone-elder"]));

    // A vacant household whose only resident died.
    d.ok(&[
        "edit",
        "resident",
        "slhy/3/1-601",
        "欧阳娜娜",
        "--status",
        "去世",
    ]);
    d.ok(&["edit", "household", "slhy/3/1-601", "--status", "vacant"]);
    let zh = d.ok(&["--lang", "zh", "show", "slhy/3/1-601"]);
    assert!(zh.lines().next().unwrap().contains("[户 · 空置]"), "{zh}");
    assert_eq!(
        col(line_of(&zh, "姓名"), "状态"),
        col(line_of(&zh, "欧阳娜娜"), "去世"),
        "{zh}"
    );
    assert_eq!(
        d.json(&["show", "slhy/3/1-601", "--json"])["occupancy"],
        "vacant"
    );

    // Lived in by its owner, everyone present, nobody in a group: no more
    // than before.
    let zh = d.ok(&["--lang", "zh", "show", "slhy/3/1-101"]);
    assert!(zh.lines().next().unwrap().ends_with("[户]"), "{zh}");
    assert!(!zh.contains("状态") && !zh.contains("重点人群"), "{zh}");
    assert_eq!(
        d.json(&["show", "slhy/3", "--json"])["occupancy"],
        serde_json::Value::Null
    );
}

#[test]
fn show_timeline_names_edited_fields_and_who_took_a_problem_step() {
    let d = Data::new();
    let h = "胜利花苑/3栋/2-501";
    d.ok(&["edit", "resident", h, "吕德", "--phone", "13900000009"]);
    d.ok(&["edit", "household", h, "--status", "出租"]);
    let opened = d.ok(&[
        "log",
        "problem",
        "--zone",
        h,
        "--category",
        "repair",
        "--note",
        "水管漏水",
        "--as",
        "王强",
    ]);
    let id = opened.split_whitespace().find(|w| w.len() == 26).unwrap();
    d.ok(&[
        "log",
        "progress",
        id,
        "--note",
        "已联系物业",
        "--as",
        "王强",
    ]);
    d.ok(&["log", "resolve", id, "--note", "已修好", "--as", "孙丽"]);

    let zh = d.ok(&["--lang", "zh", "show", h]);
    assert!(zh.contains("电话 修改：13805461234 → 13900000009"), "{zh}");
    assert!(zh.contains("居住状态 修改：自住 → 出租"), "{zh}");
    assert!(zh.contains("王强 更新进展：已联系物业"), "{zh}");
    assert!(zh.contains("孙丽 办结：已修好"), "{zh}");
    assert!(!zh.contains("phones") && !zh.contains("owner"), "{zh}");

    let en = d.ok(&["show", h]);
    assert!(
        en.contains("phone changed: 13805461234 → 13900000009"),
        "{en}"
    );
    assert!(
        en.contains("status changed: owner-occupied → rented"),
        "{en}"
    );
    assert!(en.contains("progress by 王强: 已联系物业"), "{en}");
    assert!(en.contains("resolved by 孙丽: 已修好"), "{en}");

    let v = d.json(&["--lang", "zh", "show", h, "--json"]);
    let resolved = v["recent"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["text"].as_str().unwrap().contains("已修好"))
        .unwrap();
    assert_eq!(resolved["by"], "孙丽");
    assert_eq!(resolved["text"], "孙丽 办结：已修好");
}

#[test]
fn find_marks_who_moved_out_or_died_and_never_calls_them() {
    let d = Data::new();
    let h = "胜利花苑/3栋/2-501";
    d.ok(&["edit", "resident", h, "吕德", "--status", "迁出"]);
    d.ok(&[
        "edit",
        "resident",
        "slhy/3/1-601",
        "欧阳娜娜",
        "--status",
        "去世",
    ]);
    // Still found (people look up former residents), marked after the name.
    let zh = d.ok(&["--lang", "zh", "find", "吕德"]);
    assert!(zh.contains("吕德（迁出）"), "{zh}");
    let en = d.ok(&["find", "吕德"]);
    assert!(en.contains("吕德 (moved out)"), "{en}");
    let zh = d.ok(&["--lang", "zh", "find", "欧阳娜娜"]);
    assert!(zh.contains("欧阳娜娜（去世）"), "{zh}");
    let v = d.json(&["find", "吕", "--json"]);
    let status = |name: &str| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|h| h["name"] == name)
            .map(|h| h["status"].clone())
            .unwrap()
    };
    assert_eq!(status("吕德"), "moved-out");
    assert_eq!(status("吕桂英"), "present");
    // Marked and unmarked names alike, the addresses line up.
    let zh = d.ok(&["--lang", "zh", "find", "吕"]);
    let at: Vec<usize> = zh
        .lines()
        .filter(|l| l.contains("吕"))
        .map(|l| col(l, "胜利花苑"))
        .collect();
    assert!(at.len() >= 2 && at.iter().all(|c| *c == at[0]), "{zh}");
    // The household's number is no longer the one who moved out.
    let v = d.json(&["find", "3栋", "2-501", "--json", "--limit", "1"]);
    assert_eq!(v[0]["kind"], "household");
    assert_eq!(
        v[0]["head"],
        serde_json::json!({"name": "吕桂英", "phone": null, "phone_of": null})
    );
    let v = d.json(&["find", "3栋", "1-601", "--json", "--limit", "1"]);
    assert_eq!(v[0]["head"]["name"], "");
    let zh = d.ok(&["--lang", "zh", "find", "3栋", "1-601", "--limit", "1"]);
    assert!(zh.contains("—") && !zh.contains("13905460002"), "{zh}");
}
