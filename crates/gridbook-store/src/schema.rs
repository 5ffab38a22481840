//! The store's schema: the trees it keeps, the version marker in `meta`,
//! migrations from older versions, and refusal of newer ones.

use crate::error::{Result, StoreError};
use crate::store::Store;

/// Bumped when the set of trees or their keys change; opening an older
/// store migrates it (see this module), a newer one is refused.
pub const SCHEMA_VERSION: u32 = 7;

/// The last schema that changed what records, events and stamps hold:
/// what an export or a sync batch carries and names as its schema. Later
/// versions changed only derived trees, so their exports stay readable by
/// a gridbook that knows this one (a team upgrades one laptop at a time).
pub const EXPORTED_SCHEMA: u32 = 6;

/// The key of the version marker in [`Tree::Meta`].
const SCHEMA_KEY: &[u8] = b"schema";

/// The trees, in a fixed order: an engine addresses them by position.
/// Records and events are the store's truth; the rest are projections
/// (see [`crate::projection`]), derived from them and rebuildable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tree {
    Meta,
    Areas,
    Buildings,
    Households,
    Residents,
    Members,
    Events,
    /// parent ++ first child → a run of child ids ([`crate::projection::runs`]).
    Children,
    /// zone ++ first event → a run of event ids: events of a zone and of
    /// everything inside it ([`crate::projection::runs`]).
    Timeline,
    /// member ++ first event → a run of event ids: events a member wrote or
    /// is the subject of.
    ByMember,
    /// zone ++ assignment event → `until` (8 bytes) once ended, empty while open.
    Assignments,
    /// problem event → zone, for problems that are open now.
    OpenProblems,
    /// follow-up date ++ visit event → household.
    FollowUps,
    /// zone ++ problem event → (): open problems under every zone that contains them.
    OpenByZone,
    /// household → at ++ visit event: the latest visit, one read per household.
    LastVisit,
    /// zone ++ patrol kind → at: the latest patrol of each kind.
    LastPatrol,
    /// visit event → its current follow-up date (after amendments).
    FollowUpOf,
    /// corrected event ++ amendment → (): the corrections of each entry.
    Amendments,
    /// first entry → a run of `(entry, stamp)` ([`crate::stamps`]): the
    /// order every device agrees on ([`crate::order::Stamp`]). Truth, not
    /// derived: it travels in exports.
    Order,
    /// record ++ entry → what the entry is to the record (created, a field
    /// edited, deleted): the versions of its fields ([`crate::projection::versions`]).
    Versions,
    /// entry id ++ hash → an entry from another device whose id is taken
    /// here by other bytes ([`crate::order::Quarantined`]).
    Quarantine,
    /// record or event id → kind byte ++ commit number: written here and not
    /// yet sent to the office ([`crate::outbox`]).
    Outbox,
    /// sync's own small state: which batches of each device are applied.
    SyncState,
    /// owner ++ first resident → a run of resident ids: the present
    /// residents who can be in a care group, by why
    /// ([`crate::projection::care`]); a whole-estate care count reads these
    /// instead of every resident.
    Care,
}

/// Kept under its old name for readers of older code.
pub use Tree as T;

impl Tree {
    pub const ALL: [Tree; 24] = [
        Tree::Meta,
        Tree::Areas,
        Tree::Buildings,
        Tree::Households,
        Tree::Residents,
        Tree::Members,
        Tree::Events,
        Tree::Children,
        Tree::Timeline,
        Tree::ByMember,
        Tree::Assignments,
        Tree::OpenProblems,
        Tree::FollowUps,
        Tree::OpenByZone,
        Tree::LastVisit,
        Tree::LastPatrol,
        Tree::FollowUpOf,
        Tree::Amendments,
        Tree::Order,
        Tree::Versions,
        Tree::Quarantine,
        Tree::Outbox,
        Tree::SyncState,
        Tree::Care,
    ];

