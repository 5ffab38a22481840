//! Quick lookup over the whole store: the index behind `/` in the TUI and
//! `gridbook find`.
//!
//! Every resident, member, household, building and area is one entry in
//! column arrays. An entry's search keys (lowercased name, its pinyin with
//! every reading of each character, tags, phone digits, codes) sit in one
//! byte arena; a 64-bit character mask per entry rules most entries out of a
//! term with one AND. Places match once per query and pass their match down
//! to what is inside them, so `3栋 501` narrows residents by their address
//! without storing it per person.
//!
//! Ranking is by match tier (exact, prefix, substring, fuzzy) first: the
//! worst tier over the query's terms decides. Within a tier, fuzzy matches
//! are scored by nucleo's fzf-style matcher and the others by key kind and
//! how much of the key the term covers (a pinyin match through a surname's or
//! character's main reading before one through another reading); among equal
//! matches, results with a phone come first. Residents who moved out or died
//! come after everything else of their tier. Because fuzzy results always
//! rank last, the fuzzy pass runs only when the other tiers give too few
//! results.

mod keys;
pub mod persist;
mod pinyin;

use std::collections::HashMap;
use std::sync::Mutex;

use nucleo_matcher::{Config, Matcher, Utf32Str};
use serde::Serialize;

use gridbook_domain::model::*;
use gridbook_store::store::{Store, StoreError};
use keys::{Class, KeySet, Keys};

/// What a result is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HitKind {
    Area,
    Building,
    Household,
    Member,
    Resident,
}

impl HitKind {
    fn of(kind: Kind) -> HitKind {
        match kind {
            Kind::Area => HitKind::Area,
            Kind::Building => HitKind::Building,
            Kind::Household => HitKind::Household,
            Kind::Resident => HitKind::Resident,
            Kind::Member => HitKind::Member,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            HitKind::Area => "area",
            HitKind::Building => "building",
            HitKind::Household => "household",
            HitKind::Member => "member",
            HitKind::Resident => "resident",
        }
    }
}

/// How well a term matched; a result is as good as its worst term.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    Fuzzy = 1,
    Substring = 2,
    Prefix = 3,
    Exact = 4,
}

impl Tier {
    fn from_value(v: u32) -> Tier {
        match v >> 16 {
            4.. => Tier::Exact,
            3 => Tier::Prefix,
            2 => Tier::Substring,
            _ => Tier::Fuzzy,
        }
    }
}

/// One result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Hit {
    pub kind: HitKind,
    pub id: Id,
    /// The person's name, the household's label (`2-501`) or the place's name.
    pub name: String,
    /// Path of the household or place (`胜利花苑/3栋/2-501`); for a member, the
    /// zones they are responsible for.
    pub address: String,
    /// The matched phone when a phone matched, else the first one.
    pub phone: Option<String>,
    /// Name of the member covering the household or place (inherited upwards).
    pub cover: Option<String>,
    pub household: Option<Id>,
    /// Where opening the result should go: the household for a resident, the
    /// place itself, or a member's first zone.
    pub zone: Option<Id>,
    /// Higher is better; results come sorted by it.
    pub score: u64,
    /// The worst tier over the query's terms.
    pub tier: Tier,
    /// Char indices in `name` to highlight.
    pub name_match: Vec<usize>,
    /// Char indices in `address` to highlight (terms that matched the place).
    pub address_match: Vec<usize>,
    /// Char indices in `phone` to highlight.
    pub phone_match: Vec<usize>,
    /// A resident's or member's tags (低保户, 独居老人 …), as written.
    pub tags: Vec<String>,
    /// For a household: its head and who to call (`phone` stays empty: a
    /// household has no number of its own).
    pub head: Option<Head>,
    /// A resident's status code (`present`, `moved-out`, `deceased`), so
    /// nobody dials a number of someone gone; `None` for others.
    pub status: Option<&'static str>,
}

/// A household's head and the number to call it on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Head {
    /// The resident whose relation is 户主 (or 本人), else the first resident.
    pub name: String,
    /// The head's first phone; when the head has none, the first phone of
    /// the first resident who has one.
    pub phone: Option<String>,
    /// Whose number `phone` is: the head's name, or the other resident's.
    pub phone_of: Option<String>,
}

const NONE: u32 = u32::MAX;
/// Terms beyond this are ignored, and long terms are cut: a query is typed by hand.
const MAX_TERMS: usize = 8;
const MAX_TERM_CHARS: usize = 32;
/// Sub-scores of the non-fuzzy tiers start here; matches through a place lose
/// `INHERIT_PENALTY`, so a household matched by its own room ranks before the
/// people living in it.
const BASE: u32 = 20_000;
const INHERIT_PENALTY: u32 = 8_000;
/// Separates the name from the phones in the display arena.
const SEP: u8 = 0x1f;
/// Starts each tag in the display arena, after the phones.
const TAG_SEP: u8 = 0x1e;
/// Entry flags: has a phone (a household: one of its residents has one).
const HAS_PHONE: u8 = 1;
/// Entry flags: a resident whose relation marks the head (户主, 本人).
const IS_HEAD: u8 = 2;
/// Entry flags: a resident who moved out (迁出).
const MOVED_OUT: u8 = 4;
/// Entry flags: a resident who died (去世).
const DECEASED: u8 = 8;
/// Entry flags: either of the two: no longer someone to call.
const GONE: u8 = MOVED_OUT | DECEASED;

/// Whether a relation names the head of the household: the rule
/// `contact::of` follows, so lookup, `show` and the TUI rows name the same head.
fn is_head(relation: &str) -> bool {
    gridbook_domain::contact::is_head_relation(relation)
}

/// A query term, folded like the keys.
struct Term {
    text: String,
    chars: Vec<char>,
    mask: u64,
    pairs: u128,
    digits: bool,
    ascii: bool,
}

fn parse(query: &str) -> Vec<Term> {
    query
        .split(|c: char| c.is_whitespace() || c == '/' || c == '／')
        .filter(|t| !t.is_empty())
        .take(MAX_TERMS)
        .flat_map(|t| {
            let folded: String = t.chars().take(MAX_TERM_CHARS).map(keys::fold).collect();
            room_spelling(&folded)
        })
        .take(MAX_TERMS)
        .map(|text| {
            let chars: Vec<char> = text.chars().collect();
            Term {
                mask: keys::mask_of(&text),
                pairs: keys::pairs_of(&text),
                digits: chars.iter().all(|c| c.is_ascii_digit()),
                ascii: chars.iter().all(|c| c.is_ascii()),
                text,
                chars,
            }
        })
        .filter(|t| !t.text.is_empty())
        .collect()
}

/// A room as the roster writes it, as the household labels are stored
/// (`2-501`): `2单元501`, `2单元501室`, `2单元-501号` → `2-501`; `2单元` →
/// `2-` (the unit's households); `501室`, `2-501号` → `501`, `2-501`; a
/// building glued before a room (`3栋2单元501`) becomes two terms, `3栋` and
/// `2-501`. `号` is taken off a room of three digits or more only (`5号`
/// may be a building). Any other term is kept as typed. `term` is folded
/// (half-width digits and dashes).
fn room_spelling(term: &str) -> Vec<String> {
    for suffix in ["号楼", "栋", "幢", "座"] {
        if let Some((b, rest)) = term.split_once(suffix)
            && is_code(b)
            && let Some(r) = room_form(rest).or_else(|| is_room(rest).then(|| rest.to_string()))
        {
            return vec![format!("{b}{suffix}"), r];
        }
    }
    vec![room_form(term).unwrap_or_else(|| term.to_string())]
}

