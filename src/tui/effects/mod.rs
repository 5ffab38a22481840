//! Carries out [`Effect`]s against the store and answers with [`Msg`]s.
//! With the job runner (`super::jobs`, which runs the report screens'
//! loaders and the import preview), this is the TUI's only door to I/O
//! besides drawing.

use std::collections::HashSet;

use gridbook_core::address::{self, Zone};
use gridbook_core::ops::{self, Ctx};
use gridbook_core::zoneview::{self, Caller};
use gridbook_domain::model::*;
use gridbook_domain::text;

use super::finder::{Finder, FoundRow};
use super::form::{Form, Purpose};
use super::state::*;
use super::update::{Effect, Msg};

mod assignments;
mod care;
mod forms;
mod save;

use forms::open_form;
use save::save;

use super::screens::browse::{detail, goto, load};
use super::screens::caller;
use super::world::*;

/// Carries out one effect. Jobs and the clipboard are the runtime's
/// (`App`), not this module's.
pub fn run(w: &World, finder: &mut Finder, effect: Effect) -> Vec<Msg> {
    let result = match effect {
        Effect::Load { level, select } => load(w, level, select, None),
        Effect::Detail(id) => detail(w, id),
        Effect::OpenForm(req) => open_form(w, req),
        Effect::Save(purpose, values) => return vec![save(w, purpose, values)],
        Effect::Complete(text) => complete(w, &text),
        Effect::Goto(addr) => match address::resolve(w.store, &addr) {
            Ok(z) => goto(w, &z),
            Err(e) => Err(err(e)),
        },
        Effect::GotoId(id) => match address::zone_of(w.store, id) {
            Ok(Some(z)) => goto(w, &z),
            Ok(None) => Err(UiError::Gone),
            Err(e) => Err(err(e)),
        },
        Effect::Lookup(query) => Ok(lookup(w, finder, &query)),
        Effect::Keep { item, keep } => keep_version(w, item, keep),
        Effect::Job(..) | Effect::Copy(_) | Effect::SetMe(_) => Ok(vec![]),
    };
    result.unwrap_or_else(|e| vec![Msg::Status(e.say(w.lang), true)])
}

/// `:me NAME`: the member `name` names (id, exact name or phone), kept
/// for the session and written to `config.toml` in `config_dir` when
/// there is one, so every later start knows it too.
pub fn set_me(w: &World, name: &str, config_dir: Option<&std::path::Path>) -> Vec<Msg> {
    let m = match gridbook_core::who::member(w.store, name) {
        Ok(m) if m.meta.is_live() => m,
        Ok(m) => {
            return vec![Msg::Status(
                UiError::Rule(format!("{} is retired", m.name)).say(w.lang),
                true,
            )];
        }
        Err(e) => return vec![Msg::Status(err(e).say(w.lang), true)],
    };
    let saved = match config_dir {
        Some(dir) => gridbook_core::config::save_me(dir, &m.name)
            .map(|p| p.display().to_string())
            .map_err(|e| e.to_string()),
        None => Err(w.lang.t("tui.me_no_config").to_string()),
    };
    vec![Msg::Me {
        id: m.meta.id,
        name: m.name,
        saved,
    }]
}

/// Keeps version `keep` of conflict `item` (a new edit naming every head).
fn keep_version(w: &World, item: Id, keep: usize) -> R<Vec<Msg>> {
    use gridbook_core::merge::conflicts;
    let ctx = Ctx::now(w.me);
    let listed = match conflicts::resolve(w.store, ctx, &item.to_string(), keep) {
        Ok(l) => l,
        Err(conflicts::ConflictError::Store(e)) => return Err(err(e)),
        Err(conflicts::ConflictError::Op(e)) => return Err(err(e)),
        Err(_) => return Err(UiError::Gone),
    };
    let chosen = listed
        .versions
        .get(keep - 1)
        .map(|v| v.value_label(w.lang))
        .unwrap_or_default();
    Ok(vec![Msg::Kept(w.lang.f(
        "merge.cli.resolved",
        &[&listed.record_label(), &listed.field_label(w.lang), &chosen],
    ))])
}

