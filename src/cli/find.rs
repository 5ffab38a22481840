//! `gridbook find`: quick lookup from the shell.
//!
//! It answers from the lookup index saved beside the store
//! ([`gridbook_core::lookup::persist`]) without opening the store when that
//! index is trusted. Otherwise it opens the store, builds the index, saves
//! it for the next query (it holds the writer lock then) and answers. When
//! the running TUI answers for it, it reads the TUI's share of the store and
//! saves nothing: the TUI holds the lock.
//!
//! Text output is one aligned line per result: name, address, phone (for a
//! household: its head and the number to call), covering member, tags. A
//! resident who moved out or died is listed (people look up former
//! residents too) with it after the name: `汪斌（迁出）`.

use crate::cli::{Env, Fail, Use, out};
use gridbook_domain::i18n::Lang;
use gridbook_domain::model::*;
use gridbook_domain::text;
use gridbook_store::store::Store;

use gridbook_core::lookup::{Hit, LookupIndex, persist};

pub fn run(env: &Env, query: &str, limit: usize, json: bool) -> Result<(), Fail> {
    if query.trim().is_empty() {
        return Err(Fail::said("cli_msg.find_query", &[]));
    }
    if limit == 0 {
        // No result could be shown: say so, not "no match".
        return Err(Fail::said("cli_msg.find_limit", &[]));
    }
    let now = Ts::now();
    let saved = match env.lent {
        None => persist::load(&env.data, now),
        Some(_) => None,
    };
    let hits = match saved {
        Some(ix) => ix.find(query, limit, now),
        None => {
            let store = env.open(Use::Read)?;
            let hits = find(&store, query, limit, now, env.lent.is_none())?;
            drop(store);
            hits
        }
    };
    if json {
        return out::json(&hits);
    }
    if hits.is_empty() {
        out::note(env.lang.f("cli_msg.find_none", &[query.trim()]));
        return Ok(());
    }
    out::text(&render(&hits, env.lang))
}

/// The results of one query against the store. With `save` (the caller
/// holds the store's writer lock), the index built for it is saved for
/// the next query; failing to save only costs the next query the time.
pub fn find(
    store: &Store,
    query: &str,
    limit: usize,
    now: Ts,
    save: bool,
) -> Result<Vec<Hit>, Fail> {
    let ix = LookupIndex::build(store, now)?;
    if save
        && !store.dir().as_os_str().is_empty()
        && let Some(stamp) = persist::stamp(store.dir())
    {
        let _ = persist::save(store.dir(), &ix, stamp);
    }
    Ok(ix.find(query, limit, now))
}

/// What the phone column says: the number, or for a household its head and
/// whom to call (`head 吕德, 吕小红 13900000201`).
fn contact(h: &Hit, lang: Lang) -> String {
    let Some(head) = &h.head else {
        return h.phone.clone().unwrap_or_default();
    };
    // Nobody lives there now (empty, or everyone moved out or died).
    if head.name.is_empty() {
        return "—".to_string();
    }
    let mut out = format!("{} {}", lang.t("col.head"), head.name);
    if let Some(phone) = &head.phone {
        match head.phone_of.as_deref() {
            Some(who) if who != head.name => {
                out.push_str(comma(lang));
                out.push_str(who);
                out.push(' ');
            }
            _ => out.push(' '),
        }
        out.push_str(phone);
    }
    out
}

fn comma(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "，",
        Lang::En => ", ",
    }
}

/// One line per result: name, address, phone, covering member and tags, in
/// aligned columns.
pub fn render(hits: &[Hit], lang: Lang) -> String {
    let col = |f: &dyn Fn(&Hit) -> String, max: usize| {
        hits.iter()
            .map(|h| text::width(&f(h)))
            .max()
            .unwrap_or(0)
            .min(max)
    };
    // Each field shown as one visible line ([`text::visible`]); the name
    // says when the person is gone, before anyone dials the number beside it.
    let name = |h: &Hit| {
        let shown = text::visible(&h.name).into_owned();
        match h.status {
            Some(s) if s != ResidentStatus::Present.code() => {
                lang.f("wording.aside", &[&shown, &lang.label("office.status", s)])
            }
            _ => shown,
        }
    };
    let addr = |h: &Hit| text::visible(&h.address).into_owned();
    let phone = |h: &Hit| text::visible(&contact(h, lang)).into_owned();
    let cover = |h: &Hit| text::visible(h.cover.as_deref().unwrap_or_default()).into_owned();
    let wn = col(&name, 16);
    let wa = col(&addr, 40);
    let wp = col(&phone, 40);
    let wc = col(&cover, 16);
    let sep = match lang {
        Lang::Zh => "、",
        Lang::En => ", ",
    };
    let mut out = String::new();
    for h in hits {
        let line = format!(
            "{}  {}  {}  {}  {}",
            text::pad(&name(h), wn),
            text::pad(&addr(h), wa),
            text::pad(&phone(h), wp),
            text::pad(&cover(h), wc),
            text::visible(&h.tags.join(sep))
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