/// `2单元501室` → `2-501`, `2单元` → `2-`, `501室` → `501`; `None` when
/// `t` is no room spelling with 单元, 室 or 号.
fn room_form(t: &str) -> Option<String> {
    let bare = |r: &str| {
        let r = r.strip_suffix('室').or_else(|| r.strip_suffix('号'))?;
        is_room(r).then(|| r.to_string())
    };
    if let Some((u, r)) = t.split_once("单元") {
        let r = r.trim_start_matches('-');
        return match is_code(u) {
            false => None,
            true if r.is_empty() => Some(format!("{u}-")),
            true if is_room(r) => Some(format!("{u}-{r}")),
            true => bare(r).map(|r| format!("{u}-{r}")),
        };
    }
    if let Some(r) = t.strip_suffix('室') {
        return is_room(r).then(|| r.to_string());
    }
    let r = t.strip_suffix('号')?;
    let digits = r.chars().filter(char::is_ascii_digit).count();
    (is_room(r) && (r.contains('-') || digits >= 3)).then(|| r.to_string())
}

/// A unit or building number: letters and digits only.
fn is_code(t: &str) -> bool {
    !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric())
}

/// A room: letters, digits and dashes, with a digit.
fn is_room(t: &str) -> bool {
    t.chars().any(|c| c.is_ascii_digit())
        && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// The matching entries of the last query, reused when the next one extends it
/// (typing narrows: every match of `zs 5` is a match of `zs`).
struct Cache {
    generation: u64,
    terms: Vec<String>,
    /// Entries matching every term without fuzzy matching.
    exactish: Vec<u32>,
    /// Entries matching at any tier, when the fuzzy pass ran.
    all: Option<Vec<u32>>,
}

impl Cache {
    fn extended_by(&self, generation: u64, terms: &[Term]) -> bool {
        self.generation == generation
            && terms.len() >= self.terms.len()
            && self
                .terms
                .iter()
                .zip(terms)
                .all(|(old, new)| new.text.starts_with(old.as_str()))
    }
}

/// The lookup index. Build it once (on a background thread if need be), then
/// keep it in step with the store through the `refresh_*` and `remove` calls.
pub struct LookupIndex {
    kind: Vec<Kind>,
    live: Vec<bool>,
    /// `HAS_PHONE`, `IS_HEAD`.
    flags: Vec<u8>,
    ids: Vec<Id>,
    /// The place an entry hangs in (resident → household → building → area), or `NONE`.
    parent: Vec<u32>,
    mask: Vec<u64>,
    /// Adjacent-pair bits of the keys: rules out exact, prefix and substring matches.
    pairs: Vec<u128>,
    key_at: Vec<u32>,
    key_len: Vec<u16>,
    show_at: Vec<u32>,
    show_len: Vec<u16>,
    keys: Vec<u8>,
    shown: Vec<u8>,
    /// Place entries by level, in the order they must be matched (parents first).
    places: [Vec<u32>; 3],
    /// Every entry but residents, by id.
    by_id: HashMap<Id, u32>,
    /// Place entry → member entry directly responsible for it now.
    direct: HashMap<u32, u32>,
    /// Every responsibility on a place, as at build: what `direct` is
    /// worked out from at a given time, and what `find` lists a member's
    /// zones from. Not kept up by the `refresh_*` calls (the TUI reads
    /// `direct`, which they keep).
    spans: Vec<Span>,
    /// Whether covers were computed at build (the one-shot `find` skips them).
    covers: bool,
    /// Arena bytes no longer referenced after refreshes.
    garbage: usize,
    generation: u64,
    cache: Mutex<Option<Cache>>,
}

/// What the index keeps of a resident or member.
struct Person<'a> {
    name: &'a str,
    phones: &'a [String],
    /// Tags, and for a resident the Chinese labels of their care groups (as
    /// rosters write them), so `低保` and `/独居` find the people in them.
    tags: std::borrow::Cow<'a, [String]>,
    head: bool,
    status: ResidentStatus,
}

