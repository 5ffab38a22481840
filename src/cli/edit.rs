//! `gridbook edit resident|household|building|member …`: scripted edits.
//! Each changed field becomes an `Edited` event, so history keeps the old
//! value; a status word is checked before anything is written.

use gridbook_core::address::{self, Zone};
use gridbook_core::ops::{self, ResidentInput};
use gridbook_domain::model::*;

use crate::cli::{EditCmd, Env, Fail, Use, find_member, household_at, out, resident_in};

/// Exit 2 when no field flag is given: say which ones there are.
fn need_one(lang: gridbook_domain::i18n::Lang, given: &[bool], flags: &str) -> Result<(), Fail> {
    if given.iter().any(|g| *g) {
        Ok(())
    } else {
        Err(Fail::input(lang.f("cli_msg.nothing_to_change", &[flags])))
    }
}

pub fn run(env: &Env, cmd: EditCmd) -> Result<(), Fail> {
    let lang = env.lang;
    match cmd {
        EditCmd::Resident {
            addr,
            name,
            phone,
            new_name,
            relation,
            notes,
            status,
        } => {
            need_one(
                lang,
                &[
                    phone.is_some(),
                    new_name.is_some(),
                    relation.is_some(),
                    notes.is_some(),
                    status.is_some(),
                ],
                "--phone, --name, --relation, --notes, --status",
            )?;
            let status = status
                .map(|s| {
                    ResidentStatus::parse(&s).ok_or_else(|| {
                        Fail::input(lang.f(
                            "cli_msg.unknown_resident_status",
                            &[s.trim(), &ResidentStatus::allowed()],
                        ))
                    })
                })
                .transpose()?;
            let store = env.open(Use::Write)?;
            let ctx = env.ctx(&store)?;
            let h = household_at(&store, &addr)?;
            let r = resident_in(&store, &h, &name)?;
            let fields_changed =
                phone.is_some() || new_name.is_some() || relation.is_some() || notes.is_some();
            let mut shown = r.name.clone();
            if fields_changed {
                let input = ResidentInput {
                    name: new_name.unwrap_or_else(|| r.name.clone()),
                    phones: phone.unwrap_or_else(|| r.phones.join(";")),
                    relation: relation.unwrap_or_else(|| r.relation.clone()),
                    tags: r.tags.join(";"),
                    notes: notes.unwrap_or_else(|| r.notes.clone()),
                };
                // The fields first: when they are refused (a bad phone, a
                // name taken), the status is left as it was too.
                shown = ops::edit_resident(&store, ctx, r.meta.id, &input)?.name;
            }
            if let Some(s) = status {
                ops::set_resident_status(&store, ctx, r.meta.id, s)?;
            }
            drop(store);
            out::line(lang.f("cli_msg.saved", &[&format!("{}/{shown}", addr.trim())]))
        }
        EditCmd::Household {
            addr,
            status,
            notes,
        } => {
            need_one(
                lang,
                &[status.is_some(), notes.is_some()],
                "--status, --notes",
            )?;
            if let Some(s) = &status
                && Occupancy::parse(s).is_none()
            {
                return Err(Fail::input(lang.f(
                    "cli_msg.unknown_household_status",
                    &[s.trim(), &Occupancy::allowed()],
                )));
            }
            let store = env.open(Use::Write)?;
            let ctx = env.ctx(&store)?;
            let h = household_at(&store, &addr)?;
            let mut fields: Vec<(&str, &str)> = Vec::new();
            if let Some(s) = &status {
                fields.push(("status", s));
            }
            if let Some(n) = &notes {
                fields.push(("notes", n));
            }
            ops::edit_place(&store, ctx, h.meta.id, &fields)?;
            drop(store);
            out::line(lang.f("cli_msg.saved", &[addr.trim()]))
        }
        EditCmd::Building {
            addr,
            name,
            code,
            first_floor,
            doors_per_floor,
        } => {
            need_one(
                lang,
                &[
                    name.is_some(),
                    code.is_some(),
                    first_floor.is_some(),
                    doors_per_floor.is_some(),
                ],
                "--name, --code, --first-floor, --doors-per-floor",
            )?;
            let store = env.open(Use::Write)?;
            let ctx = env.ctx(&store)?;
            let zone = address::resolve(&store, &addr)?;
            let Zone::Building(..) = zone else {
                return Err(Fail::input(format!(
                    "`{addr}` is a {}, not a building: give AREA/BUILDING",
                    zone.kind().code()
                )));
            };
            let mut fields: Vec<(&str, &str)> = Vec::new();
            for (k, v) in [
                ("name", &name),
                ("code", &code),
                ("first_floor", &first_floor),
                ("doors_per_floor", &doors_per_floor),
            ] {
                if let Some(v) = v {
                    fields.push((k, v));
                }
            }
            ops::edit_place(&store, ctx, zone.id(), &fields)?;
            drop(store);
            out::line(lang.f("cli_msg.saved", &[addr.trim()]))
        }
        EditCmd::Member {
            member,
            name,
            phone,
            kind,
            tags,
            branch,
        } => {
            need_one(
                lang,
                &[
                    name.is_some(),
                    phone.is_some(),
                    kind.is_some(),
                    tags.is_some(),
                    branch.is_some(),
                ],
                "--name, --phone, --kind, --tags, --branch",
            )?;
            let kind = kind
                .map(|k| {
                    MemberKind::parse(&k).ok_or_else(|| {
                        let allowed = MemberKind::ALL
                            .iter()
                            .map(|k| format!("{} ({})", k.code(), k.zh()))
                            .collect::<Vec<_>>()
                            .join(", ");
                        Fail::input(lang.f("cli_msg.unknown_member_kind", &[k.trim(), &allowed]))
                    })
                })
                .transpose()?;
            let store = env.open(Use::Write)?;
            let ctx = env.ctx(&store)?;
            let m = find_member(&store, &member)?;
            let tags = tags.map(|t| t.replace([',', '，', '、'], ";"));
            let saved = ops::edit_member_in_branch(
                &store,
                ctx,
                m.meta.id,
                name.as_deref().unwrap_or(&m.name),
                phone.as_deref().unwrap_or(&m.phone),
                kind.unwrap_or(m.kind),
                tags.as_deref().unwrap_or(&m.tags.join(";")),
                branch.as_deref().unwrap_or(&m.branch),
            )?;
            drop(store);
            out::line(lang.f("cli_msg.saved", &[&saved.name]))
        }
    }
}
