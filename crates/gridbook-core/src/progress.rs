//! Progress of long work with a known total (rows of a roster, records of
//! an import or restore, households of a generated estate), for a caller
//! that shows it (the command line's bar). The loops report through a
//! [`Counter`], which calls out only every [`EVERY`] items and once at the
//! end, so a caller that shows nothing ([`Quiet`]) costs a counter's add.

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

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    #[test]
    fn counter_reports_a_rising_count_ending_at_the_total() {
        let seen = RefCell::new(Vec::new());
        let p = |d, t| seen.borrow_mut().push((d, t));
        let mut c = Counter::new(&p, 600);
        for _ in 0..600 {
            c.step();
        }
        c.finish();
        assert_eq!(
            *seen.borrow(),
            vec![(0, 600), (256, 600), (512, 600), (600, 600)]
        );
    }

    /// Every tick seen, checked to rise and to end at the total.
    fn rises_to_the_total(seen: &[(u64, u64)]) -> u64 {
        let total = seen.last().expect("ticks").1;
        assert!(seen.iter().all(|&(_, t)| t == total), "{seen:?}");
        assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0), "{seen:?}");
        assert_eq!(seen.first().map(|s| s.0), Some(0));
        assert_eq!(seen.last().map(|s| s.0), Some(total));
        assert!(seen.len() > 2, "ticks along the way: {seen:?}");
        total
    }

    #[test]
    fn gen_export_and_import_count_every_record() {
        use gridbook_domain::model::Ts;
        let est =
            crate::generator::generate(&crate::generator::Spec::large(120, 7, 600, Ts::now()));
        let records = (est.areas.len()
            + est.buildings.len()
            + est.households.len()
            + est.residents.len()
            + est.members.len()
            + est.events.len()) as u64;
        let dir = tempfile::tempdir().unwrap();
        let store = gridbook_store::store::Store::open(dir.path()).unwrap();
        let seen = RefCell::new(Vec::new());
        let p = |d, t| seen.borrow_mut().push((d, t));
        crate::generator::load_with(&store, &est, &p).unwrap();
        assert_eq!(rises_to_the_total(&seen.take()), records);

        let dump = crate::export::Dump::from_store_with(&store, &p).unwrap();
        assert_eq!(rises_to_the_total(&seen.take()), records);

        let dir2 = tempfile::tempdir().unwrap();
        let store2 = gridbook_store::store::Store::open(dir2.path()).unwrap();
        dump.load_into_with(&store2, &p).unwrap();
        assert_eq!(rises_to_the_total(&seen.take()), records);
    }
}
