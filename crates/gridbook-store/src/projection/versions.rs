//! Versions: the entries that made each place and person what it is (its
//! creation, each field edit, its deletion), and the steps of each problem,
//! so the version graph of a record or a problem is one prefix scan.
//!
//! Keys: `Versions` holds `record ++ entry` → a tag byte (`c` created, `e`
//! edited, `t` deleted, `s` a step of the problem, `m` a move of the
//! resident) followed by the field's name for an edit.

use gridbook_domain::model::*;

use super::hierarchy::Ancestry;
use super::{Cx, Projection};
use crate::error::Result;
use crate::keys;
use crate::schema::Tree;
use crate::store::Store;

pub const PROJECTION: Projection = Projection {
    name: "versions",
    trees: &[Tree::Versions],
    stage,
};

/// What an entry is to the record it changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VersionOf {
    Created,
    Edited(String),
    Deleted,
    /// A step of the problem.
    Step,
    /// A move of the resident (`Moved`).
    Moved,
}

/// The tag of a resident's move (the schema 4 → 5 step writes it too).
pub(crate) const MOVED: u8 = b'm';

fn stage(cx: &mut Cx<'_>, e: &Event, _anc: &Ancestry) -> Result<()> {
    let (target, value) = match &e.body {
        EventBody::Created { target, .. } => (*target, vec![b'c']),
        EventBody::Edited { target, field, .. } => {
            let mut v = vec![b'e'];
            v.extend_from_slice(field.as_bytes());
            (*target, v)
        }
        EventBody::Tombstoned { target, .. } => (*target, vec![b't']),
        EventBody::ProblemStepped(ProblemSteppedBody { problem, .. }) => (*problem, vec![b's']),
        EventBody::Moved { resident, .. } => (*resident, vec![MOVED]),
        EventBody::Assigned { .. }
        | EventBody::AssignmentEnded { .. }
        | EventBody::Visit(_)
        | EventBody::ProblemOpened(_)
        | EventBody::Patrol(_)
        | EventBody::Amended { .. }
        | EventBody::Activity(_)
        | EventBody::Merged { .. }
        // The redaction it asks for rewrites the record; no version of its own.
        | EventBody::Erased { .. } => return Ok(()),
    };
    cx.put(Tree::Versions, keys::pair(target, e.id), value);
    Ok(())
}

fn decode(v: &[u8]) -> Option<VersionOf> {
    let (tag, rest) = v.split_first()?;
    Some(match tag {
        b'c' => VersionOf::Created,
        b'e' => VersionOf::Edited(String::from_utf8_lossy(rest).into_owned()),
        b't' => VersionOf::Deleted,
        b's' => VersionOf::Step,
        b'm' => VersionOf::Moved,
        _ => return None,
    })
}

impl Store {
    /// The entries that created, edited, deleted or moved `record`, and a
    /// problem's steps, in id order.
    pub fn versions_of(&self, record: Id) -> Result<Vec<(Id, VersionOf)>> {
        let mut out = Vec::new();
        self.each(Tree::Versions, &record.to_bytes(), |k, v| {
            if let (Some(id), Some(what)) = (keys::id_at(k, 16), decode(v)) {
                out.push((id, what));
            }
            Ok(true)
        })?;
        Ok(out)
    }

    /// Every record with more than one edit of a field or both an edit and
    /// a deletion: the only ones a merge can leave in conflict. One scan of
    /// the index, reading no entry.
    pub fn records_with_versions(&self) -> Result<Vec<Id>> {
        let mut out = Vec::new();
        let mut current: Option<Id> = None;
        let mut fields: Vec<Vec<u8>> = Vec::new();
        let mut flagged = false;
        self.each(Tree::Versions, &[], |k, v| {
            let Some(record) = keys::id_at(k, 0) else {
                return Ok(true);
            };
            if current != Some(record) {
                current = Some(record);
                fields.clear();
                flagged = false;
            }
            if flagged || matches!(v.first(), Some(b'c' | b's' | b'm')) {
                return Ok(true);
            }
            let deleted_and_edited = (v.first() == Some(&b't') && !fields.is_empty())
                || fields.iter().any(|f| f == b"t");
            if fields.iter().any(|f| f.as_slice() == v) || deleted_and_edited {
                flagged = true;
                out.push(record);
            } else {
                fields.push(if v.first() == Some(&b't') {
                    b"t".to_vec()
                } else {
                    v.to_vec()
                });
            }
            Ok(true)
        })?;
        Ok(out)
    }

    /// Every problem with more than one step, in id order.
    pub fn problems_with_steps(&self) -> Result<Vec<Id>> {
        self.with_two(b's')
    }

    /// Every resident moved more than once, in id order: the only ones
    /// two laptops can have moved at once.
    pub fn residents_moved_twice(&self) -> Result<Vec<Id>> {
        self.with_two(b'm')
    }

    /// The records with at least two entries tagged `tag`: one scan of the
    /// index, reading no entry.
    fn with_two(&self, tag: u8) -> Result<Vec<Id>> {
        let mut out = Vec::new();
        let mut current: Option<(Id, usize)> = None;
        self.each(Tree::Versions, &[], |k, v| {
            if v.first() != Some(&tag) {
                return Ok(true);
            }
            let Some(record) = keys::id_at(k, 0) else {
                return Ok(true);
            };
            match &mut current {
                Some((p, n)) if *p == record => {
                    *n += 1;
                    if *n == 2 {
                        out.push(record);
                    }
                }
                _ => current = Some((record, 1)),
            }
            Ok(true)
        })?;
        Ok(out)
    }
}
