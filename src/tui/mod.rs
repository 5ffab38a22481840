//! The terminal UI: keys → keymap → command → `update` → effects → store
//! (slow ones as jobs off the UI thread), and `render` of the state. This
//! module owns the terminal.

pub mod charts;
pub mod command;
pub mod effects;
pub mod error;
pub mod finder;
pub mod firstscreen;
pub mod follow;
pub mod form;
pub mod input;
pub mod jobs;
pub mod keymap;
pub mod mono;
pub mod pick;
pub mod privacy;
pub mod render;
pub mod screens;
pub mod state;
pub mod update;
pub mod world;
pub mod wrap;

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::crossterm::event::{self, Event, KeyEventKind};

use crate::env::Env;
use crate::fail::Fail;
use crate::tui::keymap::{Key, Keymap};
use gridbook_core::config::{self, Config};
use gridbook_domain::checklist::Checklists;
use gridbook_domain::error::ErrorKind;
use gridbook_domain::i18n::Lang;
use gridbook_domain::model::Id;
use gridbook_store::store::Store;

use finder::Finder;
use jobs::{Request, Runner};
use state::{Layer, Level, State};
use update::{Effect, Msg, update};
use world::World;

/// The TUI over one store, without a terminal: tests drive it with key
/// strings and draw it on a test backend; the real loop does the same.
pub struct App<'s> {
    pub state: State,
    pub store: &'s Store,
    pub config: Config,
    pub checklists: Checklists,
    /// Care groups and activity kinds (shipped, or the user's files).
    pub lists: world::Lists,
    pub finder: Finder,
    /// Bytes for the terminal's clipboard (OSC 52), drained by the loop.
    pub clipboard: Vec<String>,
    /// Who runs slow work: inline unless the terminal loop starts a worker.
    pub jobs: Runner,
    /// What every commit to the store changed, whoever made it: the
    /// screens follow it ([`follow`]).
    changes: std::sync::mpsc::Receiver<gridbook_store::writes::Changes>,
    /// Where `config.toml` lives, for `:me` to keep who I am (none: the
    /// session keeps it only).
    pub config_dir: Option<std::path::PathBuf>,
}

