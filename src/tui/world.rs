//! What effects, jobs and screens read: the store and the session, as a
//! read-only `World` that a job can take to another thread, and the small
//! readers they share.

use std::collections::HashSet;

use gridbook_core::address;
use gridbook_core::config::Config;
use gridbook_core::cover;
use gridbook_core::report;
use gridbook_domain::checklist::Checklists;
use gridbook_domain::i18n::Lang;
use gridbook_domain::model::*;
use gridbook_domain::vocab::{self, Vocabulary};
use gridbook_store::store::Store;

/// The word lists a user can override in the config directory, loaded as
/// the checklists are: care groups (`care.toml`) and activity kinds
/// (`activities.toml`); the shipped lists when there is no file.
#[derive(Clone, Debug)]
pub struct Lists {
    pub care: Vocabulary,
    pub activities: Vocabulary,
}

impl Lists {
    pub fn shipped() -> Lists {
        Lists {
            care: vocab::care::groups(None).expect("the shipped care groups parse (tested)"),
            activities: vocab::shipped_activity_kinds().clone(),
        }
    }

    /// The lists with the user's files in `config_dir` laid over ours; a
    /// bad file is an error naming it.
    pub fn load(config_dir: Option<&std::path::Path>) -> Result<Lists, String> {
        let read = |name: &str| -> Option<(String, String)> {
            let path = config_dir?.join(name);
            let text = std::fs::read_to_string(&path).ok()?;
            Some((path.display().to_string(), text))
        };
        let care = read("care.toml");
        let activities = read("activities.toml");
        Ok(Lists {
            care: vocab::care::groups(care.as_ref().map(|(f, t)| (f.as_str(), t.as_str())))?,
            activities: vocab::activity_kinds(
                activities.as_ref().map(|(f, t)| (f.as_str(), t.as_str())),
            )?,
        })
    }
}

/// What effects and jobs read besides the store: the session, read-only,
/// so that a job can run on another thread.
#[derive(Clone, Copy)]
pub struct World<'a> {
    pub store: &'a Store,
    pub lang: Lang,
    pub config: &'a Config,
    pub checklists: &'a Checklists,
    pub lists: &'a Lists,
    pub me: Option<Id>,
    /// Filled when `my zones` is on.
    pub my_zones: bool,
    /// The browser lists care households only (and the places holding them).
    pub care_only: bool,
}

/// The shipped config, checklists and lists, owned: what a bench, an
/// example or a test needs to build a [`World`] with nothing read from disk.
pub struct Shipped {
    pub config: Config,
    pub checklists: Checklists,
    pub lists: Lists,
}

impl Default for Shipped {
    fn default() -> Shipped {
        Shipped {
            config: Config::default(),
            checklists: Checklists::shipped(),
            lists: Lists::shipped(),
        }
    }
}

impl Shipped {
    /// A world over `store` for nobody in particular: no member, no filters.
    pub fn world<'a>(&'a self, store: &'a Store, lang: Lang) -> World<'a> {
        World {
            store,
            lang,
            config: &self.config,
            checklists: &self.checklists,
            lists: &self.lists,
            me: None,
            my_zones: false,
            care_only: false,
        }
    }
}

pub(crate) fn t(w: &World, key: &str) -> String {
    w.lang.t(key).to_string()
}

pub(crate) use super::error::UiError;

pub(crate) type R<T> = Result<T, UiError>;

/// For `.map_err(err)?`: any error the UI knows becomes a `UiError`.
pub(crate) fn err<E: Into<UiError>>(e: E) -> UiError {
    e.into()
}

/// Zones I cover now and their ancestors, for the "my zones" filter.
pub(crate) fn my_zone_sets(w: &World) -> R<Option<(HashSet<Id>, HashSet<Id>)>> {
    let (Some(me), true) = (w.me, w.my_zones) else {
        return Ok(None);
    };
    let mut direct = HashSet::new();
    let mut above = HashSet::new();
    for (z, _) in report::zones_of(w.store, me, Ts::now()).map_err(err)? {
        direct.insert(z);
        for (_, a) in w.store.ancestry(z).map_err(err)?.into_iter().skip(1) {
            above.insert(a);
        }
    }
    Ok(Some((direct, above)))
}

pub(crate) fn cover_name(w: &World, zone: Id, now: Ts) -> R<String> {
    Ok(match cover::covering(w.store, zone, now).map_err(err)? {
        Some(c) if c.direct => c.name,
        Some(c) => format!("{} ↑", c.name),
        None => "—".to_string(),
    })
}

pub(crate) fn days_text(w: &World, t: Option<Ts>, now: Ts) -> String {
    match t {
        Some(t) => gridbook_domain::when::days_ago(w.lang, t.days_before(now)),
        None => w.lang.t("show.never").to_string(),
    }
}

pub(crate) fn choices(pairs: &[(&str, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(c, l)| (c.to_string(), l.clone()))
        .collect()
}

pub(crate) fn categories(w: &World) -> Vec<String> {
    w.config.categories.clone().unwrap_or_else(|| {
        gridbook_core::generator::PROBLEM_CATEGORIES
            .iter()
            .map(|s| s.to_string())
            .collect()
    })
}

pub(crate) fn zone_label(w: &World, id: Id) -> R<String> {
    Ok(address::zone_of(w.store, id)
        .map_err(err)?
        .map(|z| z.path())
        .unwrap_or_else(|| id.short()))
}

/// What an entry says now: its body, or that of its latest amendment.
pub(crate) fn effective_body(w: &World, e: &Event) -> R<EventBody> {
    let original = match &e.body {
        EventBody::Amended { supersedes, .. } => w
            .store
            .event(*supersedes)
            .map_err(err)?
            .ok_or(UiError::Gone)?,
        _ => e.clone(),
    };
    w.store.effective_body(&original).map_err(err)
}
