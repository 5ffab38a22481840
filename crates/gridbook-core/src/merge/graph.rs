//! The version graph of one place or person: every edit of a field names
//! the versions it replaces ([`Stamp::replaces`]); the versions nothing
//! replaces are the field's heads. One head (or several saying the same):
//! that is the value. Heads saying different things: a conflict, kept for
//! people. A deletion racing an edit (an edit its deletion did not know
//! of) is a conflict too.
//!
//! Entries from before stamps name nothing; each replaces the unstamped
//! versions of its field written before it, which is what they did when
//! they were written on one device.

use std::collections::{BTreeSet, HashSet};

use gridbook_domain::model::*;
use gridbook_store::order::{self, OrderKey, Stamp};
use gridbook_store::projection::versions::VersionOf;
use gridbook_store::store::{Store, StoreError};

use super::fields::{DELETED, Fields};

/// One version of a field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    /// The entry that wrote it.
    pub id: Id,
    pub field: String,
    /// What it set the field to; a deletion's reason.
    pub value: String,
    /// What the field held when it was written.
    pub old: String,
    pub at: Ts,
    pub by: Option<Id>,
    pub stamp: Option<Stamp>,
    pub key: OrderKey,
    /// A deletion (a `Tombstoned` entry).
    pub deletes: bool,
}

impl Version {
    /// The version for an entry that is one, with its stamp.
    pub fn of(e: &Event, stamp: Option<&Stamp>) -> Option<Version> {
        let (field, value, old, deletes) = match &e.body {
            EventBody::Edited {
                field, old, new, ..
            } => (field.clone(), new.clone(), old.clone(), false),
            EventBody::Tombstoned { reason, .. } => {
                (DELETED.to_string(), reason.clone(), String::new(), true)
            }
            _ => return None,
        };
        Some(Version {
            id: e.id,
            field,
            value,
            old,
            at: e.at,
            by: e.by,
            stamp: stamp.cloned(),
            key: order::order_key(e, stamp),
            deletes,
        })
    }

    /// The record an entry is a version of.
    pub fn target(e: &Event) -> Option<Id> {
        match &e.body {
            EventBody::Edited { target, .. } | EventBody::Tombstoned { target, .. } => {
                Some(*target)
            }
            _ => None,
        }
    }

    /// Whether the record is deleted once this version holds.
    fn is_deletion(&self) -> bool {
        self.field == DELETED && !self.value.is_empty()
    }
}

/// What a field's heads say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Settled {
    /// Never edited: the record's own value stands.
    Unedited,
    /// One value (one head, or several agreeing).
    Value(String),
    /// Heads disagree: the provisional value shown until someone chooses,
    /// the value the field held before the earliest of them (in the order
    /// every device agrees on).
    Conflict { provisional: String },
}

/// A deletion racing edits it did not know of.
#[derive(Clone, Debug)]
pub struct Race<'a> {
    pub deletion: &'a Version,
    pub edits: Vec<&'a Version>,
}

/// Every version of one record's fields.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    pub versions: Vec<Version>,
    replaced: HashSet<Id>,
}

impl Graph {
    pub fn new(mut versions: Vec<Version>) -> Graph {
        versions.sort_by_key(|v| v.key);
        versions.dedup_by_key(|v| v.id);
        let replaced = versions
            .iter()
            .filter_map(|v| v.stamp.as_ref())
            .flat_map(|s| s.replaces.iter().copied())
            .collect();
        Graph { versions, replaced }
    }

    /// The graph of `record` as the store holds it, with `extra` versions
    /// (a batch being merged) added.
    pub fn read(store: &Store, record: Id, extra: &[Version]) -> Result<Graph, StoreError> {
        let mut versions = extra.to_vec();
        for (id, what) in store.versions_of(record)? {
            if !matches!(what, VersionOf::Edited(_) | VersionOf::Deleted) {
                continue;
            }
            if let Some(e) = store.event(id)? {
                let stamp = store.stamp(id)?;
                versions.extend(Version::of(&e, stamp.as_ref()));
            }
        }
        Ok(Graph::new(versions))
    }

    pub fn is_empty(&self) -> bool {
        self.versions.is_empty()
    }

    /// The fields with versions, in name order.
    pub fn fields(&self) -> BTreeSet<&str> {
        self.versions.iter().map(|v| v.field.as_str()).collect()
    }

    /// The heads of `field`, earliest first.
    pub fn heads(&self, field: &str) -> Vec<&Version> {
        let of_field: Vec<&Version> = self.versions.iter().filter(|v| v.field == field).collect();
        // The unstamped version written last stands for all unstamped ones.
        let last_unstamped = of_field
            .iter()
            .filter(|v| v.stamp.is_none())
            .max_by_key(|v| v.key)
            .map(|v| v.id);
        of_field
            .into_iter()
            .filter(|v| !self.replaced.contains(&v.id))
            .filter(|v| v.stamp.is_some() || Some(v.id) == last_unstamped)
            .collect()
    }

