//! Builds the forms that need the store: current values, choices, context.

use super::*;
use crate::tui::form::{Field, FieldKind};
use crate::tui::update::FormRequest;

pub(super) fn open_form(w: &World, req: FormRequest) -> R<Vec<Msg>> {
    let s = w.store;
    let lang = w.lang;
    let f = |k: &str| lang.t(k).to_string();
    let form = match req {
        FormRequest::New(level) => match level {
            Level::Areas => Form::new(
                Purpose::NewArea,
                f("form.new_area"),
                vec![
                    Field::new("name", f("form.place_name"), FieldKind::Required, ""),
                    Field::new("code", f("form.code_optional"), FieldKind::Text, ""),
                ],
            ),
            Level::Buildings(area) => Form::new(
                Purpose::NewBuilding { area },
                f("form.new_building"),
                vec![
                    Field::new("name", f("form.place_name"), FieldKind::Required, ""),
                    Field::new("code", f("form.code_optional"), FieldKind::Text, ""),
                ],
            )
            .with_intro(zone_label(w, area)?),
            Level::Households(building) => Form::new(
                Purpose::NewHousehold { building },
                f("form.new_household"),
                vec![
                    Field::new("unit", f("contacts.unit_or_both"), FieldKind::Text, ""),
                    Field::new("room", f("form.room"), FieldKind::Text, ""),
                    Field::new("notes", f("form.notes"), FieldKind::Text, ""),
                ],
            )
            .with_intro(zone_label(w, building)?),
            Level::Household(household) => Form::new(
                Purpose::NewResident { household },
                f("form.new_resident"),
                resident_fields(w, None),
            )
            .with_intro(zone_label(w, household)?),
        },
        FormRequest::NewMember => Form::new(
            Purpose::NewMember,
            f("form.new_member"),
            member_fields(w, None),
        ),
        FormRequest::Edit(kind, id) => match kind {
            RowKind::Resident => {
                let r = s.resident(id).map_err(err)?.ok_or(UiError::Gone)?;
                Form::new(
                    Purpose::EditResident { id },
                    f("form.edit_resident"),
                    resident_fields(w, Some(&r)),
                )
            }
            RowKind::Member => {
                let m = s.member(id).map_err(err)?.ok_or(UiError::Gone)?;
                Form::new(
                    Purpose::EditMember { id },
                    f("form.edit_member"),
                    member_fields(w, Some(&m)),
                )
            }
            RowKind::Household => {
                let h = s.household(id).map_err(err)?.ok_or(UiError::Gone)?;
                Form::new(
                    Purpose::EditPlace { id },
                    f("form.edit_household"),
                    vec![
                        Field::new("unit", f("form.unit"), FieldKind::Text, h.unit),
                        Field::new("room", f("form.room"), FieldKind::Required, h.room),
                        Field::choice(
                            "status",
                            f("form.status"),
                            Occupancy::ALL
                                .iter()
                                .map(|o| (o.code().to_string(), lang.label("occupancy", o.code())))
                                .collect(),
                            h.occupancy.code(),
                        ),
                        Field::new("notes", f("form.notes"), FieldKind::Text, h.notes),
                    ],
                )
            }
            RowKind::Area | RowKind::Building => {
                let (name, code) = if kind == RowKind::Area {
                    let a = s.area(id).map_err(err)?.ok_or(UiError::Gone)?;
                    (a.name, a.code)
                } else {
                    let b = s.building(id).map_err(err)?.ok_or(UiError::Gone)?;
                    (b.name, b.code)
                };
                Form::new(
                    Purpose::EditPlace { id },
                    f(if kind == RowKind::Area {
                        "form.edit_area"
                    } else {
                        "form.edit_building"
                    }),
                    vec![
                        Field::new("name", f("form.place_name"), FieldKind::Required, name),
                        Field::new("code", f("form.code"), FieldKind::Required, code),
                    ],
                )
            }
            _ => return Ok(vec![]),
        },
        FormRequest::Delete(kind, id) => {
            let label = match kind {
                RowKind::Resident => s.resident(id).map_err(err)?.map(|r| r.name),
                RowKind::Member => s.member(id).map_err(err)?.map(|m| m.name),
                _ => Some(zone_label(w, id)?),
            }
            .ok_or(UiError::Gone)?;
            let mut intro = lang.f("form.delete_intro", &[&label]);
            // Retiring a member ends their spans: say which before confirming.
            if kind == RowKind::Member {
                let spans = ops::open_spans(s, id, Ts::now()).map_err(err)?;
                intro.push('\n');
                intro.push_str(&lang.f("office.retire_ends", &[&label, &spans.len().to_string()]));
                for a in &spans {
                    let path = gridbook_core::address::zone_of(s, a.zone)
                        .map_err(err)?
                        .map_or_else(|| a.zone.short(), |z| z.path());
                    intro.push_str(&format!(
                        "\n  {}  {path}",
                        lang.label("role", a.role.code())
                    ));
                }
            }
            Form::new(
                Purpose::Delete { id },
                f("form.delete"),
                vec![Field::new(
                    "reason",
                    f("form.reason"),
                    FieldKind::Required,
                    "",
                )],
            )
            .with_intro(intro)
        }
        FormRequest::Move(id) => {
            let r = s
                .resident(id)
                .map_err(err)?
                .ok_or(crate::tui::error::UiError::Gone)?;
            let from = zone_label(w, r.household)?;
            Form::new(
                Purpose::Move { id },
                f("movemerge.tui.move_title"),
                vec![Field::new(
                    "to",
                    f("movemerge.tui.move_to"),
                    FieldKind::Required,
                    "",
                )],
            )
            .with_intro(lang.f("movemerge.tui.move_intro", &[&r.name, &from]))
        }
        FormRequest::Visit(household) => {
            // Without `me` the form asks who visited (the field must be
            // filled) rather than crediting whoever covers the household.
            let who = match w.me {
                Some(me) => s.member(me).map_err(err)?.map(|m| m.name),
                None => None,
            }
            .unwrap_or_default();
            let purposes: Vec<(&str, String)> = gridbook_core::generator::VISIT_PURPOSES
                .iter()
                .map(|p| (*p, lang.label("purpose", p)))
                .collect();
            // Filled with me, as a default: the first key typed replaces
            // it (a visit someone else made), as it does `now`.
            let mut member = Field::new("member", f("form.member"), FieldKind::Required, who);
            member.input = std::mem::take(&mut member.input).as_default();
            Form::new(
                Purpose::Visit { household },
                f("form.visit"),
                vec![
                    member,
                    Field::new("when", f("form.when"), FieldKind::Time, "now"),
                    Field::choice("purpose", f("form.purpose"), choices(&purposes), "routine"),
                    Field::new("note", f("form.note"), FieldKind::Text, ""),
                    Field::new("follow_up", f("form.follow_up"), FieldKind::Date, ""),
                ],
            )
            .with_intro(zone_label(w, household)?)
        }
        FormRequest::Problem(zone) => {
            let cats: Vec<(String, String)> = categories(w)
                .into_iter()
                .map(|c| {
                    let l = lang.label("category", &c);
                    (c, l)
                })
                .collect();
            let urg: Vec<(&str, String)> = [Urgency::Normal, Urgency::High, Urgency::Low]
                .iter()
                .map(|u| (u.code(), lang.label("urgency", u.code())))
                .collect();
            let mut fields = vec![
                Field::choice("category", f("form.category"), cats, "repair"),
                Field::new(
                    "description",
                    f("form.description"),
                    FieldKind::Required,
                    "",
                ),
                Field::choice("urgency", f("form.urgency"), choices(&urg), "normal"),
            ];
            if let Some((Kind::Household, _)) = s.kind_of(zone).map_err(err)? {
                let mut people = vec![(String::new(), "—".to_string())];
                for r in s.residents_of(zone).map_err(err)? {
                    people.push((r.meta.id.to_string(), r.name));
                }
                fields.push(Field::choice("reporter", f("form.reporter"), people, ""));
            }
            Form::new(Purpose::Problem { zone }, f("form.problem"), fields)
                .with_intro(zone_label(w, zone)?)
        }
        FormRequest::Resolve(id) => {
            let steps = |open: bool| {
                let list: Vec<(&str, String)> = if open {
                    [
                        ProblemStep::Resolved,
                        ProblemStep::Progress,
                        ProblemStep::Comment,
                    ]
                    .iter()
                    .map(|st| {
                        (
                            st.code(),
                            lang.t(&format!("step.{}", st.code())).to_string(),
                        )
                    })
                    .collect()
                } else {
                    [ProblemStep::Reopened, ProblemStep::Comment]
                        .iter()
                        .map(|st| {
                            (
                                st.code(),
                                lang.t(&format!("step.{}", st.code())).to_string(),
                            )
                        })
                        .collect()
                };
                choices(&list)
            };
            match s.event(id).map_err(err)? {
                Some(e) if matches!(e.body, EventBody::ProblemOpened(_)) => {
                    let open = s.is_problem_open(id).map_err(err)?;
                    let names = zoneview::Namer::new(s);
                    let intro = gridbook_domain::describe::event(lang, &e.body, &|i| names.name(i));
                    names.finish().map_err(err)?;
                    Form::new(
                        Purpose::Step { problem: id },
                        f("form.resolve"),
                        vec![
                            Field::choice(
                                "step",
                                f("form.step"),
                                steps(open),
                                if open { "resolved" } else { "reopened" },
                            ),
                            Field::new("note", f("form.note"), FieldKind::Required, ""),
                        ],
                    )
                    .with_intro(intro)
                }
                _ => {
                    // Every problem of the zone, open ones first: resolved ones
                    // can be reopened or commented on from here too.
                    let all = gridbook_core::lifecycle::problems_in(s, id).map_err(err)?;
                    if all.is_empty() {
                        return Ok(vec![Msg::Status(f("lifecycle.no_problems"), true)]);
                    }
                    let mut list = Vec::new();
                    for p in &all {
                        if let EventBody::ProblemOpened(ProblemOpenedBody {
                            category,
                            description,
                            ..
                        }) = &p.opened.body
                        {
                            let state = if p.open {
                                String::new()
                            } else {
                                format!("{} ", f("lifecycle.resolved_mark"))
                            };
                            list.push((
                                p.opened.id.to_string(),
                                lang.f(
                                    "lifecycle.problem_pick",
                                    &[
                                        &state,
                                        &gridbook_domain::describe::category_label(lang, category),
                                        &text::truncate(
                                            &gridbook_domain::checklist::shown(lang, description),
                                            30,
                                        ),
                                        &gridbook_domain::when::days_ago(
                                            lang,
                                            p.opened.at.days_before(Ts::now()),
                                        ),
                                    ],
                                ),
                            ));
                        }
                    }
                    // The step fits the first problem listed; the rules refuse
                    // a step that does not fit the one chosen, saying why.
                    let first_open = all[0].open;
                    let every_step: Vec<(&str, String)> = [
                        ProblemStep::Resolved,
                        ProblemStep::Progress,
                        ProblemStep::Comment,
                        ProblemStep::Reopened,
                    ]
                    .iter()
                    .map(|st| {
                        (
                            st.code(),
                            lang.t(&format!("step.{}", st.code())).to_string(),
                        )
                    })
                    .collect();
                    Form::new(
                        Purpose::ResolveIn { zone: id },
                        f("form.resolve"),
                        vec![
                            Field::choice("problem", f("form.which_problem"), list, ""),
                            Field::choice(
                                "step",
                                f("form.step"),
                                choices(&every_step),
                                if first_open { "resolved" } else { "reopened" },
                            ),
                            Field::new("note", f("form.note"), FieldKind::Required, ""),
                        ],
                    )
                    .with_intro(zone_label(w, id)?)
                }
            }
        }
        FormRequest::Patrol(zone, kind, keep) => {
            let kind = match kind {
                Some(k) => k,
                None => {
                    // The kind most overdue here goes first.
                    let h = s.last_patrol(zone, PatrolKind::Hygiene).map_err(err)?;
                    let sec = s.last_patrol(zone, PatrolKind::Security).map_err(err)?;
                    if sec < h {
                        PatrolKind::Security
                    } else {
                        PatrolKind::Hygiene
                    }
                }
            };
            // The kind comes first: changing it reopens the form on the
            // other checklist (update.rs), before anything is ticked.
            let kinds = PatrolKind::ALL
                .iter()
                .map(|k| (k.code().to_string(), lang.label("patrol", k.code())))
                .collect();
            let mut fields = vec![Field::choice(
                "kind",
                f("contacts.patrol_kind"),
                kinds,
                kind.code(),
            )];
            fields.extend(
                w.checklists
                    .items(kind)
                    .iter()
                    .map(|item| Field::new("check", item.label(lang), FieldKind::Check, "")),
            );
            let yes_no = vec![
                ("yes".to_string(), f("form.yes")),
                ("no".to_string(), f("form.no")),
            ];
            // After a switch of kind, what both checklists share is kept.
            fields.push(Field::choice(
                "open_problems",
                f("form.open_problems"),
                yes_no,
                keep.filled("open_problems").unwrap_or("yes"),
            ));
            fields.push(Field::new(
                "note",
                f("form.note"),
                FieldKind::Text,
                keep.get("note"),
            ));
            fields.push(Field::new(
                "when",
                f("form.when"),
                FieldKind::Time,
                keep.filled("when").unwrap_or("now"),
            ));
            let mut form = Form::new(
                Purpose::Patrol { zone, kind },
                lang.f("form.patrol", &[&lang.label("patrol", kind.code())]),
                fields,
            )
            .with_intro(format!(
                "{} — {}",
                zone_label(w, zone)?,
                f("form.patrol_hint")
            ));
            // A kept note or time is typing that esc asks about.
            form.dirty = form.fields.iter().any(|x| match x.name {
                "note" => !x.value().trim().is_empty(),
                "when" => !x.input.shows_default(),
                _ => false,
            });
            form
        }
        FormRequest::Amend(event) => {
            let e = s.event(event).map_err(err)?.ok_or(UiError::Gone)?;
            // Amend what the entry says now, including earlier corrections.
            let current = effective_body(w, &e)?;
            let names = zoneview::Namer::new(s);
            let name_of = |i: Id| names.name(i);
            let mut fields = match &current {
                EventBody::Visit(VisitBody {
                    purpose,
                    note,
                    follow_up,
                    ..
                }) => {
                    let purposes: Vec<(&str, String)> = gridbook_core::generator::VISIT_PURPOSES
                        .iter()
                        .map(|p| (*p, lang.label("purpose", p)))
                        .collect();
                    vec![
                        Field::choice("purpose", f("form.purpose"), choices(&purposes), purpose),
                        Field::new("note", f("form.note"), FieldKind::Text, note.clone()),
                        Field::new(
                            "follow_up",
                            f("form.follow_up"),
                            FieldKind::Date,
                            follow_up.map(|d| d.to_string()).unwrap_or_default(),
                        ),
                    ]
                }
                EventBody::ProblemOpened(ProblemOpenedBody {
                    category,
                    description,
                    ..
                }) => {
                    let mut cats: Vec<(String, String)> = categories(w)
                        .into_iter()
                        .map(|c| {
                            let l = lang.label("category", &c);
                            (c, l)
                        })
                        .collect();
                    // A patrol's problem keeps its kind as its category.
                    if !cats.iter().any(|(c, _)| c == category) {
                        cats.push((
                            category.clone(),
                            gridbook_domain::describe::category_label(lang, category),
                        ));
                    }
                    vec![
                        Field::choice("category", f("form.category"), cats, category),
                        Field::new(
                            "description",
                            f("form.description"),
                            FieldKind::Required,
                            description.clone(),
                        ),
                    ]
                }
                EventBody::ProblemStepped(ProblemSteppedBody { note, .. })
                | EventBody::Patrol(PatrolBody { note, .. }) => {
                    vec![Field::new(
                        "note",
                        f("form.note"),
                        FieldKind::Text,
                        note.clone(),
                    )]
                }
                _ => return Ok(vec![Msg::Status(f("tui.cannot_amend"), true)]),
            };
            fields.push(Field::new(
                "reason",
                f("form.amend_reason"),
                FieldKind::Required,
                "",
            ));
            let intro = format!(
                "{} {}",
                e.at.display(),
                gridbook_domain::describe::event(lang, &current, &name_of)
            );
            names.finish().map_err(err)?;
            Form::new(Purpose::Amend { event }, f("form.amend"), fields).with_intro(intro)
        }
        FormRequest::Assign(zone) => {
            let is_household = matches!(s.kind_of(zone).map_err(err)?, Some((Kind::Household, _)));
            let mut roles = vec![(Role::Responsible.code(), lang.label("role", "responsible"))];
            if is_household {
                roles.push((Role::Liaison.code(), lang.label("role", "liaison")));
            }
            Form::new(
                Purpose::Assign { zone },
                f("form.assign"),
                vec![
                    Field::new("member", f("form.member_who"), FieldKind::Required, ""),
                    Field::choice("role", f("form.role"), choices(&roles), "responsible"),
                    Field::new("since", f("form.since"), FieldKind::Date, "today"),
                    Field::new("until", f("form.until"), FieldKind::Date, ""),
                ],
            )
            .with_intro(zone_label(w, zone)?)
        }
        FormRequest::Activity { zone, member } => super::care::activity_form(w, zone, member)?,
        FormRequest::EndAssignment(id) => super::assignments::end_form(w, id)?,
        FormRequest::Transfer(from) => super::assignments::transfer_form(w, from)?,
        FormRequest::AssignMany(zones) => {
            let households = match zones.first() {
                Some(z) => matches!(s.kind_of(*z).map_err(err)?, Some((Kind::Household, _))),
                None => false,
            };
            // Households marked together are most often one member's 联系户.
            let mut roles = vec![(Role::Responsible.code(), lang.label("role", "responsible"))];
            if households {
                roles.insert(0, (Role::Liaison.code(), lang.label("role", "liaison")));
            }
            let mut names = Vec::new();
            for z in &zones {
                names.push(zone_label(w, *z)?);
            }
            let first = roles[0].0;
            Form::new(
                Purpose::AssignMany {
                    zones: zones.clone(),
                },
                f("form.assign"),
                vec![
                    Field::new("member", f("form.member_who"), FieldKind::Required, ""),
                    Field::choice("role", f("form.role"), choices(&roles), first),
                    Field::new("since", f("form.since"), FieldKind::Date, "today"),
                ],
            )
            .with_intro(format!(
                "{}\n{}",
                lang.f("office.assign_many", &[&zones.len().to_string()]),
                names.join(" · ")
            ))
        }
    };
    Ok(vec![Msg::OpenForm(Box::new(form))])
}

