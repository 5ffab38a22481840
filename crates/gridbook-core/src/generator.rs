//! Seeded generator of realistic estates: the demo fixtures and the large
//! stores the benchmarks run on. The same seed gives the same estate.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use fastrand::Rng;

use crate::names;
use gridbook_domain::model::*;
use gridbook_domain::romanize;
use gridbook_store::schema::Tree;
use gridbook_store::store::{Result, Store, Writes};

const AREA_NAMES: &[&str] = &[
    "胜利花苑",
    "石油新村",
    "钻井小区",
    "采油苑",
    "油城家园",
    "友谊小区",
    "锦华小区",
    "丽景花园",
    "孤岛新村",
    "河口小区",
    "仙河家园",
    "振兴小区",
    "滨海花苑",
    "黄河小区",
    "广利小区",
    "新华小区",
    "利津家园",
    "垦利花苑",
    "海港小区",
    "光明新村",
];

pub use gridbook_domain::vocab::{PROBLEM_CATEGORIES, VISIT_PURPOSES};

const VISIT_NOTES: &[&str] = &[
    "家中一切正常",
    "老人身体状况良好，叮嘱注意保暖",
    "反映楼道灯不亮，已记录",
    "宣传冬季用气安全",
    "了解子女就业情况",
    "询问医保报销流程，已解答",
    "独居老人，约定每周电话联系",
    "户主外出，与家属交谈",
    "提醒电动车不要在楼道充电",
    "送去社区活动通知",
];

fn problem_text(rng: &mut Rng, category: &str) -> &'static str {
    let pool: &[&str] = match category {
        "repair" => &[
            "厨房水管漏水",
            "楼道灯不亮",
            "单元门禁损坏",
            "暖气不热",
            "窗户玻璃破损",
        ],
        "blocked-drain" => &["卫生间下水道堵塞", "楼前雨水井堵塞", "厨房下水不畅"],
        "moving-help" => &["老人搬家需要帮忙", "家具搬运求助"],
        "medical-help" => &[
            "独居老人需陪同就医",
            "行动不便需代购药品",
            "需要联系社区医生上门",
        ],
        "home-service" => &["需要家政保洁", "需要上门理发服务"],
        "dispute" => &["楼上漏水引发邻里纠纷", "噪音扰民", "车位占用纠纷"],
        "hygiene" => &["楼道堆放杂物", "垃圾桶满溢未清运", "绿化带有垃圾"],
        "safety" => &["电动车楼道充电", "消防通道被占用", "灭火器过期"],
        _ => &["其他诉求", "咨询政策"],
    };
    names::pick(rng, pool)
}

const RESOLVE_NOTES: &[&str] = &[
    "已联系物业维修完毕",
    "已协调解决，居民满意",
    "志愿者已上门帮忙",
    "已清理完毕",
    "双方达成和解",
    "已转办相关部门并反馈",
];

/// What to generate.
#[derive(Clone, Debug)]
pub struct Spec {
    pub seed: u64,
    pub areas: usize,
    pub buildings: usize,
    pub households: usize,
    /// Average residents per household (about 2.5 or 3).
    pub mean_residents: f32,
    pub members: usize,
    pub events: usize,
    /// How many days of history the events span.
    pub days: i64,
    pub now: Ts,
}

impl Spec {
    /// The demo estate: an oilfield community of 3 areas and 12 buildings.
    pub fn demo(now: Ts) -> Spec {
        Spec {
            seed: 2024,
            areas: 3,
            buildings: 12,
            households: 300,
            mean_residents: 2.4,
            members: 40,
            events: 900,
            days: 120,
            now,
        }
    }

    /// A large synthetic estate of `households` households.
    pub fn large(households: usize, seed: u64, events: usize, now: Ts) -> Spec {
        let buildings = (households / 100).max(1);
        Spec {
            seed,
            areas: (buildings / 50).max(1),
            buildings,
            households,
            mean_residents: 3.0,
            members: (households / 50).max(4),
            events,
            days: 365,
            now,
        }
    }
}

/// A generated estate. Places and people are held whole; events are held
/// as drawn ([`Plan`], a few dozen bytes each, against a few hundred for an
/// [`Event`] with its texts and checklist) and made one at a time when read
/// ([`Estate::events`]) or loaded: at 100k households they are a million.
#[derive(Clone, Default)]
pub struct Estate {
    pub areas: Vec<Area>,
    pub buildings: Vec<Building>,
    pub households: Vec<Household>,
    pub residents: Vec<Resident>,
    pub members: Vec<Member>,
    /// Assignments first, then activity in time order.
    plans: Vec<Plan>,
    checklists: gridbook_domain::checklist::Checklists,
}

/// Where an event happened, by index into the estate's places.
#[derive(Clone, Copy)]
enum Zone {
    Area(u32),
    Building(u32),
    Household(u32),
}

