//! gridbook's core: validated operations, queries (addresses, cover, zone
//! views, reports), data in and out (roster, members, export, backups), the
//! lookup index, and the demo estate and generator.

pub mod address;
pub mod backup;
pub mod care;
pub mod config;
pub mod cover;
pub mod demo;
pub mod erase;
pub mod export;
pub mod firstscreen;
pub mod generator;
pub mod ledger;
pub mod lifecycle;
pub mod lookup;
pub mod members_csv;
pub mod merge;
pub mod names;
pub mod ops;
pub mod plan;
pub mod progress;
pub mod relocate;
pub mod report;
pub mod roster;
pub mod seal;
pub mod service;
pub mod sheet;
pub mod sync;
pub mod trends;
pub mod views;
pub mod who;
pub mod zoneview;
