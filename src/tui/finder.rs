//! The TUI's side of quick lookup: owns the index, builds it off the UI
//! thread, and keeps it following every change saved.

use crate::model::Id;
use crate::store::Store;

/// One result, as the overlay needs it.
#[derive(Clone, Debug)]
pub struct FoundRow {
    pub kind: &'static str,
    pub name: String,
    pub name_match: Vec<usize>,
    pub address: String,
    pub phone: Option<String>,
    pub cover: Option<String>,
    pub zone: Option<Id>,
}

#[derive(Default)]
pub struct Finder {}

impl Finder {
    pub fn start(&mut self, _store: &Store) {}
    pub fn poll_ready(&mut self, _store: &Store) -> bool {
        false
    }
    pub fn ready(&mut self, _store: &Store) -> bool {
        false
    }
    pub fn search(&mut self, _query: &str, _limit: usize) -> Vec<FoundRow> {
        Vec::new()
    }
    pub fn refresh_household(&mut self, _store: &Store, _household: Id) {}
    pub fn refresh_member(&mut self, _store: &Store, _member: Id) {}
    pub fn refresh_place(&mut self, _store: &Store, _place: Id) {}
    pub fn refresh_all_covers(&mut self, _store: &Store) {}
    pub fn remove(&mut self, _id: Id) {}
}