/// One event as the generator drew it: its id (which carries its time),
/// its zone, members by index and texts from the generator's pools.
#[derive(Clone, Copy)]
struct Plan {
    id: Id,
    zone: Zone,
    what: What,
}

#[derive(Clone, Copy)]
enum What {
    Assigned {
        member: u32,
        role: Role,
    },
    Visit {
        member: u32,
        purpose: &'static str,
        note: &'static str,
        follow_up: Option<Date>,
    },
    Patrol {
        by: u32,
        kind: PatrolKind,
        /// Bit `i` set: the checklist's item `i` was not in order.
        failed: u64,
    },
    Opened {
        by: Option<u32>,
        category: &'static str,
        description: &'static str,
        urgency: Urgency,
    },
    Stepped {
        by: Option<u32>,
        problem: Id,
        step: ProblemStep,
        note: &'static str,
    },
}

impl Estate {
    /// How many events the estate holds.
    pub fn event_count(&self) -> usize {
        self.plans.len()
    }

    /// Every event: assignments first, then activity in time order.
    pub fn events(&self) -> impl Iterator<Item = Event> + '_ {
        self.plans.iter().map(|p| self.event(p))
    }

    fn zone_id(&self, z: Zone) -> Id {
        match z {
            Zone::Area(i) => self.areas[i as usize].meta.id,
            Zone::Building(i) => self.buildings[i as usize].meta.id,
            Zone::Household(i) => self.households[i as usize].meta.id,
        }
    }

    fn member(&self, i: u32) -> Id {
        self.members[i as usize].meta.id
    }

    /// The event a plan stands for.
    fn event(&self, p: &Plan) -> Event {
        let zone = self.zone_id(p.zone);
        let at = Ts(p.id.ms());
        let (by, body) = match p.what {
            What::Assigned { member, role } => (
                None,
                EventBody::Assigned {
                    member: self.member(member),
                    role,
                    since: at,
                    until: None,
                },
            ),
            What::Visit {
                member,
                purpose,
                note,
                follow_up,
            } => {
                let member = self.member(member);
                (
                    Some(member),
                    EventBody::Visit(VisitBody {
                        household: zone,
                        member,
                        purpose: purpose.to_string(),
                        note: note.to_string(),
                        follow_up,
                    }),
                )
            }
            What::Patrol { by, kind, failed } => {
                let items = self
                    .checklists
                    .items(kind)
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        let ok = failed & (1 << i) == 0;
                        CheckResult {
                            item: item.key.clone(),
                            ok,
                            note: if ok {
                                String::new()
                            } else {
                                "需整改".to_string()
                            },
                        }
                    })
                    .collect();
                (
                    Some(self.member(by)),
                    EventBody::Patrol(PatrolBody {
                        kind,
                        items,
                        note: String::new(),
                    }),
                )
            }
            What::Opened {
                by,
                category,
                description,
                urgency,
            } => (
                by.map(|m| self.member(m)),
                EventBody::ProblemOpened(ProblemOpenedBody {
                    category: category.to_string(),
                    description: description.to_string(),
                    reporter: None,
                    urgency,
                }),
            ),
            What::Stepped {
                by,
                problem,
                step,
                note,
            } => (
                by.map(|m| self.member(m)),
                EventBody::ProblemStepped(ProblemSteppedBody {
                    problem,
                    step,
                    note: note.to_string(),
                }),
            ),
        };
        Event::with_id(p.id, zone, at, by, body)
    }
}

/// Seeded ids that rise within a millisecond in the order they are drawn,
/// as the app's own do (a monotonic ULID generator): the places and people
/// of an estate are all drawn at one instant, and a building's households
/// list in id order, so they list in door order, as an imported roster's do.
struct Ids<'a> {
    rng: &'a mut Rng,
    last: Option<Id>,
}

impl Ids<'_> {
    fn id(&mut self, ms: i64) -> Id {
        // Drawn every time, so the stream (and every later id) does not
        // depend on which ids shared a millisecond.
        let drawn = Id::from_parts(ms, self.rng.u128(..) & RANDOM_MASK);
        let id = match self.last {
            Some(last) if last.ms() == ms && last.0 & RANDOM_MASK != RANDOM_MASK => Id(last.0 + 1),
            _ => drawn,
        };
        self.last = Some(id);
        id
    }
    fn meta(&mut self, ms: i64) -> Meta {
        let id = self.id(ms);
        Meta {
            id,
            created_at: Ts(ms),
            created_by: None,
            version: 1,
            tombstone: None,
        }
    }
}

fn unique_code(base: String, taken: &mut Vec<String>) -> String {
    let mut code = base.clone();
    let mut n = 2;
    while taken.contains(&code) {
        code = format!("{base}{n}");
        n += 1;
    }
    taken.push(code.clone());
    code
}

/// China has one time zone, UTC+8; seeded data uses it whatever the machine's zone.
fn china() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::fixed(jiff::tz::offset(8))
}

