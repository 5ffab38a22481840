//! The domain model: places, people and the append-only events about them.
//!
//! Every stored type here derives plain serde and round-trips through bincode 2
//! (no `flatten`, `tag`, `untagged` or `skip_serializing_if`).

use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// A ULID made on this device: time-sortable and merge-safe across laptops.
/// Stored as a number (bincode); written as its 26-character text in JSON.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Id(pub u128);

impl Serialize for Id {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_str(self)
        } else {
            s.serialize_u128(self.0)
        }
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            let s = String::deserialize(d)?;
            s.parse().map_err(serde::de::Error::custom)
        } else {
            u128::deserialize(d).map(Id)
        }
    }
}

/// The 80 random bits of a ULID.
pub const RANDOM_MASK: u128 = (1u128 << 80) - 1;

static GENERATOR: Mutex<Option<ulid::Generator>> = Mutex::new(None);

impl Id {
    /// The invisible parent of all areas.
    pub const ROOT: Id = Id(0);

    /// A new id, strictly increasing within this process so events sort in
    /// the order they were written even inside one millisecond.
    pub fn new() -> Id {
        let mut guard = GENERATOR.lock().unwrap_or_else(|e| e.into_inner());
        let generator = guard.get_or_insert_with(ulid::Generator::new);
        match generator.generate() {
            Ok(u) => Id(u.0),
            // Overflow of the random part within one millisecond: fall back to a fresh one.
            Err(_) => Id(ulid::Ulid::new().0),
        }
    }

    /// An id whose time part is `ms`, with a caller-chosen random part (seeded data).
    pub fn from_parts(ms: i64, random: u128) -> Id {
        Id(ulid::Ulid::from_parts(ms.max(0) as u64, random).0)
    }

    pub fn to_bytes(self) -> [u8; 16] {
        self.0.to_be_bytes()
    }

    pub fn from_slice(b: &[u8]) -> Option<Id> {
        let arr: [u8; 16] = b.get(..16)?.try_into().ok()?;
        Some(Id(u128::from_be_bytes(arr)))
    }

    /// Milliseconds since the epoch encoded in the ULID.
    pub fn ms(self) -> i64 {
        ulid::Ulid(self.0).timestamp_ms() as i64
    }

    /// The short form shown in tables: the last 8 characters of the ULID.
    pub fn short(self) -> String {
        let s = self.to_string();
        s[s.len() - 8..].to_string()
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", ulid::Ulid(self.0))
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Id({self})")
    }
}

impl FromStr for Id {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ulid::Ulid::from_string(s.trim())
            .map(|u| Id(u.0))
            .map_err(|_| format!("`{s}` is not an id (26 characters, Crockford base32)"))
    }
}

/// One day in milliseconds: the unit of every "N days" rule.
pub const DAY_MS: i64 = 86_400_000;

/// An instant, in milliseconds since the Unix epoch (UTC). Shown in the local zone.
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default, Debug,
)]
pub struct Ts(pub i64);

impl Ts {
    pub fn now() -> Ts {
        crate::clock::now()
    }
    pub fn to_jiff(self) -> jiff::Timestamp {
        jiff::Timestamp::from_millisecond(self.0).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
    }
    pub fn zoned(self) -> jiff::Zoned {
        self.to_jiff().to_zoned(crate::clock::tz())
    }
    /// `2026-11-28 14:30` in the local zone.
    pub fn display(self) -> String {
        self.display_in(&crate::clock::tz())
    }
    /// [`Ts::display`] in a zone looked up once, for many timestamps (a
    /// whole-estate report writes one per household): the fields written
    /// directly, which costs a fraction of `strftime`.
    pub fn display_in(self, tz: &jiff::tz::TimeZone) -> String {
        let t = tz.to_datetime(self.to_jiff());
        if !(0..=9999).contains(&t.year()) {
            return self
                .to_jiff()
                .to_zoned(tz.clone())
                .strftime("%Y-%m-%d %H:%M")
                .to_string();
        }
        let mut out = String::with_capacity(16);
        let mut digits = |n: i32, width: u32, then: Option<char>| {
            for p in (0..width).rev() {
                out.push(char::from(b'0' + (n / 10i32.pow(p) % 10) as u8));
            }
            out.extend(then);
        };
        digits(t.year().into(), 4, Some('-'));
        digits(t.month().into(), 2, Some('-'));
        digits(t.day().into(), 2, Some(' '));
        digits(t.hour().into(), 2, Some(':'));
        digits(t.minute().into(), 2, None);
        out
    }
    pub fn date(self) -> Date {
        Date::from_jiff(self.zoned().date())
    }
    pub fn days_before(self, now: Ts) -> i64 {
        (now.0 - self.0).div_euclid(DAY_MS)
    }
    pub fn minus_days(self, days: i64) -> Ts {
        Ts(self.0 - days * DAY_MS)
    }
}

