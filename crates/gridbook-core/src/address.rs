//! Addresses: `AREA[/BUILDING[/HOUSEHOLD]]`, each part a name or a short code
//! (`幸福小区/3栋/2-501`, `xf/3/2-501`).

use thiserror::Error;

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

/// `3栋`, `3号楼`, `3幢` and `3` all name building 3.
fn bare_building(s: &str) -> &str {
    let s = s.trim();
    for suffix in ["号楼", "栋", "幢", "楼", "号"] {
        if let Some(x) = s.strip_suffix(suffix)
            && !x.is_empty()
        {
            return x;
        }
    }
    s
}

fn pick<'a, T>(
    items: &'a [T],
    part: &str,
    level: &'static str,
    within: &str,
    keys: impl Fn(&T) -> Vec<String>,
    shown: impl Fn(&T) -> String,
) -> Result<&'a T, AddrError> {
    let want = norm(part);
    let hits: Vec<&T> = items
        .iter()
        .filter(|t| keys(t).iter().any(|k| norm(k) == want))
        .collect();
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
        |a| format!("{} ({})", a.name, a.code),
    )?
    .clone();
    if parts.len() == 1 {
        return Ok(Zone::Area(area));
    }
    let buildings = store.buildings_of(area.meta.id)?;
    let building = pick(
        &buildings,
        bare_building(parts[1]),
        "building",
        &format!(" in {}", area.name),
        |b| {
            vec![
                b.name.clone(),
                b.code.clone(),
                bare_building(&b.name).to_string(),
            ]
        },
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
