//! `gridbook report coverage|problems|activity|members|today`: the TUI's
//! reports as aligned text or JSON.

use crate::cli::{Env, Fail, ReportWhat, Use, out};
use gridbook_core::report;
use gridbook_domain::i18n::Lang;
use gridbook_domain::model::Ts;
use gridbook_domain::text::table;

fn json<T: serde::Serialize>(v: &T) -> Result<(), Fail> {
    out::json(v)
}

fn days_text(lang: Lang, d: Option<i64>) -> String {
    match d {
        Some(d) => lang.f("show.days_ago", &[&d.to_string()]),
        None => lang.t("show.never").to_string(),
    }
}

/// The one-line coverage summary the report and the TUI's view both show.
pub fn run(env: &Env, what: ReportWhat, days: Option<i64>, as_json: bool) -> Result<(), Fail> {
    if let Some(d) = days
        && !(1..=36_500).contains(&d)
    {
        return Err(Fail::input(format!(
            "--days {d}: give a number of days from 1 to 36500"
        )));
    }
    let store = env.open(Use::Read)?;
    let now = Ts::now();
    let lang = env.lang;
    let f = |k: &str| lang.t(k).to_string();
    match what {
        ReportWhat::Coverage => {
            let c = report::coverage(&store, now, days.unwrap_or(env.config.visit_days()), None)?;
            drop(store);
            if as_json {
                return json(&c);
            }
            let mut text = c.summary(lang);
            text.push('\n');
            let mut rows = vec![vec![
                f("col.area"),
                f("col.covered_by"),
                f("col.households"),
                f("col.visited_pct"),
                f("col.hygiene_pct"),
                f("col.security_pct"),
            ]];
            for a in &c.by_area {
                rows.push(vec![
                    a.name.clone(),
                    a.covered_by.clone().unwrap_or_else(|| "—".into()),
                    a.households.to_string(),
                    format!("{:.1}%", a.visited_pct),
                    format!("{:.1}%", a.hygiene_pct),
                    format!("{:.1}%", a.security_pct),
                ]);
                for b in &a.by_building {
                    rows.push(vec![
                        format!("  {}", b.name),
                        b.covered_by.clone().unwrap_or_else(|| "—".into()),
                        b.households.to_string(),
                        format!("{:.1}%", b.visited_pct),
                        if b.hygiene_patrolled { "✓" } else { "✗" }.into(),
                        if b.security_patrolled { "✓" } else { "✗" }.into(),
                    ]);
                }
            }
            text.push('\n');
            text.push_str(&table(&rows));
            if !c.uncovered.is_empty() {
                text.push_str(&format!("\n{}:\n", f("cov.uncovered")));
                for z in &c.uncovered {
                    let inside = if z.households > 0 {
                        format!(
                            " ({})",
                            lang.f("cov.households_inside", &[&z.households.to_string()])
                        )
                    } else {
                        String::new()
                    };
                    text.push_str(&format!(
                        "  {}{inside}\n",
                        gridbook_domain::text::visible(&z.path)
                    ));
                }
            }
            out::text(&text)
        }
        ReportWhat::Problems => {
            let p = report::problems(&store, now, days.unwrap_or(30), None)?;
            drop(store);
            if as_json {
                return json(&p);
            }
            let summary = lang.f(
                "prob.summary",
                &[
                    &p.open.len().to_string(),
                    &p.opened_in_period.to_string(),
                    &p.resolved_in_period.to_string(),
                    &p.days.to_string(),
                ],
            );
            let mut rows = vec![vec![
                f("col.age_days"),
                f("col.category"),
                f("col.zone"),
                f("col.description"),
                "id".to_string(),
            ]];
            for o in &p.open {
                rows.push(vec![
                    o.age_days.to_string(),
                    lang.label("category", &o.category),
                    o.zone.clone(),
                    o.description.clone(),
                    o.id.clone(),
                ]);
            }
            out::text(&format!("{summary}\n{}", table(&rows)))
        }
        ReportWhat::Activity => {
            let a = report::activity(&store, now, days.unwrap_or(30))?;
            drop(store);
            if as_json {
                return json(&a);
            }
            let summary = lang.f(
                "act.summary",
                &[
                    &a.days.to_string(),
                    &a.visits.to_string(),
                    &a.problems_opened.to_string(),
                    &a.problems_resolved.to_string(),
                    &a.hygiene_patrols.to_string(),
                    &a.security_patrols.to_string(),
                ],
            );
            let mut rows = vec![vec![
                f("col.name"),
                f("col.visits"),
                f("col.reported"),
                f("col.resolved"),
                f("col.patrols"),
            ]];
            for m in &a.by_member {
                rows.push(vec![
                    m.member.clone(),
                    m.visits.to_string(),
                    m.problems_reported.to_string(),
                    m.problems_resolved.to_string(),
                    m.patrols.to_string(),
                ]);
            }
            out::text(&format!("{summary}\n{}", table(&rows)))
        }
        ReportWhat::Members => {
            let list = report::members(&store, now)?;
            drop(store);
            if as_json {
                return json(&list);
            }
            let mut rows = vec![vec![
                f("col.name"),
                f("col.kind"),
                f("col.phone"),
                f("col.households"),
                f("col.liaison"),
                f("col.visits_30d"),
                f("col.open"),
                f("col.zones"),
            ]];
            for m in &list {
                rows.push(vec![
                    m.name.clone(),
                    lang.label("member_kind", &m.kind),
                    m.phone.clone(),
                    m.households_covered.to_string(),
                    m.liaison_households.to_string(),
                    m.visits_30d.to_string(),
                    m.open_problems.to_string(),
                    m.zones.join("; "),
                ]);
            }
            out::text(&table(&rows))
        }
        ReportWhat::Today => {
            let me = env.me(&store)?.map(|m| m.meta.id);
            let t = report::today(
                &store,
                now,
                me,
                days.unwrap_or(env.config.visit_days()),
                env.config.patrol_days(),
            )?;
            drop(store);
            if as_json {
                return json(&t);
            }
            let mut rows = vec![vec![
                f("col.what"),
                f("col.zone"),
                f("col.when"),
                f("col.note"),
            ]];
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
                    lang.f("show.days_ago", &[&o.age_days.to_string()]),
                    o.description.clone(),
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
            out::text(&table(&rows))
        }
    }
}