/// A calendar day (follow-up dates).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Debug)]
pub struct Date {
    pub year: i16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    pub fn from_jiff(d: jiff::civil::Date) -> Date {
        Date {
            year: d.year(),
            month: d.month() as u8,
            day: d.day() as u8,
        }
    }
    pub fn to_jiff(self) -> Option<jiff::civil::Date> {
        jiff::civil::Date::new(self.year, self.month as i8, self.day as i8).ok()
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// What every editable record carries.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub struct Meta {
    pub id: Id,
    pub created_at: Ts,
    pub created_by: Option<Id>,
    pub version: u32,
    pub tombstone: Option<Tombstone>,
}

impl Meta {
    pub fn new(by: Option<Id>) -> Meta {
        let id = Id::new();
        Meta {
            id,
            created_at: Ts(id.ms()),
            created_by: by,
            version: 1,
            tombstone: None,
        }
    }
    pub fn is_live(&self) -> bool {
        self.tombstone.is_none()
    }
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub struct Tombstone {
    pub at: Ts,
    pub by: Option<Id>,
    pub reason: String,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub struct Area {
    pub meta: Meta,
    /// Short code typed in addresses, e.g. `xf` for 幸福小区.
    pub code: String,
    pub name: String,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub struct Building {
    pub meta: Meta,
    pub area: Id,
    pub code: String,
    pub name: String,
    /// The floor rooms numbered `1xx` are on (2 when shops take the ground floor).
    #[serde(default = "first_floor_default")]
    pub first_floor: i32,
    /// Rooms numbered straight through, this many per floor.
    #[serde(default)]
    pub doors_per_floor: Option<u32>,
}

fn first_floor_default() -> i32 {
    1
}

impl Building {
    /// How this building numbers its rooms, for the building plan.
    pub fn floor_rule(&self) -> crate::floors::FloorRule {
        crate::floors::FloorRule {
            first_floor: self.first_floor,
            doors_per_floor: self.doors_per_floor,
        }
    }
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub struct Household {
    pub meta: Meta,
    pub building: Id,
    pub unit: String,
    pub room: String,
    pub notes: String,
    #[serde(default)]
    pub occupancy: Occupancy,
}

/// A household's occupancy (居住状态). Vacant households are not blank spots.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Debug, Default)]
pub enum Occupancy {
    /// 自住
    #[default]
    Owner,
    /// 出租: where floating population lives, a security concern.
    Rented,
    /// 空置
    Vacant,
    /// 商用
    Commercial,
}

impl Occupancy {
    pub const ALL: [Occupancy; 4] = [
        Occupancy::Owner,
        Occupancy::Rented,
        Occupancy::Vacant,
        Occupancy::Commercial,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Occupancy::Owner => "owner",
            Occupancy::Rented => "rented",
            Occupancy::Vacant => "vacant",
            Occupancy::Commercial => "commercial",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Occupancy::Owner => "自住",
            Occupancy::Rented => "出租",
            Occupancy::Vacant => "空置",
            Occupancy::Commercial => "商用",
        }
    }
    /// The code, the Chinese word, or a word a roster may use for it.
    pub fn parse(s: &str) -> Option<Occupancy> {
        let s = s.trim();
        let extra = match s {
            "owner-occupied" | "own" | "自有" | "自用" => Some(Occupancy::Owner),
            "rent" | "rental" | "租住" | "租赁" | "出租房" => Some(Occupancy::Rented),
            "empty" | "空房" | "闲置" | "空置房" => Some(Occupancy::Vacant),
            "shop" | "business" | "商铺" | "门面" | "经营" => Some(Occupancy::Commercial),
            _ => None,
        };
        extra.or_else(|| {
            Occupancy::ALL
                .into_iter()
                .find(|o| o.code().eq_ignore_ascii_case(s) || o.zh() == s)
        })
    }
    /// What `parse` accepts, for messages.
    pub fn allowed() -> String {
        Occupancy::ALL
            .iter()
            .map(|o| format!("{} ({})", o.code(), o.zh()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Whether a resident still lives in the household (人员状态). Residents who
/// moved out or died leave lists and targets but keep their history.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Debug, Default)]
pub enum ResidentStatus {
    /// 在住
    #[default]
    Present,
    /// 迁出
    MovedOut,
    /// 去世
    Deceased,
}

impl ResidentStatus {
    pub const ALL: [ResidentStatus; 3] = [
        ResidentStatus::Present,
        ResidentStatus::MovedOut,
        ResidentStatus::Deceased,
    ];
    pub fn code(self) -> &'static str {
        match self {
            ResidentStatus::Present => "present",
            ResidentStatus::MovedOut => "moved-out",
            ResidentStatus::Deceased => "deceased",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            ResidentStatus::Present => "在住",
            ResidentStatus::MovedOut => "迁出",
            ResidentStatus::Deceased => "去世",
        }
    }
    pub fn parse(s: &str) -> Option<ResidentStatus> {
        let s = s.trim();
        let extra = match s {
            "正常" | "常住" | "居住" => Some(ResidentStatus::Present),
            "已迁出" | "搬走" | "moved" => Some(ResidentStatus::MovedOut),
            "已去世" | "死亡" | "已故" | "dead" => Some(ResidentStatus::Deceased),
            _ => None,
        };
        extra.or_else(|| {
            ResidentStatus::ALL
                .into_iter()
                .find(|o| o.code().eq_ignore_ascii_case(s) || o.zh() == s)
        })
    }
    pub fn allowed() -> String {
        ResidentStatus::ALL
            .iter()
            .map(|o| format!("{} ({})", o.code(), o.zh()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A care group a resident belongs to (a code of the care-group list) and
/// since when: a never-visited household is due from that day.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub struct CareMark {
    pub group: String,
    pub since: Ts,
}

impl Household {
    /// `2-501` (单元-房号), or just the room when there is no unit.
    pub fn label(&self) -> String {
        if self.unit.is_empty() {
            self.room.clone()
        } else {
            format!("{}-{}", self.unit, self.room)
        }
    }
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub struct Resident {
    pub meta: Meta,
    pub household: Id,
    pub name: String,
    pub phones: Vec<String>,
    /// Relation to the head of household (户主, 配偶, 子女 …).
    pub relation: String,
    pub tags: Vec<String>,
    pub notes: String,
    #[serde(default)]
    pub status: ResidentStatus,
    /// From a roster's birth date, age or identity number (never stored itself).
    #[serde(default)]
    pub birth_year: Option<i16>,
    #[serde(default)]
    pub care: Vec<CareMark>,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Debug, PartialOrd, Ord)]
pub enum MemberKind {
    PartyMember,
    GridWorker,
    Volunteer,
    BuildingHead,
    /// 网格长: leads a grid's workers.
    GridLeader,
}

impl MemberKind {
    pub const ALL: [MemberKind; 5] = [
        MemberKind::PartyMember,
        MemberKind::GridWorker,
        MemberKind::Volunteer,
        MemberKind::BuildingHead,
        MemberKind::GridLeader,
    ];
    pub fn code(self) -> &'static str {
        match self {
            MemberKind::PartyMember => "party-member",
            MemberKind::GridWorker => "grid-worker",
            MemberKind::Volunteer => "volunteer",
            MemberKind::BuildingHead => "building-head",
            MemberKind::GridLeader => "grid-leader",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            MemberKind::PartyMember => "党员",
            MemberKind::GridWorker => "网格员",
            MemberKind::Volunteer => "志愿者",
            MemberKind::BuildingHead => "楼栋长",
            MemberKind::GridLeader => "网格长",
        }
    }
    pub fn parse(s: &str) -> Option<MemberKind> {
        let s = s.trim();
        MemberKind::ALL
            .into_iter()
            .find(|k| k.code().eq_ignore_ascii_case(s) || k.zh() == s)
    }
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub struct Member {
    pub meta: Meta,
    pub name: String,
    pub phone: String,
    pub kind: MemberKind,
    /// Free tags: 流动, 协解, 家属, 复转军人 …
    pub tags: Vec<String>,
    /// 党支部 / 党员服务社, optional.
    #[serde(default)]
    pub branch: String,
}

/// What kind of record an id names.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Debug, PartialOrd, Ord)]
pub enum Kind {
    Area,
    Building,
    Household,
    Resident,
    Member,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::Area => "area",
            Kind::Building => "building",
            Kind::Household => "household",
            Kind::Resident => "resident",
            Kind::Member => "member",
        }
    }
    pub fn byte(self) -> u8 {
        match self {
            Kind::Area => 1,
            Kind::Building => 2,
            Kind::Household => 3,
            Kind::Resident => 4,
            Kind::Member => 5,
        }
    }
    pub fn from_byte(b: u8) -> Option<Kind> {
        Some(match b {
            1 => Kind::Area,
            2 => Kind::Building,
            3 => Kind::Household,
            4 => Kind::Resident,
            5 => Kind::Member,
            _ => return None,
        })
    }
    pub fn is_zone(self) -> bool {
        matches!(self, Kind::Area | Kind::Building | Kind::Household)
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Debug)]
pub enum Role {
    /// 责任人: covers the zone (and, by inheritance, what is inside it).
    Responsible,
    /// 联系户: looks after specific households.
    Liaison,
    /// 网格长 as a role: oversees a zone beside its responsible member,
    /// without replacing them.
    Supervisor,
}

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Role::Responsible => "responsible",
            Role::Liaison => "liaison",
            Role::Supervisor => "supervisor",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        match s.trim() {
            "responsible" | "责任人" => Some(Role::Responsible),
            "liaison" | "联系户" | "联系人" => Some(Role::Liaison),
            "supervisor" | "网格长" | "督导" => Some(Role::Supervisor),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Debug)]
pub enum PatrolKind {
    Hygiene,
    Security,
}

impl PatrolKind {
    pub const ALL: [PatrolKind; 2] = [PatrolKind::Hygiene, PatrolKind::Security];
    pub fn code(self) -> &'static str {
        match self {
            PatrolKind::Hygiene => "hygiene",
            PatrolKind::Security => "security",
        }
    }
    pub fn byte(self) -> u8 {
        match self {
            PatrolKind::Hygiene => 1,
            PatrolKind::Security => 2,
        }
    }
    pub fn parse(s: &str) -> Option<PatrolKind> {
        match s.trim() {
            "hygiene" | "卫生" => Some(PatrolKind::Hygiene),
            "security" | "治安" => Some(PatrolKind::Security),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Debug)]
pub enum Urgency {
    Low,
    Normal,
    High,
}

impl Urgency {
    pub fn code(self) -> &'static str {
        match self {
            Urgency::Low => "low",
            Urgency::Normal => "normal",
            Urgency::High => "high",
        }
    }
    pub fn parse(s: &str) -> Option<Urgency> {
        match s.trim() {
            "low" | "低" => Some(Urgency::Low),
            "normal" | "一般" | "中" => Some(Urgency::Normal),
            "high" | "urgent" | "紧急" | "高" => Some(Urgency::High),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Debug)]
pub enum ProblemStep {
    Progress,
    Resolved,
    Reopened,
    Comment,
}

impl ProblemStep {
    pub fn code(self) -> &'static str {
        match self {
            ProblemStep::Progress => "progress",
            ProblemStep::Resolved => "resolved",
            ProblemStep::Reopened => "reopened",
            ProblemStep::Comment => "comment",
        }
    }
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub struct CheckResult {
    pub item: String,
    pub ok: bool,
    pub note: String,
}

/// One append-only entry. `zone` is the area, building or household it is
/// about (for member events, the member's id).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub struct Event {
    pub id: Id,
    /// When it happened (a visit may be logged after the fact).
    pub at: Ts,
    pub created_at: Ts,
    /// The member who wrote it.
    pub by: Option<Id>,
    pub zone: Id,
    pub body: EventBody,
}

impl Event {
    /// The id's time part is `at`, so a zone's timeline (keyed by id) is in
    /// the order things happened even when logged after the fact; `created_at`
    /// keeps when it was written.
    pub fn new(zone: Id, at: Ts, by: Option<Id>, body: EventBody) -> Event {
        let fresh = Id::new();
        // Random part: when it was written, then the generator's low bits, so
        // entries with the same `at` keep the order they were written in.
        let random = ((fresh.ms() as u128) << 32) | (fresh.0 & 0xFFFF_FFFF);
        let id = Id::from_parts(at.0, random & RANDOM_MASK);
        Event {
            id,
            at,
            created_at: Ts(fresh.ms()),
            by,
            zone,
            body,
        }
    }

    /// The order events were written in: when, then the id's random part,
    /// which [`Event::new`] fills with the write time and a counter.
    pub fn write_order(&self) -> (Ts, u128) {
        (self.created_at, self.id.0 & RANDOM_MASK)
    }

    /// An event with a caller-chosen id (replays and seeded data).
    pub fn with_id(id: Id, zone: Id, at: Ts, by: Option<Id>, body: EventBody) -> Event {
        Event {
            id,
            at,
            created_at: Ts(id.ms()),
            by,
            zone,
            body,
        }
    }
}

// The bodies of the kinds of entry an amendment can correct are named
// structs, so `EventBody` and `Correction` share one field list and a
// correction converts with no field copying. They are called `…Body` so that
// they read as "what an entry says" and never clash with the reports' and the
// forms' `Visit`/`Activity` types where modules are glob-imported. bincode
// writes a newtype variant around a struct exactly as it wrote the struct
// variant (variant index, then the fields in order), and serde_json writes
// `{"Visit":{...}}` for both, so stored bytes and exports did not change.

/// A member's visit to a household.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub struct VisitBody {
    pub household: Id,
    pub member: Id,
    pub purpose: String,
    pub note: String,
    pub follow_up: Option<Date>,
}

/// A problem reported in a zone.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub struct ProblemOpenedBody {
    pub category: String,
    pub description: String,
    pub reporter: Option<Id>,
    pub urgency: Urgency,
}

/// A step in an open problem's life (progress, resolved, reopened, comment).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub struct ProblemSteppedBody {
    pub problem: Id,
    pub step: ProblemStep,
    pub note: String,
}

/// A patrol of a zone against a checklist.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub struct PatrolBody {
    pub kind: PatrolKind,
    pub items: Vec<CheckResult>,
    pub note: String,
}

/// A service activity (党员奉献日, 义务劳动 …) in a zone: its kind (a code
/// of the activity-kind list), the members who took part, how long.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub struct ActivityBody {
    pub kind: String,
    pub members: Vec<Id>,
    pub minutes: u32,
    pub note: String,
}

/// What an entry says. The amendable kinds carry a named body (above); the
/// others are never amended, so their fields are written once already and
/// they stay struct variants.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub enum EventBody {
    /// A member takes a role for a zone from `since`.
    Assigned {
        member: Id,
        role: Role,
        since: Ts,
        until: Option<Ts>,
    },
    /// Ends the span of an earlier `Assigned` event.
    AssignmentEnded {
        assignment: Id,
        until: Ts,
    },
    Visit(VisitBody),
    ProblemOpened(ProblemOpenedBody),
    ProblemStepped(ProblemSteppedBody),
    Patrol(PatrolBody),
    /// A field of a place or person changed; history keeps the old value.
    Edited {
        target: Id,
        kind: Kind,
        field: String,
        old: String,
        new: String,
    },
    /// A place or person was added.
    Created {
        target: Id,
        kind: Kind,
        label: String,
    },
    /// A place or person was deleted (tombstoned) with a reason.
    Tombstoned {
        target: Id,
        kind: Kind,
        reason: String,
    },
    /// Corrects an earlier event: `replacement` is what it should have said.
    Amended {
        supersedes: Id,
        replacement: Correction,
        reason: String,
    },
    /// A service activity in a zone.
    /// (Appended last: stored events name their variant by position.)
    Activity(ActivityBody),
    /// A resident moved from household `from` to household `to`; the
    /// resident's history goes with them. (Appended: position matters.)
    Moved {
        resident: Id,
        from: Id,
        to: Id,
    },
    /// Household `from` was merged into `into`: its residents moved (one
    /// `Moved` each), its timeline shows on `into`, and it was closed.
    Merged {
        from: Id,
        into: Id,
    },
    /// A person (`kind`: resident or member) was erased on request. It
    /// holds the id only, never the name: every device that receives it
    /// redacts its own copy the same way. (Appended: position matters.)
    Erased {
        person: Id,
        kind: Kind,
    },
}

