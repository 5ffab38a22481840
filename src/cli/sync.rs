//! `gridbook sync [--dry-run]`, `sync init`, `sync status [--json]` and
//! `sync bundle export|import FILE`: team sync through git.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use gridbook_core::sync::setup::Start;
use gridbook_core::sync::{self, Summary, device, run};
use gridbook_domain::i18n::Lang;

use crate::cli::{Env, Fail, Use, out};

pub const SYNC_EXAMPLES: &str = "Examples:
  gridbook sync init --office ssh://gridbook@office/srv/gridbook.git --key community.key
  gridbook sync init --office /media/usb/gridbook.git --key community.key --device-name zhu-laptop
  gridbook sync --dry-run
  gridbook sync
  gridbook sync status --json
  gridbook sync bundle export /media/usb/gridbook.bundle";

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SyncArgs {
    /// Say what would be sent and received; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(subcommand)]
    pub what: Option<SyncCmd>,
}

#[derive(Subcommand, Debug)]
pub enum SyncCmd {
    /// Set this laptop up: its device name, its journal, the community key.
    Init {
        /// The office: ssh://gridbook@office/srv/gridbook.git, host:path, or a folder.
        #[arg(long, value_name = "URL-OR-PATH")]
        office: String,
        /// The community key `office init` wrote (not needed for a plaintext office).
        #[arg(long, value_name = "FILE")]
        key: Option<PathBuf>,
        /// The device's name, its branch at the office: a-z, 0-9 and - (default: host name and a random suffix).
        #[arg(long, value_name = "NAME")]
        device_name: Option<String>,
    },
    /// Entries not yet sent, the last push and pull, each device's last batch.
    Status {
        /// Print JSON (its shape is in the README).
        #[arg(long)]
        json: bool,
    },
    /// Carry batches on a USB stick, with no office server.
    Bundle {
        #[command(subcommand)]
        what: BundleCmd,
    },
}

#[derive(Subcommand, Debug)]
pub enum BundleCmd {
    /// Send what waits, then write every device's batches into FILE.
    Export {
        /// The bundle file to write (on the USB stick).
        file: PathBuf,
    },
    /// Take the batches in FILE and apply those not seen yet.
    Import {
        /// The bundle file to read.
        file: PathBuf,
    },
}

/// The summary line: "sent 12, received 340 from 4 devices, 1 conflict".
pub fn summary_line(s: &Summary, lang: Lang) -> String {
    s.line(lang)
}

pub fn run(env: &Env, args: SyncArgs) -> Result<(), Fail> {
    let lang = env.lang;
    match args.what {
        None => {
            if !device::is_set_up(&env.data) {
                return Err(sync::SyncError::NotSetUp {
                    dir: env.data.clone(),
                }
                .into());
            }
            let mut store = env.open(if args.dry_run { Use::Read } else { Use::Write })?;
            let mut said = Vec::new();
            if !args.dry_run {
                // An erasure a kill left half done is finished first.
                let (s, l) = crate::cli::erase::finish(env, store)?;
                store = s;
                said.extend(l);
            }
            let bar = crate::cli::progress::bar(lang.t("sync.job"), false);
            let s = sync::sync(
                &store,
                &env.data,
                run::Options {
                    dry_run: args.dry_run,
                },
                &mut |step| {
                    // Batches applied count on the bar; the other steps say
                    // what is under way.
                    bar.say(&Summary::step_text(step, lang));
                    if let run::Step::Receiving { done, total } = step {
                        gridbook_core::progress::Progress::tick(&bar, done as u64, total as u64);
                    }
                },
            );
            drop(bar);
            let s = s?;
            if !args.dry_run {
                let (s, l) = crate::cli::erase::finish(env, store)?;
                store = s;
                said.extend(l);
            }
            drop(store);
            out::line(summary_line(&s, lang))?;
            for l in said {
                out::line(l)?;
            }
            Ok(())
        }
        Some(SyncCmd::Init {
            office,
            key,
            device_name,
        }) => {
            // The store is opened (and so locked) first: nobody writes while
            // the outbox starts.
            let store = env.open(Use::Write)?;
            let d = device::init(&env.data, &office, key.as_deref(), device_name.as_deref())?;
            let start = sync::setup::start(&store, &d)?;
            drop(store);
            let n = start.queued().to_string();
            out::line(match &start {
                Start::Fresh { .. } => lang.f("sync.set_up", &[&d.name, &d.office, &n]),
                Start::Kept { was: Some(was), .. } => {
                    lang.f("sync_copy.kept", &[&d.name, &d.office, was, &n])
                }
                Start::Kept { was: None, .. } => {
                    lang.f("sync_copy.kept_unknown", &[&d.name, &d.office, &n])
                }
                Start::Requeued { missing, .. } => {
                    lang.f("sync_copy.requeued", &[&d.name, &d.office, missing, &n])
                }
            })
        }
        Some(SyncCmd::Status { json }) => {
            let store = env.open(Use::Read)?;
            let s = sync::status::status(&store, &env.data)?;
            drop(store);
            if json {
                return out::json(&s);
            }
            let never = lang.t("sync.never");
            let mut text = lang.f(
                "sync.status_head",
                &[
                    &s.device,
                    &s.office,
                    lang.t(if s.plaintext {
                        "sync.plaintext"
                    } else {
                        "sync.encrypted"
                    }),
                ],
            );
            text.push('\n');
            text.push_str(&lang.f(
                "sync.status_times",
                &[
                    &s.unsent.to_string(),
                    s.last_push.as_deref().unwrap_or(never),
                    s.last_pull.as_deref().unwrap_or(never),
                ],
            ));
            text.push('\n');
            for d in &s.devices {
                text.push_str(&format!(
                    "  {}  {}\n",
                    d.name,
                    d.last_batch_at.as_deref().unwrap_or(never)
                ));
            }
            out::text(&text)
        }
        Some(SyncCmd::Bundle { what }) => {
            let store = env.open(Use::Write)?;
            match what {
                BundleCmd::Export { file } => {
                    let sent = run::bundle_export(&store, &env.data, &file)?;
                    drop(store);
                    out::line(lang.f(
                        "sync.bundle_written",
                        &[&file.display().to_string(), &sent.to_string()],
                    ))
                }
                BundleCmd::Import { file } => {
                    let (store, before) = crate::cli::erase::finish(env, store)?;
                    let s = run::bundle_import(&store, &env.data, &file)?;
                    let (store, after) = crate::cli::erase::finish(env, store)?;
                    drop(store);
                    out::line(summary_line(&s, lang))?;
                    for l in before.into_iter().chain(after) {
                        out::line(l)?;
                    }
                    Ok(())
                }
            }
        }
    }
}
