//! `gridbook log …`: field entries from the shell. Each prints the new id
//! only after the entry is flushed to disk.

use crate::cli::{Env, Fail, LogCmd, Use, find_member, out};
use gridbook_core::address::{self, Zone};
use gridbook_core::config;
use gridbook_core::ops;
use gridbook_domain::checklist::Item;
use gridbook_domain::model::*;

pub fn run(env: &Env, cmd: LogCmd) -> Result<(), Fail> {
    let store = env.open(Use::Write)?;
    let ctx = env.ctx(&store)?;
    let tz = gridbook_domain::clock::tz();
    let at = |s: &str| {
        let t = gridbook_domain::when::instant(s, ctx.now, &tz).map_err(Fail::input)?;
        // An entry is about what happened: within 1970 to 9999 and not dated
        // more than an hour ahead, the one rule every way in shares (and says
        // in Chinese). Follow-up dates may be ahead.
        gridbook_domain::validate::entry_at("--at", t, ctx.now)
            .map_err(|e| Fail::from(ops::OpError::from(e)))
    };
    // A step on a problem: `problem` is the id `log problem` printed; the
    // domain's rules (resolve or progress only while open, reopen only once
    // resolved, comment any time) refuse the rest with exit 2.
    let step = |step: ProblemStep, problem: String, note: String, when: String| {
        let id: Id = problem.parse().map_err(Fail::input)?;
        Ok::<Id, Fail>(ops::step_problem(&store, ctx, id, step, &note, at(&when)?)?.id)
    };
    match cmd {
        LogCmd::Visit {
            household,
            member,
            at: when,
            purpose,
            note,
            follow_up,
        } => {
            let zone = address::resolve(&store, &household)?;
            let Zone::Household(..) = zone else {
                return Err(Fail::input(format!(
                    "`{household}` is a {}, not a household: a visit needs AREA/BUILDING/HOUSEHOLD",
                    zone.kind().code()
                )));
            };
            // Who visited is said, never guessed from who covers the household.
            let member = match (member, ctx.by) {
                (Some(m), _) => find_member(&store, &m)?.meta.id,
                (None, Some(me)) => me,
                (None, None) => {
                    return Err(Fail::input(
                        "who made the visit? give --as MEMBER (or set `me` in config.toml)",
                    ));
                }
            };
            let at = at(&when)?;
            // `+3d` counts from the visit's day, not from today.
            let follow_up = follow_up
                .map(|d| gridbook_domain::when::date(&d, at, &tz).map_err(Fail::input))
                .transpose()?;
            let purpose = word_of("purpose", &purpose, gridbook_domain::vocab::VISIT_PURPOSES)?;
            let e = ops::log_visit(
                &store,
                ctx,
                &ops::VisitInput {
                    household: zone.id(),
                    member,
                    at,
                    purpose,
                    note,
                    follow_up,
                },
            )?;
            drop(store);
            out::line(e.id)?;
        }
        LogCmd::Problem {
            zone,
            category,
            note,
            urgency,
            at: when,
        } => {
            let z = address::resolve(&store, &zone)?;
            let urgency = Urgency::parse(&urgency).ok_or_else(|| {
                Fail::input(format!("unknown urgency `{urgency}`: low, normal or high"))
            })?;
            let categories = env.config.categories.clone().unwrap_or_else(|| {
                gridbook_core::generator::PROBLEM_CATEGORIES
                    .iter()
                    .map(|s| s.to_string())
                    .collect()
            });
            let names: Vec<&str> = categories.iter().map(String::as_str).collect();
            let category = word_of("category", &category, &names)?;
            let e = ops::open_problem(
                &store,
                ctx,
                &ops::ProblemInput {
                    zone: z.id(),
                    at: at(&when)?,
                    category,
                    description: note,
                    reporter: None,
                    urgency,
                },
            )?;
            drop(store);
            out::line(e.id)?;
        }
        LogCmd::Resolve { problem, note, at } => {
            let id = step(ProblemStep::Resolved, problem, note, at)?;
            drop(store);
            out::line(id)?;
        }
        LogCmd::Reopen { problem, note, at } => {
            let id = step(ProblemStep::Reopened, problem, note, at)?;
            drop(store);
            out::line(id)?;
        }
        LogCmd::Progress { problem, note, at } => {
            let id = step(ProblemStep::Progress, problem, note, at)?;
            drop(store);
            out::line(id)?;
        }
        LogCmd::Comment { problem, note, at } => {
            let id = step(ProblemStep::Comment, problem, note, at)?;
            drop(store);
            out::line(id)?;
        }
        LogCmd::Patrol {
            zone,
            kind,
            issues,
            open_problems,
            note,
            at: when,
        } => {
            let z = address::resolve(&store, &zone)?;
            let kind = PatrolKind::parse(&kind).ok_or_else(|| {
                Fail::input(format!("unknown patrol kind `{kind}`: hygiene or security"))
            })?;
            let lists = config::checklists(config::config_dir().as_deref()).map_err(Fail::input)?;
            let known = lists.items(kind);
            let mut failed: Vec<(String, String)> = Vec::new();
            for i in &issues {
                let (item, inote) = i.split_once([':', '：']).unwrap_or((i.as_str(), ""));
                let item = item.trim();
                // An item is named by its key, a label in either language, the
                // text stored before items had keys, or a unique part of a label.
                let hits: Vec<&Item> = match lists.find(kind, item) {
                    Some(exact) => vec![exact],
                    None => known
                        .iter()
                        .filter(|k| {
                            !item.is_empty() && (k.zh.contains(item) || k.en.contains(item))
                        })
                        .collect(),
                };
                let names = |items: &mut dyn Iterator<Item = &Item>| {
                    items
                        .map(|k| format!("{} ({})", k.key, k.label(env.lang)))
                        .collect::<Vec<_>>()
                        .join("; ")
                };
                match hits.as_slice() {
                    [one] => failed.push((one.key.clone(), inote.trim().to_string())),
                    [] => {
                        return Err(Fail::input(format!(
                            "`{item}` is not on the {} checklist: {}",
                            kind.code(),
                            names(&mut known.iter())
                        )));
                    }
                    many => {
                        return Err(Fail::input(format!(
                            "`{item}` matches several checklist items: {}",
                            names(&mut many.iter().copied())
                        )));
                    }
                }
            }
            let items = known
                .iter()
                .map(|k| {
                    let f = failed.iter().find(|(f, _)| *f == k.key);
                    CheckResult {
                        item: k.key.clone(),
                        ok: f.is_none(),
                        note: f.map(|(_, n)| n.clone()).unwrap_or_default(),
                    }
                })
                .collect();
            let input = ops::PatrolInput {
                zone: z.id(),
                kind,
                at: at(&when)?,
                items,
                note,
                open_problems,
            };
            let logged = ops::log_patrol(&store, ctx, input)?;
            drop(store);
            // The patrol's id, then each problem it opened, then each step it
            // added to a problem still open for the same item.
            let mut ids = format!("{}\n", logged.patrol.id);
            for p in logged.opened.iter().chain(&logged.stepped) {
                ids.push_str(&format!("{}\n", p.id));
            }
            out::text(&ids)?;
        }
        LogCmd::Activity {
            kind,
            zone,
            members,
            hours,
            at: when,
            note,
        } => {
            let lang = env.lang;
            let kinds = crate::cli::activity_kinds()?;
            if kinds.parse_word(&kind).is_none() {
                return Err(Fail::input(lang.f(
                    "cli_msg.unknown_activity_kind",
                    &[kind.trim(), &kinds.allowed(lang)],
                )));
            }
            let minutes = minutes_of(&hours)
                .ok_or_else(|| Fail::input(lang.f("cli_msg.hours", &[hours.trim()])))?;
            let z = address::resolve(&store, &zone)?;
            let mut ids = Vec::new();
            for who in members
                .split([',', '，', '、', ';', '；'])
                .map(str::trim)
                .filter(|w| !w.is_empty())
            {
                ids.push(find_member(&store, who)?.meta.id);
            }
            if ids.is_empty() {
                return Err(Fail::input(lang.t("cli_msg.no_members")));
            }
            let e = gridbook_core::service::log_activity(
                &store,
                ctx,
                &gridbook_core::service::ActivityInput {
                    zone: z.id(),
                    at: at(&when)?,
                    kind,
                    minutes,
                    members: ids,
                    note,
                },
                &kinds,
            )?;
            drop(store);
            out::line(e.id)?;
        }
    }
    Ok(())
}

