//! `gridbook move ADDR NAME --to ADDR2` and `gridbook merge ADDR1 --into
//! ADDR2`: a resident changes household; a household is merged into another
//! and closed. Addresses and names are resolved (with suggestions) before
//! anything is written.

use gridbook_core::relocate;

use crate::cli::{Env, Fail, Use, household_at, out, resident_in};

pub fn move_resident(env: &Env, addr: &str, name: &str, to: &str) -> Result<(), Fail> {
    let lang = env.lang;
    let store = env.open(Use::Write)?;
    let ctx = env.ctx(&store)?;
    let from = household_at(&store, addr)?;
    let r = resident_in(&store, &from, name)?;
    let target = household_at(&store, to)?;
    if target.meta.id == from.meta.id {
        return Err(Fail::input(
            lang.f("movemerge.cli.same_household", &[&r.name, addr.trim()]),
        ));
    }
    let moved = relocate::move_resident(&store, ctx, r.meta.id, target.meta.id)?;
    drop(store);
    out::line(lang.f(
        "movemerge.cli.moved",
        &[&moved.name, addr.trim(), to.trim()],
    ))
}

pub fn merge(env: &Env, addr: &str, into: &str) -> Result<(), Fail> {
    let lang = env.lang;
    let store = env.open(Use::Write)?;
    let ctx = env.ctx(&store)?;
    let from = household_at(&store, addr)?;
    let target = household_at(&store, into)?;
    if target.meta.id == from.meta.id {
        return Err(Fail::input(
            lang.f("movemerge.cli.merge_itself", &[addr.trim()]),
        ));
    }
    let reason = lang.f("movemerge.cli.merge_reason", &[into.trim()]);
    let moved = relocate::merge_households(&store, ctx, from.meta.id, target.meta.id, &reason)?;
    let residents = store.residents_of(target.meta.id)?;
    drop(store);
    let sep = if lang == gridbook_domain::i18n::Lang::Zh {
        "、"
    } else {
        ", "
    };
    let names: Vec<&str> = moved.iter().map(|r| r.name.as_str()).collect();
    let mut text = lang.f(
        "movemerge.cli.merged",
        &[
            addr.trim(),
            into.trim(),
            &moved.len().to_string(),
            &names.join(sep),
            addr.trim(),
        ],
    );
    // Two heads now: said, not settled. People know which one stays; the
    // example names one who moved in.
    let heads = gridbook_domain::contact::heads(&residents);
    if heads.len() > 1 {
        let example = heads
            .iter()
            .find(|h| moved.iter().any(|m| m.meta.id == h.meta.id))
            .unwrap_or(&heads[heads.len() - 1]);
        let names: Vec<&str> = heads.iter().map(|r| r.name.as_str()).collect();
        text.push('\n');
        text.push_str(&lang.f(
            "hhmerge.merged_heads",
            &[
                into.trim(),
                &heads.len().to_string(),
                &names.join(sep),
                into.trim(),
                &example.name,
            ],
        ));
    }
    out::line(text)
}