pub(super) fn complete(w: &World, text: &str) -> R<Vec<Msg>> {
    let Some((_, _, arg)) = crate::tui::command::completing_arg(text) else {
        return Ok(vec![Msg::Completions(vec![])]);
    };
    let typed_name = &text[..text.len() - arg.len()];
    // Complete the last part of the address.
    let (head, last) = match arg.rfind('/') {
        Some(i) => (&arg[..=i], &arg[i + 1..]),
        None => ("", arg),
    };
    let names: Vec<String> = if head.is_empty() {
        w.store
            .areas()
            .map_err(err)?
            .into_iter()
            .flat_map(|a| [a.name, a.code])
            .collect()
    } else {
        match address::resolve(w.store, head.trim_end_matches('/')) {
            Ok(Zone::Area(a)) => w
                .store
                .buildings_of(a.meta.id)
                .map_err(err)?
                .into_iter()
                .flat_map(|b| [b.name, b.code])
                .collect(),
            Ok(Zone::Building(_, b)) => w
                .store
                .households_of(b.meta.id)
                .map_err(err)?
                .into_iter()
                .map(|h| h.label())
                .collect(),
            _ => vec![],
        }
    };
    let lower = last.to_lowercase();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for n in names {
        if n.to_lowercase().starts_with(&lower) && seen.insert(n.clone()) {
            out.push(Completion {
                text: format!("{typed_name}{head}{n}"),
                note: String::new(),
            });
        }
    }
    out.truncate(50);
    Ok(vec![Msg::Completions(out)])
}

/// The lookup's results for `query`, and a status line when the index
/// could not be built (never "building…" for ever) or fell behind.
pub(super) fn lookup(w: &World, finder: &mut Finder, query: &str) -> Vec<Msg> {
    let building = !finder.ready(w.store);
    if let Some(e) = &finder.failed {
        return vec![
            Msg::LookupResults {
                query: query.to_string(),
                rows: Vec::new(),
                building: false,
            },
            Msg::Status(w.lang.f("tui.index_failed", &[e]), true),
        ];
    }
    let rows = finder
        .search(query, crate::tui::finder::RESULT_CAP)
        .into_iter()
        .map(|h: FoundRow| {
            // A household is called through its head (or whoever answers);
            // a person by their own number.
            let call = h.head.as_ref().map(|hd| {
                caller::from(&Caller {
                    head: hd.name.clone(),
                    phone: hd.phone.clone(),
                    phone_of: hd.phone_of.clone(),
                })
            });
            // Someone gone is marked as `find` marks them: the mark alone
            // (the aside around an empty name), drawn after the name.
            let gone = h
                .status
                .filter(|s| *s != ResidentStatus::Present.code())
                .map(|s| {
                    let label = w.lang.label("office.status", s);
                    w.lang.f("wording.aside", &["", &label])
                });
            let (phone, whose) = match &call {
                Some(c) => (c.phone.clone(), c.whose.clone()),
                // ctrl-y then says whose number it is with the mark.
                None if matches!(h.kind, "resident" | "member") => (
                    h.phone,
                    Some(format!("{}{}", h.name, gone.as_deref().unwrap_or(""))),
                ),
                None => (h.phone, None),
            };
            LookupRow {
                kind: w.lang.t(&format!("kind.{}", h.kind)).to_string(),
                name: h.name,
                name_match: h.name_match,
                gone,
                address: h.address,
                phone,
                whose,
                contact: h.head.as_ref().map(|hd| match &hd.phone_of {
                    Some(of) if *of != hd.name => format!("{} → {of}", hd.name),
                    _ => hd.name.clone(),
                }),
                cover: h.cover,
                zone: h.zone,
                member: h.member,
            }
        })
        .collect();
    let mut out = vec![Msg::LookupResults {
        query: query.to_string(),
        rows,
        building,
    }];
    if let Some(e) = finder.behind() {
        out.push(Msg::Status(w.lang.f("tui.index_behind", &[e]), true));
    }
    out
}

pub(crate) fn import_preview(w: &World, path: &str) -> R<Vec<Msg>> {
    let roster = gridbook_core::roster::read(std::path::Path::new(path)).map_err(err)?;
    let ctx = Ctx {
        by: w.me,
        now: Ts::now(),
    };
    let report = gridbook_core::roster::import(w.store, ctx, &roster, true, false).map_err(err)?;
    if report.rows_rejected > 0 {
        return Ok(vec![Msg::Status(
            w.lang.f(
                "tui.import_rejected",
                &[&report.rows_rejected.to_string(), path],
            ),
            true,
        )]);
    }
    let (intro, fields) = import_choices(w.lang, &report);
    let form = Form::new(
        Purpose::Import {
            path: path.to_string(),
        },
        w.lang.t("form.import").to_string(),
        fields,
    )
    .with_intro(format!("{path}\n{intro}\n{}", w.lang.t("form.import_hint")));
    Ok(vec![Msg::OpenForm(Box::new(form))])
}

