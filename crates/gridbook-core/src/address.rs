//! Addresses: `AREA[/BUILDING[/HOUSEHOLD]]`, each part a name or a short code
//! (`幸福小区/3栋/2-501`, `xf/3/2-501`).

use thiserror::Error;

use gridbook_domain::i18n::Lang;
use gridbook_domain::model::*;
use gridbook_domain::validate::halfwidth;
use gridbook_store::store::{Store, StoreError};

#[derive(Debug, Error)]
pub enum AddrError {
    #[error("empty address: expected AREA[/BUILDING[/HOUSEHOLD]], e.g. 胜利花苑/3栋/2-501")]
    Empty,
    #[error("too many parts in `{0}`: expected AREA[/BUILDING[/HOUSEHOLD]]")]
    TooDeep(String),
    #[error("no {level} `{part}`{within}{}", suggest(.suggestions))]
    Unknown {
        level: &'static str,
        part: String,
        within: String,
        suggestions: Vec<String>,
    },
    #[error("`{part}` is ambiguous{within}: {}", .candidates.join(", "))]
    Ambiguous {
        part: String,
        within: String,
        candidates: Vec<String>,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl gridbook_domain::error::Kinded for AddrError {
    fn kind(&self) -> gridbook_domain::error::ErrorKind {
        use gridbook_domain::error::ErrorKind;
        match self {
            AddrError::Store(e) => e.kind(),
            _ => ErrorKind::Input,
        }
    }
}

impl AddrError {
    /// The error in Chinese, or `None` for the store's own (the app says
    /// that with where to restore from). Here, not at the edge, so an
    /// importer can give a row's reason in Chinese.
    pub fn said_zh(&self) -> Option<String> {
        let z = |key: &str, args: &[&str]| Lang::Zh.f(&format!("contacts.err.{key}"), args);
        let within = |w: &str| match w.strip_prefix(" in ") {
            Some(place) => z("within", &[place]),
            None => w.to_string(),
        };
        // A place as listed (`钻井小区 (zjxq)`, `… (25 in all)`), in
        // Chinese punctuation.
        let place = |s: &String| {
            if let Some(n) = s
                .strip_prefix("… (")
                .and_then(|r| r.strip_suffix(" in all)"))
            {
                return z("in_all", &[n]);
            }
            match s.rsplit_once(" (") {
                Some((name, code)) if code.ends_with(')') => {
                    format!("{name}（{}）", &code[..code.len() - 1])
                }
                _ => s.to_string(),
            }
        };
        Some(match self {
            AddrError::Empty => z("addr_empty", &[]),
            AddrError::TooDeep(a) => z("addr_too_deep", &[a]),
            AddrError::Unknown {
                level,
                part,
                within: w,
                suggestions,
            } => {
                let suggest = if suggestions.is_empty() {
                    String::new()
                } else {
                    let said: Vec<String> = suggestions.iter().map(place).collect();
                    z("suggest", &[&said.join("、")])
                };
                let level = gridbook_domain::validate::word(Lang::Zh, level);
                z("addr_unknown", &[&level, part, &within(w), &suggest])
            }
            AddrError::Ambiguous {
                part,
                within: w,
                candidates,
            } => {
                let said: Vec<String> = candidates.iter().map(place).collect();
                z("addr_ambiguous", &[part, &within(w), &said.join("、")])
            }
            AddrError::Store(_) => return None,
        })
    }
}

fn suggest(s: &[String]) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", s.join(", "))
    }
}

/// A resolved zone with its ancestors. Short-lived, so the records are held inline.
#[derive(Clone, Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Zone {
    Area(Area),
    Building(Area, Building),
    Household(Area, Building, Household),
}

