//! Today: care visits due first (household, head, phone, care group, days
//! overdue), then follow-ups due, open problems, patrols due and households
//! not visited lately, for the member working (or everyone).

use super::prelude::*;
use gridbook_core::views::IdMap;

pub const HINTS: &[Cmd] = &[
    Cmd::Open,
    Cmd::Back,
    Cmd::Sort,
    Cmd::CopyPhone,
    Cmd::Help,
    Cmd::Quit,
];

/// The caller (name and number) is drawn whole: a number cut to `…`
/// cannot be called. The note gives way first.
pub const WHOLE: &[usize] = &[CALL];

/// The caller's column: what, zone, when, call, note.
const CALL: usize = 3;

/// What the status line says while the report loads.
pub const LOADING: &str = "job.today";

pub fn load(w: &World) -> R<Report> {
    load_with(w, None)
}

/// [`load`], its callers read per row (`Some(false)`), from one pass over
/// the residents (`Some(true)`), or as the number of rows decides (`None`;
/// the estate's Today always takes the pass, which also finds its care
/// households).
fn load_with(w: &World, pass: Option<bool>) -> R<Report> {
    let s = w.store;
    let now = Ts::now();
    let lang = w.lang;
    let f = |k: &str| lang.t(k).to_string();
    let kind = ReportKind::Today;
    // The screen shows neither who reported a problem nor its latest note.
    // The estate's rows and its care rows read every latest visit: once.
    let lasts = match w.me {
        None => Some(gridbook_core::relocate::last_visits(s).map_err(err)?),
        Some(_) => None,
    };
    let (visit_days, patrol_days) = (w.config.visit_days(), w.config.patrol_days());
    let groups = &w.lists.care;
    let (td, callers) = match (&lasts, pass) {
        // The estate's: one pass over the residents finds both the care
        // households (with their residents) and every household's caller.
        (Some(l), None | Some(true)) => {
            let (callers, in_care) =
                zoneview::callers_and_care(s, Some(now.date())).map_err(err)?;
            let td = report::estate_today_screen(
                s,
                now,
                visit_days,
                patrol_days,
                groups,
                l,
                Some(&in_care),
            )
            .map_err(err)?;
            (td, Callers::All(callers))
        }
        _ => {
            let td = match &lasts {
                Some(l) => {
                    report::estate_today_screen(s, now, visit_days, patrol_days, groups, l, None)
                }
                None => report::today_screen(s, now, w.me, visit_days, patrol_days, groups),
            }
            .map_err(err)?;
            let rows_asking = td.care_due.len()
                + td.follow_ups.len()
                + td.open_problems.len()
                + td.not_visited.len();
            let callers = Callers::new(w, pass.unwrap_or(rows_asking >= PASS_FROM_ROWS))?;
            (td, callers)
        }
    };
    let mut rows = Vec::new();
    // Care rows come with the rest (`report today` lists the same ones).
    let care = &td.care_due;
    for c in care {
        let groups: Vec<&str> = c
            .groups
            .iter()
            .map(|g| w.lists.care.label(g, lang))
            .collect();
        let call = callers.of(w, Some(c.household))?;
        rows.push(Row {
            id: c.household,
            kind: RowKind::Household,
            // The groups go in the note (a care row has none), so the
            // first column stays narrow and the caller fits at 80 columns.
            cells: vec![
                f("today.care"),
                c.address.clone(),
                c.when(lang),
                call.cell,
                groups.join(lang.t("wording.terms")),
            ],
            phone: call.phone,
            whose: call.whose,
            zone: Some(c.household),
        });
    }
    for fu in &td.follow_ups {
        rows.push(household_row(
            w,
            &callers,
            &fu.household_id,
            vec![
                f("today.follow_up"),
                fu.household.clone(),
                gridbook_domain::when::due_when(lang, fu.overdue_days),
                fu.visit_note.clone(),
            ],
        )?);
    }
    for o in &td.open_problems {
        let zone = o.zone_id.parse().ok();
        let call = callers.of(w, zone)?;
        rows.push(Row {
            id: o.id.parse().unwrap_or_default(),
            kind: RowKind::Problem,
            // The category leads the note, as a care row's groups do, so
            // the first column stays narrow and the caller fits at 80 columns.
            cells: vec![
                f("today.problem"),
                o.zone.clone(),
                gridbook_domain::when::days_ago(lang, o.age_days),
                call.cell,
                format!(
                    "[{}] {}",
                    gridbook_domain::describe::category_label(lang, &o.category),
                    gridbook_domain::checklist::shown(lang, &o.description)
                ),
            ],
            phone: call.phone,
            whose: call.whose,
            zone,
        });
    }
    for st in &td.patrols_due {
        rows.push(zone_row(
            &st.id,
            RowKind::Building,
            vec![
                lang.f("today.patrol", &[&lang.label("patrol", &st.what)]),
                st.path.clone(),
                days(lang, st.days),
                String::new(),
                String::new(),
            ],
        ));
    }
    for st in &td.not_visited {
        rows.push(household_row(
            w,
            &callers,
            &st.id,
            vec![
                f("today.visit"),
                st.path.clone(),
                days(lang, st.days),
                String::new(),
            ],
        )?);
    }
    let who = match w.me {
        Some(me) => zoneview::member_name(s, me).map_err(err)?,
        None => f("today.everyone"),
    };
    Ok(Report::new(
        kind,
        f("view.today"),
        {
            use gridbook_core::report::counted;
            let mut lines = vec![lang.f(
                "wording.today_summary",
                &[
                    &who,
                    &counted(lang, "wording.follow_ups", td.follow_ups.len()),
                    &counted(lang, "wording.open_problems", td.open_problems.len()),
                    &counted(lang, "wording.patrols_due", td.patrols_due.len()),
                    &counted(lang, "wording.not_visited", td.not_visited.len()),
                ],
            )];
            if !care.is_empty() {
                lines.push(lang.f("today.care_summary", &[&care.len().to_string()]));
            }
            lines
        },
        vec![
            f("col.what"),
            f("col.zone"),
            f("col.when"),
            f("contacts.col_contact"),
            f("col.note"),
        ],
        rows,
    ))
}