/// A daytime instant `days_ago` days before `now` (08:00–18:00 in UTC+8).
fn daytime(rng: &mut Rng, now: Ts, days_ago: i64) -> Ts {
    let day_ms = DAY_MS;
    let offset = 8 * 3_600_000; // China has one zone, UTC+8.
    let local_midnight = (now.0 + offset).div_euclid(day_ms) * day_ms - offset;
    let t = local_midnight - days_ago * day_ms + rng.i64(8 * 3_600_000..18 * 3_600_000);
    Ts(t.min(now.0))
}

/// A resident's birth year and care groups, by their relation to the head
/// and the household's size: a roster's usual shape, where one in twenty
/// has no birth date, heads living alone past 65 are 独居老人 (the oldest
/// also 高龄老人, from the year alone), about 2% of households are 低保户
/// and 1% of people 残疾人.
fn care_of(
    rng: &mut Rng,
    relation: &str,
    size: usize,
    this_year: i16,
    since: Ts,
) -> (Option<i16>, Vec<CareMark>) {
    let age = match relation {
        "户主" if size == 1 => rng.i16(22..92),
        "户主" | "配偶" => rng.i16(26..80),
        "父母" => rng.i16(60..97),
        _ => rng.i16(0..40),
    };
    let mut care = Vec::new();
    let mut mark = |group: &str| {
        care.push(CareMark {
            group: group.to_string(),
            since,
        })
    };
    if size == 1 && age >= 65 {
        mark("alone-elder");
    }
    if relation == "户主" && rng.u32(0..100) < 2 {
        mark("low-income");
    }
    if rng.u32(0..100) < 1 {
        mark("disabled");
    }
    let birth_year = (rng.u32(0..100) >= 5).then_some(this_year - age);
    (birth_year, care)
}