impl<'s> App<'s> {
    pub fn new(
        store: &'s Store,
        lang: Lang,
        keymap: Keymap,
        me: Option<(Id, String)>,
        config: Config,
        checklists: Checklists,
    ) -> App<'s> {
        // Stored checklist keys read as the labels of the lists in use.
        gridbook_domain::checklist::install(&checklists);
        // The index follows every commit to the store, whatever made it.
        let mut finder = Finder::default();
        finder.follow(store);
        let mut state = State::new(lang, keymap, me);
        state.privacy = privacy::Privacy::after_minutes(config.privacy_idle_minutes());
        App {
            state,
            store,
            config,
            checklists,
            lists: world::Lists::shipped(),
            finder,
            clipboard: Vec::new(),
            jobs: Runner::Inline,
            changes: store.follow(),
            config_dir: None,
        }
    }

    /// The first screen: today's list when I am known, else the areas.
    pub fn start(&mut self) {
        let mut first = vec![if self.state.me.is_some() && !self.store.is_empty() {
            update::start_job(&mut self.state, jobs::Job::Report(state::ReportKind::Today))
        } else {
            Effect::Load {
                level: Level::Areas,
                select: None,
            }
        }];
        // Today counts what merges left; the browser asks for the count,
        // without making the screen wait for it.
        if self.state.me.is_none() && !self.store.is_empty() {
            first.push(update::side_job(&mut self.state, jobs::Job::CountWarnings));
        }
        self.run_effects(first);
    }

    pub fn dispatch(&mut self, msg: Msg) {
        let effects = update(&mut self.state, msg);
        self.run_effects(effects);
    }

    fn run_effects(&mut self, mut queue: Vec<Effect>) {
        // Effects answer with messages, which may ask for more effects.
        let mut guard = 0;
        loop {
            self.run_queue(&mut queue, &mut guard);
            // What was committed meanwhile (a save above, or any other
            // write in this process): the lookup index and the screens
            // showing it follow. Reloads write nothing, so this ends.
            let Some(changes) = self.changed() else {
                break;
            };
            self.finder.catch_up(self.store);
            queue.extend(update(&mut self.state, Msg::Changed(changes)));
        }
    }

    /// Everything committed since the last look, as one set of changes.
    fn changed(&mut self) -> Option<gridbook_store::writes::Changes> {
        let mut all: Option<gridbook_store::writes::Changes> = None;
        for c in self.changes.try_iter() {
            match &mut all {
                Some(a) => a.merge(c),
                None => all = Some(c),
            }
        }
        all
    }

    fn run_queue(&mut self, queue: &mut Vec<Effect>, guard: &mut usize) {
        while !queue.is_empty() && *guard < 64 {
            *guard += 1;
            let mut msgs = Vec::new();
            for e in queue.drain(..) {
                match e {
                    Effect::Copy(text) => self.clipboard.push(text),
                    Effect::Job(ticket, job) => {
                        let req = Request {
                            ticket,
                            job,
                            lang: self.state.lang,
                            me: self.state.me.as_ref().map(|(id, _)| *id),
                            my_zones: self.state.my_zones_only,
                            care_only: self.state.care_only,
                        };
                        msgs.extend(self.jobs.submit(
                            req,
                            self.store,
                            &self.config,
                            &self.checklists,
                            &self.lists,
                        ));
                    }
                    other => {
                        let world = World {
                            store: self.store,
                            lang: self.state.lang,
                            config: &self.config,
                            checklists: &self.checklists,
                            lists: &self.lists,
                            me: self.state.me.as_ref().map(|(id, _)| *id),
                            my_zones: self.state.my_zones_only,
                            care_only: self.state.care_only,
                        };
                        msgs.extend(match other {
                            // Where the config lives is the runtime's to know.
                            Effect::SetMe(name) => {
                                effects::set_me(&world, &name, self.config_dir.as_deref())
                            }
                            other => effects::run(&world, &mut self.finder, other),
                        });
                    }
                }
            }
            for m in msgs {
                queue.extend(update(&mut self.state, m));
            }
        }
    }

    /// Takes in what the background worker finished; true if anything came.
    pub fn poll_jobs(&mut self) -> Result<bool, jobs::WorkerGone> {
        let msgs = self.jobs.poll()?;
        let any = !msgs.is_empty();
        for m in msgs {
            self.dispatch(m);
        }
        Ok(any)
    }

    /// Runs a held job to the end (with a `Deferred` runner, in tests).
    pub fn finish_jobs(&mut self) {
        let msgs = self
            .jobs
            .finish(self.store, &self.config, &self.checklists, &self.lists);
        for m in msgs {
            self.dispatch(m);
        }
    }

    pub fn key(&mut self, key: Key) {
        self.dispatch(Msg::Key(key));
    }

    /// Presses keys written as in the keymap, space-separated (`j j enter`);
    /// `"text"` in double quotes types each character.
    pub fn press(&mut self, keys: &str) {
        let mut rest = keys.trim();
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('"') {
                let end = after.find('"').unwrap_or(after.len());
                for c in after[..end].chars() {
                    let code = if c == ' ' {
                        crate::tui::keymap::KeyName::Space
                    } else {
                        crate::tui::keymap::KeyName::Char(c)
                    };
                    self.key(Key::plain(code));
                }
                rest = after.get(end + 1..).unwrap_or("").trim_start();
                continue;
            }
            let (word, tail) = rest.split_once(' ').unwrap_or((rest, ""));
            if let Some(k) = Key::parse(word) {
                self.key(k);
            }
            rest = tail.trim_start();
        }
    }

    /// Text pasted into the terminal (one bracketed-paste event).
    pub fn paste(&mut self, text: &str) {
        self.dispatch(Msg::Paste(text.to_string()));
    }

    pub fn resize(&mut self, w: u16, h: u16) {
        self.dispatch(Msg::Resize(w, h));
    }

    pub fn draw<B: Backend>(&self, terminal: &mut Terminal<B>) -> Result<(), B::Error> {
        draw_state(&self.state, terminal)
    }
}

