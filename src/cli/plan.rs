//! `gridbook plan ADDR`: the building plan (楼盘表) as text or JSON, for
//! scripts and for printing before a round.

use gridbook_core::address::{self, Zone};
use gridbook_core::plan::{self, Flag, Plan};
use gridbook_domain::i18n::Lang;
use gridbook_domain::model::Ts;
use gridbook_domain::text::{pad, width};

use crate::cli::{Env, Fail, Use, care_groups, out};

pub fn run(env: &Env, addr: &str, as_json: bool, days: Option<i64>) -> Result<(), Fail> {
    let lang = env.lang;
    let days = days.unwrap_or(env.config.visit_days());
    if !(1..=36_500).contains(&days) {
        return Err(Fail::input(format!(
            "--days {days}: give a number of days from 1 to 36500"
        )));
    }
    let groups = care_groups()?;
    let store = env.open(Use::Read)?;
    let zone = address::resolve(&store, addr)?;
    let building = match &zone {
        Zone::Building(_, b) => b.clone(),
        Zone::Area(a) => {
            let names: Vec<String> = store
                .buildings_of(a.meta.id)?
                .into_iter()
                .map(|b| format!("{}/{}", a.name, b.name))
                .collect();
            return Err(not_a_building(lang, addr, "kind.area", &names));
        }
        Zone::Household(a, b, _) => {
            return Err(not_a_building(
                lang,
                addr,
                "kind.household",
                &[format!("{}/{}", a.name, b.name)],
            ));
        }
    };
    let p = plan::build(&store, &building, Ts::now(), days, &groups)?;
    drop(store);
    if as_json {
        out::json(&p)
    } else {
        out::text(&render(&p, lang))
    }
}

fn not_a_building(lang: Lang, addr: &str, kind: &str, buildings: &[String]) -> Fail {
    let list = if buildings.is_empty() {
        lang.t("plan_cli.no_buildings").to_string()
    } else {
        buildings.join(", ")
    };
    Fail::input(lang.f("plan_cli.not_a_building", &[addr, lang.t(kind), &list]))
}

/// One door's cell: `2-501✓`, its flags' glyphs after the room, and the
/// head's name when the plan stays narrow enough with it.
fn cell(d: &plan::Door, with_head: bool) -> String {
    let glyphs: String = d.flags.iter().map(|f| f.glyph()).collect();
    match (&d.head, with_head) {
        (Some(h), true) => format!("{}{glyphs} {h}", d.room),
        _ => format!("{}{glyphs}", d.room),
    }
}

/// Widest line the plan aims for with heads' names in its cells.
const WIDTH: usize = 120;

pub fn render(p: &Plan, lang: Lang) -> String {
    let s = &p.summary;
    let mut out = lang.f(
        "officeui.cli.plan_summary",
        &[
            &p.building,
            &gridbook_core::report::counted(lang, "officeui.saved.households", s.households),
            &format!("{:.1}", s.visited_pct),
            &p.days.to_string(),
            &s.care_due.to_string(),
            &s.open_problems.to_string(),
            &s.vacant.to_string(),
            &s.rented.to_string(),
        ],
    );
    out.push_str("\n\n");
    let label = |f: Option<i32>| match f {
        Some(n) => lang.f("plan_cli.floor", &[&n.to_string()]),
        None => lang.t("plan_cli.other").to_string(),
    };
    let label_w = p
        .floors
        .iter()
        .map(|f| width(&label(f.floor)))
        .max()
        .unwrap_or(0);
    // Columns grouped by unit: unit u has as many columns as its fullest
    // floor has doors, and each column is as wide as its widest cell.
    let grid: Vec<Vec<Vec<&plan::Door>>> = p
        .floors
        .iter()
        .map(|f| {
            p.units
                .iter()
                .map(|u| f.households.iter().filter(|d| &d.unit == u).collect())
                .collect()
        })
        .collect();
    let lay = |with_head: bool| -> Vec<Vec<usize>> {
        p.units
            .iter()
            .enumerate()
            .map(|(ui, _)| {
                let n = grid.iter().map(|f| f[ui].len()).max().unwrap_or(0);
                (0..n)
                    .map(|i| {
                        grid.iter()
                            .filter_map(|f| f[ui].get(i))
                            .map(|d| width(&cell(d, with_head)))
                            .max()
                            .unwrap_or(0)
                    })
                    .collect()
            })
            .collect()
    };
    let total = |w: &Vec<Vec<usize>>| label_w + w.iter().flatten().map(|c| c + 2).sum::<usize>();
    let mut widths = lay(true);
    let with_head = total(&widths) <= WIDTH;
    if !with_head {
        widths = lay(false);
    }
    for (f, units) in p.floors.iter().zip(&grid) {
        let mut line = pad(&label(f.floor), label_w);
        for (ui, doors) in units.iter().enumerate() {
            for (i, w) in widths[ui].iter().enumerate() {
                line.push_str("  ");
                let c = doors.get(i).map(|d| cell(d, with_head)).unwrap_or_default();
                line.push_str(&pad(&c, *w));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if p.floors.is_empty() {
        out.push_str(lang.t("plan_cli.empty"));
        out.push('\n');
    }
    out.push('\n');
    out.push_str(lang.t("plan_cli.legend"));
    let items: Vec<String> = Flag::ALL
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f.glyph(),
                lang.t(&format!("plan_cli.flag_{}", f.code()))
            )
        })
        .collect();
    out.push_str(&items.join("  "));
    out.push('\n');
    out
}