pub fn generate(spec: &Spec) -> Estate {
    let mut rng = Rng::with_seed(spec.seed);
    let mut idrng = Rng::with_seed(spec.seed ^ 0x9e37_79b9_7f4a_7c15);
    let mut ids = Ids {
        rng: &mut idrng,
        last: None,
    };
    // Birth years and care groups draw from a stream of their own, so
    // adding them left every other field of a seed's estate as it was.
    let mut carerng = Rng::with_seed(spec.seed ^ 0x5851_f42d_4c95_7f2d);
    let mut est = Estate::default();
    let born = spec.now.0 - (spec.days + 60) * DAY_MS;
    let this_year = spec.now.date().year;

    // Places.
    let mut area_codes = Vec::new();
    for i in 0..spec.areas {
        let base = AREA_NAMES[i % AREA_NAMES.len()];
        let name = if i < AREA_NAMES.len() {
            base.to_string()
        } else {
            format!("{base}{}区", i / AREA_NAMES.len() + 1)
        };
        let code = unique_code(romanize::place_initials(&name), &mut area_codes);
        est.areas.push(Area {
            meta: ids.meta(born),
            code,
            name,
        });
    }
    for i in 0..spec.buildings {
        let area = &est.areas[i * spec.areas / spec.buildings.max(1)];
        let n = est
            .buildings
            .iter()
            .filter(|b| b.area == area.meta.id)
            .count()
            + 1;
        est.buildings.push(Building {
            meta: ids.meta(born),
            area: area.meta.id,
            code: n.to_string(),
            name: format!("{n}栋"),
            first_floor: 1,
            doors_per_floor: None,
        });
    }
    let per_building = spec.households / spec.buildings.max(1);
    let extra = spec.households % spec.buildings.max(1);
    for (bi, b) in est.buildings.iter().enumerate() {
        let count = per_building + usize::from(bi < extra);
        let floors = if count > 48 { 18 } else { 6 };
        for i in 0..count {
            let unit = i / (floors * 2) + 1;
            let floor = (i % (floors * 2)) / 2 + 1;
            let room = floor * 100 + i % 2 + 1;
            est.households.push(Household {
                meta: ids.meta(born),
                building: b.meta.id,
                unit: unit.to_string(),
                room: room.to_string(),
                notes: String::new(),
                occupancy: Occupancy::default(),
            });
        }
    }

    // People.
    let weights: [u32; 5] = if spec.mean_residents < 2.75 {
        [20, 35, 25, 15, 5]
    } else {
        [10, 25, 30, 25, 10]
    };
    for h in &est.households {
        let mut roll = rng.u32(0..100);
        let mut size = 1;
        for (i, w) in weights.iter().enumerate() {
            if roll < *w {
                size = i + 1;
                break;
            }
            roll -= w;
        }
        let family = names::surname(&mut rng);
        let head_female = rng.u32(0..100) < 30;
        let mut members: Vec<(String, &str, bool)> =
            vec![(names::person(&mut rng, family, head_female), "户主", false)];
        if size >= 2 {
            let spouse_family = names::surname(&mut rng);
            members.push((
                names::person(&mut rng, spouse_family, !head_female),
                "配偶",
                false,
            ));
        }
        for k in 2..size {
            if k == 4 || (k == 3 && rng.u32(0..100) < 40) {
                let parent_female = rng.bool();
                members.push((names::person(&mut rng, family, parent_female), "父母", true));
            } else {
                let female = rng.bool();
                members.push((names::person(&mut rng, family, female), "子女", false));
            }
        }
        for (i, (name, relation, elderly)) in members.into_iter().enumerate() {
            if est
                .residents
                .iter()
                .rev()
                .take(5)
                .any(|r| r.household == h.meta.id && r.name == name)
            {
                continue;
            }
            let mut phones = Vec::new();
            if i == 0 || rng.u32(0..100) < 70 {
                phones.push(names::mobile(&mut rng));
            }
            if elderly && rng.u32(0..100) < 40 {
                phones.push(names::landline(&mut rng));
            }
            let mut tags = Vec::new();
            if elderly {
                tags.push("老年人".to_string());
            } else if rng.u32(0..100) < 8 {
                tags.push(names::pick(&mut rng, names::RESIDENT_TAGS).to_string());
            }
            let (birth_year, care) = care_of(&mut carerng, relation, size, this_year, Ts(born));
            est.residents.push(Resident {
                meta: ids.meta(born),
                household: h.meta.id,
                name,
                phones,
                relation: relation.to_string(),
                tags,
                notes: String::new(),
                status: ResidentStatus::default(),
                birth_year,
                care,
            });
        }
    }

    // Members: a grid worker per area, building heads, party members, volunteers.
    let mut member_names: Vec<String> = Vec::new();
    let mut new_member = |rng: &mut Rng, ids: &mut Ids, kind: MemberKind, est: &mut Estate| {
        let name = loop {
            let f = names::surname(rng);
            let female = rng.bool();
            let n = names::person(rng, f, female);
            if !member_names.contains(&n) {
                member_names.push(n.clone());
                break n;
            }
        };
        let mut tags = Vec::new();
        if kind == MemberKind::PartyMember {
            tags.push(names::pick(rng, names::MEMBER_TAGS).to_string());
        }
        est.members.push(Member {
            meta: ids.meta(born),
            name,
            phone: names::mobile(rng),
            kind,
            tags,
            branch: String::new(),
        });
        est.members.len() - 1
    };
    let mut area_worker = Vec::new();
    for _ in 0..spec.areas {
        area_worker.push(new_member(
            &mut rng,
            &mut ids,
            MemberKind::GridWorker,
            &mut est,
        ));
    }
    let heads = (spec.buildings * 6 / 10).min(spec.members.saturating_sub(spec.areas) / 2);
    let mut building_head = vec![None; spec.buildings];
    for slot in building_head.iter_mut().take(heads) {
        *slot = Some(new_member(
            &mut rng,
            &mut ids,
            MemberKind::BuildingHead,
            &mut est,
        ));
    }
    let rest = spec.members.saturating_sub(spec.areas + heads);
    let volunteers = rest / 5;
    let mut party = Vec::new();
    for _ in 0..rest - volunteers {
        party.push(new_member(
            &mut rng,
            &mut ids,
            MemberKind::PartyMember,
            &mut est,
        ));
    }
    for _ in 0..volunteers {
        new_member(&mut rng, &mut ids, MemberKind::Volunteer, &mut est);
    }

    // Assignments, all made before the history starts.
    let since = Ts(spec.now.0 - (spec.days + 30) * DAY_MS);
    let assign = |ids: &mut Ids, zone: Zone, member: usize, role: Role| Plan {
        id: ids.id(since.0),
        zone,
        what: What::Assigned {
            member: member as u32,
            role,
        },
    };
    // The last area is deliberately left without an area-level grid worker.
    let covered_areas = if spec.areas > 1 {
        spec.areas - 1
    } else {
        spec.areas
    };
    for (a, w) in area_worker.iter().enumerate().take(covered_areas) {
        let e = assign(&mut ids, Zone::Area(a as u32), *w, Role::Responsible);
        est.plans.push(e);
    }
    for (b, head) in building_head.iter().enumerate() {
        if let Some(h) = head {
            let e = assign(&mut ids, Zone::Building(b as u32), *h, Role::Responsible);
            est.plans.push(e);
        }
    }
    // Each party member liaises with a run of households (党员联系户).
    let mut liaison_of: HashMap<usize, usize> = HashMap::new();
    if !party.is_empty() {
        let per = (est.households.len() / party.len()).clamp(1, 10);
        for (i, p) in party.iter().enumerate() {
            let start = i * est.households.len() / party.len();
            for h in (start..est.households.len()).take(per) {
                liaison_of.insert(h, *p);
                est.plans.push(assign(
                    &mut ids,
                    Zone::Household(h as u32),
                    *p,
                    Role::Liaison,
                ));
            }
        }
    }

    // Who would visit each household: its liaison, its building head, its grid worker.
    let building_index: HashMap<Id, usize> = est
        .buildings
        .iter()
        .enumerate()
        .map(|(i, b)| (b.meta.id, i))
        .collect();
    let area_index: HashMap<Id, usize> = est
        .areas
        .iter()
        .enumerate()
        .map(|(i, a)| (a.meta.id, i))
        .collect();
    let visitor = |rng: &mut Rng, hi: usize, est: &Estate| -> Option<u32> {
        if let Some(m) = liaison_of.get(&hi)
            && rng.u32(0..100) < 60
        {
            return Some(*m as u32);
        }
        let bi = building_index[&est.households[hi].building];
        if let Some(hd) = building_head[bi]
            && rng.bool()
        {
            return Some(hd as u32);
        }
        let ai = area_index[&est.buildings[bi].area];
        (ai < covered_areas).then(|| area_worker[ai] as u32)
    };

    // Activity, drawn in the order it always was: the same seed gives the
    // same events.
    let assigned = est.plans.len();
    est.plans.reserve(spec.events);
    let visits = spec.events * 70 / 100;
    let patrols = spec.events * 18 / 100;
    let problems = spec.events.saturating_sub(visits + patrols) * 2 / 3;
    let nh = est.households.len().max(1);
    for _ in 0..visits {
        if est.households.is_empty() {
            break;
        }
        // Households in the uncovered area are visited much less: blank spots.
        let hi = rng.usize(..nh);
        let Some(member) = visitor(&mut rng, hi, &est) else {
            continue;
        };
        let ago = rng.i64(0..spec.days);
        let at = daytime(&mut rng, spec.now, ago);
        let follow_up = if rng.u32(0..100) < 10 {
            let later = Ts(at.0 + rng.i64(3..15) * DAY_MS);
            Some(Date::from_jiff(later.to_jiff().to_zoned(china()).date()))
        } else {
            None
        };
        let id = ids.id(at.0);
        est.plans.push(Plan {
            id,
            zone: Zone::Household(hi as u32),
            what: What::Visit {
                member,
                purpose: names::pick(&mut rng, VISIT_PURPOSES),
                note: names::pick(&mut rng, VISIT_NOTES),
                follow_up,
            },
        });
    }
    est.checklists = gridbook_domain::checklist::Checklists::shipped();
    for _ in 0..patrols {
        if est.buildings.is_empty() {
            break;
        }
        let bi = rng.usize(..est.buildings.len());
        let b = &est.buildings[bi];
        let kind = if rng.bool() {
            PatrolKind::Hygiene
        } else {
            PatrolKind::Security
        };
        let by = building_head[bi].map(|h| h as u32).or_else(|| {
            let ai = area_index[&b.area];
            (ai < covered_areas).then(|| area_worker[ai] as u32)
        });
        let Some(by) = by else { continue };
        let ago = rng.i64(0..spec.days);
        let at = daytime(&mut rng, spec.now, ago);
        let items = est.checklists.items(kind).len();
        assert!(items <= 64, "a patrol's failures are a 64-bit mask");
        let mut failed = 0u64;
        for i in 0..items {
            if rng.u32(0..100) < 6 {
                failed |= 1 << i;
            }
        }
        est.plans.push(Plan {
            id: ids.id(at.0),
            zone: Zone::Building(bi as u32),
            what: What::Patrol { by, kind, failed },
        });
    }
    for _ in 0..problems {
        if est.households.is_empty() {
            break;
        }
        let hi = rng.usize(..nh);
        let zone = if rng.u32(0..100) < 75 {
            Zone::Household(hi as u32)
        } else {
            Zone::Building(building_index[&est.households[hi].building] as u32)
        };
        let by = visitor(&mut rng, hi, &est);
        let category = names::pick(&mut rng, PROBLEM_CATEGORIES);
        let days_ago = rng.i64(0..spec.days);
        let at = daytime(&mut rng, spec.now, days_ago);
        let pid = ids.id(at.0);
        let description = problem_text(&mut rng, category);
        let urgency = match rng.u32(0..10) {
            0 => Urgency::High,
            1..=2 => Urgency::Low,
            _ => Urgency::Normal,
        };
        est.plans.push(Plan {
            id: pid,
            zone,
            what: What::Opened {
                by,
                category,
                description,
                urgency,
            },
        });
        let roll = rng.u32(0..100);
        if roll < 80 && days_ago > 0 {
            let gap = rng.i64(0..=days_ago.min(10));
            let later = daytime(&mut rng, spec.now, (days_ago - gap).max(0));
            let later = Ts(later.0.max(at.0 + 60_000).min(spec.now.0));
            let step = if roll < 65 {
                ProblemStep::Resolved
            } else {
                ProblemStep::Progress
            };
            let note = if step == ProblemStep::Resolved {
                names::pick(&mut rng, RESOLVE_NOTES)
            } else {
                "已联系相关人员，正在处理"
            };
            est.plans.push(Plan {
                id: ids.id(later.0),
                zone,
                what: What::Stepped {
                    by,
                    problem: pid,
                    step,
                    note,
                },
            });
        }
    }
    est.plans[assigned..].sort_by_key(|p| p.id);
    est
}

