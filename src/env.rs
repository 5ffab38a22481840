//! What every command and the TUI need: the resolved settings.

use std::path::{Path, PathBuf};

use gridbook_core::config::{self, Config};
use gridbook_core::ops::Ctx;
use gridbook_domain::i18n::Lang;
use gridbook_domain::model::Member;
use gridbook_store::store::Store;

use crate::fail::Fail;

/// What every command needs: the resolved settings.
pub struct Env {
    pub data: PathBuf,
    pub lang: Lang,
    pub config: Config,
    pub as_member: Option<String>,
}

impl Env {
    /// Settings from the global flags, then the config file, then defaults.
    pub fn resolve(
        data: Option<&Path>,
        lang: Option<Lang>,
        as_member: Option<String>,
    ) -> Result<Env, Fail> {
        let config = Config::load(config::config_dir().as_deref()).map_err(Fail::input)?;
        let data = config::data_dir(data).map_err(Fail::input)?;
        Ok(Env {
            lang: Lang::detect(lang, config.lang),
            as_member: as_member.or_else(|| config.me.clone()),
            data,
            config,
        })
    }

    pub fn open(&self) -> Result<Store, Fail> {
        Ok(Store::open(&self.data)?)
    }

    /// The writing member from `--as` / config, resolved against the store.
    pub fn me(&self, store: &Store) -> Result<Option<Member>, Fail> {
        match &self.as_member {
            None => Ok(None),
            Some(who) => Ok(Some(gridbook_core::who::member(store, who)?)),
        }
    }

    pub fn ctx(&self, store: &Store) -> Result<Ctx, Fail> {
        Ok(Ctx::now(self.me(store)?.map(|m| m.meta.id)))
    }
}