/// What an amendment may say instead: the kinds of entry that can be
/// corrected. Not an `EventBody`, so amendments cannot nest and decoding
/// stored bytes cannot recurse without bound.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub enum Correction {
    Visit(VisitBody),
    ProblemOpened(ProblemOpenedBody),
    ProblemStepped(ProblemSteppedBody),
    Patrol(PatrolBody),
    Activity(ActivityBody),
}

impl Correction {
    /// The entry as it reads once corrected.
    pub fn body(&self) -> EventBody {
        match self.clone() {
            Correction::Visit(b) => EventBody::Visit(b),
            Correction::ProblemOpened(b) => EventBody::ProblemOpened(b),
            Correction::ProblemStepped(b) => EventBody::ProblemStepped(b),
            Correction::Patrol(b) => EventBody::Patrol(b),
            Correction::Activity(b) => EventBody::Activity(b),
        }
    }

    /// The correction for an entry of an amendable kind. Every kind is named
    /// (no catch-all), so a new kind of entry must say whether it can be
    /// amended.
    pub fn of(body: EventBody) -> Option<Correction> {
        Some(match body {
            EventBody::Visit(b) => Correction::Visit(b),
            EventBody::ProblemOpened(b) => Correction::ProblemOpened(b),
            EventBody::ProblemStepped(b) => Correction::ProblemStepped(b),
            EventBody::Patrol(b) => Correction::Patrol(b),
            EventBody::Activity(b) => Correction::Activity(b),
            EventBody::Assigned { .. }
            | EventBody::AssignmentEnded { .. }
            | EventBody::Edited { .. }
            | EventBody::Created { .. }
            | EventBody::Tombstoned { .. }
            | EventBody::Amended { .. }
            | EventBody::Moved { .. }
            | EventBody::Merged { .. }
            | EventBody::Erased { .. } => return None,
        })
    }
}