/// Restores the terminal when dropped, on every way out of the loop.
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        paste_mode(false);
        ratatui::restore();
    }
}

/// Bracketed paste: pasted text arrives as one event instead of keys, so
/// it can never run commands.
fn paste_mode(on: bool) {
    use ratatui::crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
    let mut out = std::io::stdout();
    let _ = if on {
        ratatui::crossterm::execute!(out, EnableBracketedPaste)
    } else {
        ratatui::crossterm::execute!(out, DisableBracketedPaste)
    };
}

/// A panic turns bracketed paste off before the hook ratatui installed
/// restores the rest of the terminal.
fn restore_paste_on_panic() {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        paste_mode(false);
        hook(info);
    }));
}

fn osc52(text: &str) -> String {
    use base64::Engine;
    format!(
        "\x1b]52;c;{}\x07",
        base64::engine::general_purpose::STANDARD.encode(text)
    )
}

/// Runs the TUI on the store in `data` until the user quits.
///
/// Start-up: the lock first (a second instance, like bad settings, gets one
/// line before the terminal is taken). With a trusted saved first screen
/// ([`firstscreen`]) the terminal is taken and that screen drawn at once,
/// then the store is opened (sled's open follows the store's size); keys
/// typed meanwhile wait in the terminal and are read once the app is ready. Without one, the store opens first, as it always did, so a
/// damaged store is still one line on a terminal never taken. The daily
/// backup is taken on a thread after the first frame.
pub fn run_on(env: &Env, data: &Path) -> Result<(), Fail> {
    let lock = Store::lock(data)?;
    let config_dir = config::config_dir();
    let user_keymap = config_dir
        .as_ref()
        .map(|d| d.join("keymap.toml"))
        .and_then(|p| {
            std::fs::read_to_string(&p)
                .ok()
                .map(|t| (p.display().to_string(), t))
        });
    let (keymap, keymap_errors) = Keymap::load(
        env.config.keymap.as_deref(),
        user_keymap.as_ref().map(|(p, t)| (p.as_str(), t.as_str())),
    );
    let checklists = config::checklists(config_dir.as_deref()).map_err(Fail::input)?;
    let lists = world::Lists::load(config_dir.as_deref()).map_err(Fail::input)?;
    let context = firstscreen::context(
        env.lang,
        env.as_member.as_deref(),
        &(&env.config, &checklists, &lists, &keymap_errors),
        gridbook_domain::model::Ts::now(),
    );
    use gridbook_core::lookup::persist;
    let saved: Option<firstscreen::Saved> = persist::stamp(data)
        .and_then(|stamp| gridbook_core::firstscreen::load(data, stamp, &context));
    // The saved lookup index is set aside while the TUI may write, and put
    // back on the way out if nothing was committed (also after a panic).
    // The saved first screen, read above, is deleted here: a new one is
    // written on the way out.
    let mut saved_index = HeldIndex::take(data);
    let (store, mut terminal, restore) = match saved {
        Some(saved) => {
            let (mut terminal, restore) = take_terminal()?;
            let mut early = State::new(env.lang, keymap.clone(), saved.me.clone());
            saved.show(&mut early);
            let opening = env.lang.t("firstframe.opening").to_string();
            let _ = update(&mut early, Msg::Status(opening, false));
            if let Ok(size) = terminal.size() {
                let _ = update(&mut early, Msg::Resize(size.width, size.height));
            }
            let _ = draw_state(&early, &mut terminal);
            // The open runs here, not on a thread: keys wait in the
            // terminal either way, and an opening thread would get an
            // allocator arena of its own that is never handed back (40 MB
            // more peak at 100k, BENCHMARKS "Start-up and memory").
            slow_open_for_tests();
            let shown = std::cell::RefCell::new((early, terminal));
            let opened = Store::open_telling(data, lock, &|w| {
                let (early, terminal) = &mut *shown.borrow_mut();
                let line = crate::env::open_work_line(env.lang, data, w);
                let _ = update(early, Msg::Status(line, false));
                let _ = draw_state(early, terminal);
            });
            let (_, terminal) = shown.into_inner();
            match opened {
                Ok(store) => (store, terminal, restore),
                Err(e) => {
                    // The terminal is back before the one-line error.
                    drop(restore);
                    return Err(e.into());
                }
            }
        }
        None => {
            slow_open_for_tests();
            // Before the terminal is taken: said on stderr.
            let store = Store::open_telling(data, lock, &|w| {
                crate::env::tell_on_stderr(env.lang, data, w)
            })?;
            let (terminal, restore) = take_terminal()?;
            (store, terminal, restore)
        }
    };
    saved_index.opened();
    // Erasures a kill or an earlier session left waiting: finished before
    // anything is shown from the store.
    let (store, erased) = match crate::cli::erase::finish(env, store) {
        Ok(done) => done,
        Err(e) => {
            drop(restore);
            return Err(e);
        }
    };
    // config.toml's `me` is the user's, not this directory's: a name no
    // member here has opens the TUI unsigned, saying so, rather than not
    // at all. An explicit `--as` that matches nobody still refuses.
    let (me, me_missing) = match env.member(&store) {
        Ok(m) => (m.map(|m| (m.meta.id, m.name)), None),
        Err(gridbook_core::who::WhoError::NoMember { who, .. }) if env.me_from_config => {
            (None, Some(who))
        }
        Err(e) => {
            drop(restore);
            return Err(e.into());
        }
    };
    let mut app = App::new(
        &store,
        env.lang,
        keymap.clone(),
        me.clone(),
        env.config.clone(),
        checklists,
    );
    app.lists = lists;
    app.config_dir = gridbook_core::config::config_dir();
    // Loaded from the store even after a saved screen was drawn: the same
    // data, and the app's own state from here on.
    app.start();
    let first = (persist::stamp(data), firstscreen::Saved::of(&app.state));
    if let Some(e) = keymap_errors.first() {
        let more = if keymap_errors.len() > 1 {
            format!(" (+{} more)", keymap_errors.len() - 1)
        } else {
            String::new()
        };
        app.dispatch(Msg::Status(format!("{e}{more}"), true));
    }
    if let Some(line) = erased.last() {
        app.dispatch(Msg::Status(line.clone(), false));
    }
    if let Some(who) = me_missing {
        let line = env
            .lang
            .f("tui.config_me_unknown", &[&who, &env.config_file()]);
        app.dispatch(Msg::Status(line, true));
    }

    // The lookup index is loaded (or built) off the UI thread; `/` says so
    // until it is ready.
    let (tx, rx) = std::sync::mpsc::channel();
    app.finder.receive_from(rx);
    let store_ref = &store;
    let saved_ref = &saved_index;
    let daily = std::thread::scope(|scope| {
        scope.spawn(move || {
            let now = gridbook_domain::model::Ts::now();
            let index = match saved_ref.load(now) {
                Some(ix) => Ok(ix),
                None => gridbook_core::lookup::LookupIndex::build(store_ref, now),
            };
            let _ = tx.send(index);
        });
        // The daily backup, off the first frame's path (at 100k it is a
        // full export: seconds). Commits wait while it reads, so it holds
        // the store exactly as it was before today's first change, and
        // its counts check never meets half a commit; a save in those
        // first seconds of the day waits for it rather than racing it.
        let config = &env.config;
        let daily = scope.spawn(move || {
            let _held = store_ref.hold_commits();
            crate::env::take_daily_backup(config, store_ref)
        });
        // Reports and previews run on a worker; the first screen was loaded
        // inline above, so it is there on the first frame.
        let worker = jobs::Worker::spawn(
            scope,
            store_ref,
            env.config.clone(),
            app.checklists.clone(),
            app.lists.clone(),
        );
        // Also on a panic in the loop: the scope then joins the worker.
        let _close = worker.closer();
        // Other gridbook processes' reads, answered off the UI thread.
        let _serving = crate::serve::serve(scope, store_ref, data);
        app.jobs = Runner::Worker(worker);
        let result = event_loop(&mut app, &mut terminal, store_ref);
        // Stops the worker (after its current job) so the scope can end.
        app.jobs = Runner::Inline;
        if result.is_ok() && !daily.is_finished() {
            // Quitting waits for the backup to be whole: say so.
            let text = app.state.lang.t("firstframe.finishing_backup").to_string();
            app.dispatch(Msg::Status(text, false));
            let _ = app.draw(&mut terminal);
        }
        result.map(|()| daily.join())
    })?;
    drop(restore);
    match daily {
        Ok(taken) => crate::env::warn_daily(app.state.lang, &taken),
        Err(panic) => std::panic::resume_unwind(panic),
    }
    if app.state.changed {
        let lang = app.state.lang;
        match gridbook_core::backup::after_session(&store, &env.config.backup_policy()) {
            Ok(Some(p)) => eprintln!(
                "{}",
                lang.f("session.backup_written", &[&p.display().to_string()])
            ),
            Ok(None) => {}
            Err(e) => eprintln!("{}", lang.f("session.backup_failed", &[&e.to_string()])),
        }
    }
    // An erasure a sync brought in this session: the store is written anew
    // (and the backup just taken replaced) before the process ends, and no
    // first screen is saved from the old one.
    if !gridbook_core::erase::pending(&store)?.is_empty() {
        drop(app);
        let (_store, lines) = crate::cli::erase::finish(env, store)?;
        for l in lines {
            eprintln!("gridbook: {l}");
        }
        return Ok(());
    }
    save_first_screen(&app, first, &context, data, keymap, me);
    Ok(())
}

