//! gridbook, the app: the command line (`cli`) and the terminal UI (`tui`)
//! over the workspace's crates. See the README's module map.
//!
//! The lower crates' modules are re-exported under their old names so that
//! tests and benches read `gridbook::store`, `gridbook::model` and so on.

pub mod cli;
pub mod env;
pub mod fail;
pub mod serve;
pub mod speak;
pub mod tui;

pub use gridbook_core::{
    address, backup, care, config, cover, demo, erase, export, generator, lifecycle, lookup,
    members_csv, merge, names, ops, plan, report, roster, seal, service, who, zoneview,
};
pub use gridbook_domain::{
    checklist, clock, contact, describe, error, floors, i18n, model, period, romanize, text,
    validate, variants, vocab, when,
};
pub use gridbook_store::{backups, codec, order, store};