    /// Where records and events live: the store's truth.
    pub const PRIMARY: [Tree; 6] = [
        Tree::Areas,
        Tree::Buildings,
        Tree::Households,
        Tree::Residents,
        Tree::Members,
        Tree::Events,
    ];

    /// The name the engine keeps the tree under. Changing one is a schema change.
    pub fn name(self) -> &'static str {
        match self {
            Tree::Meta => "meta",
            Tree::Areas => "areas",
            Tree::Buildings => "buildings",
            Tree::Households => "households",
            Tree::Residents => "residents",
            Tree::Members => "members",
            Tree::Events => "events",
            Tree::Children => "idx_children",
            Tree::Timeline => "idx_timeline",
            Tree::ByMember => "idx_by_member",
            Tree::Assignments => "idx_assignments",
            Tree::OpenProblems => "idx_open_problems",
            Tree::FollowUps => "idx_follow_ups",
            Tree::OpenByZone => "idx_open_by_zone",
            Tree::LastVisit => "idx_last_visit",
            Tree::LastPatrol => "idx_last_patrol",
            Tree::FollowUpOf => "idx_follow_up_of",
            Tree::Amendments => "idx_amendments",
            Tree::Order => "order",
            Tree::Versions => "idx_versions",
            Tree::Quarantine => "quarantine",
            Tree::Outbox => "outbox",
            Tree::SyncState => "sync_state",
            Tree::Care => "idx_care",
        }
    }

    pub fn from_name(name: &str) -> Option<Tree> {
        Tree::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Every tree's name, in the order of [`Tree::ALL`]: what an engine opens.
    pub fn names() -> Vec<&'static str> {
        Tree::ALL.iter().map(|t| t.name()).collect()
    }

    /// The engine's handle for this tree (its position in [`Tree::ALL`]).
    pub(crate) fn id(self) -> usize {
        self as usize
    }
}

/// Trees that are derived from records and events and can be rebuilt: the
/// projections' trees.
pub const DERIVED: [Tree; 13] = [
    Tree::Children,
    Tree::Timeline,
    Tree::ByMember,
    Tree::Assignments,
    Tree::OpenProblems,
    Tree::FollowUps,
    Tree::OpenByZone,
    Tree::LastVisit,
    Tree::LastPatrol,
    Tree::FollowUpOf,
    Tree::Amendments,
    Tree::Versions,
    Tree::Care,
];

impl Store {
    /// Reads the marker and brings the store to [`SCHEMA_VERSION`]: an empty
    /// store is stamped, an older one migrated, a newer one refused.
    pub(crate) fn check_schema(&self, tell: &dyn Fn(crate::store::OpenWork)) -> Result<()> {
        let upgrade = |from: u32| {
            tell(crate::store::OpenWork::Upgrade {
                from,
                to: SCHEMA_VERSION,
            });
            self.migrate(from)
        };
        let found = self.get_raw(Tree::Meta, SCHEMA_KEY)?.map(|v| {
            let arr: [u8; 4] = v.as_slice().try_into().unwrap_or([0; 4]);
            u32::from_be_bytes(arr)
        });
        match found {
            Some(v) if v == SCHEMA_VERSION => Ok(()),
            Some(v) if v > SCHEMA_VERSION => Err(StoreError::TooNew {
                dir: self.dir().to_path_buf(),
                found: v,
            }),
            Some(v) => upgrade(v),
            None if self.is_empty() => self.set_schema(SCHEMA_VERSION),
            // Data without a schema marker predates versioning: version 0.
            None => upgrade(0),
        }
    }

    pub(crate) fn set_schema(&self, v: u32) -> Result<()> {
        self.engine().commit(&[crate::engine::Op::put(
            Tree::Meta.id(),
            SCHEMA_KEY.to_vec(),
            v.to_be_bytes().to_vec(),
        )])?;
        self.flush()
    }