impl Zone {
    pub fn id(&self) -> Id {
        match self {
            Zone::Area(a) => a.meta.id,
            Zone::Building(_, b) => b.meta.id,
            Zone::Household(_, _, h) => h.meta.id,
        }
    }
    pub fn kind(&self) -> Kind {
        match self {
            Zone::Area(_) => Kind::Area,
            Zone::Building(..) => Kind::Building,
            Zone::Household(..) => Kind::Household,
        }
    }
    /// `胜利花苑/3栋/2-501`: the canonical address, by names.
    pub fn path(&self) -> String {
        match self {
            Zone::Area(a) => a.name.clone(),
            Zone::Building(a, b) => format!("{}/{}", a.name, b.name),
            Zone::Household(a, b, h) => format!("{}/{}/{}", a.name, b.name, h.label()),
        }
    }
    /// `sl/3/2-501`: the short address, by codes.
    pub fn short(&self) -> String {
        match self {
            Zone::Area(a) => a.code.clone(),
            Zone::Building(a, b) => format!("{}/{}", a.code, b.code),
            Zone::Household(a, b, h) => format!("{}/{}/{}", a.code, b.code, h.label()),
        }
    }
}

fn norm(s: &str) -> String {
    halfwidth(s.trim()).to_lowercase()
}

/// The number a building's name means, lower-cased: `1栋`, `1号楼`, `1幢`,
/// `1#`, `1号`, `1号栋`, `１栋` and `一栋` all give `1`; `A座` gives `a`. A
/// name that is no number (`综合楼`) gives itself, normalised. This is the one
/// rule that says two building names are the same building: addresses, the
/// roster import and new buildings' codes all use it.
pub fn building_key(name: &str) -> String {
    let n = norm(name);
    let mut bare = n.as_str();
    for suffix in ["号楼", "号栋", "号幢", "栋", "幢", "座", "#", "号", "楼"] {
        if let Some(x) = bare.strip_suffix(suffix)
            && !x.trim().is_empty()
        {
            bare = x.trim();
            break;
        }
    }
    if let Some(k) = chinese_number(bare) {
        return k.to_string();
    }
    if !bare.is_empty() && bare.chars().all(|c| c.is_ascii_alphanumeric()) {
        // `01栋` is building 1.
        if bare.chars().all(|c| c.is_ascii_digit()) {
            let t = bare.trim_start_matches('0');
            return if t.is_empty() { "0" } else { t }.to_string();
        }
        return bare.to_string();
    }
    n
}

/// `一` … `九十九` as a number.
fn chinese_number(s: &str) -> Option<u32> {
    let digit = |c: char| {
        "〇一二三四五六七八九"
            .chars()
            .position(|d| d == c)
            .map(|d| d as u32)
    };
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        [] => None,
        ['两'] => Some(2),
        ['十'] => Some(10),
        [c] => digit(*c),
        ['十', u] => Some(10 + digit(*u)?),
        [t, '十'] => Some(digit(*t)? * 10),
        [t, '十', u] => Some(digit(*t)? * 10 + digit(*u)?),
        _ => None,
    }
}

/// An area's name without its generic suffix (`幸福家园小区` → `幸福家园`), so
/// a file writing either matches the stored area.
pub fn area_key(name: &str) -> String {
    let n = norm(name);
    for suffix in ["小区", "社区", "片区", "住宅区"] {
        if let Some(x) = n.strip_suffix(suffix)
            && x.chars().count() >= 2
        {
            return x.to_string();
        }
    }
    n
}

/// A one-column address split into its parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split {
    pub area: String,
    pub building: String,
    pub unit: String,
    pub room: String,
}

/// Splits a roster's one-column address: `胜利花苑3号楼2单元501室`,
/// `胜利花苑3栋2-501`, `胜利花苑 3-2-501`, `胜利花苑3栋501`. A known area
/// name at the start is taken first (`known`, longest first); else the area
/// is the longest text before a building part.
pub fn split_address(text: &str, known: &[String]) -> Option<Split> {
    let t: String = halfwidth(text.trim())
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let mut known: Vec<&String> = known.iter().collect();
    known.sort_by_key(|k| std::cmp::Reverse(k.chars().count()));
    for k in known {
        let k: String = halfwidth(k)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if !k.is_empty()
            && let Some(rest) = t.strip_prefix(k.as_str())
            && let Some((building, unit, room)) = split_tail(rest)
        {
            return Some(Split {
                area: text_prefix(text, &k),
                building,
                unit,
                room,
            });
        }
    }
    // Candidates for where the building part starts: a digit, a Chinese
    // numeral or a letter that does not continue a number. The first one
    // that works leaves the longest area name.
    let chars: Vec<(usize, char)> = t.char_indices().collect();
    let is_num = |c: char| c.is_ascii_alphanumeric() || "〇一二三四五六七八九十两".contains(c);
    let mut best = None;
    for (j, &(i, c)) in chars.iter().enumerate() {
        if i == 0 || !is_num(c) || (j > 0 && is_num(chars[j - 1].1)) {
            continue;
        }
        if let Some((building, unit, room)) = split_tail(&t[i..]) {
            best = Some(Split {
                area: t[..i].to_string(),
                building,
                unit,
                room,
            });
        }
    }
    best
}