impl<'a> Person<'a> {
    fn resident(r: &'a Resident) -> Person<'a> {
        Person {
            name: &r.name,
            phones: &r.phones,
            tags: if r.care.is_empty() {
                std::borrow::Cow::Borrowed(&r.tags[..])
            } else {
                let groups = gridbook_domain::vocab::care::shipped();
                let mut t = r.tags.clone();
                for m in &r.care {
                    match groups.get(&m.group) {
                        Some(g) => t.push(g.zh.clone()),
                        None => t.push(m.group.clone()),
                    }
                }
                std::borrow::Cow::Owned(t)
            },
            head: is_head(&r.relation),
            status: r.status,
        }
    }
    fn member(m: &'a Member) -> Person<'a> {
        Person {
            name: &m.name,
            phones: std::slice::from_ref(&m.phone),
            tags: std::borrow::Cow::Borrowed(&m.tags[..]),
            head: false,
            status: ResidentStatus::Present,
        }
    }
    fn has_phone(&self) -> bool {
        self.phones.iter().any(|p| !p.trim().is_empty())
    }
    /// Whether the household can be reached through this person: one who
    /// moved out or died is no household's number.
    fn callable(&self) -> bool {
        self.status == ResidentStatus::Present && self.has_phone()
    }
}

fn level(kind: Kind) -> Option<usize> {
    match kind {
        Kind::Area => Some(0),
        Kind::Building => Some(1),
        Kind::Household => Some(2),
        _ => None,
    }
}

impl LookupIndex {
    /// Reads every live place, resident and member once and builds the index,
    /// with who covers each place at `now`.
    pub fn build(store: &Store, now: Ts) -> Result<LookupIndex, StoreError> {
        Self::build_with(store, now, true)
    }

    fn empty(covers: bool) -> LookupIndex {
        LookupIndex {
            kind: Vec::new(),
            live: Vec::new(),
            flags: Vec::new(),
            ids: Vec::new(),
            parent: Vec::new(),
            mask: Vec::new(),
            pairs: Vec::new(),
            key_at: Vec::new(),
            key_len: Vec::new(),
            show_at: Vec::new(),
            show_len: Vec::new(),
            keys: Vec::new(),
            shown: Vec::new(),
            places: [Vec::new(), Vec::new(), Vec::new()],
            by_id: HashMap::new(),
            direct: HashMap::new(),
            spans: Vec::new(),
            covers,
            garbage: 0,
            generation: 0,
            cache: Mutex::new(None),
        }
    }

    /// `covers == false` skips reading the assignments: no result then
    /// says who covers it.
    pub fn build_with(store: &Store, now: Ts, covers: bool) -> Result<LookupIndex, StoreError> {
        // No pre-sizing: counting a tree costs a full scan of it.
        let mut ix = Self::empty(covers);
        for a in store.all::<Area>() {
            let a = a?;
            if a.meta.is_live() {
                ix.push_place(Kind::Area, a.meta.id, NONE, &a.name, &a.code);
            }
        }
        for b in store.all::<Building>() {
            let b = b?;
            if let (true, Some(&p)) = (b.meta.is_live(), ix.by_id.get(&b.area)) {
                ix.push_place(Kind::Building, b.meta.id, p, &b.name, &b.code);
            }
        }
        for h in store.all::<Household>() {
            let h = h?;
            if let (true, Some(&p)) = (h.meta.is_live(), ix.by_id.get(&h.building)) {
                ix.push_place(Kind::Household, h.meta.id, p, &h.label(), &h.room);
            }
        }
        for r in store.all::<Resident>() {
            let r = r?;
            if let (true, Some(&p)) = (r.meta.is_live(), ix.by_id.get(&r.household)) {
                let e = ix.put_person(NONE, Kind::Resident, r.meta.id, p, &Person::resident(&r));
                if ix.flags[e as usize] & HAS_PHONE != 0 && ix.flags[e as usize] & GONE == 0 {
                    ix.flags[p as usize] |= HAS_PHONE;
                }
            }
        }
        for m in store.all::<Member>() {
            let m = m?;
            if m.meta.is_live() {
                ix.put_person(NONE, Kind::Member, m.meta.id, NONE, &Person::member(&m));
            }
        }
        ix.shrink();
        if covers {
            ix.read_spans(store)?;
            ix.direct_at(now);
        }
        Ok(ix)
    }

    /// Every responsibility on a live place, in one pass over the
    /// assignments index (grouped by place, in the order they were made).
    fn read_spans(&mut self, store: &Store) -> Result<(), StoreError> {
        let mut spans = Vec::new();
        for a in store.all_assignments()? {
            if a.role != Role::Responsible {
                continue;
            }
            let Some(&place) = self.by_id.get(&a.zone) else {
                continue;
            };
            if level(self.kind[place as usize]).is_none() {
                continue;
            }
            // A member who is gone still takes the place's responsibility
            // (and no cover is shown for it), as `cover::covering` has it.
            let member = self
                .by_id
                .get(&a.member)
                .copied()
                .filter(|m| self.kind[*m as usize] == Kind::Member)
                .unwrap_or(NONE);
            spans.push(Span {
                place,
                member,
                since: a.since.0,
                until: a.until.map_or(i64::MAX, |u| u.0),
            });
        }
        // Stable: within a place, the order they were made stays.
        spans.sort_by_key(|s| s.place);
        spans.shrink_to_fit();
        self.spans = spans;
        Ok(())
    }

    /// Who is directly responsible for each place at `now`, from the spans:
    /// the active responsibility that started last (the later one among
    /// equals), as `cover::direct_responsible` picks it.
    fn direct_at(&mut self, now: Ts) {
        self.direct.clear();
        let mut best: Option<(u32, i64, u32)> = None;
        let settle = |b: Option<(u32, i64, u32)>, direct: &mut HashMap<u32, u32>| {
            if let Some((p, _, m)) = b
                && m != NONE
            {
                direct.insert(p, m);
            }
        };
        for s in &self.spans {
            if best.is_some_and(|b| b.0 != s.place) {
                settle(best.take(), &mut self.direct);
            }
            if !s.active_at(now) {
                continue;
            }
            if best.is_none_or(|b| s.since >= b.1) {
                best = Some((s.place, s.since, s.member));
            }
        }
        settle(best, &mut self.direct);
    }

    /// The best `limit` results for `query` at `now`, for `gridbook find`:
    /// as [`LookupIndex::search`], with a member's address listing every
    /// zone they are responsible for at `now` (not only those where they
    /// are the one shown as covering it).
    pub fn find(&self, query: &str, limit: usize, now: Ts) -> Vec<Hit> {
        let mut hits = self.search(query, limit);
        for h in hits.iter_mut().filter(|h| h.kind == HitKind::Member) {
            let Some(&m) = self.by_id.get(&h.id) else {
                continue;
            };
            let mut zones: Vec<u32> = self
                .spans
                .iter()
                .filter(|s| s.member == m && s.active_at(now) && self.live[s.place as usize])
                .map(|s| s.place)
                .collect();
            zones.sort_unstable_by_key(|z| self.ids[*z as usize]);
            zones.dedup();
            h.address = zones
                .iter()
                .map(|z| self.path_of(*z))
                .collect::<Vec<_>>()
                .join("; ");
            h.zone = zones.first().map(|z| self.ids[*z as usize]);
        }
        hits
    }

    /// `胜利花苑/3栋/2-501`: a place's names from the area down.
    fn path_of(&self, p: u32) -> String {
        self.chain(p)
            .iter()
            .map(|q| self.name_of(*q as usize))
            .collect::<Vec<_>>()
            .join("/")
    }

    fn shrink(&mut self) {
        self.kind.shrink_to_fit();
        self.live.shrink_to_fit();
        self.flags.shrink_to_fit();
        self.ids.shrink_to_fit();
        self.parent.shrink_to_fit();
        self.mask.shrink_to_fit();
        self.pairs.shrink_to_fit();
        self.key_at.shrink_to_fit();
        self.key_len.shrink_to_fit();
        self.show_at.shrink_to_fit();
        self.show_len.shrink_to_fit();
        self.keys.shrink_to_fit();
        self.shown.shrink_to_fit();
    }

    /// Writes keys and display text (name, phones, tags) for entry `e` (a
    /// new slot when `e == NONE`).
    #[allow(clippy::too_many_arguments)]
    fn put(
        &mut self,
        e: u32,
        kind: Kind,
        id: Id,
        parent: u32,
        keys: &KeySet,
        shown: &[&str],
        tags: &[String],
        flags: u8,
    ) -> u32 {
        let key_at = self.keys.len();
        keys.write(&mut self.keys);
        let key_len = (self.keys.len() - key_at).min(u16::MAX as usize);
        let show_at = self.shown.len();
        // Display text never holds the separators; drop them if a record does.
        let clean = |s: &str| {
            s.bytes()
                .filter(|b| *b != SEP && *b != TAG_SEP)
                .collect::<Vec<u8>>()
        };
        for (i, s) in shown.iter().enumerate() {
            if i > 0 {
                self.shown.push(SEP);
            }
            self.shown.extend(clean(s));
        }
        for t in tags {
            self.shown.push(TAG_SEP);
            self.shown.extend(clean(t));
        }
        let show_len = (self.shown.len() - show_at).min(u16::MAX as usize);
        let mask = keys.mask();
        let pairs = keys.pairs();
        if e == NONE {
            let e = self.ids.len() as u32;
            self.kind.push(kind);
            self.live.push(true);
            self.flags.push(flags);
            self.ids.push(id);
            self.parent.push(parent);
            self.mask.push(mask);
            self.pairs.push(pairs);
            self.key_at.push(key_at as u32);
            self.key_len.push(key_len as u16);
            self.show_at.push(show_at as u32);
            self.show_len.push(show_len as u16);
            if kind != Kind::Resident {
                self.by_id.insert(id, e);
            }
            if let Some(l) = level(kind) {
                self.places[l].push(e);
            }
            e
        } else {
            let i = e as usize;
            self.garbage += self.key_len[i] as usize + self.show_len[i] as usize;
            self.live[i] = true;
            self.flags[i] = flags;
            self.parent[i] = parent;
            self.mask[i] = mask;
            self.pairs[i] = pairs;
            self.key_at[i] = key_at as u32;
            self.key_len[i] = key_len as u16;
            self.show_at[i] = show_at as u32;
            self.show_len[i] = show_len as u16;
            e
        }
    }

    fn push_place(&mut self, kind: Kind, id: Id, parent: u32, name: &str, code: &str) -> u32 {
        let mut k = KeySet::default();
        k.place(name, code);
        self.put(NONE, kind, id, parent, &k, &[name], &[], 0)
    }

    /// Writes a resident or member into entry `e` (a new one when `e == NONE`).
    fn put_person(&mut self, e: u32, kind: Kind, id: Id, parent: u32, p: &Person<'_>) -> u32 {
        let mut k = KeySet::default();
        k.person(p.name);
        for t in p.tags.iter() {
            k.tag(t);
        }
        let phones: Vec<&str> = p
            .phones
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect();
        for ph in &phones {
            k.phone(ph);
        }
        let mut shown: Vec<&str> = vec![p.name];
        shown.extend(&phones);
        let mut flags = 0;
        if !phones.is_empty() {
            flags |= HAS_PHONE;
        }
        if p.head {
            flags |= IS_HEAD;
        }
        flags |= match p.status {
            ResidentStatus::Present => 0,
            ResidentStatus::MovedOut => MOVED_OUT,
            ResidentStatus::Deceased => DECEASED,
        };
        self.put(e, kind, id, parent, &k, &shown, &p.tags, flags)
    }

    fn set_direct(&mut self, store: &Store, p: u32, now: Ts) -> Result<(), StoreError> {
        let id = self.ids[p as usize];
        let found = crate::cover::direct_responsible(store, id, now)?;
        if let Some(a) = &found
            && !self.by_id.contains_key(&a.member)
            && let Some(m) = store.member(a.member)?.filter(|m| m.meta.is_live())
        {
            // Assigned before the index heard of the member: add them now.
            self.put_person(NONE, Kind::Member, m.meta.id, NONE, &Person::member(&m));
        }
        match found {
            Some(a) => match self.by_id.get(&a.member) {
                Some(&m) => {
                    self.direct.insert(p, m);
                }
                None => {
                    self.direct.remove(&p);
                }
            },
            None => {
                self.direct.remove(&p);
            }
        }
        Ok(())
    }

    fn keys_of(&self, e: usize) -> Keys<'_> {
        let at = self.key_at[e] as usize;
        Keys::new(&self.keys[at..at + self.key_len[e] as usize])
    }

    /// Display fields of an entry: the name, then its phones.
    fn shown_of(&self, e: usize) -> impl Iterator<Item = &str> + '_ {
        let at = self.show_at[e] as usize;
        let all = &self.shown[at..at + self.show_len[e] as usize];
        let end = all.iter().position(|b| *b == TAG_SEP).unwrap_or(all.len());
        all[..end]
            .split(|b| *b == SEP)
            .map(|s| std::str::from_utf8(s).unwrap_or(""))
    }