impl EventBody {
    pub fn kind_code(&self) -> &'static str {
        match self {
            EventBody::Assigned { .. } => "assigned",
            EventBody::AssignmentEnded { .. } => "assignment-ended",
            EventBody::Visit(_) => "visit",
            EventBody::ProblemOpened(_) => "problem",
            EventBody::ProblemStepped(ProblemSteppedBody { step, .. }) => match step {
                ProblemStep::Progress => "problem-progress",
                ProblemStep::Resolved => "problem-resolved",
                ProblemStep::Reopened => "problem-reopened",
                ProblemStep::Comment => "problem-comment",
            },
            EventBody::Patrol(_) => "patrol",
            EventBody::Edited { .. } => "edited",
            EventBody::Created { .. } => "created",
            EventBody::Tombstoned { .. } => "deleted",
            EventBody::Activity(_) => "activity",
            EventBody::Amended { .. } => "amended",
            EventBody::Moved { .. } => "moved",
            EventBody::Merged { .. } => "merged",
            EventBody::Erased { .. } => "erased",
        }
    }
}

#[cfg(test)]
mod display_tests {
    use super::*;
    use jiff::tz::TimeZone;

    #[test]
    fn display_in_writes_what_strftime_writes_in_every_zone() {
        let zones = [
            TimeZone::fixed(jiff::tz::offset(8)),
            TimeZone::UTC,
            TimeZone::posix("EST5EDT,M3.2.0,M11.1.0").unwrap(),
        ];
        // Around midnight, both DST changes of 2026 in New York, the epoch
        // and a far year.
        let instants = [
            0,
            1_764_633_599_999,
            1_764_633_600_000,
            1_772_953_200_000,
            1_772_956_800_000,
            1_793_512_800_000,
            1_793_516_400_000,
            4_102_444_799_000,
        ];
        for tz in &zones {
            for ms in instants {
                let t = Ts(ms);
                let by_strftime = t
                    .to_jiff()
                    .to_zoned(tz.clone())
                    .strftime("%Y-%m-%d %H:%M")
                    .to_string();
                assert_eq!(t.display_in(tz), by_strftime, "{ms} in {tz:?}");
            }
        }
    }
}
