//! `gridbook report coverage|problems|activity|members|care|workload|today`:
//! the TUI's reports as aligned text or JSON, each over one period
//! (`--days`, `--month`, `--from`/`--to`), and as CSV with `--csv FILE` or a
//! workbook with `--xlsx FILE` (one row model for both: [`csvout::Files`]).
//! `gridbook report ledger visits|problems|patrols|care-visits|activities`:
//! the office's ledgers (台账), one row per entry.

use crate::cli::csvout::Files;
use crate::cli::{Env, Fail, LedgerWhat, ReportArgs, ReportWhat, Use, out};
use gridbook_core::ledger;
use gridbook_core::report;
use gridbook_core::service::{self, MemberFilter};
use gridbook_domain::i18n::Lang;
use gridbook_domain::model::{MemberKind, Ts};
use gridbook_domain::period::{Flags, Period};
use gridbook_domain::text::table;

fn json<T: serde::Serialize>(v: &T) -> Result<(), Fail> {
    out::json(v)
}

fn days_text(lang: Lang, d: Option<i64>) -> String {
    match d {
        Some(d) => gridbook_domain::when::days_ago(lang, d),
        None => lang.t("show.never").to_string(),
    }
}

/// Headers from catalog keys, in the chosen language.
fn headers(lang: Lang, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| lang.t(k).to_string()).collect()
}

/// `table` of a header and rows, and the same as CSV or xlsx when asked for.
fn emit(
    lang: Lang,
    files: Files<'_>,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    numeric: &[usize],
) -> Result<String, Fail> {
    files.write(lang, &header, &rows, numeric)?;
    let mut all = vec![header];
    all.extend(rows);
    Ok(table(&all))
}

/// A period in words for people: `the last 30 days` (近 30 天), else as
/// the JSON says it (`2026-11`, `2026-11-01..2026-11-15`).
fn period_text(lang: Lang, period: &Period) -> String {
    match period.spec {
        gridbook_domain::period::Spec::Days(d) => {
            lang.f("officeui.cli.last_days", &[&d.to_string()])
        }
        _ => period.describe(),
    }
}