/// Saves the first screen for the next start, stamped with the store's
/// seal: the one loaded at start when nothing was committed since, else
/// loaded again now (so the next start after a working session is quick
/// too). Only while the stamp stays what it was around the load; a failed
/// write only costs the next start its head start.
fn save_first_screen(
    app: &App,
    first: (
        Option<gridbook_core::lookup::persist::Stamp>,
        Option<firstscreen::Saved>,
    ),
    context: &str,
    data: &Path,
    keymap: Keymap,
    me: Option<(Id, String)>,
) {
    use gridbook_core::lookup::persist;
    let now = persist::stamp(data);
    let (stamp, saved) = match first {
        (Some(at), Some(saved)) if now == Some(at) => (at, saved),
        _ => {
            let mut again = App::new(
                app.store,
                app.state.lang,
                keymap,
                me,
                app.config.clone(),
                app.checklists.clone(),
            );
            again.lists = app.lists.clone();
            again.start();
            match (now, firstscreen::Saved::of(&again.state)) {
                (Some(at), Some(saved)) if persist::stamp(data) == Some(at) => (at, saved),
                _ => return,
            }
        }
    };
    let _ = gridbook_core::firstscreen::save(data, stamp, context, &saved);
}

/// Takes the terminal: raw mode, the alternate screen, bracketed paste; the
/// guard gives it back when dropped.
fn take_terminal() -> Result<(ratatui::DefaultTerminal, Restore), Fail> {
    let terminal = ratatui::try_init()
        .map_err(|e| Fail::of(ErrorKind::Bug, format!("cannot start the terminal UI: {e}")))?;
    let restore = Restore;
    restore_paste_on_panic();
    paste_mode(true);
    Ok((terminal, restore))
}