/// The trees [`load`] fills each in key order, every key once (records
/// and events in id order), for [`gridbook_store::swap::replace_bulk`].
pub const IN_KEY_ORDER: [Tree; 6] = [
    Tree::Areas,
    Tree::Buildings,
    Tree::Households,
    Tree::Members,
    Tree::Residents,
    Tree::Events,
];

/// Writes a generated estate into a store, for empty stores.
///
/// Records and events are staged in id order, so each tree takes them in
/// key order (an event's id carries its time: a problem is opened before
/// it is resolved). The timelines need no order of their own since the
/// load holds their runs until its last commit (`gridbook_store::bulk`).
/// Each event is made from its plan just before it is staged, so only one
/// is held at a time. Writes go in transactions of bounded size with one flush at the
/// end: sled keeps the garbage of a whole batch until it is applied, so one
/// huge batch costs gigabytes of memory.
pub fn load(store: &Store, est: &Estate) -> Result<()> {
    load_with(store, est, &crate::progress::Quiet)
}

/// [`load`], telling `progress` how many of the estate's records and
/// events are written.
pub fn load_with(
    store: &Store,
    est: &Estate,
    progress: &dyn crate::progress::Progress,
) -> Result<()> {
    load_cow(store, Cow::Borrowed(est), progress)
}