/// The import preview's text and its per-row choices: each row where the
/// file would undo work done here is a choice (keep / take the file's),
/// named by the row's key so saving takes exactly those.
fn import_choices(
    lang: gridbook_domain::i18n::Lang,
    report: &gridbook_core::roster::Report,
) -> (String, Vec<crate::tui::form::Field>) {
    // The form does not scroll: the counts, then a bounded number of lines.
    const SHOWN: usize = 10;
    let mut intro: Vec<String> = report
        .tally(lang)
        .lines()
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect();
    let mut fields = Vec::new();
    let mut n = 0;
    for l in &report.lines {
        if let Some(key) = &l.key {
            n += 1;
            if n <= SHOWN {
                intro.push(format!("[{n}] {}", l.label(lang)));
            }
            fields.push(crate::tui::form::Field::choice(
                "take",
                format!("[{n}] {} {}", l.name, l.subject(lang)).replace("  ", " "),
                vec![
                    (String::new(), lang.t("office.keep").to_string()),
                    (key.clone(), lang.t("office.take").to_string()),
                ],
                "",
            ));
        }
    }
    let others: Vec<&gridbook_core::roster::Line> =
        report.lines.iter().filter(|l| l.key.is_none()).collect();
    let room = (SHOWN + 2).saturating_sub(n.min(SHOWN));
    for l in others.iter().take(room) {
        intro.push(format!("  {}", l.text(lang)));
    }
    let hidden = others.len().saturating_sub(room) + n.saturating_sub(SHOWN);
    if hidden > 0 {
        intro.push(lang.f("office.more", &[&hidden.to_string()]));
    }
    if !fields.is_empty() {
        intro.push(lang.t("office.choices").to_string());
    }
    (intro.join("\n"), fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use gridbook_domain::i18n::Lang;
    use gridbook_store::engine::memory::Memory;
    use gridbook_store::store::Store;

    fn demo() -> (Memory, Store) {
        let data = Memory::new();
        let store = Store::open_memory(&data).unwrap();
        gridbook_core::demo::load(&store, Ts::now()).unwrap();
        (data, store)
    }

    fn said(msgs: &[Msg]) -> (usize, Option<String>) {
        let mut rows = usize::MAX;
        let mut status = None;
        for m in msgs {
            match m {
                Msg::LookupResults {
                    rows: r, building, ..
                } => {
                    assert!(!building, "never 'building…' once the build is over");
                    rows = r.len();
                }
                Msg::Status(s, true) => status = Some(s.clone()),
                other => panic!("unexpected {other:?}"),
            }
        }
        (rows, status)
    }

    #[test]
    fn a_lookup_whose_index_failed_or_fell_behind_says_so() {
        let shipped = crate::tui::world::Shipped::default();
        // Built from a store whose residents cannot be read: an error, not
        // "building the index…" for ever and no results.
        let (data, store) = demo();
        data.make_unreadable("residents", &[]);
        let mut finder = Finder::default();
        finder.build_now(&store);
        for lang in [Lang::En, Lang::Zh] {
            let (rows, status) = said(&lookup(&shipped.world(&store, lang), &mut finder, "zs"));
            assert_eq!(rows, 0);
            let status = status.expect("an error line");
            assert!(status.contains("damaged"), "{status}");
            assert!(status.contains("gridbook check"), "{status}");
        }
        // Built whole, then an assignment's households cannot be read: the
        // results stay, with a line saying they may be out of date.
        let (data, store) = demo();
        let mut finder = Finder::default();
        finder.build_now(&store);
        let w = shipped.world(&store, Lang::Zh);
        let (rows, status) = said(&lookup(&w, &mut finder, "zs"));
        assert!(rows > 0 && status.is_none(), "{rows} {status:?}");
        let area = store.areas().unwrap()[0].meta.id;
        data.make_unreadable("idx_children", &[]);
        finder.refresh_cover_under(&store, area);
        let (after, status) = said(&lookup(&w, &mut finder, "zs"));
        assert_eq!(after, rows);
        let status = status.expect("a line saying results may be stale");
        assert!(status.contains("查找结果可能不是最新"), "{status}");
    }
}