    /// A person's tags.
    fn tags_of(&self, e: usize) -> Vec<String> {
        let at = self.show_at[e] as usize;
        let all = &self.shown[at..at + self.show_len[e] as usize];
        all.split(|b| *b == TAG_SEP)
            .skip(1)
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .collect()
    }

    fn name_of(&self, e: usize) -> &str {
        self.shown_of(e).next().unwrap_or("")
    }

    /// Number of live entries.
    pub fn len(&self) -> usize {
        self.live.iter().filter(|l| **l).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Heap memory held by the index, in bytes (hash maps estimated).
    pub fn approx_bytes(&self) -> usize {
        use std::mem::size_of;
        let cols = self.kind.capacity() * size_of::<Kind>()
            + self.live.capacity()
            + self.flags.capacity()
            + self.ids.capacity() * size_of::<Id>()
            + self.parent.capacity() * 4
            + self.mask.capacity() * 8
            + self.pairs.capacity() * 16
            + self.key_at.capacity() * 4
            + self.key_len.capacity() * 2
            + self.show_at.capacity() * 4
            + self.show_len.capacity() * 2
            + self.keys.capacity()
            + self.shown.capacity()
            + self.places.iter().map(|p| p.capacity() * 4).sum::<usize>();
        // hashbrown: key, value and one control byte per bucket, buckets ≥ 8/7 of the entries.
        let maps = self.by_id.capacity() * (size_of::<Id>() + 4 + 1) * 8 / 7
            + self.direct.capacity() * (4 + 4 + 1) * 8 / 7;
        let cache = self
            .cache
            .lock()
            .map(|c| {
                c.as_ref().map_or(0, |c| {
                    c.exactish.capacity() * 4 + c.all.as_ref().map_or(0, |a| a.capacity() * 4)
                })
            })
            .unwrap_or(0);
        cols + maps + cache
    }

    // ---- following changes -------------------------------------------

    fn changed(&mut self) {
        self.generation += 1;
        if let Ok(mut c) = self.cache.lock() {
            *c = None;
        }
    }

    fn now() -> Ts {
        Ts::now()
    }

    /// Re-reads one household and its residents (added, renamed, new phones,
    /// deleted, or its responsible member changed).
    pub fn refresh_household(&mut self, store: &Store, household: Id) -> Result<(), StoreError> {
        self.changed();
        let h = store.household(household)?.filter(|h| h.meta.is_live());
        if let Some(h) = &h
            && !self.by_id.contains_key(&h.building)
        {
            // A household in a building the index has not seen yet: add the building first.
            self.refresh_zone(store, h.building)?;
        }
        let parent = h
            .as_ref()
            .and_then(|h| self.by_id.get(&h.building).copied())
            .filter(|p| self.live[*p as usize]);
        let (Some(h), Some(parent)) = (h, parent) else {
            self.remove(household);
            return Ok(());
        };
        let mut k = KeySet::default();
        let label = h.label();
        k.place(&label, &h.room);
        let residents: Vec<Resident> = store
            .residents_of(household)?
            .into_iter()
            .filter(|r| r.meta.is_live())
            .collect();
        let flags = if residents.iter().any(|r| Person::resident(r).callable()) {
            HAS_PHONE
        } else {
            0
        };
        let old = self.by_id.get(&household).copied().unwrap_or(NONE);
        let e = self.put(
            old,
            Kind::Household,
            household,
            parent,
            &k,
            &[&label],
            &[],
            flags,
        );
        let mut existing: HashMap<Id, u32> = HashMap::new();
        for (i, p) in self.parent.iter().enumerate() {
            if *p == e && self.kind[i] == Kind::Resident && self.live[i] {
                existing.insert(self.ids[i], i as u32);
            }
        }
        for r in &residents {
            let slot = existing.remove(&r.meta.id).unwrap_or(NONE);
            self.put_person(slot, Kind::Resident, r.meta.id, e, &Person::resident(r));
        }
        for (_, gone) in existing {
            self.kill(gone);
        }
        if self.covers {
            self.set_direct(store, e, Self::now())?;
        }
        Ok(())
    }

    /// Re-reads a member (name, phone, deleted) and the zones they are responsible for.
    pub fn refresh_member(&mut self, store: &Store, member: Id) -> Result<(), StoreError> {
        self.changed();
        let Some(m) = store.member(member)?.filter(|m| m.meta.is_live()) else {
            self.remove(member);
            return Ok(());
        };
        let old = self.by_id.get(&member).copied().unwrap_or(NONE);
        let e = self.put_person(old, Kind::Member, member, NONE, &Person::member(&m));
        if self.covers {
            let now = Self::now();
            let mut zones: Vec<u32> = self
                .direct
                .iter()
                .filter(|(_, v)| **v == e)
                .map(|(z, _)| *z)
                .collect();
            for a in store.assignments_of_member(member)? {
                if let Some(&z) = self.by_id.get(&a.zone) {
                    zones.push(z);
                }
            }
            zones.sort_unstable();
            zones.dedup();
            for z in zones {
                self.set_direct(store, z, now)?;
            }
        }
        Ok(())
    }

    /// Re-reads an area, building or household (renamed, new code, deleted, or
    /// its responsible member changed); for a household, its residents too.
    pub fn refresh_zone(&mut self, store: &Store, zone: Id) -> Result<(), StoreError> {
        self.changed();
        let Some((kind, _)) = store.kind_of(zone)? else {
            self.remove(zone);
            return Ok(());
        };
        let (parent, name, code) = match kind {
            Kind::Household => return self.refresh_household(store, zone),
            Kind::Area => match store.area(zone)?.filter(|a| a.meta.is_live()) {
                Some(a) => (NONE, a.name, a.code),
                None => {
                    self.remove(zone);
                    return Ok(());
                }
            },
            Kind::Building => match store.building(zone)?.filter(|b| b.meta.is_live()) {
                Some(b) => match self.area_entry(store, b.area)? {
                    Some(p) => (p, b.name, b.code),
                    None => {
                        self.remove(zone);
                        return Ok(());
                    }
                },
                None => {
                    self.remove(zone);
                    return Ok(());
                }
            },
            Kind::Resident => {
                return match store.resident(zone)? {
                    Some(r) => self.refresh_household(store, r.household),
                    None => {
                        self.remove(zone);
                        Ok(())
                    }
                };
            }
            Kind::Member => return self.refresh_member(store, zone),
        };
        let mut k = KeySet::default();
        k.place(&name, &code);
        let old = self.by_id.get(&zone).copied().unwrap_or(NONE);
        let e = self.put(old, kind, zone, parent, &k, &[&name], &[], 0);
        if self.covers {
            self.set_direct(store, e, Self::now())?;
        }
        Ok(())
    }

    /// The live entry of an area, adding the area when the index has not seen it yet.
    fn area_entry(&mut self, store: &Store, area: Id) -> Result<Option<u32>, StoreError> {
        if !self.by_id.contains_key(&area) {
            self.refresh_zone(store, area)?;
        }
        Ok(self
            .by_id
            .get(&area)
            .copied()
            .filter(|p| self.live[*p as usize]))
    }

    fn kill(&mut self, e: u32) {
        let i = e as usize;
        if self.live[i] {
            self.live[i] = false;
            self.garbage += self.key_len[i] as usize + self.show_len[i] as usize;
        }
    }

    /// Drops a record (deleted or tombstoned); a place takes everything inside it along.
    pub fn remove(&mut self, id: Id) {
        self.changed();
        let e = match self.by_id.get(&id) {
            Some(&e) => e,
            None => match self.ids.iter().position(|x| *x == id) {
                Some(e) => e as u32,
                None => return,
            },
        };
        self.kill(e);
        if level(self.kind[e as usize]).is_some() {
            // Everything whose chain of places reaches a dead one goes too.
            for i in 0..self.ids.len() {
                let mut p = self.parent[i];
                let mut steps = 0;
                while p != NONE && steps < 4 {
                    if !self.live[p as usize] {
                        self.kill(i as u32);
                        break;
                    }
                    p = self.parent[p as usize];
                    steps += 1;
                }
            }
        }
    }

    // ---- searching -----------------------------------------------------

    /// Every live entry as a result without match positions, in index order
    /// (exports and comparisons with other tools).
    pub fn entries(&self) -> impl Iterator<Item = Hit> + '_ {
        let mut matcher = Matcher::new(Config::DEFAULT);
        let households: Vec<u32> = self.places[2].clone();
        let heads = self.heads(&households);
        (0..self.ids.len())
            .filter(|i| self.live[*i])
            .map(move |i| self.hit(i, 0, &[], &mut matcher, heads.get(&(i as u32))))
    }

