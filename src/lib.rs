//! gridbook, the app: the command line (`cli`) and the terminal UI (`tui`)
//! over the workspace's crates. See the README's module map.
//!
//! The lower crates' modules are re-exported under their old names so that
//! tests and benches read `gridbook::store`, `gridbook::model` and so on.

/// The app's allocator: sled 0.34 allocates and copies a node on every
/// insert, and with glibc's malloc `gen` at 30,000 households spent 1.8×
/// the CPU (BENCHMARKS.md, "Generating and loading 100k households"). The
/// binary and the benches and examples that measure it declare it:
/// `#[global_allocator] static ALLOC: gridbook::Alloc = gridbook::ALLOC;`
#[cfg(not(target_env = "msvc"))]
pub type Alloc = tikv_jemallocator::Jemalloc;
#[cfg(not(target_env = "msvc"))]
pub const ALLOC: Alloc = tikv_jemallocator::Jemalloc;
/// jemalloc does not build for MSVC: the system's allocator there.
#[cfg(target_env = "msvc")]
pub type Alloc = std::alloc::System;
#[cfg(target_env = "msvc")]
pub const ALLOC: Alloc = std::alloc::System;

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