/// [`load_with`] for an estate nothing needs afterwards (`gen`): its
/// residents are freed once they are written and the rest before the
/// last commit, so sled's pages reuse their memory instead of adding to
/// the peak.
pub fn load_owned(
    store: &Store,
    est: Estate,
    progress: &dyn crate::progress::Progress,
) -> Result<()> {
    load_cow(store, Cow::Owned(est), progress)
}

fn load_cow(
    store: &Store,
    mut est: Cow<'_, Estate>,
    progress: &dyn crate::progress::Progress,
) -> Result<()> {
    // sled holds what a transaction replaces until it ends: at 10k
    // households 50,000 writes a commit peaked at 314 MiB, 10,000 at 175
    // MiB, for the same CPU time (BENCHMARKS.md).
    const CHUNK: usize = 10_000;
    // Each record tree fills its pages in turn. The generator's ids
    // already rise in the order they are drawn; sorted anyway, so the load
    // does not depend on how an estate's ids were made.
    fn by_id<T>(items: &[T], id: impl Fn(&T) -> Id) -> Vec<&T> {
        let mut v: Vec<&T> = items.iter().collect();
        v.sort_unstable_by_key(|t| id(t));
        v
    }
    let mut order: Vec<u32> = (0..est.plans.len() as u32).collect();
    order.sort_unstable_by_key(|i| est.plans[*i as usize].id);

    let total = est.areas.len()
        + est.buildings.len()
        + est.households.len()
        + est.members.len()
        + est.residents.len()
        + est.plans.len();
    let mut count = crate::progress::Counter::new(progress, total as u64);
    store.bulk(|| {
        // Runs stay in the set until the last commit (gridbook_store::bulk).
        let mut w = store.bulk_writes()?;
        let commit_if = |w: &mut Writes, full: bool| -> Result<()> {
            if full || w.len() >= CHUNK {
                // Transactions, not per-tree batches: at this size sled's
                // batches took ten times the memory for the same time.
                store.commit_part(w)?;
            }
            Ok(())
        };
        for a in by_id(&est.areas, |a| a.meta.id) {
            store.stage_new(&mut w, a)?;
            count.step();
        }
        for b in by_id(&est.buildings, |b| b.meta.id) {
            store.stage_new(&mut w, b)?;
            count.step();
        }
        for h in by_id(&est.households, |h| h.meta.id) {
            store.stage_new(&mut w, h)?;
            count.step();
            commit_if(&mut w, false)?;
        }
        for m in by_id(&est.members, |m| m.meta.id) {
            store.stage_new(&mut w, m)?;
            count.step();
        }
        // Events look up their zones' parents in the store: places first.
        commit_if(&mut w, true)?;
        for r in by_id(&est.residents, |r| r.meta.id) {
            store.stage_new(&mut w, r)?;
            count.step();
            commit_if(&mut w, false)?;
        }
        if let Cow::Owned(e) = &mut est {
            e.residents = Vec::new();
        }
        for i in order {
            store.stage_event(&mut w, &est.event(&est.plans[i as usize]))?;
            count.step();
            commit_if(&mut w, false)?;
        }
        drop(est);
        store.commit_last(w)?;
        count.finish();
        Ok(())
    })
}