    /// Forgets the previous query, so the next search scans everything (when
    /// the overlay closes; benchmarks of a cold query).
    pub fn forget_last_query(&self) {
        if let Ok(mut c) = self.cache.lock() {
            *c = None;
        }
    }

    /// The best `limit` results for `query`, best first. Each whitespace- (or
    /// `/`-) separated term must match the result: its name, pinyin, initials,
    /// a phone, or the place it is in.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        let terms = parse(query);
        if terms.is_empty() || limit == 0 {
            return Vec::new();
        }
        let prev = self.cache.lock().ok().and_then(|mut c| {
            let c = c.take()?;
            c.extended_by(self.generation, &terms).then_some(c)
        });
        let places: Vec<Vec<u32>> = terms.iter().map(|t| self.place_values(t)).collect();
        let everything = Pool::All(self.ids.len() as u32);
        let first = prev
            .as_ref()
            .map_or(everything, |p| Pool::List(&p.exactish));
        let mut found = self.scan(first, &terms, &places, false);
        let exactish: Vec<u32> = found.iter().map(|(_, e)| *e).collect();
        let mut all = None;
        if found.len() < limit {
            let pool = prev
                .as_ref()
                .and_then(|p| p.all.as_deref())
                .map_or(everything, Pool::List);
            found = self.scan(pool, &terms, &places, true);
            all = Some(found.iter().map(|(_, e)| *e).collect());
        }
        drop(prev);
        if let Ok(mut c) = self.cache.lock() {
            *c = Some(Cache {
                generation: self.generation,
                terms: terms.iter().map(|t| t.text.clone()).collect(),
                exactish,
                all,
            });
        }
        top(&mut found, limit);
        let mut matcher = Matcher::new(Config::DEFAULT);
        let shown: Vec<u32> = found.iter().map(|(_, e)| *e).collect();
        let heads = self.heads(&shown);
        found
            .into_iter()
            .map(|(key, e)| self.hit(e as usize, key, &terms, &mut matcher, heads.get(&e)))
            .collect()
    }

    /// For every place entry, the best non-fuzzy match of `t` on it or any
    /// place above it.
    fn place_values(&self, t: &Term) -> Vec<u32> {
        let mut out = vec![0u32; self.ids.len()];
        for lvl in &self.places {
            for &p in lvl {
                let i = p as usize;
                if !self.live[i] {
                    continue;
                }
                let mut v = if self.could_match(i, t, false) {
                    self.own(i, t, None, &mut Vec::new()).0
                } else {
                    0
                };
                let up = self.parent[i];
                if up != NONE {
                    v = v.max(out[up as usize]);
                }
                out[i] = v;
            }
        }
        out
    }

    /// Scores every entry of `pool` against all terms; splits big pools over
    /// the machine's cores. Results keep pool order.
    fn scan(
        &self,
        pool: Pool<'_>,
        terms: &[Term],
        places: &[Vec<u32>],
        fuzzy: bool,
    ) -> Vec<(u64, u32)> {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(4);
        if threads < 2 || pool.len() < PARALLEL_FROM {
            return self.scan_part(pool, terms, places, fuzzy);
        }
        let parts = pool.split(threads);
        std::thread::scope(|s| {
            let handles: Vec<_> = parts
                .into_iter()
                .map(|part| s.spawn(move || self.scan_part(part, terms, places, fuzzy)))
                .collect();
            let mut out = Vec::new();
            for h in handles {
                out.extend(h.join().unwrap_or_default());
            }
            out
        })
    }

    fn scan_part(
        &self,
        pool: Pool<'_>,
        terms: &[Term],
        places: &[Vec<u32>],
        fuzzy: bool,
    ) -> Vec<(u64, u32)> {
        let mut matcher = fuzzy.then(|| Matcher::new(Config::DEFAULT));
        let mut scratch = Vec::new();
        let mut out = Vec::new();
        'entries: for e in pool.iter() {
            let i = e as usize;
            if !self.live[i] {
                continue;
            }
            let mut total: u64 = 0;
            let mut worst = 4u64;
            for (t, pv) in terms.iter().zip(places) {
                let mut v = 0;
                if self.could_match(i, t, fuzzy) {
                    v = self.own(i, t, matcher.as_mut(), &mut scratch).0;
                }
                let up = self.parent[i];
                if up != NONE {
                    let inherited = pv[up as usize];
                    if inherited > 0 {
                        v = v.max(inherited - INHERIT_PENALTY);
                    }
                }
                if v == 0 {
                    continue 'entries;
                }
                worst = worst.min((v >> 16) as u64);
                total += v as u64;
            }
            out.push((self.rank_key(i, worst, total), e));
        }
        out
    }

    /// One number to sort by, best highest: the worst tier, then everything
    /// but residents who moved out or died (the one who lives there is the
    /// one looked for), the summed term scores, then areas and buildings,
    /// then results with a phone (a household: one of its people has one),
    /// households before people, and shorter names first.
    fn rank_key(&self, i: usize, worst: u64, total: u64) -> u64 {
        let (place, contact) = match self.kind[i] {
            Kind::Area => (2, 0),
            Kind::Building => (1, 0),
            Kind::Household => (0, 2),
            Kind::Member => (0, 1),
            Kind::Resident => (0, 0),
        };
        let flags = self.flags[i];
        let phone = (flags & HAS_PHONE != 0) as u64;
        let here = (flags & GONE == 0) as u64;
        let at = self.show_at[i] as usize;
        let shown = &self.shown[at..at + self.show_len[i] as usize];
        let name_len = shown
            .iter()
            .position(|b| *b == SEP || *b == TAG_SEP)
            .unwrap_or(shown.len()) as u16;
        // A query's terms sum to far below 2^35.
        worst << 60
            | here << 59
            | total.min((1 << 35) - 1) << 24
            | place << 20
            | phone << 19
            | contact << 16
            | (u16::MAX - name_len) as u64
    }

    /// The cheap test before looking at keys: every char of the term must
    /// occur in them, and for non-fuzzy matching every adjacent pair too.
    #[inline]
    fn could_match(&self, i: usize, t: &Term, fuzzy: bool) -> bool {
        t.mask & !self.mask[i] == 0 && (fuzzy || t.pairs & !self.pairs[i] == 0)
    }

    /// Best match of `t` on the entry's own keys: (value, class, key index).
    /// Value is `tier << 16 | sub-score`, 0 for none; fuzzy only with a matcher.
    fn own(
        &self,
        i: usize,
        t: &Term,
        mut fuzzy: Option<&mut Matcher>,
        scratch: &mut Vec<char>,
    ) -> (u32, Class, usize) {
        let mut best = (0, Class::Name, 0);
        let mut keys = self.keys_of(i);
        let mut ki = 0;
        while let Some((class, key, all_ascii, no_ascii)) = keys.next_flagged() {
            ki += 1;
            match class {
                // Phones come last among a person's keys.
                Class::Phone if !t.digits => break,
                // Pinyin keys are letters (and whatever else the name has, which
                // its Name key matches at least as well).
                Class::Pinyin if t.digits || !t.ascii => continue,
                Class::Pinyin => {
                    let mut v = pinyin::best(key, t.text.as_bytes()).map_or(0, |f| f.value);
                    if v == 0
                        && let Some(m) = fuzzy.as_deref_mut()
                    {
                        v = pinyin::fuzzy(key, t, m, scratch);
                    }
                    if v > best.0 {
                        best = (v, class, ki - 1);
                    }
                    continue;
                }
                _ if (t.ascii && no_ascii) || (!t.ascii && all_ascii) => continue,
                _ => {}
            }
            let ki = ki - 1;
            let mut v = plain_match(key, t.text.as_bytes(), class);
            if v == 0
                && class.fuzzy()
                && let Some(m) = fuzzy.as_deref_mut()
            {
                v = fuzzy_match(m, key, t, scratch, None);
            }
            if v > best.0 {
                best = (v, class, ki);
            }
        }
        best
    }

    // ---- results -------------------------------------------------------

    /// Place entries from the area down to `p`.
    fn chain(&self, p: u32) -> Vec<u32> {
        let mut out = Vec::with_capacity(3);
        let mut cur = p;
        while cur != NONE && out.len() < 4 {
            out.push(cur);
            cur = self.parent[cur as usize];
        }
        out.reverse();
        out
    }

    fn cover_of(&self, p: u32) -> Option<String> {
        let mut cur = p;
        let mut steps = 0;
        while cur != NONE && steps < 4 {
            if let Some(&m) = self.direct.get(&cur)
                && self.live[m as usize]
            {
                return Some(self.name_of(m as usize).to_string());
            }
            cur = self.parent[cur as usize];
            steps += 1;
        }
        None
    }

    fn hit(
        &self,
        i: usize,
        key: u64,
        terms: &[Term],
        matcher: &mut Matcher,
        head: Option<&HeadPick>,
    ) -> Hit {
        let kind = self.kind[i];
        let e = i as u32;
        let mut fields = self.shown_of(i);
        let name = fields.next().unwrap_or("").to_string();
        let phones: Vec<String> = fields.map(str::to_string).collect();
        // The address: the chain of places, and where each starts (in chars).
        let chain = match kind {
            Kind::Resident => self.chain(self.parent[i]),
            Kind::Member => Vec::new(),
            _ => self.chain(e),
        };
        let mut address = String::new();
        let mut starts: Vec<(u32, usize)> = Vec::new();
        for p in &chain {
            if !address.is_empty() {
                address.push('/');
            }
            starts.push((*p, address.chars().count()));
            address.push_str(self.name_of(*p as usize));
        }
        let mut zone = chain.last().map(|p| self.ids[*p as usize]);
        if kind == Kind::Member {
            let mut zones: Vec<u32> = self
                .direct
                .iter()
                .filter(|(_, m)| **m == e)
                .map(|(z, _)| *z)
                .collect();
            zones.sort_unstable();
            let paths: Vec<String> = zones
                .iter()
                .filter(|z| self.live[**z as usize])
                .map(|z| {
                    self.chain(*z)
                        .iter()
                        .map(|p| self.name_of(*p as usize))
                        .collect::<Vec<_>>()
                        .join("/")
                })
                .collect();
            address = paths.join("; ");
            zone = zones
                .iter()
                .find(|z| self.live[**z as usize])
                .map(|z| self.ids[*z as usize]);
        }
        let household = match kind {
            Kind::Resident | Kind::Household => chain.last().map(|p| self.ids[*p as usize]),
            _ => None,
        };
        let cover = match (kind, chain.last()) {
            (Kind::Member, _) | (_, None) => None,
            (_, Some(&p)) => self.cover_of(p),
        };

        let mut name_match = Vec::new();
        let mut address_match = Vec::new();
        let mut phone_match = Vec::new();
        let mut shown_phone = phones.first().cloned();
        let mut scratch = Vec::new();
        for t in terms {
            let (own, class, ki) = self.own(i, t, Some(matcher), &mut scratch);
            // Which place above gave the best match, if that beats the own one.
            let mut via: Option<(u32, Class, usize, u32)> = None;
            let mut cur = self.parent[i];
            while cur != NONE {
                let c = cur as usize;
                let (v, cl, k) = self.own(c, t, None, &mut scratch);
                if v > 0 && v - INHERIT_PENALTY > own && via.is_none_or(|x| v > x.3) {
                    via = Some((cur, cl, k, v));
                }
                cur = self.parent[c];
            }
            match via {
                None if own > 0 => {
                    let Some((_, key)) = self.keys_of(i).nth(ki) else {
                        continue;
                    };
                    if class == Class::Pinyin {
                        name_match.extend(pinyin::highlight(key, t, matcher, &mut scratch));
                        continue;
                    }
                    let pos = positions(matcher, key, t, class, &mut scratch);
                    match class {
                        Class::Phone => {
                            let nth = self
                                .keys_of(i)
                                .take(ki)
                                .filter(|(c, _)| *c == Class::Phone)
                                .count();
                            if let Some(p) = phones.get(nth) {
                                shown_phone = Some(p.clone());
                                phone_match = digits_to_chars(p, &pos);
                            }
                        }
                        _ => name_match.extend(to_name_chars(&name, kind, class, key, &pos)),
                    }
                }
                Some((p, cl, k, _)) => {
                    let Some(&(_, start)) = starts.iter().find(|(q, _)| *q == p) else {
                        continue;
                    };
                    let Some((_, key)) = self.keys_of(p as usize).nth(k) else {
                        continue;
                    };
                    let chars = if cl == Class::Pinyin {
                        pinyin::highlight(key, t, matcher, &mut scratch)
                    } else {
                        let pos = positions(matcher, key, t, cl, &mut scratch);
                        let pname = self.name_of(p as usize);
                        to_name_chars(pname, self.kind[p as usize], cl, key, &pos)
                    };
                    address_match.extend(chars.into_iter().map(|x| x + start));
                }
                None => {}
            }
        }
        name_match.sort_unstable();
        name_match.dedup();
        address_match.sort_unstable();
        address_match.dedup();
        let head = head.map(|h| {
            let name = |e: Option<u32>| e.map(|e| self.name_of(e as usize).to_string());
            let phone = h
                .phone
                .and_then(|e| self.shown_of(e as usize).nth(1).map(str::to_string));
            Head {
                name: name(h.head).unwrap_or_default(),
                phone_of: phone.as_ref().and(name(h.phone)),
                phone,
            }
        });
        let tags = match kind {
            Kind::Resident | Kind::Member => self.tags_of(i),
            _ => Vec::new(),
        };
        let status = (kind == Kind::Resident).then(|| {
            let f = self.flags[i];
            if f & DECEASED != 0 {
                ResidentStatus::Deceased.code()
            } else if f & MOVED_OUT != 0 {
                ResidentStatus::MovedOut.code()
            } else {
                ResidentStatus::Present.code()
            }
        });
        Hit {
            kind: HitKind::of(kind),
            id: self.ids[i],
            name,
            address,
            phone: shown_phone,
            cover,
            household,
            zone,
            score: key >> 24,
            tier: Tier::from_value(((key >> 60) as u32) << 16),
            name_match,
            address_match,
            phone_match,
            tags,
            head,
            status,
        }
    }

    /// For each household entry `want` asks for, its head and the resident
    /// whose phone to call, in one pass over the entries.
    fn heads(&self, want: &[u32]) -> HashMap<u32, HeadPick> {
        let mut out: HashMap<u32, HeadPick> = want
            .iter()
            .filter(|e| self.kind[**e as usize] == Kind::Household)
            .map(|e| (*e, HeadPick::default()))
            .collect();
        if out.is_empty() {
            return out;
        }
        let mut marked = vec![0u64; self.ids.len().div_ceil(64)];
        for e in out.keys() {
            marked[*e as usize / 64] |= 1 << (e % 64);
        }
        // "First" is the store's order: by id.
        let earlier =
            |a: Option<u32>, b: u32| a.is_none_or(|a| self.ids[b as usize] < self.ids[a as usize]);
        for (i, &p) in self.parent.iter().enumerate() {
            if p == NONE || marked[p as usize / 64] & (1 << (p % 64)) == 0 {
                continue;
            }
            // As `contact::of`: who moved out or died is nobody's head
            // and no number to call.
            if !self.live[i] || self.kind[i] != Kind::Resident || self.flags[i] & GONE != 0 {
                continue;
            }
            let Some(h) = out.get_mut(&p) else { continue };
            let e = i as u32;
            let f = self.flags[i];
            if earlier(h.first, e) {
                h.first = Some(e);
            }
            if f & IS_HEAD != 0 && earlier(h.marked_head, e) {
                h.marked_head = Some(e);
            }
            if f & HAS_PHONE != 0 && earlier(h.first_phone, e) {
                h.first_phone = Some(e);
            }
        }
        for h in out.values_mut() {
            h.head = h.marked_head.or(h.first);
            h.phone = match h.head {
                Some(e) if self.flags[e as usize] & HAS_PHONE != 0 => Some(e),
                _ => h.first_phone,
            };
        }
        out
    }
}