    /// The schema its exports name: the store's, up to [`EXPORTED_SCHEMA`].
    pub fn exported_schema(&self) -> Result<u32> {
        Ok(self.schema_version()?.min(EXPORTED_SCHEMA))
    }

    /// The schema marker; 0 when the store has none (version 0 had none).
    pub fn schema_version(&self) -> Result<u32> {
        Ok(self
            .get_raw(Tree::Meta, SCHEMA_KEY)?
            .and_then(|v| v.as_slice().try_into().ok().map(u32::from_be_bytes))
            .unwrap_or(0))
    }

    /// Brings an older store up to [`SCHEMA_VERSION`], one step at a time.
    /// Version 0 had the same records without a marker; version 1 lacked the
    /// latest-visit and latest-patrol indexes. Both steps rebuild the indexes.
    /// Version 3 kept one entry per child and per timeline event; version 5
    /// one entry per record for its parent and per entry for its stamp.
    fn migrate(&self, from: u32) -> Result<()> {
        let mut v = from;
        while v < SCHEMA_VERSION {
            match v {
                0 => {
                    self.rebuild()?;
                }
                1 => {
                    // Version 1 kept every visit and patrol in time-ordered
                    // indexes; version 2 keeps only the latest of each.
                    for old in ["idx_visits", "idx_patrols"] {
                        self.engine().drop_tree(old)?;
                    }
                    self.rebuild()?;
                }
                2 => self.upgrade_records()?,
                // Schema 4 keeps timelines, member events and children as
                // runs of ids and adds the versions index; both come from a
                // rebuild. Entries written before stay unstamped and replay
                // first, in the order they were written ([`crate::order`]).
                3 => {
                    if !self.pack_runs()? {
                        // Done by opening, into a fresh store (see there).
                        return Ok(());
                    }
                }
                // Schema 5 lists each resident's moves in the versions
                // index (concurrent moves are settled and shown from it).
                4 => self.index_moves()?,
                // Schema 6 reads where a record hangs from the record and
                // keeps stamps in runs: fewer entries, a smaller store.
                5 => {
                    if !self.drop_parents_and_pack_stamps()? {
                        // Done by opening, into a fresh store (see there).
                        return Ok(());
                    }
                }
                // Schema 7 indexes the residents who can be in a care group.
                6 => self.index_care()?,
                other => {
                    return Err(StoreError::Invalid(format!(
                        "no migration from schema version {other}"
                    )));
                }
            }
            v += 1;
            self.set_schema(v)?;
        }
        // Counts were not kept before, or may have moved with the records.
        self.recount()
    }

    /// Schema 2 → 3: rewrites buildings, households, residents and members
    /// in the schema-3 shape (see [`crate::legacy`]). Values already in the
    /// new shape are left alone, so a killed migration resumes where it
    /// stopped; each tree is rewritten in one atomic write set.
    fn upgrade_records(&self) -> Result<()> {
        use gridbook_domain::model::{Building, Household, Member, Resident};
        fn rewrite<R: crate::store::Record + crate::legacy::Upgrade>(
            store: &Store,
            tree: Tree,
        ) -> Result<()> {
            let mut ops = Vec::new();
            for kv in store.engine().scan(tree.id(), crate::keys::all()) {
                let (k, v) = kv?;
                if crate::codec::decode::<R>(&v).is_ok() {
                    continue;
                }
                let r = R::upgrade(&v).map_err(|source| StoreError::Codec {
                    what: R::KIND.code(),
                    source,
                })?;
                let bytes = crate::codec::encode(&r).map_err(|source| StoreError::Codec {
                    what: R::KIND.code(),
                    source,
                })?;
                ops.push(crate::engine::Op::put(tree.id(), k, bytes));
            }
            store.engine().commit(&ops)
        }
        rewrite::<Building>(self, Tree::Buildings)?;
        rewrite::<Household>(self, Tree::Households)?;
        rewrite::<Resident>(self, Tree::Residents)?;
        rewrite::<Member>(self, Tree::Members)?;
        self.flush()
    }

