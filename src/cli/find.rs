//! `gridbook find`: quick lookup from the shell.
//!
//! A one-shot query does not need what keeps the TUI's index current, so it
//! builds the index without covers (no per-place assignment reads) and asks
//! the store who covers only the few results it prints.

use crate::cli::{Env, Fail, Use, out};
use gridbook_domain::model::*;
use gridbook_domain::text;
use gridbook_store::store::Store;

use gridbook_core::lookup::{Hit, HitKind, LookupIndex};

pub fn run(env: &Env, query: &str, limit: usize, json: bool) -> Result<(), Fail> {
    if query.trim().is_empty() {
        return Err(Fail::input(
            "find needs a query: a name, pinyin (zs), phone digits, a room (2-501) or a place",
        ));
    }
    let store = env.open(Use::Read)?;
    let hits = find(&store, query, limit, Ts::now())?;
    drop(store);
    if json {
        return out::json(&hits);
    }
    if hits.is_empty() {
        out::note(format_args!("no match for `{}`", query.trim()));
        return Ok(());
    }
    out::text(&render(&hits))
}

/// The results of one query against the store, covers filled in.
pub fn find(store: &Store, query: &str, limit: usize, now: Ts) -> Result<Vec<Hit>, Fail> {
    let ix = LookupIndex::build_with(store, now, false)?;
    let mut hits = ix.search(query, limit);
    for h in &mut hits {
        fill_from_store(store, h, now)?;
    }
    Ok(hits)
}

fn fill_from_store(store: &Store, h: &mut Hit, now: Ts) -> Result<(), Fail> {
    match h.kind {
        HitKind::Member => {
            let mut zones = Vec::new();
            for a in store.assignments_of_member(h.id)? {
                if a.role == Role::Responsible && a.active_at(now) && !zones.contains(&a.zone) {
                    zones.push(a.zone);
                }
            }
            zones.sort_unstable();
            let mut paths = Vec::new();
            for z in &zones {
                if let Some(zone) = gridbook_core::address::zone_of(store, *z)? {
                    paths.push(zone.path());
                }
            }
            h.address = paths.join("; ");
            h.zone = zones.first().copied();
        }
        _ => {
            if let Some(z) = h.zone {
                h.cover = gridbook_core::cover::covering(store, z, now)?.map(|c| c.name);
            }
        }
    }
    Ok(())
}

/// One line per result: name, address, phone, covering member, in aligned
/// columns; each field shown as one visible line ([`text::visible`]).
pub fn render(hits: &[Hit]) -> String {
    let col = |f: &dyn Fn(&Hit) -> String, max: usize| {
        hits.iter()
            .map(|h| text::width(&f(h)))
            .max()
            .unwrap_or(0)
            .min(max)
    };
    let name = |h: &Hit| text::visible(&h.name).into_owned();
    let addr = |h: &Hit| text::visible(&h.address).into_owned();
    let phone = |h: &Hit| text::visible(h.phone.as_deref().unwrap_or_default()).into_owned();
    let wn = col(&name, 16);
    let wa = col(&addr, 40);
    let wp = col(&phone, 13);
    let mut out = String::new();
    for h in hits {
        let line = format!(
            "{}  {}  {}  {}",
            text::pad(&name(h), wn),
            text::pad(&addr(h), wa),
            text::pad(&phone(h), wp),
            text::visible(h.cover.as_deref().unwrap_or(""))
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