/// Draws a state that has no store behind it (the saved first screen).
fn draw_state<B: Backend>(state: &State, terminal: &mut Terminal<B>) -> Result<(), B::Error> {
    let color = crate::cli::out::color_tui();
    terminal
        .draw(|f| {
            render::render(state, f);
            if !color {
                mono::strip(f.buffer_mut());
            }
        })
        .map(|_| ())
}

/// `GRIDBOOK_TEST_SLOW_OPEN=MS` holds the store's open back that long, so
/// the PTY tests can see what is drawn before the store is open.
fn slow_open_for_tests() {
    if let Some(ms) = std::env::var("GRIDBOOK_TEST_SLOW_OPEN")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        std::thread::sleep(Duration::from_millis(ms));
    }
}

/// The saved lookup index, set aside for the TUI's run
/// ([`gridbook_core::lookup::persist::hold`]); put back when dropped.
struct HeldIndex {
    data: std::path::PathBuf,
    at_start: Option<gridbook_core::lookup::persist::Stamp>,
    held: Option<std::path::PathBuf>,
}

impl HeldIndex {
    fn take(data: &Path) -> HeldIndex {
        use gridbook_core::lookup::persist;
        HeldIndex {
            data: data.to_path_buf(),
            at_start: persist::stamp(data),
            held: persist::hold(data),
        }
    }

