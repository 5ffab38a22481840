//! Everything shown about one zone — its people or children, who covers it,
//! its last visit, open problems and recent timeline — gathered from the store
//! once, for `gridbook show`, its JSON, and the TUI's detail pane.

use serde::Serialize;

use crate::address::{self, Zone};
use crate::cover;
use crate::views::{IdMap, ResidentRoundView};
use gridbook_domain::describe;
use gridbook_domain::i18n::Lang;
use gridbook_domain::model::*;
use gridbook_domain::vocab::Vocabulary;
use gridbook_store::store::{Result, Store};

#[derive(Clone, Debug, Serialize)]
pub struct CoverView {
    pub member_id: String,
    pub name: String,
    pub phone: String,
    pub direct: bool,
    /// The zone the responsibility is assigned on (the zone itself when direct).
    pub via: String,
    pub since: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct MemberRef {
    pub member_id: String,
    pub name: String,
    pub phone: String,
    pub since: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ResidentView {
    pub id: String,
    pub name: String,
    pub relation: String,
    pub phones: Vec<String>,
    pub tags: Vec<String>,
    pub notes: String,
    /// `present`, `moved-out` or `deceased`: a caller sees who is gone
    /// before dialling.
    pub status: String,
    /// Codes of the resident's care groups (高龄老人 by birth year too).
    pub care: Vec<String>,
    /// The same groups by name in the view's language, for the text.
    #[serde(skip)]
    pub care_labels: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ChildView {
    pub id: String,
    pub name: String,
    pub code: String,
    /// Households (for buildings) or buildings (for areas) inside.
    pub count: usize,
    /// A household's head and whom to call ([`caller`]'s rule); absent for
    /// buildings and for a household without residents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head: Option<Caller>,
}

#[derive(Clone, Debug, Serialize)]
pub struct VisitRef {
    pub at: String,
    pub by: String,
    pub days_ago: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct ProblemView {
    pub id: String,
    pub zone: String,
    pub category: String,
    pub description: String,
    pub opened: String,
    pub age_days: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct EntryView {
    pub id: String,
    pub at: String,
    pub kind: String,
    pub by: String,
    pub text: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ZoneView {
    pub id: String,
    pub kind: String,
    pub path: String,
    pub short: String,
    /// A household's occupancy code (`owner`, `rented`, `vacant`,
    /// `commercial`); null for areas and buildings.
    pub occupancy: Option<String>,
    pub covered_by: Option<CoverView>,
    pub liaisons: Vec<MemberRef>,
    pub residents: Vec<ResidentView>,
    /// A household's residents marked head (户主), named only when more
    /// than one is, as a merge can leave it: for people to set one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub heads: Vec<String>,
    pub children: Vec<ChildView>,
    pub last_visit: Option<VisitRef>,
    /// The oldest open problems in the zone: all of them, or as many as the
    /// view was built to show ([`build_brief`]).
    pub open_problems: Vec<ProblemView>,
    /// How many problems are open in the zone, listed or not. The JSON
    /// lists them all, so it carries no count of its own.
    #[serde(skip)]
    pub open_problem_count: usize,
    pub recent: Vec<EntryView>,
    /// A household's care groups and when its care visit is due; filled by
    /// those who hold the care list (`care::of_household`), absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub care: Option<crate::care::HouseholdCare>,
}

/// Who to call for a household: its head, and a number named by whose it is
/// (`gridbook_domain::contact`'s rule), for every row that stands for one.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Caller {
    pub head: String,
    pub phone: Option<String>,
    /// Whose number `phone` is: the head's, or the resident answering for them.
    pub phone_of: Option<String>,
}

/// The caller of a household, or `None` for another zone or an empty household.
pub fn caller(store: &Store, household: Id) -> Result<Option<Caller>> {
    // No probe of what `household` is (four point reads, on each of the
    // thousands of rows of an estate's Today): any other id has no
    // residents, and no residents means no caller.
    let residents = store.residents_of(household)?;
    Ok(gridbook_domain::contact::of(&residents).map(|c| Caller {
        head: c.head.name.clone(),
        phone: c.phone.map(|(_, p)| p.to_string()),
        phone_of: c.phone.map(|(w, _)| w.name.clone()),
    }))
}

/// Every household's caller, by [`caller`]'s rule, from one pass over the
/// residents instead of a read per household: an estate's Today asks for
/// about 100,000 of them. Residents are stored in id order, the order a
/// household lists them in, so each household's residents come in the
/// order [`caller`] reads them. Households without a caller are absent.
pub fn callers(store: &Store) -> Result<IdMap<Caller>> {
    Ok(callers_and_care(store, None)?.0)
}

/// [`callers`] and, on `today`, the households of
/// [`crate::care::in_care`] with their live residents (as
/// [`Store::residents_of`] lists them, tags and notes left empty), from
/// one pass over the residents: an estate's Today needs both, and its care
/// rows need no read of their own.
pub fn callers_and_care(
    store: &Store,
    today: Option<Date>,
) -> Result<(IdMap<Caller>, IdMap<Vec<Resident>>)> {
    let mut by_household: IdMap<Vec<Resident>> = IdMap::default();
    let mut in_care = Vec::new();
    store.each_stored::<Resident>(|bytes| {
        let r: ResidentRoundView = Store::view::<Resident, _>(bytes)?;
        // As `residents_of`: the live ones.
        if r.meta.is_live() {
            if let Some(today) = today
                && r.status == ResidentStatus::Present
                && !crate::care::marks_of(&r.care, r.birth_year, r.meta.created_at, today)
                    .is_empty()
            {
                in_care.push(r.household);
            }
            by_household
                .entry(r.household)
                .or_default()
                .push(r.into_resident());
        }
        Ok(true)
    })?;
    let care = in_care
        .into_iter()
        .filter_map(|h| Some((h, by_household.get(&h)?.clone())))
        .collect();
    Ok((callers_of(by_household), care))
}

fn callers_of(by_household: IdMap<Vec<Resident>>) -> IdMap<Caller> {
    by_household
        .into_iter()
        .filter_map(|(h, residents)| {
            let c = gridbook_domain::contact::of(&residents)?;
            Some((
                h,
                Caller {
                    head: c.head.name.clone(),
                    phone: c.phone.map(|(_, p)| p.to_string()),
                    phone_of: c.phone.map(|(w, _)| w.name.clone()),
                },
            ))
        })
        .collect()
}

/// A member's name by id, or the short id when no record has it. A read
/// that fails is an error: a damaged record must not pass for an unknown one.
pub fn member_name(store: &Store, id: Id) -> Result<String> {
    if let Some(m) = store.member(id)? {
        return Ok(m.name);
    }
    if let Some(r) = store.resident(id)? {
        return Ok(r.name);
    }
    // A deleted place is named too (its room), never by an id fragment.
    if let Some(h) = store.household(id)? {
        return Ok(h.label());
    }
    if let Some(b) = store.building(id)? {
        return Ok(b.name);
    }
    Ok(store.area(id)?.map_or_else(|| id.short(), |a| a.name))
}

/// [`member_name`] for text built through a `Fn(Id) -> String` (the
/// describers): it keeps the first read error, which [`Namer::finish`]
/// returns, so a failed read fails the whole text.
pub struct Namer<'a> {
    store: &'a Store,
    failed: std::cell::RefCell<Option<gridbook_store::store::StoreError>>,
}

impl<'a> Namer<'a> {
    pub fn new(store: &'a Store) -> Self {
        Namer {
            store,
            failed: Default::default(),
        }
    }

    pub fn name(&self, id: Id) -> String {
        member_name(self.store, id).unwrap_or_else(|e| {
            self.failed.borrow_mut().get_or_insert(e);
            id.short()
        })
    }

    /// The first read that failed, if any.
    pub fn finish(self) -> Result<()> {
        self.failed.into_inner().map_or(Ok(()), Err)
    }
}

/// A zone's path by id, or the short id when no record has it.
pub fn path_of(store: &Store, id: Id) -> Result<String> {
    Ok(address::zone_of(store, id)?.map_or_else(|| id.short(), |z| z.path()))
}

/// Open problems in `zone` or anything inside it, oldest first.
pub fn open_problems_in(store: &Store, zone: Id, now: Ts, lang: Lang) -> Result<Vec<ProblemView>> {
    Ok(oldest_open_problems(store, zone, now, lang, usize::MAX)?.0)
}

/// The `limit` oldest open problems in `zone` or anything inside it, and
/// how many are open. Only the problems listed are read: the index keys
/// them by id, and an entry's id carries its time (`Event::new`), so the
/// first keys are the oldest and counting the rest reads keys alone. An
/// area of thousands of households holds hundreds of open problems.
pub fn oldest_open_problems(
    store: &Store,
    zone: Id,
    now: Ts,
    lang: Lang,
    limit: usize,
) -> Result<(Vec<ProblemView>, usize)> {
    let ids = store.open_problems_in(zone)?;
    let mut out = Vec::new();
    for &pid in ids.iter().take(limit) {
        if let Some(e) = store.event(pid)?
            && let EventBody::ProblemOpened(ProblemOpenedBody {
                category,
                description,
                ..
            }) = &e.body
        {
            out.push(ProblemView {
                id: pid.to_string(),
                zone: path_of(store, e.zone)?,
                category: gridbook_domain::describe::category_label(lang, category),
                description: gridbook_domain::checklist::shown(lang, description),
                opened: e.at.display(),
                age_days: e.at.days_before(now),
            });
        }
    }
    out.sort_by_key(|p| std::cmp::Reverse(p.age_days));
    Ok((out, ids.len()))
}

/// Everything about `zone` with its `recent` latest entries, for `show`.
/// Care groups are named by the user's `care.toml`; a broken one is
/// reported where groups are written (`tag`, reports), and reading falls
/// back to the shipped names, as the checklists do.
pub fn build(store: &Store, zone: &Zone, now: Ts, lang: Lang, recent: usize) -> Result<ZoneView> {
    let user = crate::config::care_groups(crate::config::config_dir().as_deref()).ok();
    let groups = user
        .as_ref()
        .unwrap_or_else(|| gridbook_domain::vocab::care::shipped());
    let mut view = build_brief(store, zone, now, lang, recent, usize::MAX, groups)?;
    // Only the full view (`show`) names each household's head and number:
    // the TUI's pane counts a building's households and reads no more.
    if matches!(zone, Zone::Building(..)) {
        for c in &mut view.children {
            if let Ok(id) = c.id.parse::<Id>() {
                c.head = caller(store, id)?;
            }
        }
    }
    Ok(view)
}

/// [`build`] listing only the `problems` oldest open problems (with the
/// count of all): the TUI's side pane, which shows a few, is built on a
/// key press and must not read every problem of a large area.
pub fn build_brief(
    store: &Store,
    zone: &Zone,
    now: Ts,
    lang: Lang,
    recent: usize,
    problems: usize,
    groups: &Vocabulary,
) -> Result<ZoneView> {
    let id = zone.id();
    let covered_by = match cover::covering(store, id, now)? {
        Some(c) => Some(CoverView {
            member_id: c.member.to_string(),
            name: c.name,
            phone: c.phone,
            direct: c.direct,
            via: path_of(store, c.via)?,
            since: c.since.date().to_string(),
        }),
        None => None,
    };
    let (open_problems, open_problem_count) = oldest_open_problems(store, id, now, lang, problems)?;
    let mut view = ZoneView {
        id: id.to_string(),
        kind: zone.kind().code().to_string(),
        path: zone.path(),
        short: zone.short(),
        occupancy: None,
        covered_by,
        liaisons: Vec::new(),
        residents: Vec::new(),
        heads: Vec::new(),
        children: Vec::new(),
        last_visit: None,
        open_problems,
        open_problem_count,
        recent: Vec::new(),
        care: None,
    };
    match zone {
        Zone::Household(_, _, h) => {
            view.occupancy = Some(h.occupancy.code().to_string());
            view.liaisons = cover::liaisons(store, id, now)?
                .into_iter()
                .map(|(m, a)| MemberRef {
                    member_id: m.meta.id.to_string(),
                    name: m.name,
                    phone: m.phone,
                    since: a.since.date().to_string(),
                })
                .collect();
            let residents = store.residents_of(id)?;
            let heads = gridbook_domain::contact::heads(&residents);
            if heads.len() > 1 {
                view.heads = heads.iter().map(|r| r.name.clone()).collect();
            }
            view.residents = residents
                .into_iter()
                .map(|r| {
                    let care: Vec<String> = crate::care::groups_of(&r, now.date())
                        .into_iter()
                        .map(|(g, _)| g)
                        .collect();
                    ResidentView {
                        id: r.meta.id.to_string(),
                        status: r.status.code().to_string(),
                        care_labels: care
                            .iter()
                            .map(|g| groups.label(g, lang).to_string())
                            .collect(),
                        care,
                        name: r.name,
                        relation: r.relation,
                        phones: r.phones,
                        tags: r.tags,
                        notes: r.notes,
                    }
                })
                .collect();
            if let Some((at, visit)) = crate::relocate::last_visit(store, id)? {
                let by = match store.event(visit)?.map(|e| e.body) {
                    Some(EventBody::Visit(VisitBody { member, .. })) => {
                        Some(member_name(store, member)?)
                    }
                    _ => None,
                }
                .unwrap_or_default();
                view.last_visit = Some(VisitRef {
                    at: at.display(),
                    by,
                    days_ago: at.days_before(now),
                });
            }
        }
        Zone::Building(..) => {
            view.children = store
                .households_of(id)?
                .into_iter()
                .map(|h| {
                    Ok(ChildView {
                        id: h.meta.id.to_string(),
                        name: h.label(),
                        code: h.label(),
                        count: store.child_count(h.meta.id)?,
                        head: None,
                    })
                })
                .collect::<Result<_>>()?;
        }
        Zone::Area(..) => {
            view.children = store
                .buildings_of(id)?
                .into_iter()
                .map(|b| {
                    Ok(ChildView {
                        id: b.meta.id.to_string(),
                        count: store.child_count(b.meta.id)?,
                        name: b.name,
                        code: b.code,
                        head: None,
                    })
                })
                .collect::<Result<_>>()?;
        }
    }
    let names = Namer::new(store);
    let name_of = |i: Id| names.name(i);
    let mut entries = store.timeline(id, recent)?;
    // A merged household's history shows on the one it was merged into.
    if matches!(zone, Zone::Household(..)) {
        for from in crate::relocate::merged_into(store, id)? {
            entries.extend(store.timeline(from, recent)?);
        }
        entries.sort_by_key(|e| std::cmp::Reverse(e.id));
        entries.dedup_by_key(|e| e.id);
        entries.truncate(recent);
    }
    view.recent = entries
        .into_iter()
        .map(|e| {
            let by = e.by.map(|b| names.name(b)).unwrap_or_default();
            let text = match &e.body {
                // A step's text is only its note: say who took it, as a
                // visit's says who visited.
                EventBody::ProblemStepped(ProblemSteppedBody { step, note, .. })
                    if !by.is_empty() =>
                {
                    let key = format!("show.step-{}", step.code());
                    lang.f(&key, &[&by, &describe::step_note(lang, note)])
                }
                // A report says who reported it: the reporter named on
                // the form, else who wrote it (as the ledger does).
                EventBody::ProblemOpened(p) => {
                    let who = p
                        .reporter
                        .map(|r| names.name(r))
                        .unwrap_or_else(|| by.clone());
                    if who.is_empty() {
                        describe::event_with(lang, &e.body, &name_of, groups)
                    } else {
                        let mut s = lang.f(
                            "show.problem-reported",
                            &[
                                &who,
                                &describe::category_label(lang, &p.category),
                                &gridbook_domain::checklist::shown(lang, &p.description),
                            ],
                        );
                        if p.urgency == Urgency::High {
                            s.push_str(" !");
                        }
                        s
                    }
                }
                body => describe::event_with(lang, body, &name_of, groups),
            };
            EntryView {
                id: e.id.to_string(),
                at: e.at.display(),
                kind: e.body.kind_code().to_string(),
                by,
                text,
            }
        })
        .collect();
    names.finish()?;
    Ok(view)
}

/// The plain-text form of a zone view, columns aligned for CJK.
pub fn render_text(v: &ZoneView, lang: Lang) -> String {
    use gridbook_domain::text::table;
    let mut out = String::new();
    // A household lived in by its owner says nothing more; one that is
    // vacant, rented or a shop says so beside its kind: nobody answers at
    // a vacant one, a rented one is where newcomers live.
    let mut kind = lang.t(&format!("kind.{}", v.kind)).to_string();
    if let Some(o) = v.occupancy.as_deref().filter(|o| *o != "owner") {
        kind = lang.f("show.kind_occupancy", &[&kind, &lang.label("occupancy", o)]);
    }
    out.push_str(&format!(
        "{}  {}  [{}]\n",
        v.path.replace('/', " › "),
        lang.f("wording.paren", &[&v.short]),
        kind
    ));
    out.push_str(&lang.f("wording.labelled", &[lang.t("show.covered_by"), ""]));
    match &v.covered_by {
        Some(c) => {
            let how = if c.direct {
                lang.t("show.direct").to_string()
            } else {
                lang.f("show.inherited_from", &[&c.via])
            };
            let since = lang.f("show.since", &[&c.since]);
            let aside = lang.f("wording.and", &[&how, &since]);
            let who = format!("{} {}", c.name, c.phone);
            out.push_str(&lang.f("wording.aside", &[&who, &aside]));
            out.push('\n');
        }
        None => out.push_str(&format!("{}\n", lang.t("show.nobody"))),
    }
    for l in &v.liaisons {
        let who = format!("{} {}", l.name, l.phone);
        let since = lang.f("show.since", &[&l.since]);
        let text = lang.f("wording.aside", &[&who, &since]);
        out.push_str(&lang.f("wording.labelled", &[lang.t("show.liaison"), &text]));
        out.push('\n');
    }
    if v.kind == "household" {
        out.push_str(&format!(
            "\n{}\n",
            lang.f("wording.label", &[lang.t("show.residents")])
        ));
        if v.residents.is_empty() {
            out.push_str(&format!("  {}\n", lang.t("show.no_residents")));
        } else {
            // The status column (beside the name, before the number) only
            // when someone has moved out or died; care groups only when
            // someone is in one.
            let gone = v.residents.iter().any(|r| r.status != "present");
            let cared = v.residents.iter().any(|r| !r.care.is_empty());
            let mut head = vec![format!("  {}", lang.t("show.name"))];
            if gone {
                head.push(lang.t("show.status").to_string());
            }
            head.push(lang.t("show.relation").to_string());
            head.push(lang.t("show.phones").to_string());
            if cared {
                head.push(lang.t("show.care").to_string());
            }
            head.push(lang.t("show.tags").to_string());
            head.push(lang.t("contacts.col_notes").to_string());
            let mut rows = vec![head];
            for r in &v.residents {
                let mut row = vec![format!("  {}", r.name)];
                if gone {
                    row.push(match r.status.as_str() {
                        "present" => String::new(),
                        s => lang.label("office.status", s),
                    });
                }
                row.push(r.relation.clone());
                row.push(r.phones.join(lang.t("wording.list")));
                if cared {
                    row.push(r.care_labels.join(lang.t("wording.terms")));
                }
                row.push(r.tags.join(lang.t("wording.list")));
                // One line per resident: a note's line breaks become spaces.
                row.push(r.notes.split_whitespace().collect::<Vec<_>>().join(" "));
                rows.push(row);
            }
            out.push_str(&table(&rows));
        }
        if !v.heads.is_empty() {
            out.push_str(&format!("  ⚠ {}\n", heads_line(lang, &v.heads)));
        }
        out.push('\n');
        out.push_str(&lang.f("wording.labelled", &[lang.t("show.last_visit"), ""]));
        match &v.last_visit {
            Some(lv) => {
                let who = format!("{} {}", lv.at, lv.by);
                let ago = gridbook_domain::when::days_ago(lang, lv.days_ago);
                out.push_str(&lang.f("wording.aside", &[&who, &ago]));
                out.push('\n');
            }
            None => out.push_str(&format!("{}\n", lang.t("show.never"))),
        }
    } else if v.kind == "area" {
        let title = lang.t("show.buildings");
        out.push_str(&format!("\n{}\n", lang.f("wording.label", &[title])));
        let mut rows = vec![vec![
            format!("  {}", lang.t("show.name")),
            lang.t("show.label").to_string(),
            lang.t("show.households").to_string(),
        ]];
        for c in &v.children {
            rows.push(vec![
                format!("  {}", c.name),
                c.code.clone(),
                c.count.to_string(),
            ]);
        }
        out.push_str(&table(&rows));
    } else {
        // A building's households: the room (its name and label are the
        // same), who to ask for and their number, as the other levels
        // show a person with their phone; then how many live there.
        let title = lang.t("show.households");
        out.push_str(&format!("\n{}\n", lang.f("wording.label", &[title])));
        let mut rows = vec![vec![
            format!("  {}", lang.t("show.label")),
            lang.t("col.head").to_string(),
            lang.t("col.phone").to_string(),
            lang.t("show.residents").to_string(),
        ]];
        for c in &v.children {
            let (head, phone) = match &c.head {
                Some(h) => (
                    h.head.clone(),
                    match (&h.phone, &h.phone_of) {
                        (Some(p), Some(of)) if *of != h.head => lang.f("wording.aside", &[p, of]),
                        (Some(p), _) => p.clone(),
                        (None, _) => "—".to_string(),
                    },
                ),
                None => ("—".to_string(), "—".to_string()),
            };
            rows.push(vec![
                format!("  {}", c.name),
                head,
                phone,
                c.count.to_string(),
            ]);
        }
        out.push_str(&table(&rows));
    }
    if !v.open_problems.is_empty() {
        let n = v.open_problems.len().to_string();
        let head = lang.f("wording.aside", &[lang.t("show.open_problems"), &n]);
        out.push_str(&format!("\n{}\n", lang.f("wording.label", &[&head])));
        let rows: Vec<Vec<String>> = v
            .open_problems
            .iter()
            .map(|p| {
                vec![
                    format!("  {}", p.opened),
                    gridbook_domain::when::days_ago(lang, p.age_days),
                    p.category.clone(),
                    lang.f("wording.aside", &[&p.description, &p.zone]),
                ]
            })
            .collect();
        out.push_str(&table(&rows));
    }
    if !v.recent.is_empty() {
        out.push_str(&format!(
            "\n{}\n",
            lang.f("wording.label", &[lang.t("show.recent")])
        ));
        let rows: Vec<Vec<String>> = v
            .recent
            .iter()
            .map(|e| vec![format!("  {}", e.at), e.text.clone()])
            .collect();
        out.push_str(&table(&rows));
    }
    out
}

/// What a household with more than one head says about it (`heads`, from
/// [`ZoneView::heads`]): their names, and that people set one.
pub fn heads_line(lang: Lang, heads: &[String]) -> String {
    let sep = if lang == Lang::Zh { "、" } else { ", " };
    lang.f(
        "hhmerge.heads",
        &[&heads.len().to_string(), &heads.join(sep)],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::{self, Ctx, ProblemInput};

    #[test]
    fn every_households_caller_from_one_pass_is_the_one_read_alone() {
        let store = Store::memory().unwrap();
        let now = Ts(1_790_000_000_000);
        let spec = crate::generator::Spec::large(120, 3, 600, now);
        crate::generator::load(&store, &crate::generator::generate(&spec)).unwrap();
        let ctx = Ctx { by: None, now };
        let a = ops::add_area(&store, ctx, "试验小区", "syxq").unwrap();
        let b = ops::add_building(&store, ctx, a.meta.id, "3栋", "3").unwrap();
        let add = |h: Id, name: &str, phones: &str, relation: &str| {
            let r = ops::ResidentInput {
                name: name.into(),
                phones: phones.into(),
                relation: relation.into(),
                ..Default::default()
            };
            ops::add_resident(&store, ctx, h, &r).unwrap()
        };
        // No head by relation and no phone on the first: the order decides.
        let h1 = ops::add_household(&store, ctx, b.meta.id, "1", "101", "").unwrap();
        let first = add(h1.meta.id, "周海燕", "", "");
        add(h1.meta.id, "周建国", "13900000002", "");
        // A resident older than the household it moves into comes first there.
        let h2 = ops::add_household(&store, ctx, b.meta.id, "1", "102", "").unwrap();
        add(h2.meta.id, "李明", "13900000003", "");
        crate::relocate::move_resident(&store, ctx, first.meta.id, h2.meta.id).unwrap();
        // A deleted resident is nobody's caller; a household of none has none.
        let h3 = ops::add_household(&store, ctx, b.meta.id, "1", "103", "").unwrap();
        let gone = add(h3.meta.id, "王芳", "13900000004", "户主");
        ops::tombstone(&store, ctx, gone.meta.id, "搬走了").unwrap();

        let all = callers(&store).unwrap();
        let mut households = 0;
        for h in store.all::<Household>() {
            let id = h.unwrap().meta.id;
            assert_eq!(all.get(&id), caller(&store, id).unwrap().as_ref(), "{id}");
            households += 1;
        }
        assert!(
            households > 100 && all.len() > 100,
            "{households} {}",
            all.len()
        );
        assert_eq!(all[&h2.meta.id].head, "周海燕");
        assert_eq!(all[&h2.meta.id].phone_of.as_deref(), Some("李明"));
        assert!(!all.contains_key(&h3.meta.id));
    }

    /// A store whose reads of `tree` under `prefix(ids)` fail (as a damaged
    /// page of sled does), and the view of `at(ids)`.
    fn view_with_unreadable(
        tree: &str,
        prefix: fn(&Ids) -> Id,
        at: fn(&Ids) -> Id,
    ) -> (Result<ZoneView>, Result<ZoneView>) {
        use gridbook_store::store::Memory;
        let data = Memory::new();
        let store = Store::open_memory(&data).unwrap();
        let now = Ts(1_790_000_000_000);
        let ctx = Ctx { by: None, now };
        let a = ops::add_area(&store, ctx, "胜利花苑", "slhy").unwrap();
        let b = ops::add_building(&store, ctx, a.meta.id, "3栋", "3").unwrap();
        let h = ops::add_household(&store, ctx, b.meta.id, "1", "101", "").unwrap();
        for name in ["周海燕", "周建国"] {
            let r = ops::ResidentInput {
                name: name.into(),
                ..Default::default()
            };
            ops::add_resident(&store, ctx, h.meta.id, &r).unwrap();
        }
        let m = ops::add_member(
            &store,
            ctx,
            "孙丽",
            "13900000001",
            MemberKind::GridWorker,
            "",
        )
        .unwrap();
        let visit = ops::VisitInput {
            household: h.meta.id,
            member: m.meta.id,
            at: now.minus_days(2),
            purpose: "routine".into(),
            note: "".into(),
            follow_up: None,
        };
        ops::log_visit(
            &store,
            Ctx {
                by: Some(m.meta.id),
                now,
            },
            &visit,
        )
        .unwrap();
        let problem = ProblemInput {
            zone: h.meta.id,
            at: now.minus_days(1),
            category: "repair".into(),
            description: "漏水".into(),
            reporter: None,
            urgency: Urgency::Normal,
        };
        ops::open_problem(&store, ctx, &problem).unwrap();
        let ids = Ids {
            area: a.meta.id,
            building: b.meta.id,
            household: h.meta.id,
            member: m.meta.id,
        };
        let view = |store: &Store| {
            let zone = address::zone_of(store, at(&ids)).unwrap().unwrap();
            build(store, &zone, now, Lang::Zh, 10)
        };
        let before = view(&store);
        data.make_unreadable(tree, &prefix(&ids).to_bytes());
        (before, view(&store))
    }

    /// A case: the tree made unreadable, under whose id, and the zone viewed.
    type Case = (&'static str, fn(&Ids) -> Id, fn(&Ids) -> Id);

    struct Ids {
        area: Id,
        building: Id,
        household: Id,
        member: Id,
    }

    #[test]
    fn a_read_that_fails_fails_the_view_and_never_shows_as_none_or_zero() {
        // Each read the view makes beside its main list: residents counted
        // per household and households per building, open problems counted,
        // the visitor and the entries' authors named.
        let cases: [Case; 5] = [
            ("idx_children", |i| i.household, |i| i.building),
            ("idx_children", |i| i.building, |i| i.area),
            ("idx_open_by_zone", |i| i.household, |i| i.household),
            ("members", |i| i.member, |i| i.household),
            ("members", |i| i.member, |i| i.building),
        ];
        for (n, (tree, prefix, at)) in cases.into_iter().enumerate() {
            let (before, after) = view_with_unreadable(tree, prefix, at);
            let before = before.unwrap();
            assert!(
                before.children.iter().all(|c| c.count > 0) || before.children.is_empty(),
                "case {n}: the store has something to count"
            );
            match after {
                Err(e) => assert!(e.to_string().contains("damaged"), "case {n}: {e}"),
                Ok(v) => panic!(
                    "case {n}: {tree} unreadable, yet the view built: {:?}",
                    v.children.iter().map(|c| c.count).collect::<Vec<_>>()
                ),
            }
        }
    }

    #[test]
    fn a_brief_view_lists_the_oldest_problems_counts_all_and_reads_no_other() {
        let store = Store::memory().unwrap();
        let now = Ts(1_790_000_000_000);
        let ctx = Ctx { by: None, now };
        let area = ops::add_area(&store, ctx, "胜利花苑", "slhy").unwrap();
        let b = ops::add_building(&store, ctx, area.meta.id, "3栋", "3").unwrap();
        let h = ops::add_household(&store, ctx, b.meta.id, "1", "101", "").unwrap();
        // Written in no order of age.
        let mut problems = Vec::new();
        for days in [1, 9, 4, 30, 17] {
            let e = ops::open_problem(
                &store,
                ctx,
                &ProblemInput {
                    zone: h.meta.id,
                    at: now.minus_days(days),
                    category: "repair".into(),
                    description: format!("{days}天前"),
                    reporter: None,
                    urgency: Urgency::Normal,
                },
            )
            .unwrap();
            problems.push((days, e.id));
        }
        let zone = address::zone_of(&store, area.meta.id).unwrap().unwrap();
        let full = build(&store, &zone, now, Lang::Zh, 8).unwrap();
        assert_eq!(full.open_problem_count, 5);
        let ages: Vec<i64> = full.open_problems.iter().map(|p| p.age_days).collect();
        assert_eq!(ages, [30, 17, 9, 4, 1]);
        // The problems a brief view does not list are never read: with
        // their entries gone from the store it still builds, and counts them
        // (no recent entries asked for: the timeline would name them).
        for (days, id) in &problems {
            if *days < 17 {
                store.raw_for_tests().remove("events", &id.to_bytes());
            }
        }
        let brief = build_brief(
            &store,
            &zone,
            now,
            Lang::Zh,
            0,
            2,
            gridbook_domain::vocab::care::shipped(),
        )
        .unwrap();
        assert_eq!(brief.open_problem_count, 5);
        let listed: Vec<&str> = brief
            .open_problems
            .iter()
            .map(|p| p.description.as_str())
            .collect();
        assert_eq!(listed, ["30天前", "17天前"]);
    }
}