/// One responsibility on a place: the member's entry (`NONE` for a member
/// no longer there) and its span, `until == i64::MAX` while it lasts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Span {
    place: u32,
    member: u32,
    since: i64,
    until: i64,
}

impl Span {
    fn active_at(&self, now: Ts) -> bool {
        self.since <= now.0 && self.until > now.0
    }
}

/// A household's head and whose phone to call, as entries.
#[derive(Clone, Copy, Default)]
struct HeadPick {
    first: Option<u32>,
    marked_head: Option<u32>,
    first_phone: Option<u32>,
    head: Option<u32>,
    phone: Option<u32>,
}

/// Pools smaller than this are scanned on the calling thread.
const PARALLEL_FROM: usize = 60_000;

/// The entries a scan looks at: all of them, or the matches of the previous query.
#[derive(Clone, Copy)]
enum Pool<'a> {
    All(u32),
    Range(u32, u32),
    List(&'a [u32]),
}

impl<'a> Pool<'a> {
    fn len(&self) -> usize {
        match self {
            Pool::All(n) => *n as usize,
            Pool::Range(a, b) => b.saturating_sub(*a) as usize,
            Pool::List(l) => l.len(),
        }
    }
    fn split(self, parts: usize) -> Vec<Pool<'a>> {
        let n = self.len();
        let step = n.div_ceil(parts.max(1)).max(1);
        (0..n)
            .step_by(step)
            .map(|from| {
                let to = (from + step).min(n);
                match self {
                    Pool::All(_) => Pool::Range(from as u32, to as u32),
                    Pool::List(l) => Pool::List(&l[from..to]),
                    Pool::Range(a, _) => Pool::Range(a + from as u32, a + to as u32),
                }
            })
            .collect()
    }
    fn iter(self) -> impl Iterator<Item = u32> + 'a {
        let (range, list) = match self {
            Pool::All(n) => (0..n, &[][..]),
            Pool::Range(a, b) => (a..b, &[][..]),
            Pool::List(l) => (0..0, l),
        };
        range.chain(list.iter().copied())
    }
}

