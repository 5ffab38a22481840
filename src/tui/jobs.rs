//! Slow work off the UI thread. A job (a report, the import preview) is
//! asked for by `update` as [`Effect::Job`](super::update::Effect) with a
//! ticket; the runner answers with [`Msg::JobDone`] carrying the same
//! ticket, and `update` keeps the answer only if it still waits for that
//! ticket. As in gitui's `AsyncSingleJob`, the latest request wins: a
//! request made while another waits replaces it, and a result nobody waits
//! for any more is dropped.
//!
//! Jobs run in three lanes ([`Lane`]): what the screen waits for (a report,
//! a plan, the import preview), a column of the list in view (an area's
//! buildings' "not visited" counts) and the side pane's chart. Each lane
//! keeps only its latest request, so moving along a list never cancels a
//! report being loaded, and a report never cancels the chart.
//!
//! Three runners: `Inline` runs a job where it is asked for (tests and
//! benches stay deterministic), `Deferred` holds the latest request of each
//! lane until [`Runner::finish`] (tests of the loading state), and `Worker`
//! is one background thread (the real terminal).

use std::sync::mpsc::{Receiver, Sender, TryRecvError};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::Scope;

use gridbook_core::config::Config;
use gridbook_domain::checklist::Checklists;
use gridbook_domain::i18n::Lang;
use gridbook_domain::model::Id;
use gridbook_store::store::Store;

use super::effects;
use super::screens::{self, ReportKind};
use super::update::Msg;
use super::world::{Lists, R, World};

/// Work that may take longer than a frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Job {
    Report(ReportKind),
    /// The plan of a building.
    Plan(Id),
    /// Read a roster and try it on the store without writing.
    ImportPreview(String),
    /// The zone pane's chart for a zone.
    Chart(Id),
    /// The "not visited" column of an area's buildings list: each
    /// building's households not visited lately (a read per household).
    NotVisited {
        area: Id,
        buildings: Vec<Id>,
    },
    /// Sync with the community office; the progress line reads `SyncProgress`.
    Sync(SyncProgress),
    /// Count what merges left for people (the header's ⚠) when the
    /// session starts on the browser.
    CountWarnings,
}

/// Where a running sync is, written by the job and read by the frame.
#[derive(Clone, Default)]
pub struct SyncProgress(Arc<Mutex<Option<String>>>);

impl SyncProgress {
    fn set(&self, text: String) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(text);
        }
    }

    /// The progress line, once the sync has said where it is.
    pub fn text(&self) -> Option<String> {
        self.0.lock().ok().and_then(|s| s.clone())
    }
}

impl PartialEq for SyncProgress {
    fn eq(&self, other: &SyncProgress) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}
impl Eq for SyncProgress {}

impl std::fmt::Debug for SyncProgress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SyncProgress")
    }
}

/// Runs one sync on the TUI's store (it holds the data directory's lock);
/// its answer is the summary line, or the one line of its error.
fn sync(w: &World, progress: &SyncProgress) -> Vec<Msg> {
    use gridbook_core::sync::{self as s, Summary};
    let lang = w.lang;
    let result = s::sync(w.store, w.store.dir(), s::Options::default(), &mut |step| {
        progress.set(Summary::step_text(step, lang))
    });
    vec![match result {
        Ok(summary) if summary.erased > 0 => Msg::Synced(
            format!("{}{}", summary.line(lang), lang.t("erasesync.on_quit")),
            false,
        ),
        Ok(summary) => Msg::Synced(summary.line(lang), false),
        Err(e) => {
            use crate::speak::Speak;
            let text = match lang {
                Lang::Zh => e.zh(),
                Lang::En => e.to_string(),
            };
            Msg::Synced(text, true)
        }
    }]
}

/// Which requests replace each other: one of each lane waits at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lane {
    /// What the screen shows loading until it comes.
    Screen,
    /// A column of the list in view, drawn as "…" until it comes.
    List,
    /// The side pane's chart, drawn as "…" until it comes.
    Pane,
}