    /// Every head of every field: what an edit settling the record names.
    pub fn all_heads(&self) -> Vec<Id> {
        self.fields()
            .into_iter()
            .flat_map(|f| self.heads(f).into_iter().map(|v| v.id))
            .collect()
    }

    /// What `field`'s heads say.
    pub fn settle(&self, field: &str) -> Settled {
        let heads = self.heads(field);
        let Some(first) = heads.first() else {
            return Settled::Unedited;
        };
        let agree = if field == DELETED {
            heads.iter().all(|h| h.is_deletion() == first.is_deletion())
        } else {
            heads.iter().all(|h| h.value == first.value)
        };
        if agree {
            Settled::Value(first.value.clone())
        } else {
            Settled::Conflict {
                provisional: first.old.clone(),
            }
        }
    }

    /// The fields whose heads disagree.
    pub fn conflicts(&self) -> Vec<&str> {
        self.fields()
            .into_iter()
            .filter(|f| matches!(self.settle(f), Settled::Conflict { .. }))
            .collect()
    }

    /// A deletion that stands while edits it did not know of are heads of
    /// other fields.
    pub fn race(&self) -> Option<Race<'_>> {
        let deletions: Vec<&Version> = self
            .heads(DELETED)
            .into_iter()
            .filter(|h| h.is_deletion())
            .collect();
        let deletion = *deletions.first()?;
        if !matches!(self.settle(DELETED), Settled::Value(_)) {
            return None;
        }
        let knew = |d: &Version, h: &Version| match &d.stamp {
            Some(s) => s.replaces.contains(&h.id),
            // Both from before stamps: written on one device, in this order.
            None => h.stamp.is_none() && h.key < d.key,
        };
        let edits: Vec<&Version> = self
            .fields()
            .into_iter()
            .filter(|f| *f != DELETED)
            .flat_map(|f| self.heads(f))
            .filter(|h| !deletions.iter().any(|d| knew(d, h)))
            .collect();
        (!edits.is_empty()).then_some(Race { deletion, edits })
    }

    /// Sets every field of `r` the graph speaks for to what it settles on,
    /// and its deletion.
    pub fn apply_to<R: Fields + gridbook_store::store::Record>(&self, r: &mut R) {
        for field in self.fields() {
            if field == DELETED {
                continue;
            }
            let at = self.heads(field).first().map_or(Ts(0), |h| h.at);
            match self.settle(field) {
                Settled::Unedited => {}
                Settled::Value(v) | Settled::Conflict { provisional: v } => r.set(field, &v, at),
            }
        }
        let heads = self.heads(DELETED);
        match self.settle(DELETED) {
            Settled::Unedited => {}
            Settled::Value(_) => {
                let first = heads[0];
                r.meta_mut().tombstone = first.is_deletion().then(|| Tombstone {
                    at: first.at,
                    by: first.by,
                    reason: first.value.clone(),
                });
            }
            // A deletion and a restoring racing: the record stays as it was
            // before the earlier of them.
            Settled::Conflict { .. } => {
                let first = heads[0];
                if first.deletes {
                    r.meta_mut().tombstone = None;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(
        n: u64,
        field: &str,
        old: &str,
        new: &str,
        device: u128,
        replaces: &[Id],
    ) -> Version {
        let id = Id::from_parts(1_000 + n as i64, n as u128);
        let stamp = Stamp {
            lamport: n,
            device: Id(device),
            seq: n,
            replaces: replaces.to_vec(),
        };
        let e = Event::with_id(
            id,
            Id(9),
            Ts(1_000 + n as i64),
            None,
            EventBody::Edited {
                target: Id(9),
                kind: Kind::Resident,
                field: field.into(),
                old: old.into(),
                new: new.into(),
            },
        );
        Version::of(&e, Some(&stamp)).unwrap()
    }

    #[test]
    fn one_head_is_the_value_and_two_disagreeing_heads_a_conflict() {
        let a = version(1, "name", "王芳", "王芳芳", 1, &[]);
        let b = version(2, "name", "王芳芳", "王芳华", 1, &[a.id]);
        let g = Graph::new(vec![a.clone(), b.clone()]);
        assert_eq!(g.settle("name"), Settled::Value("王芳华".into()));
        let c = version(3, "name", "王芳芳", "王小芳", 2, &[a.id]);
        let g = Graph::new(vec![c.clone(), a.clone(), b.clone()]);
        assert_eq!(
            g.settle("name"),
            Settled::Conflict {
                provisional: "王芳芳".into()
            }
        );
        let d = version(4, "phones", "", "13800000000", 2, &[]);
        let g = Graph::new(vec![a.clone(), b.clone(), d]);
        assert!(g.conflicts().is_empty(), "different fields both apply");
        let e = version(5, "name", "王芳芳", "王芳华", 2, &[a.id]);
        assert!(
            Graph::new(vec![a, b, e]).conflicts().is_empty(),
            "the same change twice agrees"
        );
    }
}