fn resident_fields(w: &World, r: Option<&Resident>) -> Vec<Field> {
    let f = |k: &str| w.lang.t(k).to_string();
    vec![
        Field::new(
            "name",
            f("form.name"),
            FieldKind::Required,
            r.map(|r| r.name.clone()).unwrap_or_default(),
        ),
        Field::new(
            "phones",
            f("form.phones"),
            FieldKind::Phones,
            r.map(|r| r.phones.join("; ")).unwrap_or_default(),
        ),
        Field::new(
            "relation",
            f("form.relation"),
            FieldKind::Text,
            r.map(|r| r.relation.clone()).unwrap_or_default(),
        ),
        Field::new(
            "tags",
            f("form.tags"),
            FieldKind::Text,
            r.map(|r| r.tags.join("、")).unwrap_or_default(),
        ),
        Field::new(
            "notes",
            f("form.notes"),
            FieldKind::Text,
            r.map(|r| r.notes.clone()).unwrap_or_default(),
        ),
        super::care::care_field(w, r),
    ]
}

fn member_fields(w: &World, m: Option<&Member>) -> Vec<Field> {
    let f = |k: &str| w.lang.t(k).to_string();
    let kinds: Vec<(String, String)> = MemberKind::ALL
        .iter()
        .map(|k| (k.code().to_string(), w.lang.label("member_kind", k.code())))
        .collect();
    vec![
        Field::new(
            "name",
            f("form.name"),
            FieldKind::Required,
            m.map(|m| m.name.clone()).unwrap_or_default(),
        ),
        Field::new(
            "phone",
            f("form.phone"),
            FieldKind::Phone,
            m.map(|m| m.phone.clone()).unwrap_or_default(),
        ),
        Field::choice(
            "kind",
            f("form.kind"),
            kinds,
            m.map_or("party-member", |m| m.kind.code()),
        ),
        Field::new(
            "tags",
            f("form.tags"),
            FieldKind::Text,
            m.map(|m| m.tags.join("、")).unwrap_or_default(),
        ),
    ]
}