/// The area as written, for a prefix matched without its spaces.
fn text_prefix(text: &str, key: &str) -> String {
    let mut out = String::new();
    for c in halfwidth(text.trim()).chars() {
        if out.chars().filter(|c| !c.is_whitespace()).count() >= key.chars().count() {
            break;
        }
        out.push(c);
    }
    out.trim().to_string()
}

/// `3号楼2单元501室`, `3栋2-501`, `3-2-501`, `3栋501` → building, unit, room.
fn split_tail(s: &str) -> Option<(String, String, String)> {
    let s = s.strip_suffix('室').unwrap_or(s);
    let number = |x: &str| {
        !x.is_empty()
            && (x.chars().all(|c| c.is_ascii_alphanumeric()) || chinese_number(x).is_some())
    };
    let room_ok = |x: &str| {
        !x.is_empty()
            && x.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && x.chars().any(|c| c.is_ascii_digit())
    };
    // `3-2-501`
    let dashed: Vec<&str> = s.split('-').collect();
    if dashed.len() == 3
        && dashed
            .iter()
            .all(|p| p.chars().all(|c| c.is_ascii_alphanumeric()) && !p.is_empty())
    {
        return Some((
            dashed[0].to_string(),
            dashed[1].to_string(),
            dashed[2].to_string(),
        ));
    }
    for suffix in ["号楼", "号栋", "栋", "幢", "座", "#", "号"] {
        let Some((b, rest)) = s.split_once(suffix) else {
            continue;
        };
        if !number(b) || rest.is_empty() {
            continue;
        }
        let building = format!("{b}{suffix}");
        if let Some((u, r)) = rest.split_once("单元") {
            let r = r.trim_start_matches('-');
            if number(u) && room_ok(r) {
                return Some((building, u.to_string(), r.to_string()));
            }
            continue;
        }
        if let Some((u, r)) = rest.split_once('-')
            && number(u)
            && room_ok(r)
        {
            return Some((building, u.to_string(), r.to_string()));
        }
        if room_ok(rest) {
            return Some((building, String::new(), rest.to_string()));
        }
    }
    None
}

/// The item `part` names: its full name first (an exact full name always
/// resolves), then any of its keys, then the same under `loose` (the
/// building-number or area-suffix rule).
fn pick<'a, T>(
    items: &'a [T],
    part: &str,
    level: &'static str,
    within: &str,
    keys: impl Fn(&T) -> Vec<String>,
    loose: Option<fn(&str) -> String>,
    shown: impl Fn(&T) -> String,
) -> Result<&'a T, AddrError> {
    let want = norm(part);
    let by_name: Vec<&T> = items
        .iter()
        .filter(|t| keys(t).first().is_some_and(|k| norm(k) == want))
        .collect();
    if by_name.len() == 1 {
        return Ok(by_name[0]);
    }
    let mut hits: Vec<&T> = items
        .iter()
        .filter(|t| keys(t).iter().any(|k| norm(k) == want))
        .collect();
    if hits.is_empty()
        && let Some(loose) = loose
    {
        let want = loose(part);
        hits = items
            .iter()
            .filter(|t| keys(t).iter().any(|k| loose(k) == want))
            .collect();
    }
    match hits.len() {
        1 => Ok(hits[0]),
        0 => {
            let mut scored: Vec<(f64, String)> = items
                .iter()
                .map(|t| {
                    let best = keys(t)
                        .iter()
                        .map(|k| strsim::normalized_levenshtein(&norm(k), &want))
                        .fold(0.0, f64::max);
                    let contains = keys(t)
                        .iter()
                        .any(|k| norm(k).contains(&want) || want.contains(&norm(k)));
                    (best + if contains { 0.5 } else { 0.0 }, shown(t))
                })
                .filter(|(s, _)| *s > 0.3)
                .collect();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0));
            let mut suggestions: Vec<String> = scored.into_iter().take(3).map(|(_, s)| s).collect();
            if suggestions.is_empty() {
                // Nothing close: name what there is, so the next try can succeed.
                suggestions = items.iter().take(8).map(&shown).collect();
                if items.len() > 8 {
                    suggestions.push(format!("… ({} in all)", items.len()));
                }
            }
            Err(AddrError::Unknown {
                level,
                part: part.to_string(),
                within: within.to_string(),
                suggestions,
            })
        }
        _ => Err(AddrError::Ambiguous {
            part: part.to_string(),
            within: within.to_string(),
            candidates: hits.iter().map(|t| shown(t)).collect(),
        }),
    }
}