fn hours(h: f64) -> String {
    let s = format!("{h:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Refuses flags that do not apply to the report asked for.
fn check_flags(a: &ReportArgs) -> Result<(), Fail> {
    let what = format!("{:?}", a.what).to_lowercase();
    let only = |flag: &str, given: bool, ok: &[ReportWhat], names: &str| {
        if given && !ok.contains(&a.what) {
            Err(Fail::input(format!(
                "{flag} applies to report {names}, not to report {what}"
            )))
        } else {
            Ok(())
        }
    };
    only(
        "--member",
        a.member.is_some(),
        &[ReportWhat::Care, ReportWhat::Members],
        "care and members",
    )?;
    for (flag, given) in [
        ("--branch", a.branch.is_some()),
        ("--kind", a.kind.is_some()),
        ("--tag", a.tag.is_some()),
    ] {
        only(flag, given, &[ReportWhat::Members], "members")?;
    }
    match (a.what, a.ledger) {
        (ReportWhat::Ledger, None) => {
            return Err(Fail::input(
                "report ledger needs which ledger: visits, problems, patrols, care-visits or activities",
            ));
        }
        (ReportWhat::Ledger, Some(_)) | (_, None) => {}
        (_, Some(l)) => {
            return Err(Fail::input(format!(
                "`{}` names a ledger: give `report ledger {0}`, or report {what} alone",
                ledger_code(l)
            )));
        }
    }
    let ranged = a.month.is_some() || a.from.is_some() || a.to.is_some();
    match a.what {
        ReportWhat::Care | ReportWhat::Workload if ranged || a.days.is_some() => {
            Err(Fail::input(format!(
                "report {what} shows where things stand today; it takes no period (--days, --month, --from, --to)"
            )))
        }
        ReportWhat::Today if ranged => Err(Fail::input(
            "report today looks back a number of days: give --days N (not --month, --from or --to)",
        )),
        _ => Ok(()),
    }
}

pub fn run(env: &Env, a: ReportArgs) -> Result<(), Fail> {
    check_flags(&a)?;
    let lang = env.lang;
    if a.what == ReportWhat::Ledger {
        return ledger(env, &a);
    }
    let title_key = format!("excel.sheet.{}", format!("{:?}", a.what).to_lowercase());
    let files = Files {
        csv: a.csv.as_deref(),
        xlsx: a.xlsx.as_deref(),
        sheet: lang.t(&title_key),
    };
    let as_json = a.json;
    let now = Ts::now();
    let tz = gridbook_domain::clock::tz();
    let default_days = match a.what {
        ReportWhat::Coverage | ReportWhat::Today => env.config.visit_days(),
        _ => 30,
    };
    let flags = Flags {
        days: a.days,
        month: a.month.clone(),
        from: a.from.clone(),
        to: a.to.clone(),
    };
    let period = Period::from_flags(&flags, default_days, now, &tz).map_err(Fail::input)?;
    let days = report::period_days(&period, now).max(1);
    let store = env.open(Use::Read)?;
    let f = |k: &str| lang.t(k).to_string();
    match a.what {
        ReportWhat::Coverage => {
            // Coverage is counted up to now: the last visit of each
            // household is what it keeps, so a period must reach today.
            if period.to.is_some_and(|t| t < now) {
                drop(store);
                return Err(Fail::input(format!(
                    "report coverage counts up to today; the period {} ends before it (give --days N, --from DATE, or the current --month)",
                    period.describe()
                )));
            }
            let groups = crate::cli::care_groups()?;
            let c = report::coverage(&store, now, days, None, &groups)?;
            drop(store);
            let care_text = |cc: &report::CareCoverage| {
                lang.f(
                    "wording.aside",
                    &[
                        &format!("{}/{}", cc.care_visited_on_time, cc.care_households),
                        &report::pct_cell(cc.care_pct, cc.care_households),
                    ],
                )
            };
            // `name:` as a section's heading, in the language's punctuation.
            let heading = |k: &str| format!("\n{}\n", lang.f("wording.label", &[&f(k)]));
            let mut rows = Vec::new();
            for a in &c.by_area {
                rows.push(vec![
                    a.name.clone(),
                    a.covered_by.clone().unwrap_or_else(|| "—".into()),
                    a.households.to_string(),
                    report::pct_cell(a.visited_pct, a.households - a.vacant),
                    a.vacant.to_string(),
                    a.rented.to_string(),
                    care_text(&a.care),
                    report::pct_cell(a.hygiene_pct, a.buildings),
                    report::pct_cell(a.security_pct, a.buildings),
                ]);
                for b in &a.by_building {
                    rows.push(vec![
                        format!("  {}", b.name),
                        b.covered_by.clone().unwrap_or_else(|| "—".into()),
                        b.households.to_string(),
                        report::pct_cell(b.visited_pct, b.households - b.vacant),
                        b.vacant.to_string(),
                        b.rented.to_string(),
                        care_text(&b.care),
                        if b.hygiene_patrolled { "✓" } else { "✗" }.into(),
                        if b.security_patrolled { "✓" } else { "✗" }.into(),
                    ]);
                }
            }
            if files.any() {
                // In the file each building names its area, so rows sort and filter.
                let mut file_rows = Vec::new();
                for a in &c.by_area {
                    file_rows.push(vec![
                        a.name.clone(),
                        String::new(),
                        a.covered_by.clone().unwrap_or_default(),
                        a.households.to_string(),
                        a.visited.to_string(),
                        format!("{:.1}", a.visited_pct),
                        format!("{:.1}", a.hygiene_pct),
                        format!("{:.1}", a.security_pct),
                        a.vacant.to_string(),
                        a.rented.to_string(),
                        a.care.care_households.to_string(),
                        a.care.care_visited_on_time.to_string(),
                        format!("{:.1}", a.care.care_pct),
                    ]);
                    for b in &a.by_building {
                        file_rows.push(vec![
                            a.name.clone(),
                            b.name.clone(),
                            b.covered_by.clone().unwrap_or_default(),
                            b.households.to_string(),
                            b.visited.to_string(),
                            format!("{:.1}", b.visited_pct),
                            if b.hygiene_patrolled { "100.0" } else { "0.0" }.into(),
                            if b.security_patrolled { "100.0" } else { "0.0" }.into(),
                            b.vacant.to_string(),
                            b.rented.to_string(),
                            b.care.care_households.to_string(),
                            b.care.care_visited_on_time.to_string(),
                            format!("{:.1}", b.care.care_pct),
                        ]);
                    }
                }
                files.write(
                    lang,
                    &headers(
                        lang,
                        &[
                            "col.area",
                            "col.building",
                            "col.covered_by",
                            "col.households",
                            "report_cols.visited",
                            "col.visited_pct",
                            "col.hygiene_pct",
                            "col.security_pct",
                            "coverage.col.vacant",
                            "coverage.col.rented",
                            "coverage.csv.care_households",
                            "coverage.csv.care_on_time",
                            "coverage.col.care_pct",
                        ],
                    ),
                    &file_rows,
                    &[3, 4, 5, 6, 7],
                )?;
            }
            if as_json {
                return json(&c);
            }
            let mut text = c.summary(lang);
            text.push('\n');
            text.push('\n');
            text.push_str(&table(
                &std::iter::once(headers(
                    lang,
                    &[
                        "col.area",
                        "col.covered_by",
                        "col.households",
                        "col.visited_pct",
                        "coverage.col.vacant",
                        "coverage.col.rented",
                        "coverage.col.care",
                        "col.hygiene_pct",
                        "col.security_pct",
                    ],
                ))
                .chain(rows)
                .collect::<Vec<_>>(),
            ));
            if !c.by_member.is_empty() {
                text.push_str(&heading("coverage.care_section"));
                let member_rows = c.by_member.iter().map(|m| {
                    vec![
                        m.name.clone(),
                        m.households.to_string(),
                        report::pct_cell(m.visited_pct, m.households - m.vacant),
                        care_text(&m.care),
                    ]
                });
                text.push_str(&table(
                    &std::iter::once(headers(
                        lang,
                        &[
                            "coverage.col.member",
                            "col.households",
                            "col.visited_pct",
                            "coverage.col.care",
                        ],
                    ))
                    .chain(member_rows)
                    .collect::<Vec<_>>(),
                ));
            }
            if !c.uncovered.is_empty() {
                text.push_str(&heading("cov.uncovered"));
                for z in &c.uncovered {
                    let path = gridbook_domain::text::visible(&z.path);
                    let line = if z.households > 0 {
                        let inside = lang.f(
                            "coverage.inside",
                            &[&report::counted(lang, "coverage.households", z.households)],
                        );
                        lang.f("wording.aside", &[&path, &inside])
                    } else {
                        path.into_owned()
                    };
                    text.push_str(&format!("  {line}\n"));
                }
            }
            if c.vacant > 0 {
                // Vacant households are no blank spot: counted per building.
                text.push_str(&heading("coverage.vacant_section"));
                for a in &c.by_area {
                    for b in a.by_building.iter().filter(|b| b.vacant > 0) {
                        let path = format!(
                            "{}/{}",
                            gridbook_domain::text::visible(&a.name),
                            gridbook_domain::text::visible(&b.name)
                        );
                        let n = report::counted(lang, "coverage.households", b.vacant);
                        text.push_str(&format!("  {}\n", lang.f("wording.aside", &[&path, &n])));
                    }
                }
            }
            out::text(&text)
        }
        ReportWhat::Problems => {
            let mut p = report::problems_in(&store, now, &period, None)?;
            if a.resolved {
                report::with_resolved(&store, now, &period, None, &mut p)?;
            }
            drop(store);
            let state = |o: &report::OpenProblem| lang.t(&format!("excel.status.{}", o.state));
            if files.any() {
                let rows = p
                    .open
                    .iter()
                    .chain(&p.resolved)
                    .map(|o| {
                        let mut row = vec![
                            o.id.clone(),
                            o.opened.clone(),
                            o.age_days.to_string(),
                            gridbook_domain::describe::category_label(lang, &o.category),
                            o.zone.clone(),
                            gridbook_domain::checklist::shown(lang, &o.description),
                            lang.label("urgency", &o.urgency),
                            o.reported_by.clone().unwrap_or_default(),
                            o.last_note.clone().unwrap_or_default(),
                        ];
                        // The state column only when resolved ones are asked
                        // for: the open-only file keeps its shape.
                        if a.resolved {
                            row.push(state(o).to_string());
                        }
                        row
                    })
                    .collect::<Vec<_>>();
                let mut keys = vec![
                    "report_cols.id",
                    "report_cols.opened",
                    "col.age_days",
                    "col.category",
                    "col.zone",
                    "col.description",
                    "col.urgency",
                    "form.reporter",
                    "col.last_note",
                ];
                if a.resolved {
                    keys.push("excel.col.status");
                }
                files.write(lang, &headers(lang, &keys), &rows, &[2])?;
            }
            if as_json {
                return json(&p);
            }
            let mut summary = lang.f(
                "officeui.cli.problems_summary",
                &[
                    &report::counted(lang, "wording.open_problems", p.open.len()),
                    &p.opened_in_period.to_string(),
                    &p.resolved_in_period.to_string(),
                    &period_text(lang, &period),
                ],
            );
            if a.resolved {
                summary.push('\n');
                summary.push_str(&lang.f(
                    "officeui.cli.resolved_listed",
                    &[&report::counted(
                        lang,
                        "officeui.cli.resolved",
                        p.resolved.len(),
                    )],
                ));
            }
            let rows = p
                .open
                .iter()
                .chain(&p.resolved)
                .map(|o| {
                    let description = gridbook_domain::checklist::shown(lang, &o.description);
                    vec![
                        o.age_days.to_string(),
                        gridbook_domain::describe::category_label(lang, &o.category),
                        o.zone.clone(),
                        match &o.resolved {
                            // Marked as the TUI marks them.
                            Some(_) => format!("{} {description}", f("lifecycle.resolved_mark")),
                            None => description,
                        },
                        o.id.clone(),
                    ]
                })
                .collect();
            let mut header = headers(
                lang,
                &[
                    "col.age_days",
                    "col.category",
                    "col.zone",
                    "col.description",
                ],
            );
            header.push("id".into());
            let mut all = vec![header];
            all.extend::<Vec<_>>(rows);
            out::with_table(&summary, &table(&all))
        }
        ReportWhat::Activity => {
            let a = report::activity_in(&store, now, &period, true)?;
            drop(store);
            let rows: Vec<Vec<String>> = a
                .by_member
                .iter()
                .map(|m| {
                    vec![
                        m.member.clone(),
                        m.tags.join(";"),
                        m.visits.to_string(),
                        m.problems_reported.to_string(),
                        m.problems_resolved.to_string(),
                        m.patrols.to_string(),
                        m.id.clone(),
                    ]
                })
                .collect();
            let header = headers(
                lang,
                &[
                    "col.name",
                    "col.tags",
                    "col.visits",
                    "col.reported",
                    "col.resolved",
                    "col.patrols",
                    "report_cols.id",
                ],
            );
            files.write(lang, &header, &rows, &[2, 3, 4, 5])?;
            if as_json {
                return json(&a);
            }
            let summary = lang.f(
                "officeui.cli.activity_summary",
                &[
                    &period_text(lang, &period),
                    &report::counted(lang, "officeui.cli.visits", a.visits),
                    &report::counted(lang, "officeui.saved.problems", a.problems_opened),
                    &a.problems_resolved.to_string(),
                    &report::counted(lang, "officeui.cli.hygiene", a.hygiene_patrols),
                    &report::counted(lang, "officeui.cli.security", a.security_patrols),
                ],
            );
            out::with_table(&summary, &emit(lang, Files::default(), header, rows, &[])?)
        }
        ReportWhat::Members => {
            let groups = crate::cli::care_groups()?;
            let kind = a
                .kind
                .as_deref()
                .map(|k| {
                    MemberKind::parse(k).ok_or_else(|| {
                        let allowed = MemberKind::ALL
                            .iter()
                            .map(|k| format!("{} ({})", k.code(), k.zh()))
                            .collect::<Vec<_>>()
                            .join(", ");
                        Fail::input(lang.f("cli_msg.unknown_member_kind", &[k.trim(), &allowed]))
                    })
                })
                .transpose()?;
            let only = a
                .member
                .as_deref()
                .map(|m| crate::cli::find_member(&store, m).map(|m| m.meta.id))
                .transpose()?;
            let filter = MemberFilter {
                kind,
                tag: a.tag.clone(),
                branch: a.branch.clone(),
            };
            let mut list = service::contributions(&store, &period, now, &groups, &filter)?;
            drop(store);
            if let Some(id) = only {
                list.retain(|c| c.id == id);
            }
            if let Some(b) = &a.branch
                && list.is_empty()
            {
                return Err(Fail::input(lang.f("cli_msg.no_branch", &[b.trim()])));
            }
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|c| {
                    vec![
                        c.name.clone(),
                        lang.label("member_kind", &c.kind),
                        c.tags.join(";"),
                        c.branch.clone(),
                        c.visits.to_string(),
                        c.care_visits_on_time.to_string(),
                        c.liaison_visited.to_string(),
                        c.problems_reported.to_string(),
                        c.problems_resolved.to_string(),
                        c.median_days_to_resolve
                            .map_or_else(|| "—".into(), |d| format!("{d:.1}")),
                        c.patrols.to_string(),
                        c.activities.to_string(),
                        hours(c.service_hours),
                        c.id.to_string(),
                    ]
                })
                .collect();
            let header = headers(
                lang,
                &[
                    "col.name",
                    "col.kind",
                    "col.tags",
                    "report_cols.branch",
                    "col.visits",
                    "report_cols.care_on_time",
                    "report_cols.liaison_visited",
                    "col.reported",
                    "col.resolved",
                    "report_cols.median_days",
                    "col.patrols",
                    "report_cols.activities",
                    "report_cols.service_hours",
                    "report_cols.id",
                ],
            );
            if files.any() {
                let mut file_rows = rows.clone();
                for r in &mut file_rows {
                    if r[9] == "—" {
                        r[9].clear();
                    }
                }
                files.write(lang, &header, &file_rows, &[4, 5, 6, 7, 8, 9, 10, 11, 12])?;
            }
            if as_json {
                return json(&list);
            }
            let summary = lang.f(
                "officeui.cli.members_summary",
                &[
                    &period_text(lang, &period),
                    // Every kind of member, not only party members.
                    &report::counted(lang, "officeui.cli.members", list.len()),
                ],
            );
            out::with_table(&summary, &emit(lang, Files::default(), header, rows, &[])?)
        }
        ReportWhat::Workload => {
            let list = report::members(&store, now)?;
            drop(store);
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|m| {
                    vec![
                        m.name.clone(),
                        lang.label("member_kind", &m.kind),
                        m.phone.clone(),
                        m.households_covered.to_string(),
                        m.liaison_households.to_string(),
                        m.visits_30d.to_string(),
                        m.open_problems.to_string(),
                        m.zones.join("; "),
                    ]
                })
                .collect();
            let header = headers(
                lang,
                &[
                    "col.name",
                    "col.kind",
                    "col.phone",
                    "col.households",
                    "col.liaison",
                    "col.visits_30d",
                    "col.open",
                    "col.zones",
                ],
            );
            let numeric = [3, 4, 5, 6];
            if as_json {
                files.write(lang, &header, &rows, &numeric)?;
                return json(&list);
            }
            out::with_table("", &emit(lang, files, header, rows, &numeric)?)
        }
        ReportWhat::Today => {
            let me = env.me(&store)?.map(|m| m.meta.id);
            let groups = crate::cli::care_groups()?;
            let t = report::today(&store, now, me, days, env.config.patrol_days(), &groups)?;
            drop(store);
            let mut rows = Vec::new();
            // Care visits first, most overdue first, as the TUI's Today
            // lists them; the groups by name in the note.
            for c in &t.care_due {
                rows.push(vec![
                    f("today.care"),
                    c.address.clone(),
                    c.when(lang),
                    c.groups
                        .iter()
                        .map(|g| groups.label(g, lang))
                        .collect::<Vec<_>>()
                        .join(lang.t("wording.terms")),
                ]);
            }
            for fu in &t.follow_ups {
                rows.push(vec![
                    f("today.follow_up"),
                    fu.household.clone(),
                    fu.due.clone(),
                    fu.visit_note.clone(),
                ]);
            }
            for o in &t.open_problems {
                rows.push(vec![
                    f("today.problem"),
                    o.zone.clone(),
                    gridbook_domain::when::days_ago(lang, o.age_days),
                    gridbook_domain::checklist::shown(lang, &o.description),
                ]);
            }
            for s in &t.patrols_due {
                rows.push(vec![
                    lang.f("today.patrol", &[&lang.label("patrol", &s.what)]),
                    s.path.clone(),
                    days_text(lang, s.days),
                    String::new(),
                ]);
            }
            for s in &t.not_visited {
                rows.push(vec![
                    f("today.visit"),
                    s.path.clone(),
                    days_text(lang, s.days),
                    String::new(),
                ]);
            }
            let header = headers(lang, &["col.what", "col.zone", "col.when", "col.note"]);
            if as_json {
                files.write(lang, &header, &rows, &[])?;
                return json(&t);
            }
            out::with_table("", &emit(lang, files, header, rows, &[])?)
        }
        ReportWhat::Ledger => Err(Fail::of(
            gridbook_domain::error::ErrorKind::Bug,
            "ledgers are written before",
        )),
        ReportWhat::Care => {
            drop(store);
            crate::cli::care::report(env, a.member.as_deref(), as_json, files)
        }
    }
}