impl Job {
    /// Runs the job against the store; failures become an error status.
    pub fn run(&self, w: &World) -> Vec<Msg> {
        let result = match self {
            Job::Report(kind) => screens::load(w, *kind).and_then(|r| with_warnings(w, *kind, r)),
            Job::Plan(building) => screens::plan::load(w, *building),
            Job::ImportPreview(path) => effects::import_preview(w, path),
            Job::Chart(zone) => screens::browse::chart(w, *zone),
            Job::NotVisited { area, buildings } => {
                screens::browse::not_visited(w, *area, buildings)
            }
            Job::Sync(progress) => Ok(sync(w, progress)),
            Job::CountWarnings => screens::conflicts::count(w).map(|n| vec![Msg::Warnings(n)]),
        };
        result.unwrap_or_else(|e| vec![Msg::Status(e.say(w.lang), true)])
    }

    /// What the screen says it is waiting for.
    pub fn describe(&self, lang: Lang) -> &'static str {
        let key = match self {
            Job::Report(kind) => screens::loading(*kind),
            Job::Plan(_) => screens::plan::LOADING,
            Job::ImportPreview(_) => "job.import",
            Job::Chart(_) => "chartjob.chart_loading",
            Job::NotVisited { .. } => "keys.counting_not_visited",
            Job::Sync(_) => "sync.job",
            Job::CountWarnings => "merge.tui.counting",
        };
        lang.t(key)
    }

    pub fn lane(&self) -> Lane {
        match self {
            Job::Report(_)
            | Job::Plan(_)
            | Job::ImportPreview(_)
            | Job::Sync(_)
            | Job::CountWarnings => Lane::Screen,
            Job::NotVisited { .. } => Lane::List,
            Job::Chart(_) => Lane::Pane,
        }
    }
}

/// The latest request of each lane, not yet started.
#[derive(Debug, Default)]
pub struct Waiting {
    screen: Option<Request>,
    list: Option<Request>,
    pane: Option<Request>,
}

impl Waiting {
    /// Keeps `req`, replacing the request of its lane.
    pub fn put(&mut self, req: Request) {
        match req.job.lane() {
            Lane::Screen => self.screen = Some(req),
            Lane::List => self.list = Some(req),
            Lane::Pane => self.pane = Some(req),
        }
    }

    /// The next request to run: the screen's first, as a key waits on it,
    /// then the list's column (a table), then the pane's chart.
    pub fn take(&mut self) -> Option<Request> {
        self.screen
            .take()
            .or_else(|| self.list.take())
            .or_else(|| self.pane.take())
    }
}

/// A report, and for Today and the conflicts screen the ⚠ count (counted
/// here, on the runner), which Today also says in its summary.
fn with_warnings(w: &World, kind: ReportKind, mut r: super::state::Report) -> R<Vec<Msg>> {
    if !matches!(kind, ReportKind::Today | ReportKind::Conflicts) {
        return Ok(vec![Msg::Report(Box::new(r))]);
    }
    let n = screens::conflicts::count(w)?;
    if kind == ReportKind::Today && n > 0 {
        r.summary
            .push(w.lang.f("merge.tui.today", &[&n.to_string()]));
    }
    Ok(vec![Msg::Report(Box::new(r)), Msg::Warnings(n)])
}

/// A job with its ticket and what the worker needs to know of the session.
#[derive(Clone, Debug)]
pub struct Request {
    pub ticket: u64,
    pub job: Job,
    pub lang: Lang,
    pub me: Option<Id>,
    pub my_zones: bool,
    pub care_only: bool,
}

impl Request {
    fn run(self, store: &Store, config: &Config, checklists: &Checklists, lists: &Lists) -> Msg {
        let w = World {
            store,
            lang: self.lang,
            config,
            checklists,
            lists,
            me: self.me,
            my_zones: self.my_zones,
            care_only: self.care_only,
        };
        Msg::JobDone {
            ticket: self.ticket,
            msgs: self.job.run(&w),
        }
    }
}

