//! Amendments: the corrections of each entry, so what an entry says now is
//! one lookup.
//!
//! Keys: `Amendments` holds `corrected event ++ amendment event` (empty
//! value); the last one under an entry is its latest correction.

use gridbook_domain::model::*;

use super::hierarchy::Ancestry;
use super::{Cx, Projection};
use crate::error::Result;
use crate::keys;
use crate::schema::Tree;
use crate::store::Store;

pub const PROJECTION: Projection = Projection {
    name: "amendments",
    trees: &[Tree::Amendments],
    stage,
};

fn stage(cx: &mut Cx<'_>, e: &Event, _anc: &Ancestry) -> Result<()> {
    match &e.body {
        EventBody::Amended { supersedes, .. } => {
            cx.put(Tree::Amendments, keys::pair(*supersedes, e.id), Vec::new());
        }
        EventBody::Assigned { .. }
        | EventBody::AssignmentEnded { .. }
        | EventBody::Visit(_)
        | EventBody::ProblemOpened(_)
        | EventBody::ProblemStepped(_)
        | EventBody::Patrol(_)
        | EventBody::Edited { .. }
        | EventBody::Created { .. }
        | EventBody::Tombstoned { .. }
        | EventBody::Activity(_)
        | EventBody::Moved { .. }
        | EventBody::Merged { .. }
        | EventBody::Erased { .. } => {}
    }
    Ok(())
}

impl Store {
    /// The corrections of an entry, oldest first.
    pub fn amendments_of(&self, event: Id) -> Result<Vec<Id>> {
        let mut out = Vec::new();
        self.each(Tree::Amendments, &event.to_bytes(), |k, _| {
            out.extend(keys::id_at(k, 16));
            Ok(true)
        })?;
        Ok(out)
    }

    /// What an entry says now: its own body, or its latest correction's.
    pub fn effective_body(&self, e: &Event) -> Result<EventBody> {
        let mut latest = None;
        self.each_rev(Tree::Amendments, &e.id.to_bytes(), |k, _| {
            latest = keys::id_at(k, 16);
            Ok(false)
        })?;
        if let Some(a) = latest.map(|a| self.event(a)).transpose()?.flatten()
            && let EventBody::Amended { replacement, .. } = a.body
        {
            return Ok(replacement.body());
        }
        Ok(e.body.clone())
    }
}
