//! Open problems: which problems are open now, and where.
//!
//! Keys: `OpenProblems` holds `problem event` → its zone; `OpenByZone`
//! holds `zone ++ problem event` (empty value) under the problem's zone and
//! every zone containing it, so "open problems in this building" is one
//! prefix scan.

use gridbook_domain::model::*;

use super::hierarchy::Ancestry;
use super::{Cx, Projection};
use crate::error::Result;
use crate::keys;
use crate::schema::Tree;
use crate::store::Store;

pub const PROJECTION: Projection = Projection {
    name: "problems",
    trees: &[Tree::OpenProblems, Tree::OpenByZone],
    stage,
};

fn stage(cx: &mut Cx<'_>, e: &Event, anc: &Ancestry) -> Result<()> {
    match &e.body {
        EventBody::ProblemOpened(_) => open(cx, e.id, e.zone, anc),
        EventBody::ProblemStepped(ProblemSteppedBody { problem, step, .. }) => match step {
            ProblemStep::Resolved => {
                cx.del(Tree::OpenProblems, keys::id(*problem));
                for z in &anc.zones {
                    cx.del(Tree::OpenByZone, keys::pair(*z, *problem));
                }
            }
            ProblemStep::Reopened => open(cx, *problem, e.zone, anc),
            ProblemStep::Progress | ProblemStep::Comment => {}
        },
        // A correction changes what an entry says, not whether a problem is open.
        EventBody::Amended { .. }
        | EventBody::Assigned { .. }
        | EventBody::AssignmentEnded { .. }
        | EventBody::Visit(_)
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

fn open(cx: &mut Cx<'_>, problem: Id, zone: Id, anc: &Ancestry) {
    cx.put(Tree::OpenProblems, keys::id(problem), keys::id(zone));
    for z in &anc.zones {
        cx.put(Tree::OpenByZone, keys::pair(*z, problem), Vec::new());
    }
}

impl Store {
    /// Open problems as (problem event id, zone).
    pub fn open_problems(&self) -> Result<Vec<(Id, Id)>> {
        let mut out = Vec::new();
        self.each(Tree::OpenProblems, &[], |k, v| {
            if let (Some(p), Some(z)) = (keys::id_at(k, 0), keys::id_at(v, 0)) {
                out.push((p, z));
            }
            Ok(true)
        })?;
        Ok(out)
    }

    /// Open problems in `zone` or anything inside it, by problem id.
    pub fn open_problems_in(&self, zone: Id) -> Result<Vec<Id>> {
        let mut out = Vec::new();
        self.each(Tree::OpenByZone, &zone.to_bytes(), |k, _| {
            out.extend(keys::id_at(k, 16));
            Ok(true)
        })?;
        Ok(out)
    }

    /// How many problems are open in `zone` or anything inside it.
    pub fn open_problem_count(&self, zone: Id) -> Result<usize> {
        self.count_prefix(Tree::OpenByZone, &zone.to_bytes())
    }

    pub fn is_problem_open(&self, problem: Id) -> Result<bool> {
        Ok(self
            .get_raw(Tree::OpenProblems, &problem.to_bytes())?
            .is_some())
    }
}