    /// Schema 4 → 5: each `Moved` gets its entry in the versions index,
    /// written straight from the events instead of a rebuild (minutes at
    /// 100k households, for what is usually a handful of moves). A store
    /// where one resident moved more than once may list it under two
    /// households (schema 4 took a move out of its `from`, not out of where
    /// the resident was listed), so that store is rebuilt. Idempotent: a
    /// kill before the version is set repeats the same puts.
    fn index_moves(&self) -> Result<()> {
        let mut ops = Vec::new();
        for e in self.events() {
            let e = e?;
            if let gridbook_domain::model::EventBody::Moved { resident, .. } = e.body {
                ops.push(crate::engine::Op::put(
                    Tree::Versions.id(),
                    crate::keys::pair(resident, e.id),
                    vec![crate::projection::versions::MOVED],
                ));
            }
        }
        if ops.is_empty() {
            return Ok(());
        }
        self.engine().commit(&ops)?;
        if !self.residents_moved_twice()?.is_empty() {
            self.rebuild()?;
        }
        self.flush()
    }

    /// Schema 5 → 6: the parent index (`idx_parent`, one entry per record)
    /// goes, since every record names its parent, and the stamps in
    /// `order` (one entry per stamped entry) are packed into runs
    /// ([`crate::stamps`]). In memory that is done in place. On disk,
    /// sled's file would keep the space of what went (it never shrinks),
    /// so opening copies the store into a fresh one beside it and swaps
    /// it in all or nothing ([`Store::compact`]), as for schema 4. Returns
    /// whether the step is done; until it is, the store stays at version 5.
    fn drop_parents_and_pack_stamps(&self) -> Result<bool> {
        if !self.dir().as_os_str().is_empty() {
            self.compact_wanted
                .store(true, std::sync::atomic::Ordering::SeqCst);
            return Ok(false);
        }
        let stamps = self.stamps()?;
        self.engine().clear(Tree::Order.id())?;
        self.engine().apply(crate::stamps::packed(stamps)?)?;
        self.engine().drop_tree("idx_parent")?;
        Ok(true)
    }

    /// Schema 6 → 7: the care index ([`crate::projection::care`]), from one
    /// pass over the residents. The tree is emptied first, so a migration
    /// cut short (and edits an older gridbook made since) leave nothing
    /// stale behind.
    fn index_care(&self) -> Result<()> {
        self.engine().clear(Tree::Care.id())?;
        let ops = crate::projection::care::from_residents(self)?;
        self.write_sorted(ops)?;
        self.flush()
    }

    /// Schema 3 → 4: the children and the timelines (`idx_children`,
    /// `idx_timeline`, `idx_by_member`) held one entry per parent and child,
    /// zone (or member) and event; they become runs of ids
    /// ([`crate::projection::runs`]), rebuilt from the records and events.
    /// In memory that is a rebuild in place. On disk, rewriting in place
    /// would leave the old entries as garbage in sled's log (its file never
    /// shrinks), so opening does the step once the store is open, with
    /// [`Store::repack`]: a fresh store built beside this one and swapped
    /// in all or nothing. Returns whether the step is done; until it is,
    /// the store stays at version 3.
    fn pack_runs(&self) -> Result<bool> {
        if self.dir().as_os_str().is_empty() {
            self.rebuild()?;
            return Ok(true);
        }
        self.repack_wanted
            .store(true, std::sync::atomic::Ordering::SeqCst);
        Ok(false)
    }

    /// Writes `v` as the stored schema version, so tests can make a store
    /// look as if a newer gridbook wrote it.
    #[doc(hidden)]
    pub fn set_schema_version_for_tests(&self, v: u32) {
        self.set_schema(v).expect("write the schema version");
    }
}
