//! Patrols: the latest patrol of each kind on each area or building.
//!
//! Keys: `LastPatrol` holds `zone ++ patrol kind byte` → `at` (8 bytes, the
//! greatest, so the latest).

use std::collections::HashMap;

use gridbook_domain::model::*;

use super::hierarchy::Ancestry;
use super::{Cx, Projection};
use crate::error::Result;
use crate::keys;
use crate::schema::Tree;
use crate::store::Store;

pub const PROJECTION: Projection = Projection {
    name: "patrols",
    trees: &[Tree::LastPatrol],
    stage,
};

fn key(zone: Id, kind: PatrolKind) -> Vec<u8> {
    let mut k = zone.to_bytes().to_vec();
    k.push(kind.byte());
    k
}

fn stage(cx: &mut Cx<'_>, e: &Event, _anc: &Ancestry) -> Result<()> {
    match &e.body {
        EventBody::Patrol(PatrolBody { kind, .. }) => {
            cx.put_max(
                Tree::LastPatrol,
                key(e.zone, *kind),
                keys::ts(e.at).to_vec(),
            )?;
        }
        // A correction changes what a patrol found, not when it was.
        EventBody::Amended { .. }
        | EventBody::Assigned { .. }
        | EventBody::AssignmentEnded { .. }
        | EventBody::Visit(_)
        | EventBody::ProblemOpened(_)
        | EventBody::ProblemStepped(_)
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
    /// The latest patrol of a kind on a zone.
    pub fn last_patrol(&self, zone: Id, kind: PatrolKind) -> Result<Option<Ts>> {
        Ok(self
            .get_raw(Tree::LastPatrol, &key(zone, kind))?
            .and_then(|v| keys::ts_from(&v)))
    }

    /// The latest patrol of each kind on every zone patrolled: one pass.
    pub fn last_patrols(&self) -> Result<HashMap<(Id, PatrolKind), Ts>> {
        let mut out = HashMap::new();
        self.each(Tree::LastPatrol, &[], |k, v| {
            let kind = PatrolKind::ALL
                .into_iter()
                .find(|p| k.get(16) == Some(&p.byte()));
            if let (Some(kind), Some(z), Some(t)) = (kind, keys::id_at(k, 0), keys::ts_from(v)) {
                out.insert((z, kind), t);
            }
            Ok(true)
        })?;
        Ok(out)
    }
}
