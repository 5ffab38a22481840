//! `gridbook tag ADDR NAME --add G | --remove G` and `gridbook report care`:
//! care groups (重点人群) from the shell.

use crate::cli::{Env, Fail, Use, care_groups, household_at, out, resident_in};
use gridbook_core::care;
use gridbook_domain::i18n::Lang;
use gridbook_domain::text::table;
use gridbook_domain::vocab::Vocabulary;
use gridbook_domain::vocab::care as vocab_care;

/// Puts a resident in care groups and takes them out of others. Every group
/// named is checked before anything is written.
pub fn tag(
    env: &Env,
    addr: &str,
    name: &str,
    add: &[String],
    remove: &[String],
) -> Result<(), Fail> {
    let lang = env.lang;
    if add.is_empty() && remove.is_empty() {
        return Err(Fail::input(lang.t("cli_msg.tag_needs")));
    }
    let groups = care_groups()?;
    for g in add.iter().chain(remove) {
        if groups.parse_word(g).is_none() {
            return Err(Fail::input(
                lang.f("cli_msg.unknown_group", &[g.trim(), &groups.allowed(lang)]),
            ));
        }
    }
    let store = env.open(Use::Write)?;
    let ctx = env.ctx(&store)?;
    let h = household_at(&store, addr)?;
    let r = resident_in(&store, &h, name)?;
    // 高龄老人 follows the birth year: adding it by hand, or taking out
    // what the birth year decides, would change nothing the reports count.
    // Only a mark once set by hand on a younger resident can be taken out.
    let today = ctx.now.date();
    let by_year = r
        .birth_year
        .is_some_and(|y| vocab_care::is_aged_80(y, today));
    let by_hand = r.care.iter().any(|m| m.group == vocab_care::AGED_80);
    for (words, adding) in [(add, true), (remove, false)] {
        for g in words {
            let is_age = groups
                .parse_word(g)
                .is_some_and(|t| t.code == vocab_care::AGED_80);
            if is_age && (adding || by_year || !by_hand) {
                return Err(Fail::said(
                    "cli_msg.aged_80",
                    &[
                        &r.name,
                        groups.label(vocab_care::AGED_80, lang),
                        &(today.year as i32 - 80).to_string(),
                    ],
                ));
            }
        }
    }
    let mut lines = String::new();
    for (words, adding, key) in [
        (add, true, "cli_msg.tag_added"),
        (remove, false, "cli_msg.tag_removed"),
    ] {
        for g in words {
            let code = care::set_group(&store, ctx, r.meta.id, g, adding, &groups)?;
            lines.push_str(&lang.f(key, &[&r.name, groups.label(&code, lang)]));
            lines.push('\n');
        }
    }
    drop(store);
    out::text(&lines)
}

/// The rows of the care report, header first.
fn rows(
    list: &[care::CareDue],
    groups: &Vocabulary,
    lang: Lang,
    headers: bool,
) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    if headers {
        rows.push(
            [
                "col.zone",
                "col.head",
                "col.phone",
                "care_report.groups",
                "care_report.cadence",
                "col.last_visit",
                "care_report.overdue",
            ]
            .iter()
            .map(|k| lang.t(k).to_string())
            .collect(),
        );
    }
    for d in list {
        rows.push(vec![
            d.address.clone(),
            d.head.clone().unwrap_or_else(|| "—".into()),
            match (&d.phone, &d.phone_of) {
                (Some(p), Some(of)) => lang.f("wording.aside", &[p, of]),
                (Some(p), None) => p.clone(),
                (None, _) => "—".into(),
            },
            d.groups
                .iter()
                .map(|g| groups.label(g, lang))
                .collect::<Vec<_>>()
                .join(if lang == Lang::Zh { "、" } else { ", " }),
            d.cadence_days.to_string(),
            d.last_visit
                .clone()
                .unwrap_or_else(|| lang.t("show.never").to_string()),
            d.days_overdue.to_string(),
        ]);
    }
    rows
}

/// `report care`: households due or overdue for a care visit now.
pub fn report(
    env: &Env,
    member: Option<&str>,
    as_json: bool,
    files: crate::cli::csvout::Files<'_>,
) -> Result<(), Fail> {
    let lang = env.lang;
    let groups = care_groups()?;
    let store = env.open(Use::Read)?;
    let member = member
        .map(|m| crate::cli::find_member(&store, m).map(|m| m.meta.id))
        .transpose()?;
    let list = care::due(&store, &groups, gridbook_domain::model::Ts::now(), member)?;
    drop(store);
    if files.any() {
        // Groups by name in the report's language, as the office reads
        // them; the JSON keeps the codes.
        let mut all = rows(&list, &groups, lang, true);
        let header = all.remove(0);
        files.write(lang, &header, &all, &[4, 6])?;
    }
    if as_json {
        return out::json(&list);
    }
    if list.is_empty() {
        return out::line(lang.t("care_report.none"));
    }
    let summary = lang.f(
        "officeui.cli.care_summary",
        &[&gridbook_core::report::counted(
            lang,
            "officeui.saved.households",
            list.len(),
        )],
    );
    out::text(&format!(
        "{summary}\n{}",
        table(&rows(&list, &groups, lang, true))
    ))
}
