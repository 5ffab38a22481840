//! Progress of long work with a known total (rows of a roster, records of
//! an import or restore, households of a generated estate, entries replayed
//! by a check or rebuild), for a caller that shows it (the command line's
//! bar). It lives in the lowest crate with such a loop (the rebuild) and
//! names no terminal crate; `gridbook_core::progress` re-exports it. The
//! loops report through a [`Counter`], which calls out only every [`EVERY`]
//! items and once at the end, so a caller that shows nothing ([`Quiet`])
//! costs a counter's add.

/// Told how far long work has come: `done` of `total` items.
pub trait Progress {
    fn tick(&self, done: u64, total: u64);
}

/// Shows nothing: what the functions without a progress argument use.
pub struct Quiet;

impl Progress for Quiet {
    fn tick(&self, _: u64, _: u64) {}
}

impl<F: Fn(u64, u64)> Progress for F {
    fn tick(&self, done: u64, total: u64) {
        self(done, total)
    }
}

/// How many items pass between two reports.
pub const EVERY: u64 = 256;

/// Counts items for a [`Progress`]: reports 0 on creation, every
/// [`EVERY`] items, and `total` when finished.
pub struct Counter<'a> {
    to: &'a dyn Progress,
    done: u64,
    total: u64,
}

impl<'a> Counter<'a> {
    pub fn new(to: &'a dyn Progress, total: u64) -> Counter<'a> {
        to.tick(0, total);
        Counter { to, done: 0, total }
    }

    /// One more item done.
    pub fn step(&mut self) {
        self.done += 1;
        if self.done.is_multiple_of(EVERY) && self.done < self.total {
            self.to.tick(self.done, self.total);
        }
    }

    /// All done (also when some items were skipped on the way).
    pub fn finish(self) {
        self.to.tick(self.total, self.total);
    }
}