/// Who runs jobs.
pub enum Runner {
    /// On the caller's thread, at once.
    Inline,
    /// Held (only the latest of each lane) until `finish`.
    Deferred(Box<Waiting>),
    /// On a background thread.
    Worker(Worker),
}

impl Runner {
    /// Hands a job over. The inline runner answers at once.
    pub fn submit(
        &mut self,
        req: Request,
        store: &Store,
        config: &Config,
        checklists: &Checklists,
        lists: &Lists,
    ) -> Option<Msg> {
        match self {
            Runner::Inline => Some(req.run(store, config, checklists, lists)),
            Runner::Deferred(waiting) => {
                waiting.put(req);
                None
            }
            Runner::Worker(w) => {
                w.submit(req);
                None
            }
        }
    }

    /// Runs the deferred jobs now (tests).
    pub fn finish(
        &mut self,
        store: &Store,
        config: &Config,
        checklists: &Checklists,
        lists: &Lists,
    ) -> Vec<Msg> {
        match self {
            Runner::Deferred(waiting) => std::iter::from_fn(|| waiting.take())
                .map(|r| r.run(store, config, checklists, lists))
                .collect(),
            Runner::Inline | Runner::Worker(_) => vec![],
        }
    }

    /// Results that arrived from the worker.
    pub fn poll(&mut self) -> Result<Vec<Msg>, WorkerGone> {
        match self {
            Runner::Worker(w) => w.poll(),
            Runner::Inline | Runner::Deferred(_) => Ok(vec![]),
        }
    }
}

/// The background thread stopped without being asked to: a bug.
#[derive(Debug)]
pub struct WorkerGone;

#[derive(Default)]
struct Slot {
    next: Waiting,
    closed: bool,
}

/// The UI's handle on the background thread. Dropping it stops the thread
/// once its current job is done.
pub struct Worker {
    shared: Arc<(Mutex<Slot>, Condvar)>,
    results: Receiver<Msg>,
}

impl Worker {
    /// Starts the thread in `scope`; it reads `store` until the handle drops.
    pub fn spawn<'scope, 'env>(
        scope: &'scope Scope<'scope, 'env>,
        store: &'env Store,
        config: Config,
        checklists: Checklists,
        lists: Lists,
    ) -> Worker {
        let shared = Arc::new((Mutex::new(Slot::default()), Condvar::new()));
        let (tx, results) = std::sync::mpsc::channel();
        let theirs = shared.clone();
        scope.spawn(move || work(&theirs, &tx, store, &config, &checklists, &lists));
        Worker { shared, results }
    }

    fn submit(&self, req: Request) {
        let (lock, cv) = &*self.shared;
        // A poisoned lock means the worker panicked; `poll` reports that.
        if let Ok(mut slot) = lock.lock() {
            slot.next.put(req);
            cv.notify_one();
        }
    }

    fn poll(&self) -> Result<Vec<Msg>, WorkerGone> {
        let mut out = Vec::new();
        loop {
            match self.results.try_recv() {
                Ok(m) => out.push(m),
                Err(TryRecvError::Empty) => return Ok(out),
                Err(TryRecvError::Disconnected) => {
                    return if out.is_empty() {
                        Err(WorkerGone)
                    } else {
                        Ok(out)
                    };
                }
            }
        }
    }
}

fn close(shared: &(Mutex<Slot>, Condvar)) {
    let (lock, cv) = shared;
    // A poisoned lock still holds the flag the worker reads.
    let mut slot = lock.lock().unwrap_or_else(|e| e.into_inner());
    slot.closed = true;
    slot.next = Waiting::default();
    cv.notify_all();
}

impl Drop for Worker {
    fn drop(&mut self) {
        close(&self.shared);
    }
}