/// Rows from which one pass over every resident is cheaper than a read
/// of each row's household (a pass over 100k households' residents costs
/// about as much as this many reads).
const PASS_FROM_ROWS: usize = 5_000;

/// Where the rows' callers come from: a read per row for a member's
/// Today, one pass over the residents for a long list (an estate's Today
/// has about 100,000 rows, and a read per row was a fifth of its time).
enum Callers {
    Each,
    All(IdMap<zoneview::Caller>),
}

impl Callers {
    fn new(w: &World, pass: bool) -> R<Callers> {
        Ok(if pass {
            Callers::All(zoneview::callers(w.store).map_err(err)?)
        } else {
            Callers::Each
        })
    }

    fn of(&self, w: &World, zone: Option<Id>) -> R<caller::Call> {
        match self {
            Callers::Each => caller::of(w, zone),
            Callers::All(map) => Ok(zone
                .and_then(|z| map.get(&z))
                .map(caller::from)
                .unwrap_or_default()),
        }
    }
}

/// A household's row with its caller put before the last cell (the note).
fn household_row(w: &World, callers: &Callers, id: &str, mut cells: Vec<String>) -> R<Row> {
    let mut row = zone_row(id, RowKind::Household, Vec::new());
    let call = callers.of(w, row.zone)?;
    let note = cells.pop().unwrap_or_default();
    cells.extend([call.cell, note]);
    row.cells = cells;
    row.phone = call.phone;
    row.whose = call.whose;
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;
    use gridbook_domain::i18n::Lang;
    use gridbook_store::store::Store;

    #[test]
    fn callers_from_one_pass_fill_the_same_rows_as_a_read_per_row() {
        let store = Store::memory().unwrap();
        let now = Ts::now();
        let spec = gridbook_core::generator::Spec::large(300, 5, 3000, now);
        gridbook_core::generator::load(&store, &gridbook_core::generator::generate(&spec)).unwrap();
        let shipped = crate::tui::world::Shipped::default();
        for lang in [Lang::Zh, Lang::En] {
            let w = shipped.world(&store, lang);
            let each = load_with(&w, Some(false)).unwrap();
            let pass = load_with(&w, Some(true)).unwrap();
            assert_eq!(pass.summary, each.summary);
            assert_eq!(pass.rows, each.rows);
            // Rows of every kind, most with someone to call.
            let called = each.rows.iter().filter(|r| r.phone.is_some()).count();
            assert!(
                each.rows.len() > 100 && called > 80,
                "{} {called}",
                each.rows.len()
            );
            let kinds: HashSet<_> = each.rows.iter().map(|r| r.cells[0].clone()).collect();
            assert!(kinds.len() >= 4, "{kinds:?}");
            // The estate has care households (the pass finds them for both).
            assert!(kinds.contains(lang.t("today.care")), "{kinds:?}");
        }
    }
}
