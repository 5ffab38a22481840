//! The command line: flags, subcommands, and the edge where typed errors
//! become one clear message and an exit code (0 ok, also when the reader of
//! standard output went away; 2 bad input; 3 store unavailable; 1 a bug).

pub use crate::env::{Env, Use};
pub use crate::fail::Fail;

mod data;
mod erase;
mod find;
mod log;
pub mod out;
pub mod report;

use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};
use gridbook_domain::error::ErrorKind;

use gridbook_core::address;
use gridbook_core::demo;
use gridbook_core::generator;
use gridbook_core::members_csv;
use gridbook_core::roster;
use gridbook_core::zoneview;
use gridbook_domain::i18n::Lang;
use gridbook_domain::model::*;
use gridbook_store::store::Store;

#[derive(Parser, Debug)]
#[command(
    name = "gridbook",
    version,
    about = "Community grid work from the keyboard: areas, buildings, households, residents, and who looks after them."
)]
pub struct Cli {
    /// Data directory (default: the platform's data directory for gridbook).
    #[arg(long, global = true, env = "GRIDBOOK_DATA", value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Language of the interface (default: config, then LANG).
    #[arg(long, global = true, value_parser = one_of::<Lang>(&["en", "zh"]))]
    pub lang: Option<Lang>,
    /// The member who is writing: name, phone or id (default: `me` in config).
    #[arg(long = "as", global = true, value_name = "MEMBER")]
    pub as_member: Option<String>,
    /// How long to wait for another gridbook to let go of the data before
    /// giving up (exit 3), in seconds. A second TUI never waits.
    #[arg(long, global = true, env = "GRIDBOOK_WAIT", value_name = "SECS", default_value = "5", value_parser = crate::env::parse_wait)]
    pub wait: std::time::Duration,
    #[command(subcommand)]
    pub cmd: Option<Cmd>,
}

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Open the TUI on a throw-away copy of the demo estate.
    Demo {
        /// Load the demo estate into --data DIR and exit.
        #[arg(long)]
        load_only: bool,
    },
    /// One zone: its people and phones, who covers it, recent timeline.
    Show {
        /// AREA[/BUILDING[/HOUSEHOLD]], by name or code: 胜利花苑/3栋/2-501 or slhy/3/2-501.
        addr: String,
        #[arg(long)]
        json: bool,
        /// How many timeline entries to show.
        #[arg(long, default_value_t = 10)]
        recent: usize,
    },
    /// Bring in a roster or members from CSV.
    Import {
        #[command(subcommand)]
        what: ImportCmd,
    },
    /// Write visits, problems, resolutions and patrols without the TUI. Each prints the new id.
    Log {
        #[command(subcommand)]
        what: LogCmd,
    },
    /// Quick lookup: residents, members, phones, rooms, places (pinyin initials work: zs finds 张三).
    Find {
        query: Vec<String>,
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Export everything: lossless JSON, or a roster CSV plus an events CSV.
    Export {
        #[arg(long, default_value = "json", value_parser = one_of::<gridbook_core::export::Format>(&["json", "csv"]))]
        format: gridbook_core::export::Format,
        /// File (json) or directory (csv); default: standard output for json.
        #[arg(long, value_name = "PATH")]
        out: Option<PathBuf>,
        /// Start CSV files with a byte-order mark so Excel reads them as UTF-8.
        #[arg(long)]
        bom: bool,
        /// Encrypt the JSON export (age) to a passphrase, asked on the terminal (or GRIDBOOK_PASSPHRASE).
        #[arg(long)]
        passphrase: bool,
        /// Encrypt the JSON export (age) to this public key (age1…); repeat for several.
        #[arg(long = "recipient", value_name = "AGE1KEY")]
        recipients: Vec<String>,
    },
    /// Write a portable backup now (rotating; `backups` in config sets how many to keep;
    /// encrypted to `backup_recipients` from config when set).
    Backup {
        /// Encrypt it (age) to a passphrase, asked on the terminal (or GRIDBOOK_PASSPHRASE).
        #[arg(long)]
        passphrase: bool,
    },
    /// Restore from a backup (default: the newest) into an empty store.
    Restore {
        file: Option<PathBuf>,
        /// Replace a store that already holds data.
        #[arg(long)]
        force: bool,
        /// The age identity file for a backup encrypted to keys (default: `identity` in config).
        #[arg(long, value_name = "FILE")]
        identity: Option<PathBuf>,
    },
    /// Erase a person on request: name, phones and notes become [已删除 erased] in
    /// the record and every entry that carries them; the backups are rewritten.
    Erase {
        /// The resident's household: AREA/BUILDING/HOUSEHOLD.
        addr: Option<String>,
        /// The resident's name (or id).
        name: Option<String>,
        /// Erase a member instead: name, phone or id.
        #[arg(long, value_name = "NAME", conflicts_with_all = ["addr", "name"])]
        member: Option<String>,
        /// Encrypt the rewritten backup to a passphrase.
        #[arg(long)]
        passphrase: bool,
    },
    /// The reports the TUI shows: coverage (blank spots), open problems, activity.
    Report {
        #[arg(value_enum)]
        what: ReportWhat,
        /// The period in days (default: 90 for coverage, 30 otherwise).
        #[arg(long)]
        days: Option<i64>,
        #[arg(long)]
        json: bool,
    },
    /// Verify the derived indexes against records and events.
    Check {
        /// Regenerate every derived index from records and events.
        #[arg(long)]
        rebuild: bool,
        #[arg(long)]
        json: bool,
    },
    /// Generate a large synthetic estate (for benchmarks) into an empty store.
    Gen {
        #[arg(long, default_value_t = 100_000)]
        households: usize,
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Activity events to generate (default: 10 per household).
        #[arg(long)]
        events: Option<usize>,
        /// Write the demo estate's fixture CSVs into DIR instead of a store.
        #[arg(long, value_name = "DIR")]
        demo_fixtures: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum ReportWhat {
    Coverage,
    Problems,
    Activity,
    Members,
    Today,
}

#[derive(Subcommand, Debug)]
pub enum ImportCmd {
    /// Households and residents from a roster CSV (UTF-8 or GB18030); all rows or none.
    Roster {
        file: PathBuf,
        /// Check and report without writing anything.
        #[arg(long)]
        dry_run: bool,
        /// Import the valid rows and report the invalid ones.
        #[arg(long)]
        skip_invalid: bool,
        #[arg(long)]
        json: bool,
    },
    /// Members and their zones from CSV.
    Members { file: PathBuf },
    /// Everything from a `gridbook export` JSON file (plain or age-encrypted), into an empty store.
    Json {
        file: PathBuf,
        /// The age identity file for an export encrypted to keys (default: `identity` in config).
        #[arg(long, value_name = "FILE")]
        identity: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum LogCmd {
    /// A visit (走访) to a household.
    Visit {
        #[arg(long, value_name = "ADDR")]
        household: String,
        /// Who visited (default: --as / me, else the member covering the household).
        #[arg(long)]
        member: Option<String>,
        /// When: now, 14:30, yesterday 09:00, -2d, 2026-11-28 14:30.
        #[arg(long, default_value = "now")]
        at: String,
        #[arg(long, default_value = "routine")]
        purpose: String,
        #[arg(long, default_value = "")]
        note: String,
        /// Follow-up date: +7d, 2026-12-05 …
        #[arg(long, value_name = "DATE")]
        follow_up: Option<String>,
    },
    /// A problem (问题/诉求) reported in a zone.
    Problem {
        #[arg(long, value_name = "ADDR")]
        zone: String,
        #[arg(long)]
        category: String,
        #[arg(long)]
        note: String,
        #[arg(long, default_value = "normal")]
        urgency: String,
        #[arg(long, default_value = "now")]
        at: String,
    },
    /// Resolve an open problem.
    Resolve {
        problem: String,
        #[arg(long)]
        note: String,
        #[arg(long, default_value = "now")]
        at: String,
    },
    /// A hygiene (卫生) or security (治安) patrol of an area or building.
    Patrol {
        #[arg(long, value_name = "ADDR")]
        zone: String,
        #[arg(long)]
        kind: String,
        /// A checklist item that failed, with an optional note: --issue "灭火器在位:过期"
        #[arg(long = "issue", value_name = "ITEM[:NOTE]")]
        issues: Vec<String>,
        /// Open a problem for each failed item.
        #[arg(long)]
        open_problems: bool,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long, default_value = "now")]
        at: String,
    },
}

/// A clap parser for a type whose words are `names`: `--help` and errors
/// list them, and the lower crates need not know clap.
fn one_of<T>(names: &'static [&'static str]) -> impl clap::builder::TypedValueParser<Value = T>
where
    T: std::str::FromStr + Clone + Send + Sync + 'static,
    T::Err: std::fmt::Debug,
{
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(names).map(|s| {
        s.parse::<T>()
            .expect("every listed name parses (tested by the CLI tests)")
    })
}

/// A live member by id, exact name, or phone.
pub fn find_member(store: &Store, who: &str) -> Result<Member, Fail> {
    Ok(gridbook_core::who::member(store, who)?)
}

/// Refuses any argument holding a control character (an escape sequence, a
/// bell, a NUL) before anything else happens: an argument may end up stored
/// (a note, a name) or quoted back in a message. Line breaks and tabs stay
/// allowed (a multi-line note); the fields that hold one line refuse them
/// where they are checked.
pub fn check_args(args: impl IntoIterator<Item = std::ffi::OsString>) -> Result<(), Fail> {
    use gridbook_domain::validate::{Lines, check_chars};
    for (i, a) in args.into_iter().enumerate() {
        // Arguments that are not UTF-8 are refused by the parser itself.
        let Some(a) = a.to_str() else { continue };
        check_chars("argument", a, Lines::Many).map_err(|e| {
            Fail::input(
                e.to_string()
                    .replacen("argument", &format!("argument {}", i + 1), 1),
            )
        })?;
    }
    Ok(())
}

pub fn run(cli: Cli) -> Result<(), Fail> {
    let mut env = Env::resolve(cli.data.as_deref(), cli.lang, cli.as_member.clone())?;
    env.wait = cli.wait;
    let data = env.data.clone();
    dispatch(env, cli.cmd).map_err(|mut f| {
        // Damage found after opening: say where, and what to restore from.
        let dir = data.display().to_string();
        if f.code == 3 && !f.msg.contains(&dir) {
            f.msg = format!(
                "{} in {dir}{}",
                f.msg,
                gridbook_store::store::backup_hint(&gridbook_core::backup::newest(&data))
            );
        }
        f
    })
}

fn dispatch(env: Env, cmd: Option<Cmd>) -> Result<(), Fail> {
    match cmd {
        None => {
            // Refuse a directory that is not gridbook's before the TUI takes
            // the terminal; the TUI takes the lock itself, without waiting.
            crate::env::check_data_dir(&env.data, Use::Write)?;
            crate::tui::run_on(&env, &env.data)
        }
        Some(Cmd::Demo { load_only }) => {
            if load_only {
                let store = env.open(Use::Fill)?;
                let loaded = demo::load(&store, Ts::now())?;
                out::line(format_args!(
                    "demo estate loaded into {}: {} households, {} residents, {} members, {} events",
                    env.data.display(),
                    loaded.households,
                    loaded.residents,
                    loaded.members,
                    loaded.events
                ))
            } else {
                let tmp = tempdir()?;
                {
                    let store = Store::open(tmp.path())?;
                    demo::load(&store, Ts::now())?;
                }
                crate::tui::run_on(&env, tmp.path())
            }
        }
        Some(Cmd::Show { addr, json, recent }) => {
            let store = env.open(Use::Read)?;
            let zone = address::resolve(&store, &addr)?;
            let view = zoneview::build(&store, &zone, Ts::now(), env.lang, recent)?;
            drop(store);
            if json {
                out::json(&view)
            } else {
                out::text(&zoneview::render_text(&view, env.lang))
            }
        }
        Some(Cmd::Import { what }) => import(&env, what),
        Some(Cmd::Log { what }) => log::run(&env, what),
        Some(Cmd::Report { what, days, json }) => report::run(&env, what, days, json),
        Some(Cmd::Find { query, limit, json }) => find::run(&env, &query.join(" "), limit, json),
        Some(Cmd::Export {
            format,
            out,
            bom,
            passphrase,
            recipients,
        }) => data::export(&env, format, out.as_deref(), bom, passphrase, &recipients),
        Some(Cmd::Backup { passphrase }) => data::backup(&env, passphrase),
        Some(Cmd::Restore {
            file,
            force,
            identity,
        }) => data::restore(&env, file.as_deref(), force, identity.as_deref()),
        Some(Cmd::Erase {
            addr,
            name,
            member,
            passphrase,
        }) => erase::run(
            &env,
            addr.as_deref(),
            name.as_deref(),
            member.as_deref(),
            passphrase,
        ),
        Some(Cmd::Check { rebuild, json }) => {
            // A check of a store that is not there would find nothing wrong.
            let store = env.open(Use::Read)?;
            if rebuild {
                store.rebuild()?;
            }
            let report = store.check()?;
            drop(store);
            if json {
                out::json(&report)?;
            } else {
                out::line(format_args!(
                    "{} records, {} index entries ok; {} missing, {} extra, {} wrong, {} undecodable",
                    report.records,
                    report.ok,
                    report.missing.len(),
                    report.extra.len(),
                    report.wrong.len(),
                    report.undecodable.len()
                ))?;
            }
            if report.is_clean() {
                Ok(())
            } else {
                Err(Fail::of(
                    ErrorKind::Unavailable,
                    "indexes do not match the records; run `gridbook check --rebuild`",
                ))
            }
        }
        Some(Cmd::Gen {
            households,
            seed,
            events,
            demo_fixtures,
        }) => {
            let now = Ts::now();
            if let Some(dir) = demo_fixtures {
                let spec = generator::Spec::demo(now);
                let est = generator::generate(&spec);
                generator::write_fixtures(&est, &spec, &dir)
                    .map_err(|e| crate::fail::io_fail(&dir.display().to_string(), &e))?;
                return out::line(format_args!(
                    "wrote {} residents in {} households, {} members, {} events to {}",
                    est.residents.len(),
                    est.households.len(),
                    est.members.len(),
                    est.events.len(),
                    dir.display()
                ));
            }
            let store = env.open(Use::Fill)?;
            if !store.is_empty() {
                return Err(Fail::input(format!(
                    "{} already holds data; gen fills an empty store",
                    env.data.display()
                )));
            }
            let spec =
                generator::Spec::large(households, seed, events.unwrap_or(households * 10), now);
            let t0 = std::time::Instant::now();
            let est = generator::generate(&spec);
            let t1 = t0.elapsed();
            generator::load(&store, &est)?;
            drop(store);
            out::line(format_args!(
                "generated {} households, {} residents, {} members, {} events in {:.1?}, loaded in {:.1?}",
                est.households.len(),
                est.residents.len(),
                est.members.len(),
                est.events.len(),
                t1,
                t0.elapsed() - t1
            ))
        }
    }
}

fn import(env: &Env, what: ImportCmd) -> Result<(), Fail> {
    match what {
        ImportCmd::Roster {
            file,
            dry_run,
            skip_invalid,
            json,
        } => {
            let parsed = roster::read(&file)?;
            let store = env.open(Use::Write)?;
            let ctx = env.ctx(&store)?;
            let report = roster::import(&store, ctx, &parsed, dry_run, skip_invalid)?;
            if report.written {
                backup_after(env, &store);
            }
            drop(store);
            if json {
                out::json(&report)?;
            } else {
                out::line(&report)?;
            }
            if dry_run && report.rows_rejected > 0 {
                return Err(Fail::input(format!(
                    "{}: {} rows would be rejected",
                    file.display(),
                    report.rows_rejected
                )));
            }
            Ok(())
        }
        ImportCmd::Json { file, identity } => data::import_json(env, &file, identity.as_deref()),
        ImportCmd::Members { file } => {
            let store = env.open(Use::Write)?;
            let ctx = env.ctx(&store)?;
            let report = members_csv::import_file(&store, ctx, &file)?;
            if report.members_added + report.assignments_added > 0 {
                backup_after(env, &store);
            }
            drop(store);
            out::line(&report)
        }
    }
}

/// A backup after an import changed data. Failing to write one is reported
/// but does not undo the import, which is already saved.
fn backup_after(env: &Env, store: &Store) {
    match gridbook_core::backup::after_session(store, &env.config.backup_policy()) {
        Ok(Some(p)) => out::note(format_args!("backup written: {}", p.display())),
        Ok(None) => {}
        Err(e) => out::note(format_args!(
            "gridbook: warning: the import is saved, but the backup failed: {e}"
        )),
    }
}

/// A private temporary directory for the demo, removed when dropped.
fn tempdir() -> Result<TempDir, Fail> {
    let base = std::env::temp_dir().join(format!("gridbook-demo-{}", Id::new()));
    gridbook_store::store::create_private_dir(&base)
        .map_err(|e| crate::fail::io_fail(&base.display().to_string(), &e))?;
    Ok(TempDir(base))
}

struct TempDir(PathBuf);

impl TempDir {
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