/// Resolves an address against the live places in the store.
pub fn resolve(store: &Store, addr: &str) -> Result<Zone, AddrError> {
    let parts: Vec<&str> = addr
        .split(['/', '／'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        return Err(AddrError::Empty);
    }
    if parts.len() > 3 {
        return Err(AddrError::TooDeep(addr.to_string()));
    }
    let areas = store.areas()?;
    let area = pick(
        &areas,
        parts[0],
        "area",
        "",
        |a| vec![a.name.clone(), a.code.clone()],
        Some(area_key),
        |a| format!("{} ({})", a.name, a.code),
    )?
    .clone();
    if parts.len() == 1 {
        return Ok(Zone::Area(area));
    }
    let buildings = store.buildings_of(area.meta.id)?;
    let building = pick(
        &buildings,
        parts[1],
        "building",
        &format!(" in {}", area.name),
        |b| vec![b.name.clone(), b.code.clone()],
        Some(building_key),
        |b| b.name.clone(),
    )?
    .clone();
    if parts.len() == 2 {
        return Ok(Zone::Building(area, building));
    }
    let households = store.households_of(building.meta.id)?;
    let within = format!(" in {}/{}", area.name, building.name);
    let wanted = norm(parts[2]).replace("单元", "-").replace("室", "");
    let exact: Vec<&Household> = households
        .iter()
        .filter(|h| norm(&h.label()) == wanted)
        .collect();
    let hits = if exact.is_empty() {
        // A bare room number is fine when only one unit has it.
        households
            .iter()
            .filter(|h| norm(&h.room) == wanted)
            .collect()
    } else {
        exact
    };
    match hits.len() {
        1 => Ok(Zone::Household(area, building, hits[0].clone())),
        0 => {
            let r = pick(
                &households,
                parts[2],
                "household",
                &within,
                |h| vec![h.label()],
                None,
                |h| h.label(),
            );
            match r {
                Ok(h) => Ok(Zone::Household(area, building, h.clone())),
                Err(e) => Err(e),
            }
        }
        _ => Err(AddrError::Ambiguous {
            part: parts[2].to_string(),
            within,
            candidates: hits.iter().map(|h| h.label()).collect(),
        }),
    }
}

/// The zone an id names, with its ancestors, for display.
pub fn zone_of(store: &Store, id: Id) -> Result<Option<Zone>, StoreError> {
    let Some((kind, _)) = store.kind_of(id)? else {
        return Ok(None);
    };
    Ok(match kind {
        Kind::Area => store.area(id)?.map(Zone::Area),
        Kind::Building => match store.building(id)? {
            Some(b) => store.area(b.area)?.map(|a| Zone::Building(a, b)),
            None => None,
        },
        Kind::Household => match store.household(id)? {
            Some(h) => match store.building(h.building)? {
                Some(b) => store.area(b.area)?.map(|a| Zone::Household(a, b, h)),
                None => None,
            },
            None => None,
        },
        _ => None,
    })
}
