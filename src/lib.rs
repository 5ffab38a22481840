//! gridbook: community grid work from the keyboard. See the README's module map.

pub mod address;
pub mod backup;
pub mod checklist;
pub mod cli;
pub mod codec;
pub mod config;
pub mod cover;
pub mod demo;
pub mod describe;
pub mod generator;
pub mod i18n;
pub mod members_csv;
pub mod model;
pub mod names;
pub mod ops;
pub mod romanize;
pub mod roster;
pub mod store;
pub mod text;
pub mod tui;
pub mod validate;
pub mod when;
pub mod zoneview;