fn csv_row(out: &mut impl Write, cells: &[&str]) -> std::io::Result<()> {
    let line: Vec<String> = cells
        .iter()
        .map(|c| {
            if c.contains([',', '"', '\n']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c.to_string()
            }
        })
        .collect();
    writeln!(out, "{}", line.join(","))
}

/// Writes the estate as the demo's fixture files: `roster.csv` (Chinese
/// headers, as a community office hands it out), `members.csv`, `activity.csv`.
pub fn write_fixtures(est: &Estate, spec: &Spec, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let areas: HashMap<Id, &Area> = est.areas.iter().map(|a| (a.meta.id, a)).collect();
    let buildings: HashMap<Id, &Building> = est.buildings.iter().map(|b| (b.meta.id, b)).collect();
    let households: HashMap<Id, &Household> =
        est.households.iter().map(|h| (h.meta.id, h)).collect();
    let members: HashMap<Id, &Member> = est.members.iter().map(|m| (m.meta.id, m)).collect();
    let addr = |zone: Id| -> String {
        if let Some(h) = households.get(&zone) {
            let b = buildings[&h.building];
            format!("{}/{}/{}", areas[&b.area].code, b.code, h.label())
        } else if let Some(b) = buildings.get(&zone) {
            format!("{}/{}", areas[&b.area].code, b.code)
        } else if let Some(a) = areas.get(&zone) {
            a.code.clone()
        } else {
            String::new()
        }
    };

    let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join("roster.csv"))?);
    csv_row(
        &mut f,
        &[
            "小区",
            "楼栋",
            "单元",
            "房号",
            "姓名",
            "联系电话",
            "与户主关系",
            "标签",
            "备注",
        ],
    )?;
    for r in &est.residents {
        let h = households[&r.household];
        let b = buildings[&h.building];
        let a = areas[&b.area];
        csv_row(
            &mut f,
            &[
                &a.name,
                &b.name,
                &h.unit,
                &h.room,
                &r.name,
                &r.phones.join(";"),
                &r.relation,
                &r.tags.join(";"),
                &r.notes,
            ],
        )?;
    }
    f.flush()?;

    let mut zones: HashMap<Id, Vec<String>> = HashMap::new();
    let mut liaison: HashMap<Id, Vec<String>> = HashMap::new();
    for e in est.events() {
        if let EventBody::Assigned { member, role, .. } = &e.body {
            match role {
                Role::Responsible => zones.entry(*member).or_default().push(addr(e.zone)),
                Role::Liaison => liaison.entry(*member).or_default().push(addr(e.zone)),
                // The generator makes no supervisors; a members file has no column for them.
                Role::Supervisor => {}
            }
        }
    }
    let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join("members.csv"))?);
    csv_row(
        &mut f,
        &[
            "姓名",
            "电话",
            "类型",
            "标签",
            "责任区",
            "联系户",
            "起始日期",
        ],
    )?;
    let since = format!("-{}d", spec.days + 30);
    for m in &est.members {
        let z = zones
            .get(&m.meta.id)
            .map(|v| v.join(";"))
            .unwrap_or_default();
        let l = liaison
            .get(&m.meta.id)
            .map(|v| v.join(";"))
            .unwrap_or_default();
        csv_row(
            &mut f,
            &[
                &m.name,
                &m.phone,
                m.kind.zh(),
                &m.tags.join(";"),
                &z,
                &l,
                &since,
            ],
        )?;
    }
    f.flush()?;

    let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join("activity.csv"))?);
    csv_row(
        &mut f,
        &[
            "ref",
            "days_ago",
            "time",
            "kind",
            "zone",
            "member",
            "category",
            "note",
            "follow_up_days",
            "issues",
            "urgency",
        ],
    )?;
    let tz = china();
    let today = spec.now.to_jiff().to_zoned(tz.clone()).date();
    let mut refs: HashMap<Id, String> = HashMap::new();
    for e in est.events() {
        let z = e.at.to_jiff().to_zoned(tz.clone());
        let days_ago = (today - z.date()).get_days().to_string();
        let time = z.strftime("%H:%M").to_string();
        let who =
            e.by.and_then(|m| members.get(&m))
                .map(|m| m.name.clone())
                .unwrap_or_default();
        match &e.body {
            EventBody::Visit(VisitBody {
                member,
                purpose,
                note,
                follow_up,
                ..
            }) => {
                let fu = follow_up
                    .and_then(|d| d.to_jiff())
                    .map(|d| (d - z.date()).get_days().to_string())
                    .unwrap_or_default();
                csv_row(
                    &mut f,
                    &[
                        "",
                        &days_ago,
                        &time,
                        "visit",
                        &addr(e.zone),
                        &members[member].name,
                        purpose,
                        note,
                        &fu,
                        "",
                        "",
                    ],
                )?;
            }
            EventBody::ProblemOpened(ProblemOpenedBody {
                category,
                description,
                urgency,
                ..
            }) => {
                let r = format!("P{}", refs.len() + 1);
                refs.insert(e.id, r.clone());
                csv_row(
                    &mut f,
                    &[
                        &r,
                        &days_ago,
                        &time,
                        "problem",
                        &addr(e.zone),
                        &who,
                        category,
                        description,
                        "",
                        "",
                        urgency.code(),
                    ],
                )?;
            }
            EventBody::ProblemStepped(ProblemSteppedBody {
                problem,
                step,
                note,
            }) => {
                csv_row(
                    &mut f,
                    &[
                        &refs[problem],
                        &days_ago,
                        &time,
                        step.code(),
                        &addr(e.zone),
                        &who,
                        "",
                        note,
                        "",
                        "",
                        "",
                    ],
                )?;
            }
            EventBody::Patrol(PatrolBody { kind, items, note }) => {
                let issues: Vec<String> = items
                    .iter()
                    .filter(|i| !i.ok)
                    .map(|i| format!("{}:{}", i.item, i.note))
                    .collect();
                csv_row(
                    &mut f,
                    &[
                        "",
                        &days_ago,
                        &time,
                        "patrol",
                        &addr(e.zone),
                        &who,
                        kind.code(),
                        note,
                        "",
                        &issues.join("|"),
                        "",
                    ],
                )?;
            }
            _ => {}
        }
    }
    f.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::Dump;

    /// The export of a store loaded from `spec`, with each stamp's device
    /// (a fresh id per store) left out.
    fn export_of(spec: &Spec) -> String {
        export_loaded_by(spec, |store, est| load(store, &est))
    }

    fn export_loaded_by(spec: &Spec, loader: impl FnOnce(&Store, Estate) -> Result<()>) -> String {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        loader(&store, generate(spec)).unwrap();
        export_checked(&store)
    }

    fn export_checked(store: &Store) -> String {
        let report = store.check().unwrap();
        assert!(report.is_clean(), "{report:?}");
        let mut dump = Dump::from_store(store).unwrap();
        for s in &mut dump.stamps {
            s.device = Id(0);
        }
        String::from_utf8(dump.to_json()).unwrap()
    }

    #[test]
    fn the_same_seed_loads_the_same_export_and_another_seed_does_not() {
        let now = Ts(1_760_000_000_000);
        let first = export_of(&Spec::large(400, 7, 3_000, now));
        assert!(first.contains("胜利花苑"), "the estate has its first area");
        assert_eq!(first, export_of(&Spec::large(400, 7, 3_000, now)));
        assert_ne!(first, export_of(&Spec::large(400, 8, 3_000, now)));
    }

    #[test]
    fn a_buildings_households_list_in_door_order() {
        // Every household is drawn at the same instant; their ids rise in
        // the order they were made, unit by unit and floor by floor.
        let est = generate(&Spec::large(300, 11, 0, Ts(1_760_000_000_000)));
        let store = Store::memory().unwrap();
        load(&store, &est).unwrap();
        for b in est.buildings.iter().take(3) {
            let listed: Vec<(String, String)> = store
                .households_of(b.meta.id)
                .unwrap()
                .into_iter()
                .map(|h| (h.unit, h.room))
                .collect();
            let made: Vec<(String, String)> = est
                .households
                .iter()
                .filter(|h| h.building == b.meta.id)
                .map(|h| (h.unit.clone(), h.room.clone()))
                .collect();
            assert!(made.len() > 10, "{}", made.len());
            assert_eq!(listed, made);
            assert_eq!(
                listed[..3],
                [("1", "101"), ("1", "102"), ("1", "201")]
                    .map(|(u, r)| (u.to_string(), r.to_string()))
            );
        }
    }

    #[test]
    fn an_estate_given_away_loads_as_one_lent() {
        // `gen` frees the estate as it loads it; the store must not notice.
        let spec = Spec::large(300, 11, 2_500, Ts(1_760_000_000_000));
        let owned = export_loaded_by(&spec, |store, est| {
            load_owned(store, est, &crate::progress::Quiet)
        });
        assert!(
            owned.contains("\"residents\""),
            "the export holds residents"
        );
        assert_eq!(owned, export_of(&spec));
    }

    #[test]
    fn an_estate_built_beside_the_store_in_key_order_loads_as_one_loaded_in_it() {
        // `gen` writes the trees it fills in key order straight into the
        // new store, the rest into a scratch store copied over at the end.
        let spec = Spec::large(300, 11, 2_500, Ts(1_760_000_000_000));
        let dir = tempfile::tempdir().unwrap();
        let lock = Store::lock(dir.path()).unwrap();
        let lock = gridbook_store::swap::replace_bulk(dir.path(), lock, &IN_KEY_ORDER, |s| {
            load_owned(s, generate(&spec), &crate::progress::Quiet)
        })
        .unwrap();
        drop(lock);
        let built = export_checked(&Store::open(dir.path()).unwrap());
        assert!(built.contains("\"events\""), "the export holds events");
        assert_eq!(built, export_of(&spec));
    }
}
