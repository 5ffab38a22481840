//! gridbook's domain: what a grid worker's records are and the rules they
//! follow. Pure: no files, no store, no terminal. Every other crate of the
//! workspace builds on this one.

pub mod checklist;
pub mod clock;
pub mod contact;
pub mod describe;
pub mod error;
pub mod floors;
pub mod i18n;
pub mod model;
pub mod period;
pub mod romanize;
pub mod text;
pub mod validate;
pub mod variants;
pub mod vocab;
pub mod when;
