//! `gridbook assign | unassign | transfer | retire`: who looks after which zone,
//! with history kept (spans end; nothing is deleted).

use gridbook_core::address;
use gridbook_core::ops;
use gridbook_domain::i18n::Lang;
use gridbook_domain::model::*;

use crate::cli::{Env, Fail, Use, day_start, find_member, out};

fn role(lang: Lang, s: &str) -> Result<Role, Fail> {
    Role::parse(s).ok_or_else(|| Fail::input(lang.f("cli_msg.unknown_role", &[s.trim()])))
}

fn zone_path(store: &gridbook_store::store::Store, id: Id) -> String {
    address::zone_of(store, id)
        .ok()
        .flatten()
        .map_or_else(|| id.short(), |z| z.path())
}

pub fn assign(
    env: &Env,
    member: &str,
    zone: &str,
    role_word: &str,
    since: Option<&str>,
) -> Result<(), Fail> {
    let lang = env.lang;
    let role = role(lang, role_word)?;
    let store = env.open(Use::Write)?;
    let ctx = env.ctx(&store)?;
    let m = find_member(&store, member)?;
    let z = address::resolve(&store, zone)?;
    let since = match since {
        Some(s) => day_start("--since", s, ctx.now)?,
        None => ctx.now,
    };
    // The member whose span the new one ends is said, not ended silently.
    let replaced = ops::spans_ended_by(&store, z.id(), m.meta.id, role, since)?;
    ops::assign(&store, ctx, z.id(), m.meta.id, role, since, None)?;
    let mut replaced_names = Vec::new();
    for a in replaced {
        let id = a.member;
        replaced_names.push(store.member(id)?.map_or_else(|| id.short(), |m| m.name));
    }
    drop(store);
    let role_name = lang.label("role", role.code());
    out::line(lang.f(
        "cli_msg.assigned",
        &[&m.name, &role_name, &z.path(), &since.date().to_string()],
    ))?;
    for name in replaced_names {
        out::line(lang.f(
            "cli_msg.unassigned",
            &[&name, &role_name, &z.path(), &since.date().to_string()],
        ))?;
    }
    Ok(())
}

pub fn unassign(
    env: &Env,
    member: &str,
    zone: &str,
    role_word: Option<&str>,
    until: Option<&str>,
) -> Result<(), Fail> {
    let lang = env.lang;
    let only = role_word.map(|r| role(lang, r)).transpose()?;
    let store = env.open(Use::Write)?;
    let ctx = env.ctx(&store)?;
    let m = find_member(&store, member)?;
    let z = address::resolve(&store, zone)?;
    // `--until D` names the last day of the span: it ends when D is over.
    let until = match until {
        Some(s) => {
            // Checks the day as every date flag does, then one rule with the TUI.
            day_start("--until", s, ctx.now)?;
            let day = gridbook_domain::when::calendar_date(s).map(Date::from_jiff);
            match day {
                Some(d) => ops::span_end(d, ctx.now)?,
                None => ctx.now,
            }
        }
        None => ctx.now,
    };
    let spans: Vec<_> = store
        .assignments_of(z.id())?
        .into_iter()
        .filter(|a| {
            a.member == m.meta.id
                && only.is_none_or(|r| a.role == r)
                && a.until.is_none_or(|u| u > ctx.now)
        })
        .collect();
    if spans.is_empty() {
        return Err(Fail::input(
            lang.f("cli_msg.not_assigned", &[&m.name, &z.path()]),
        ));
    }
    let mut lines = String::new();
    for a in spans {
        ops::end_assignment(&store, ctx, a.id, until)?;
        lines.push_str(&lang.f(
            "cli_msg.unassigned",
            &[
                &m.name,
                &lang.label("role", a.role.code()),
                &z.path(),
                &until.display(),
            ],
        ));
        lines.push('\n');
    }
    drop(store);
    out::text(&lines)
}

pub fn transfer(env: &Env, from: &str, to: &str, since: Option<&str>) -> Result<(), Fail> {
    let lang = env.lang;
    let store = env.open(Use::Write)?;
    let ctx = env.ctx(&store)?;
    let f = find_member(&store, from)?;
    let t = find_member(&store, to)?;
    let since = match since {
        Some(s) => day_start("--since", s, ctx.now)?,
        None => ctx.now,
    };
    let moved = ops::transfer(&store, ctx, f.meta.id, t.meta.id, since)?;
    let mut text = lang.f(
        "cli_msg.transferred",
        &[
            &gridbook_core::report::counted(lang, "lead.places", moved.len()),
            &f.name,
            &t.name,
            &since.date().to_string(),
        ],
    );
    text.push('\n');
    for mv in &moved {
        let role = lang.label("role", mv.role.code());
        let path = zone_path(&store, mv.zone);
        if mv.already_held {
            text.push_str(&lang.f("cli_msg.moved_held", &[&role, &path, &t.name]));
        } else {
            text.push_str(&format!("  {role}  {path}"));
        }
        text.push('\n');
    }
    drop(store);
    out::text(&text)
}

/// Lists what retiring `member` ends; with `yes`, ends it and retires them.
pub fn retire(env: &Env, member: &str, reason: &str, yes: bool) -> Result<(), Fail> {
    let lang = env.lang;
    let store = env.open(Use::Write)?;
    let ctx = env.ctx(&store)?;
    let m = find_member(&store, member)?;
    if !m.meta.is_live() {
        return Err(Fail::input(lang.f("office.already_retired", &[&m.name])));
    }
    let spans = ops::open_spans(&store, m.meta.id, ctx.now)?;
    let mut text = lang.f("office.retire_ends", &[&m.name, &spans.len().to_string()]);
    text.push('\n');
    for a in &spans {
        text.push_str(&format!(
            "  {}  {}\n",
            lang.label("role", a.role.code()),
            zone_path(&store, a.zone)
        ));
    }
    if !yes {
        out::text(&text)?;
        return Err(Fail::input(lang.f("office.retire_confirm", &[&m.name])));
    }
    ops::tombstone(&store, ctx, m.meta.id, reason)?;
    drop(store);
    text.push_str(&lang.f("office.retired", &[&m.name]));
    text.push('\n');
    out::text(&text)
}