/// `--hours 1.5` as minutes: more than 0 and at most 24 hours.
fn minutes_of(hours: &str) -> Option<u32> {
    let h: f64 = hours.trim().parse().ok()?;
    if !h.is_finite() || h <= 0.0 || h > 24.0 {
        return None;
    }
    let m = (h * 60.0).round();
    (m >= 1.0).then_some(m as u32)
}

/// The code a typed word stands for among `codes`: the code itself or its
/// label in either language (`purpose.<code>` in the catalogs). Anything
/// else is refused, naming what is allowed.
fn word_of(family: &str, word: &str, codes: &[&str]) -> Result<String, Fail> {
    use gridbook_domain::i18n::Lang;
    let w = word.trim();
    // A line break is the one-line rule's to refuse, in its own words.
    if w.contains(char::is_control) {
        return Ok(w.to_string());
    }
    let found = codes
        .iter()
        .find(|c| **c == w || [Lang::En, Lang::Zh].iter().any(|l| l.label(family, c) == w));
    match found {
        Some(c) => Ok(c.to_string()),
        None => {
            // Each choice as its code and Chinese label, in either language.
            let allowed = |lang: Lang| -> String {
                codes
                    .iter()
                    .map(|c| match Lang::Zh.label(family, c) {
                        zh if zh != *c => lang.f("wording.aside", &[c, &zh]),
                        _ => c.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(if lang == Lang::Zh { "、" } else { ", " })
            };
            let said = |lang: Lang| {
                let what = lang.t(&format!("contacts.word.{family}"));
                lang.f("cli_msg.unknown_word", &[what, w, &allowed(lang)])
            };
            let mut f = Fail::input(said(Lang::En));
            f.zh = Some(said(Lang::Zh));
            Err(f)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn hours_become_minutes_in_range() {
        use super::minutes_of;
        assert_eq!(minutes_of("2"), Some(120));
        assert_eq!(minutes_of("1.5"), Some(90));
        assert_eq!(minutes_of(" 24 "), Some(1440));
        for bad in ["0", "-1", "24.5", "abc", "NaN", "inf", "0.001", ""] {
            assert_eq!(minutes_of(bad), None, "{bad}");
        }
    }
}
