//! The writing phase of `benches/sync.sh`: one laptop's offline entries,
//! written through the same operations as `gridbook log visit|problem|patrol`
//! (the same store opening, address lookup, member, checks and one commit
//! per entry), in one process instead of one process per entry. At 100,000
//! households every `gridbook log` process spends most of its time opening
//! the store; this opens it once. What the bench measures, the receiving
//! sync, is unchanged.
//!
//! ```sh
//! cargo run --release --example sync_writer -- DATA MEMBER LAPTOP ENTRIES HOUSEHOLDS BUILDINGS
//! ```
//!
//! `HOUSEHOLDS` and `BUILDINGS` are files of addresses, one a line (as the
//! bench makes them from the estate's roster). Entry `i` of laptop `l` is
//! what the bench's shell loop writes: of every 20, 3 problems, 1 patrol,
//! 16 visits, on the household `(l × 7919 + i × 104729) mod households`.

use std::path::PathBuf;

use gridbook::env::{Env, Use};
use gridbook_core::{address, config, ops};
use gridbook_domain::model::*;

const CATEGORIES: [&str; 5] = ["repair", "blocked-drain", "hygiene", "safety", "other"];

fn lines(path: &str) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [data, member, laptop, entries, households, buildings] = args.as_slice() else {
        return Err("usage: sync_writer DATA MEMBER LAPTOP ENTRIES HOUSEHOLDS BUILDINGS".into());
    };
    let laptop: usize = laptop.parse()?;
    let entries: usize = entries.parse()?;
    let hh = lines(households);
    let bl = lines(buildings);
    let env = Env::resolve(Some(&PathBuf::from(data)), None, Some(member.clone()))
        .map_err(|e| format!("{e:?}"))?;
    let store = env.open(Use::Write).map_err(|e| format!("{e:?}"))?;
    let ctx = env.ctx(&store).map_err(|e| format!("{e:?}"))?;
    let me = ctx.by.ok_or("no such member")?;
    let lists = config::checklists(config::config_dir().as_deref())?;
    for i in 0..entries {
        let k = (laptop * 7919 + i * 104729) % hh.len();
        // Each entry is stamped now, as `gridbook log` stamps it.
        let now = Ts::now();
        match i % 20 {
            0..=2 => {
                let zone = address::resolve(&store, &hh[k])?;
                ops::open_problem(
                    &store,
                    ops::Ctx::now(Some(me)),
                    &ops::ProblemInput {
                        zone: zone.id(),
                        at: now,
                        category: CATEGORIES[i % CATEGORIES.len()].to_string(),
                        description: format!("bench {laptop}-{i}"),
                        reporter: None,
                        urgency: Urgency::Normal,
                    },
                )?;
            }
            3 => {
                let zone = address::resolve(&store, &bl[k % bl.len()])?;
                let kind = if i % 40 == 3 {
                    PatrolKind::Security
                } else {
                    PatrolKind::Hygiene
                };
                let items = lists
                    .items(kind)
                    .iter()
                    .map(|item| CheckResult {
                        item: item.key.clone(),
                        ok: true,
                        note: String::new(),
                    })
                    .collect();
                ops::log_patrol(
                    &store,
                    ops::Ctx::now(Some(me)),
                    ops::PatrolInput {
                        zone: zone.id(),
                        kind,
                        at: now,
                        items,
                        note: String::new(),
                        open_problems: false,
                    },
                )?;
            }
            _ => {
                let zone = address::resolve(&store, &hh[k])?;
                ops::log_visit(
                    &store,
                    ops::Ctx::now(Some(me)),
                    &ops::VisitInput {
                        household: zone.id(),
                        member: me,
                        at: now,
                        purpose: "routine".into(),
                        note: String::new(),
                        follow_up: None,
                    },
                )?;
            }
        }
    }
    Ok(())
}