/// Stops the worker when dropped, wherever the handle itself is: a scope
/// that unwinds (a panic in the UI) drops this and so does not wait
/// forever for a worker nobody closes.
pub struct Closer(Arc<(Mutex<Slot>, Condvar)>);

impl Drop for Closer {
    fn drop(&mut self) {
        close(&self.0);
    }
}

impl Worker {
    pub fn closer(&self) -> Closer {
        Closer(self.shared.clone())
    }
}

fn work(
    shared: &(Mutex<Slot>, Condvar),
    tx: &Sender<Msg>,
    store: &Store,
    config: &Config,
    checklists: &Checklists,
    lists: &Lists,
) {
    let (lock, cv) = shared;
    loop {
        let req = {
            let Ok(mut slot) = lock.lock() else {
                return;
            };
            loop {
                if slot.closed {
                    return;
                }
                if let Some(r) = slot.next.take() {
                    break r;
                }
                slot = match cv.wait(slot) {
                    Ok(s) => s,
                    Err(_) => return,
                };
            }
        };
        if tx.send(req.run(store, config, checklists, lists)).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(ticket: u64, kind: ReportKind) -> Request {
        Request {
            ticket,
            job: Job::Report(kind),
            lang: Lang::En,
            me: None,
            my_zones: false,
            care_only: false,
        }
    }

    fn tickets(msgs: &[Msg]) -> Vec<u64> {
        msgs.iter()
            .filter_map(|m| match m {
                Msg::JobDone { ticket, .. } => Some(*ticket),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn the_worker_answers_off_the_calling_thread_and_stops_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let (config, checklists) = (Config::default(), Checklists::shipped());
        std::thread::scope(|scope| {
            let mut runner = Runner::Worker(Worker::spawn(
                scope,
                &store,
                config.clone(),
                checklists.clone(),
                Lists::shipped(),
            ));
            assert!(
                runner
                    .submit(
                        request(1, ReportKind::Members(Default::default())),
                        &store,
                        &config,
                        &checklists,
                        &Lists::shipped()
                    )
                    .is_none(),
                "the worker does not answer in the caller"
            );
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
            let mut got = Vec::new();
            while got.is_empty() {
                assert!(std::time::Instant::now() < deadline, "no answer");
                got = runner.poll().unwrap();
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            assert_eq!(tickets(&got), vec![1]);
            // Dropping the runner ends the thread, so the scope returns.
        });
    }

    #[test]
    fn a_closer_ends_the_worker_while_its_handle_lives_on() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut kept = None;
        // As when the UI panics: the handle is not dropped in the scope,
        // the closer is, and the scope still ends.
        std::thread::scope(|scope| {
            let w = Worker::spawn(
                scope,
                &store,
                Config::default(),
                Checklists::shipped(),
                Lists::shipped(),
            );
            let _close = w.closer();
            kept = Some(w);
        });
        assert!(kept.is_some());
    }

    #[test]
    fn a_deferred_runner_keeps_only_the_latest_request_of_each_lane() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let (config, checklists) = (Config::default(), Checklists::shipped());
        let lists = Lists::shipped();
        let mut runner = Runner::Deferred(Default::default());
        for (t, k) in [
            (1, ReportKind::Coverage),
            (2, ReportKind::Members(Default::default())),
        ] {
            assert!(
                runner
                    .submit(request(t, k), &store, &config, &checklists, &lists)
                    .is_none()
            );
        }
        // The chart of the pane waits in a lane of its own: it replaces
        // neither the report nor is replaced by it, and runs after it.
        let chart = Request {
            job: Job::Chart(Id(7)),
            ..request(3, ReportKind::Coverage)
        };
        assert!(
            runner
                .submit(chart, &store, &config, &checklists, &lists)
                .is_none()
        );
        let done = runner.finish(&store, &config, &checklists, &lists);
        assert_eq!(tickets(&done), vec![2, 3]);
        assert!(
            runner
                .finish(&store, &config, &checklists, &lists)
                .is_empty()
        );
    }
}