    /// After the store opened: opening may commit (a replay, a recount, a
    /// migration), so the index is loaded, and put back, against the stamp
    /// from here on, as before the open moved ahead of taking the terminal.
    fn opened(&mut self) {
        self.at_start = gridbook_core::lookup::persist::stamp(&self.data);
    }

    fn load(&self, now: gridbook_domain::model::Ts) -> Option<gridbook_core::lookup::LookupIndex> {
        gridbook_core::lookup::persist::load_from(self.held.as_deref()?, self.at_start?, now)
    }
}

impl Drop for HeldIndex {
    fn drop(&mut self) {
        if self.held.is_some() {
            gridbook_core::lookup::persist::put_back(&self.data, self.at_start);
        }
    }
}

fn event_loop(
    app: &mut App,
    terminal: &mut ratatui::DefaultTerminal,
    store: &Store,
) -> Result<(), Fail> {
    let size = terminal
        .size()
        .map_err(|e| Fail::of(ErrorKind::Bug, e.to_string()))?;
    app.resize(size.width, size.height);
    // Lets the PTY test prove the terminal is restored after a panic.
    let test_panic = std::env::var_os("GRIDBOOK_TEST_PANIC").is_some();
    let io = |e: std::io::Error| Fail::of(ErrorKind::Bug, format!("terminal: {e}"));
    let gone = |_| Fail::of(ErrorKind::Bug, "the background worker stopped".to_string());
    let mut ticked = std::time::Instant::now();
    loop {
        // Time without a key, for the privacy screen (a key resets it).
        let now = std::time::Instant::now();
        app.dispatch(Msg::Tick(now - ticked));
        ticked = now;
        // Answers of background jobs go in before each frame.
        app.poll_jobs().map_err(gone)?;
        app.draw(terminal).map_err(io)?;
        if !app.clipboard.is_empty() {
            let mut out = std::io::stdout();
            for c in app.clipboard.drain(..) {
                let _ = out.write_all(osc52(&c).as_bytes());
            }
            let _ = out.flush();
        }
        if app.state.quit {
            break;
        }
        // Wake up for background work: often while the screen waits for a
        // job, now and then for the lookup index.
        let wait = if app.state.loading.is_some() { 16 } else { 200 };
        if !event::poll(Duration::from_millis(wait)).map_err(io)? {
            if app.finder.poll_ready(store)
                && let Some(Layer::Lookup(l)) = app.state.top()
            {
                let q = l.input.text();
                app.run_effects(vec![Effect::Lookup(q)]);
            }
            continue;
        }
        match event::read().map_err(io)? {
            Event::Key(k) if k.kind == KeyEventKind::Press => {
                if test_panic {
                    panic!("GRIDBOOK_TEST_PANIC: panicking on the first key as asked");
                }
                if let Some(key) = Key::from_event(k) {
                    app.key(key);
                }
            }
            Event::Paste(text) => app.dispatch(Msg::Paste(text)),
            Event::Resize(w, h) => app.resize(w, h),
            _ => {}
        }
    }
    Ok(())
}