/// Orders results best first (ties by entry, so results are stable) and keeps `limit`.
fn top(found: &mut Vec<(u64, u32)>, limit: usize) {
    let order = |a: &(u64, u32), b: &(u64, u32)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
    if found.len() > limit {
        found.select_nth_unstable_by(limit - 1, order);
        found.truncate(limit);
    }
    found.sort_unstable_by(order);
}

/// The value of an exact (tier 4), prefix (3) or substring (2) match:
/// `tier << 16 | sub-score`. The sub-score prefers keys with a bonus, then
/// keys the term covers more of (`extra` bytes left over), then matches that
/// start earlier (`pos`).
fn score(tier: u32, extra: usize, pos: usize, bonus: u32) -> u32 {
    let base = BASE + bonus * 1000;
    let extra = extra.min(50) as u32;
    let pos = pos.min(50) as u32;
    match tier {
        4.. => 4 << 16 | base,
        3 => 3 << 16 | (base - extra * 20),
        _ => 2 << 16 | (base - extra * 20 - pos * 5),
    }
}

/// Exact, prefix or substring match of a folded term on a folded key:
/// `tier << 16 | sub-score`, or 0.
fn plain_match(key: &[u8], term: &[u8], class: Class) -> u32 {
    if term.len() > key.len() || term.is_empty() {
        return 0;
    }
    let extra = key.len() - term.len();
    if same(&key[..term.len()], term) {
        let tier = if extra == 0 { 4 } else { 3 };
        return score(tier, extra, 0, class.bonus());
    }
    if class.substring()
        && let Some(pos) = find(key, term)
    {
        return score(2, extra, pos, class.bonus());
    }
    0
}

/// Byte equality without a library call: keys and terms are a few bytes long.
#[inline]
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let first = *needle.first()?;
    let last_start = hay.len().checked_sub(needle.len())?;
    (0..=last_start).find(|&s| hay[s] == first && same(&hay[s..s + needle.len()], needle))
}

/// Whether `needle`'s bytes appear in order in `hay`: a cheap necessary
/// condition for a fuzzy match.
fn subsequence(hay: &[u8], needle: &[u8]) -> bool {
    let mut it = hay.iter();
    needle.iter().all(|b| it.any(|h| h == b))
}

fn utf32<'a>(key: &'a [u8], scratch: &'a mut Vec<char>) -> Utf32Str<'a> {
    if key.is_ascii() {
        Utf32Str::Ascii(key)
    } else {
        scratch.clear();
        scratch.extend(String::from_utf8_lossy(key).chars());
        Utf32Str::Unicode(scratch)
    }
}

