//! Progress of long work: the [`Progress`] callback and its [`Counter`],
//! defined beside the store's rebuild loop (`gridbook_store::progress`) and
//! re-exported here for the core's loops (import, export, restore, gen).

pub use gridbook_store::progress::{Counter, EVERY, Progress, Quiet};

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
            + est.event_count()) as u64;
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

    #[test]
    fn check_rebuild_and_a_members_import_count_every_entry() {
        use gridbook_domain::model::Ts;
        let est = crate::generator::generate(&crate::generator::Spec::large(80, 3, 400, Ts::now()));
        let entries = (est.areas.len()
            + est.buildings.len()
            + est.households.len()
            + est.residents.len()
            + est.members.len()
            + est.event_count()) as u64;
        let store = gridbook_store::store::Store::memory().unwrap();
        crate::generator::load_with(&store, &est, &Quiet).unwrap();
        let seen = RefCell::new(Vec::new());
        let p = |d, t| seen.borrow_mut().push((d, t));
        store.rebuild_with(&p).unwrap();
        assert_eq!(rises_to_the_total(&seen.take()), entries);
        // A check replays every entry, then decodes each on its own.
        assert!(store.check_with(&p).unwrap().is_clean());
        assert_eq!(rises_to_the_total(&seen.take()), 2 * entries);

        let mut csv = String::from("姓名,电话\n");
        for i in 0..600 {
            csv.push_str(&format!("党员{i},1380000{i:04}\n"));
        }
        let t = crate::roster::table::csv("m.csv", csv.as_bytes()).unwrap();
        let ctx = crate::ops::Ctx {
            now: Ts::now(),
            by: None,
        };
        let report = crate::members_csv::import_table_with(&store, ctx, &t, &p).unwrap();
        assert_eq!(report.members_added, 600);
        assert_eq!(rises_to_the_total(&seen.take()), 600);
    }
}