fn ledger_code(l: LedgerWhat) -> &'static str {
    ledger_kind(l).code()
}

fn ledger_kind(l: LedgerWhat) -> ledger::Kind {
    match l {
        LedgerWhat::Visits => ledger::Kind::Visits,
        LedgerWhat::Problems => ledger::Kind::Problems,
        LedgerWhat::Patrols => ledger::Kind::Patrols,
        LedgerWhat::CareVisits => ledger::Kind::CareVisits,
        LedgerWhat::Activities => ledger::Kind::Activities,
    }
}

/// The ledger's shape in `--json`: what it is, the period, the header and
/// the rows as the files hold them.
#[derive(serde::Serialize)]
struct LedgerJson<'a> {
    ledger: &'static str,
    title: &'a str,
    period: &'a str,
    columns: &'a [String],
    rows: &'a [Vec<String>],
}

/// `report ledger KIND [period] [--csv FILE] [--xlsx FILE] [--json]`.
fn ledger(env: &Env, a: &ReportArgs) -> Result<(), Fail> {
    let Some(which) = a.ledger else {
        return Err(Fail::of(
            gridbook_domain::error::ErrorKind::Bug,
            "a ledger is checked for before",
        ));
    };
    let lang = env.lang;
    let kind = ledger_kind(which);
    let now = Ts::now();
    let tz = gridbook_domain::clock::tz();
    let flags = Flags {
        days: a.days,
        month: a.month.clone(),
        from: a.from.clone(),
        to: a.to.clone(),
    };
    let period = Period::from_flags(&flags, 30, now, &tz).map_err(Fail::input)?;
    let care_groups = crate::cli::care_groups()?;
    let activity_kinds = crate::cli::activity_kinds()?;
    let lists = ledger::Lists {
        care_groups: &care_groups,
        activity_kinds: &activity_kinds,
    };
    let store = env.open(Use::Read)?;
    let l = ledger::build(&store, kind, &period, now, lang, &lists)?;
    drop(store);
    let files = Files {
        csv: a.csv.as_deref(),
        xlsx: a.xlsx.as_deref(),
        sheet: &l.title,
    };
    files.write(lang, &l.header, &l.rows, kind.numeric())?;
    if a.json {
        return json(&LedgerJson {
            ledger: kind.code(),
            title: &l.title,
            period: &l.period,
            columns: &l.header,
            rows: &l.rows,
        });
    }
    let summary = lang.f(
        "excel.ledger_summary",
        &[&l.title, &l.period, &l.rows.len().to_string()],
    );
    let mut all = vec![l.header.clone()];
    all.extend(l.rows.iter().cloned());
    out::with_table(&summary, &table(&all))
}