/// nucleo's fzf-style fuzzy score of `t` on `key`, as a fuzzy-tier value.
fn fuzzy_match(
    m: &mut Matcher,
    key: &[u8],
    t: &Term,
    scratch: &mut Vec<char>,
    indices: Option<&mut Vec<u32>>,
) -> u32 {
    if t.chars.len() > key.len() || !subsequence(key, t.text.as_bytes()) {
        return 0;
    }
    let needle = if t.text.is_ascii() {
        Utf32Str::Ascii(t.text.as_bytes())
    } else {
        Utf32Str::Unicode(&t.chars)
    };
    let hay = utf32(key, scratch);
    let score = match indices {
        Some(ix) => m.fuzzy_indices(hay, needle, ix),
        None => m.fuzzy_match(hay, needle),
    };
    match score {
        Some(s) => 1 << 16 | (s as u32).min(BASE - 1),
        None => 0,
    }
}

/// Char positions in `key` that `t` matched.
fn positions(
    m: &mut Matcher,
    key: &[u8],
    t: &Term,
    class: Class,
    scratch: &mut Vec<char>,
) -> Vec<usize> {
    let term = t.text.as_bytes();
    let char_at = |byte: usize| String::from_utf8_lossy(&key[..byte]).chars().count();
    if plain_match(key, term, class) > 0 {
        let start = if key.starts_with(term) {
            0
        } else {
            find(key, term).unwrap_or(0)
        };
        let from = char_at(start);
        return (from..from + t.chars.len()).collect();
    }
    let mut ix = Vec::new();
    if fuzzy_match(m, key, t, scratch, Some(&mut ix)) > 0 {
        ix.sort_unstable();
        return ix.into_iter().map(|x| x as usize).collect();
    }
    Vec::new()
}

/// Maps positions in a key back to char indices of the shown name.
fn to_name_chars(name: &str, kind: Kind, class: Class, key: &[u8], pos: &[usize]) -> Vec<usize> {
    match class {
        Class::Name => {
            // The key dropped whitespace: the n-th key char is the n-th non-space char.
            let visible: Vec<usize> = name
                .chars()
                .enumerate()
                .filter(|(_, c)| !c.is_whitespace())
                .map(|(i, _)| i)
                .collect();
            pos.iter()
                .filter_map(|p| visible.get(*p).copied())
                .collect()
        }
        Class::Code if kind == Kind::Household => {
            // A room matched: it is the end of the label.
            let room = String::from_utf8_lossy(key).chars().count();
            let label = name.chars().count();
            let start = label.saturating_sub(room);
            pos.iter()
                .map(|p| start + p)
                .filter(|p| *p < label)
                .collect()
        }
        // Pinyin keys map their matches to chars themselves; tags show no highlight.
        Class::Code | Class::Phone | Class::Tag | Class::Pinyin => Vec::new(),
    }
}

/// Maps positions among a phone's digits to char indices of the phone as shown.
fn digits_to_chars(phone: &str, pos: &[usize]) -> Vec<usize> {
    let digits: Vec<usize> = phone
        .chars()
        .enumerate()
        .filter(|(_, c)| c.is_ascii_digit())
        .map(|(i, _)| i)
        .collect();
    pos.iter().filter_map(|p| digits.get(*p).copied()).collect()
}

// The TUI builds the index on a background thread and searches from its own.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<LookupIndex>();
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rooms_are_read_as_the_roster_writes_them() {
        let read = |q: &str| -> Vec<String> { parse(q).into_iter().map(|t| t.text).collect() };
        for q in [
            "2单元501",
            "2单元501室",
            "2单元-501",
            "2单元501号",
            "２单元５０１室",
            "2-501室",
            "2-501号",
            "２－５０１",
            "2—501",
        ] {
            assert_eq!(read(q), ["2-501"], "{q}");
        }
        assert_eq!(read("2单元"), ["2-"]);
        assert_eq!(read("501室"), ["501"]);
        assert_eq!(read("501号"), ["501"]);
        assert_eq!(read("3栋2单元501室"), ["3栋", "2-501"]);
        assert_eq!(read("3号楼2-501"), ["3号楼", "2-501"]);
        assert_eq!(read("3栋501"), ["3栋", "501"]);
        assert_eq!(read("张三 2单元501"), ["张三", "2-501"]);
        // Not rooms: kept as typed.
        for q in ["5号", "3栋", "单元", "幸福2单元", "2单元楼", "号", "室"] {
            assert_eq!(read(q), [q], "{q}");
        }
        // A query of many glued addresses still stops at the term limit.
        assert_eq!(parse(&["3栋2单元501"; 9].join(" ")).len(), MAX_TERMS);
    }

    #[test]
    fn tiers_order() {
        let exact = plain_match(b"zs", b"zs", Class::Name);
        let prefix = plain_match(b"zsf", b"zs", Class::Name);
        let sub = plain_match(b"azs", b"zs", Class::Name);
        assert!(exact > prefix && prefix > sub && sub > 0);
        assert_eq!(plain_match(b"1502", b"50", Class::Code), 0);
        assert!(plain_match(b"501", b"50", Class::Code) > 0);
    }

    /// Of two 张三 who match alike, the one who lives there comes first;
    /// one who moved out or died still before a worse match.
    #[test]
    fn residents_who_left_or_died_come_after_those_who_live_there() {
        let mut ix = LookupIndex::empty(false);
        let area = ix.push_place(Kind::Area, Id(1), NONE, "胜利花苑", "slhy");
        let building = ix.push_place(Kind::Building, Id(2), area, "3栋", "3");
        let phone = vec!["13800001111".to_string()];
        let mut person = |id: u128, room: &str, name: &str, status| {
            let h = ix.push_place(Kind::Household, Id(id), building, room, room);
            let p = Person {
                name,
                phones: &phone,
                tags: std::borrow::Cow::Borrowed(&[]),
                head: true,
                status,
            };
            ix.put_person(NONE, Kind::Resident, Id(id + 100), h, &p);
        };
        // Entered first, so index order alone would put them first.
        person(10, "1-101", "张三", ResidentStatus::MovedOut);
        person(11, "1-102", "张三", ResidentStatus::Deceased);
        person(12, "1-103", "张三", ResidentStatus::Present);
        person(13, "1-104", "张三丰", ResidentStatus::Present);
        for q in ["张三", "zhangsan", "zs"] {
            let hits = ix.search(q, 10);
            let order: Vec<(&str, Option<&str>)> =
                hits.iter().map(|h| (h.name.as_str(), h.status)).collect();
            assert_eq!(
                order,
                [
                    ("张三", Some("present")),
                    ("张三", Some("moved-out")),
                    ("张三", Some("deceased")),
                    ("张三丰", Some("present")),
                ],
                "{q}"
            );
            assert_eq!(hits[0].tier, hits[1].tier, "{q}");
            assert!(hits[0].score > hits[1].score, "{q}");
            assert!(hits.windows(2).all(|w| w[0].score >= w[1].score), "{q}");
        }
    }

    #[test]
    fn pools_split_into_every_entry_once() {
        let list: Vec<u32> = (10..107).collect();
        for pool in [
            Pool::All(97),
            Pool::Range(5, 102),
            Pool::List(&list),
            Pool::All(0),
            Pool::All(3),
        ] {
            for parts in 1..6 {
                let whole: Vec<u32> = pool.iter().collect();
                let joined: Vec<u32> = pool
                    .split(parts)
                    .into_iter()
                    .flat_map(|p| p.iter())
                    .collect();
                assert_eq!(whole, joined);
            }
        }
    }

    #[test]
    fn terms_split_on_spaces_and_slashes() {
        let t = parse("  ZS　slhy/3/2-501 ");
        let texts: Vec<&str> = t.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, vec!["zs", "slhy", "3", "2-501"]);
        assert!(t[2].digits && !t[3].digits);
        assert!(parse("   ").is_empty());
        assert_eq!(parse(&"x ".repeat(100)).len(), MAX_TERMS);
    }
}
