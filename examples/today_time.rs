//! Times the TUI's Today job for the whole estate (no member) on the
//! estate `benches/tui.rs` caches, made here the same way when missing:
//! `today_time [HOUSEHOLDS [RUNS [member]]]`; with `member`, the Today of
//! the first member responsible for a zone (a signed-in grid worker's).

// What ships: the app's allocator (see `gridbook::Alloc`).
#[global_allocator]
static ALLOC: gridbook::Alloc = gridbook::ALLOC;

use std::path::Path;
use std::time::Instant;

use gridbook::generator::{self, Spec};
use gridbook::i18n::Lang;
use gridbook::model::Ts;
use gridbook::store::Store;
use gridbook::tui::jobs::Job;
use gridbook::tui::screens::ReportKind;

const HISTORY_ENDS: Ts = Ts(1_790_000_000_000);

fn main() {
    let households: usize = std::env::args()
        .nth(1)
        .map_or(100_000, |s| s.parse().unwrap());
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-data")
        .join(format!("tui-{households}-7"));
    if !dir.join("ready").exists() {
        let _ = std::fs::remove_dir_all(&dir);
        let store = Store::open(&dir).unwrap();
        let spec = Spec::large(households, 7, households * 10, HISTORY_ENDS);
        let t = Instant::now();
        let est = generator::generate(&spec);
        generator::load(&store, &est).unwrap();
        eprintln!("generated in {:.1?}", t.elapsed());
        drop(store);
        std::fs::write(dir.join("ready"), b"").unwrap();
    }
    let t = Instant::now();
    let store = Store::open(&dir).unwrap();
    eprintln!("open {:.1?}", t.elapsed());
    let shipped = gridbook::tui::world::Shipped::default();
    let mut w = shipped.world(&store, Lang::Zh);
    let runs: usize = std::env::args().nth(2).map_or(3, |s| s.parse().unwrap());
    if std::env::args().nth(3).as_deref() == Some("member") {
        let now = Ts::now();
        let member = store.members().unwrap().into_iter().find(|m| {
            !gridbook::report::zones_of(&store, m.meta.id, now)
                .unwrap()
                .is_empty()
        });
        let member = member.expect("a member responsible for a zone");
        let zones = gridbook::report::zones_of(&store, member.meta.id, now).unwrap();
        eprintln!("as a member with {} zones", zones.len());
        w.me = Some(member.meta.id);
    }
    for _ in 0..runs {
        let t = Instant::now();
        let m = Job::Report(ReportKind::Today).run(&w);
        eprintln!("today job {:.3?} ({} msgs)", t.elapsed(), m.len());
    }
}
