//! Responsibility spans from the TUI: ending one (the CLI's `unassign`) and
//! handing all of a member's zones to another (the CLI's `transfer`), which
//! shows what would move before it is confirmed.

use super::save::{date_of, day_start_of};
use super::*;
use crate::tui::form::{Field, FieldKind, Values};

/// The span an `Assigned` entry opened, as the assignments index holds it.
fn span(w: &World, id: Id) -> R<gridbook_store::store::Assignment> {
    let e = w.store.event(id).map_err(err)?.ok_or(UiError::Gone)?;
    w.store
        .assignments_of(e.zone)
        .map_err(err)?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or(UiError::Gone)
}

fn member_name(w: &World, id: Id) -> R<String> {
    Ok(w.store
        .member(id)
        .map_err(err)?
        .map_or_else(|| id.short(), |m| m.name))
}

/// The form that ends a span: its last day, today unless typed.
pub(super) fn end_form(w: &World, id: Id) -> R<Form> {
    let lang = w.lang;
    let a = span(w, id)?;
    if a.until.is_some_and(|u| u <= Ts::now()) {
        return Err(UiError::Message(lang.t("officeui.already_ended").into()));
    }
    let intro = lang.f(
        "officeui.end_intro",
        &[
            &member_name(w, a.member)?,
            &lang.label("role", a.role.code()),
            &zone_label(w, a.zone)?,
            &a.since.date().to_string(),
        ],
    );
    Ok(Form::new(
        Purpose::EndAssignment { id },
        lang.t("officeui.end_title"),
        vec![Field::new(
            "until",
            lang.t("officeui.last_day"),
            FieldKind::Date,
            "today",
        )],
    )
    .with_intro(intro))
}

/// Ends the span on the day typed, by the CLI's rule (`ops::span_end`).
pub(super) fn end(w: &World, ctx: Ctx, id: Id, v: &Values) -> R<String> {
    let a = span(w, id)?;
    let day = date_of(v, "until", ctx.now)?.unwrap_or(ctx.now.date());
    let until = ops::span_end(day, ctx.now).map_err(err)?;
    ops::end_assignment(w.store, ctx, id, until).map_err(err)?;
    Ok(w.lang.f(
        "cli_msg.unassigned",
        &[
            &member_name(w, a.member)?,
            &w.lang.label("role", a.role.code()),
            &zone_label(w, a.zone)?,
            &until.display(),
        ],
    ))
}

/// The transfer form: who takes over, from which day.
pub(super) fn transfer_form(w: &World, from: Id) -> R<Form> {
    let lang = w.lang;
    let name = member_name(w, from)?;
    let spans = ops::open_spans(w.store, from, Ts::now()).map_err(err)?;
    if spans.is_empty() {
        return Err(UiError::Message(
            lang.f("officeui.nothing_to_transfer", &[&name]),
        ));
    }
    Ok(Form::new(
        Purpose::Transfer { from },
        lang.t("officeui.transfer_title"),
        vec![
            Field::new(
                "to",
                lang.t("officeui.transfer_to"),
                FieldKind::Required,
                "",
            ),
            Field::new("since", lang.t("form.since"), FieldKind::Date, "today"),
        ],
    )
    .with_intro(lang.f(
        "officeui.transfer_intro",
        &[
            &name,
            &gridbook_core::report::counted(lang, "officeui.spans", spans.len()),
        ],
    )))
}

/// What the transfer would move, checked by the same rules as the transfer
/// itself, as a form that carries it out when saved.
pub(super) fn transfer_preview(w: &World, from: Id, v: &Values) -> R<Form> {
    let lang = w.lang;
    let now = Ts::now();
    let to = gridbook_core::who::member(w.store, v.get("to")).map_err(err)?;
    let since = match v.filled("since") {
        None => now,
        Some(_) => day_start_of(v, "since", now)?.unwrap_or(now),
    };
    let moved = ops::transfer_preview(w.store, from, to.meta.id, since).map_err(err)?;
    let from_name = member_name(w, from)?;
    let mut text = lang.f(
        "cli_msg.transferred",
        &[
            &gridbook_core::report::counted(lang, "lead.places", moved.len()),
            &from_name,
            &to.name,
            &since.date().to_string(),
        ],
    );
    for mv in &moved {
        let role = lang.label("role", mv.role.code());
        let path = zone_label(w, mv.zone)?;
        text.push('\n');
        if mv.already_held {
            text.push_str(&lang.f("cli_msg.moved_held", &[&role, &path, &to.name]));
        } else {
            text.push_str(&format!("  {role}  {path}"));
        }
    }
    text.push('\n');
    text.push_str(lang.t("officeui.transfer_confirm"));
    Ok(Form::new(
        Purpose::TransferConfirm {
            from,
            to: to.meta.id,
            since,
        },
        lang.t("officeui.transfer_title"),
        vec![],
    )
    .with_intro(text))
}

/// Carries out the transfer as previewed.
pub(super) fn transfer(w: &World, ctx: Ctx, from: Id, to: Id, since: Ts) -> R<String> {
    let moved = ops::transfer(w.store, ctx, from, to, since).map_err(err)?;
    Ok(w.lang.f(
        "officeui.transferred",
        &[
            &gridbook_core::report::counted(w.lang, "officeui.spans", moved.len()),
            &member_name(w, from)?,
            &member_name(w, to)?,
        ],
    ))
}
