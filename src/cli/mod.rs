//! The command line: flags, subcommands, and the edge where typed errors
//! become one clear message and an exit code (0 ok, also when the reader of
//! standard output went away; 2 bad input; 3 store unavailable; 1 a bug).

pub use crate::env::{Env, Use};
pub use crate::fail::Fail;

mod assign;
mod care;
mod completions;
mod conflicts;
mod csvout;
mod data;
mod edit;
pub(crate) mod erase;
mod find;
pub mod help;
mod log;
mod move_merge;
mod office;
pub mod out;
mod plan;
pub mod progress;
pub mod report;
pub mod sync;
mod xlsxout;

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
    /// Colour in output: auto (on a terminal, unless NO_COLOR is set), always or never.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "auto",
        value_name = "WHEN"
    )]
    pub color: out::ColorChoice,
    #[command(subcommand)]
    pub cmd: Option<Cmd>,
}

/// `gridbook conflicts show|resolve`.
#[derive(Subcommand, Debug)]
pub enum ConflictsCmd {
    /// One item with its versions, numbered from 1.
    Show {
        /// The item's id (its last characters are enough).
        id: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Keep one version of a conflict: a new edit naming every version
    /// (it syncs like any edit).
    Resolve {
        /// The conflict's id (its last characters are enough).
        id: String,
        /// The version to keep, as `conflicts show` numbers them.
        #[arg(long, value_name = "N")]
        keep: usize,
    },
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
        /// Print JSON (its shape is in the README).
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
        /// What to look for: a name, pinyin initials (zs), phone digits, a room (2-501), a place.
        query: Vec<String>,
        /// At most this many results.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Print JSON (its shape is in the README).
        #[arg(long)]
        json: bool,
    },
    /// Export everything: lossless JSON, a roster CSV plus an events CSV, or
    /// both as sheets of one Excel workbook.
    Export {
        /// json (everything, lossless), csv (a roster and an events file) or xlsx (both as sheets).
        #[arg(long, default_value = "json", value_parser = one_of::<gridbook_core::export::Format>(&["json", "csv", "xlsx"]))]
        format: gridbook_core::export::Format,
        /// File (json, xlsx) or directory (csv); default: standard output for json.
        #[arg(long, value_name = "PATH")]
        out: Option<PathBuf>,
        /// CSV files start with a byte-order mark (the default) so Excel reads them as UTF-8.
        #[arg(long, conflicts_with = "no_bom")]
        bom: bool,
        /// CSV files without the byte-order mark (for programs that mind it).
        #[arg(long)]
        no_bom: bool,
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
        /// The backup or export file (default: the newest backup of this data directory).
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
    /// The reports the TUI shows: coverage (blank spots), open problems,
    /// activity, members' contributions, care visits due, workload, today.
    #[command(after_help = REPORT_EXAMPLES)]
    Report(ReportArgs),
    /// Put a resident in a care group (重点人群) or take them out.
    #[command(after_help = TAG_EXAMPLES)]
    Tag {
        /// AREA/BUILDING/HOUSEHOLD of the resident.
        addr: String,
        /// The resident's name.
        name: String,
        /// A care group to add: its code, either language's label or a synonym.
        #[arg(long, value_name = "GROUP")]
        add: Vec<String>,
        /// A care group to take the resident out of.
        #[arg(long, value_name = "GROUP")]
        remove: Vec<String>,
    },
    /// The building plan (楼盘表): one line per floor, top floor first, each door's flags.
    #[command(after_help = PLAN_EXAMPLES)]
    Plan {
        /// AREA/BUILDING, by name or code.
        addr: String,
        /// Print JSON (its shape is in the README).
        #[arg(long)]
        json: bool,
        /// Visited means within this many days (default: visit_days in config, 90).
        #[arg(long)]
        days: Option<i64>,
    },
    /// The community office's bare git repository, and its devices.
    #[command(after_help = office::OFFICE_EXAMPLES)]
    Office {
        #[command(subcommand)]
        what: office::OfficeCmd,
    },
    /// Team sync through git: send what this laptop wrote, receive every
    /// other device's batches (`sync init` first).
    #[command(after_help = sync::SYNC_EXAMPLES)]
    Sync(sync::SyncArgs),
    /// Scripted edits of residents, households, buildings and members.
    Edit {
        #[command(subcommand)]
        what: EditCmd,
    },
    /// Make a member responsible for a zone, a liaison of a household, or its supervisor.
    #[command(after_help = ASSIGN_EXAMPLES)]
    Assign {
        /// Name, phone or id.
        member: String,
        /// AREA[/BUILDING[/HOUSEHOLD]].
        zone: String,
        /// responsible (责任人), liaison (联系户) or supervisor (网格长).
        #[arg(long)]
        role: String,
        /// First day of the span (default: now): 2026-11-01, 2026/11/1, 2026年11月1日.
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
    },
    /// End a member's span on a zone (every role they hold there, or --role's).
    #[command(after_help = ASSIGN_EXAMPLES)]
    Unassign {
        /// The member: name, phone or id.
        member: String,
        /// The zone: AREA[/BUILDING[/HOUSEHOLD]].
        zone: String,
        /// Only this role: responsible, liaison or supervisor.
        #[arg(long)]
        role: Option<String>,
        /// Last day of the span (default: now).
        #[arg(long, value_name = "DATE")]
        until: Option<String>,
    },
    /// Move a resident to another household; their history goes with them.
    Move {
        /// The resident's household: AREA/BUILDING/HOUSEHOLD.
        addr: String,
        /// The resident's name.
        name: String,
        /// The household they move to.
        #[arg(long, value_name = "ADDR")]
        to: String,
    },
    /// Merge a household into another: its residents and history go to the
    /// other, which keeps its own record; the first is closed.
    Merge {
        /// The household that is merged and closed.
        addr: String,
        /// The household that stays.
        #[arg(long, value_name = "ADDR")]
        into: String,
    },
    /// Move every zone and liaison household of one member to another, in one step.
    #[command(after_help = ASSIGN_EXAMPLES)]
    Transfer {
        /// The member handing over (name, phone or id).
        from: String,
        /// The member taking over.
        to: String,
        /// The day the other member takes over (default: now).
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
    },
    /// Retire a member: lists the zones and liaison households it ends;
    /// with --yes ends each span and retires them (history stays).
    #[command(after_help = ASSIGN_EXAMPLES)]
    Retire {
        /// Name, phone or id.
        member: String,
        /// Why (退休, 迁出 …); kept with the record.
        #[arg(long)]
        reason: String,
        /// Retire after listing what it ends (without it nothing is written).
        #[arg(long)]
        yes: bool,
    },
    /// What merges left for people: conflicts (a field edited on two
    /// devices, an edit racing a deletion), items that need attention, and
    /// quarantined entries.
    Conflicts {
        #[command(subcommand)]
        what: Option<ConflictsCmd>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Verify the derived indexes against records and events.
    Check {
        /// Regenerate every derived index from records and events.
        #[arg(long)]
        rebuild: bool,
        /// Print JSON (its shape is in the README).
        #[arg(long)]
        json: bool,
    },
    /// Shell completions: `gridbook completions bash > /etc/bash_completion.d/gridbook`.
    Completions {
        /// The shell to write completions for.
        #[arg(value_enum)]
        shell: completions::Shell,
    },
    /// The manual page, gridbook(1): `gridbook man > gridbook.1`.
    Man,
    /// Generate a large synthetic estate (for benchmarks) into an empty store.
    Gen {
        /// How many households (about 3 residents each; 20 members per 1,000).
        #[arg(long, default_value_t = 100_000)]
        households: usize,
        /// The same seed makes the same estate.
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportWhat {
    Coverage,
    Problems,
    Activity,
    /// Each member's contribution record for the period.
    Members,
    /// Households due or overdue for a care visit.
    Care,
    /// Each member's zones and households now (the members view's workload).
    Workload,
    Today,
    /// The office's ledgers (台账): visits, problems, patrols, care-visits or activities, one row per entry.
    Ledger,
}

/// Which ledger `report ledger` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LedgerWhat {
    /// 走访台账: every visit.
    Visits,
    /// 问题台账: every problem opened, its status and outcome.
    Problems,
    /// 巡查台账: every patrol and what failed.
    Patrols,
    /// Visits to households in a care group, on time or late.
    CareVisits,
    /// Service activities and who took part.
    Activities,
}

/// `gridbook report …`: which report, its period and where it goes.
#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// Which report.
    #[arg(value_enum)]
    pub what: ReportWhat,
    /// For `report ledger`: which ledger.
    #[arg(value_enum)]
    pub ledger: Option<LedgerWhat>,
    /// The last N days (default: visit_days for coverage and today, 30 otherwise).
    #[arg(long)]
    pub days: Option<i64>,
    /// A calendar month in the local zone: 2026-11.
    #[arg(long, value_name = "YYYY-MM")]
    pub month: Option<String>,
    /// First day counted (alone: up to now).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Last day counted (alone: from the beginning).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Print JSON (its shape is in the README).
    #[arg(long)]
    pub json: bool,
    /// Also write the report as CSV (UTF-8 with BOM, headers in --lang) to FILE.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Also write the report as an Excel workbook (headers in --lang) to FILE.
    #[arg(long, value_name = "FILE")]
    pub xlsx: Option<PathBuf>,
    /// care: only households this member covers; members: only this member.
    #[arg(long)]
    pub member: Option<String>,
    /// members: only this branch (党支部 / 党员服务社).
    #[arg(long)]
    pub branch: Option<String>,
    /// members: only this kind (party-member, 党员, grid-leader …).
    #[arg(long)]
    pub kind: Option<String>,
    /// members: only members with this tag (流动, 协解 …).
    #[arg(long)]
    pub tag: Option<String>,
    /// problems: also list those resolved in the period (default the last
    /// 30 days, as the TUI's R) and not reopened since.
    #[arg(long, visible_alias = "all")]
    pub resolved: bool,
}

#[derive(Subcommand, Debug)]
pub enum EditCmd {
    /// A resident's phone, name, relation, notes or status.
    #[command(after_help = EDIT_RESIDENT_EXAMPLES)]
    Resident {
        /// AREA/BUILDING/HOUSEHOLD.
        addr: String,
        /// The resident's current name.
        name: String,
        /// Phones, `;` between (an empty string clears them).
        #[arg(long)]
        phone: Option<String>,
        /// A new name.
        #[arg(long = "name", value_name = "NAME")]
        new_name: Option<String>,
        /// Relation to the head of the household, as the roster writes it
        /// (户主, 配偶, 子女 …).
        #[arg(long)]
        relation: Option<String>,
        /// Notes on the resident (an empty string clears them).
        #[arg(long)]
        notes: Option<String>,
        /// present (在住), moved-out (迁出) or deceased (去世).
        #[arg(long)]
        status: Option<String>,
    },
    /// A household's occupancy status or notes.
    #[command(after_help = EDIT_HOUSEHOLD_EXAMPLES)]
    Household {
        /// AREA/BUILDING/HOUSEHOLD.
        addr: String,
        /// owner (自住), rented (出租), vacant (空置) or commercial (商用).
        #[arg(long)]
        status: Option<String>,
        /// Notes on the household (an empty string clears them).
        #[arg(long)]
        notes: Option<String>,
    },
    /// A building's name, code and floor numbering.
    #[command(after_help = EDIT_BUILDING_EXAMPLES)]
    Building {
        /// AREA/BUILDING.
        addr: String,
        /// A new name (3栋).
        #[arg(long)]
        name: Option<String>,
        /// A new short code, typed in addresses (3).
        #[arg(long)]
        code: Option<String>,
        /// The floor rooms 1xx are on (2 when shops take the ground floor).
        #[arg(long, value_name = "N")]
        first_floor: Option<String>,
        /// Rooms numbered straight through, K per floor (0 for none).
        #[arg(long, value_name = "K")]
        doors_per_floor: Option<String>,
    },
    /// A member's phone, kind, tags or branch.
    #[command(after_help = EDIT_MEMBER_EXAMPLES)]
    Member {
        /// Name, phone or id.
        member: String,
        /// A new name.
        #[arg(long)]
        name: Option<String>,
        /// A new phone (an empty string clears it).
        #[arg(long)]
        phone: Option<String>,
        /// party-member (党员), grid-worker (网格员), volunteer (志愿者), building-head (楼栋长), grid-leader (网格长).
        #[arg(long)]
        kind: Option<String>,
        /// Tags, `;` or `,` between (replaces the member's tags).
        #[arg(long)]
        tags: Option<String>,
        /// 党支部 / 党员服务社 (an empty string clears it).
        #[arg(long)]
        branch: Option<String>,
    },
}

const REPORT_EXAMPLES: &str = "Examples:
  gridbook report coverage --days 90
  gridbook report members --month 2026-11 --csv 11月.csv --lang zh
  gridbook report members --from 2026-01-01 --to 2026-06-30 --branch 第一党支部 --json
  gridbook report care --member 赵建国
  gridbook report problems --from 2026/11/1
  gridbook report activity --days 7 --csv week.csv
  gridbook report ledger visits --month 2026-11 --xlsx 走访台账.xlsx --lang zh
  gridbook report ledger problems --from 2026-01-01 --to 2026-06-30 --csv problems.csv
  gridbook report workload --xlsx workload.xlsx";
const TAG_EXAMPLES: &str = "Examples:
  gridbook tag 胜利花苑/3栋/2-501 吕桂英 --add 独居老人
  gridbook tag slhy/3/2-501 吕桂英 --add low-income --remove alone-elder";
const PLAN_EXAMPLES: &str = "Examples:
  gridbook plan 胜利花苑/3栋
  gridbook plan slhy/3 --json --days 30";
const ASSIGN_EXAMPLES: &str = "Examples:
  gridbook assign 赵建国 胜利花苑/3栋 --role responsible --since 2026-11-01
  gridbook assign 孙丽 slhy/3/2-501 --role liaison
  gridbook assign 王强 胜利花苑 --role supervisor
  gridbook unassign 孙丽 slhy/3/2-501 --until 2026-12-31
  gridbook transfer 孙丽 赵建国 --since 2026-12-01";
const EDIT_RESIDENT_EXAMPLES: &str = "Examples:
  gridbook edit resident slhy/3/2-501 严建国 --phone 13905461234
  gridbook edit resident slhy/3/2-501 吕桂英 --status 去世";
const EDIT_HOUSEHOLD_EXAMPLES: &str = "Examples:
  gridbook edit household slhy/3/2-501 --status 出租
  gridbook edit household slhy/3/1-101 --status vacant --notes \"房主在外地\"";
const EDIT_BUILDING_EXAMPLES: &str = "Examples:
  gridbook edit building slhy/3 --first-floor 2
  gridbook edit building slhy/12 --doors-per-floor 8 --name 12栋";
const EDIT_MEMBER_EXAMPLES: &str = "Examples:
  gridbook edit member 孙丽 --tags 流动 --branch 第一党支部
  gridbook edit member 13800000001 --kind 网格长";
const ACTIVITY_EXAMPLES: &str = "Examples:
  gridbook log activity --kind 党员奉献日 --zone 胜利花苑 --members 赵建国,孙丽 --hours 2
  gridbook log activity --kind voluntary-labour --zone slhy/3 --members 13800000001 --hours 1.5 --at \"2026-11-28 09:00\" --note 清理楼道";

#[derive(Subcommand, Debug)]
pub enum ImportCmd {
    /// Households and residents from a roster: CSV (UTF-8 or GB18030) or a
    /// workbook (.xlsx, .xls, .ods); all rows or none.
    Roster {
        /// The roster: .csv, .xlsx, .xls or .ods.
        file: PathBuf,
        /// The workbook's sheet to read (default: the first).
        #[arg(long, value_name = "NAME")]
        sheet: Option<String>,
        /// Check and report without writing anything.
        #[arg(long)]
        dry_run: bool,
        /// Import the valid rows and report the invalid ones.
        #[arg(long)]
        skip_invalid: bool,
        /// Take the file's values also where they would undo work done here
        /// (edited fields, deleted or moved-out people); listed either way.
        #[arg(long)]
        overwrite: bool,
        /// Print JSON (its shape is in the README).
        #[arg(long)]
        json: bool,
    },
    /// Members and their zones from CSV or a workbook (.xlsx, .xls, .ods).
    Members {
        /// The members' list: .csv, .xlsx, .xls or .ods.
        file: PathBuf,
        /// The workbook's sheet to read (default: the first).
        #[arg(long, value_name = "NAME")]
        sheet: Option<String>,
    },
    /// Everything from a `gridbook export` JSON file (plain or age-encrypted), into an empty store.
    Json {
        /// The export file (`gridbook export`), plain or encrypted.
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
        /// The household visited: AREA/BUILDING/HOUSEHOLD.
        #[arg(long, value_name = "ADDR")]
        household: String,
        /// Who visited (default: --as / me; never guessed from who covers the household).
        #[arg(long)]
        member: Option<String>,
        /// When: now, 14:30, yesterday 09:00, -2d, 2026-11-28 14:30.
        #[arg(long, default_value = "now", allow_hyphen_values = true)]
        at: String,
        /// Why: routine, follow-up, help-request, elderly-care,
        /// policy-outreach, safety-check (or the Chinese words: 日常走访 …).
        #[arg(long, default_value = "routine")]
        purpose: String,
        /// What was seen or said (default: none).
        #[arg(long, default_value = "")]
        note: String,
        /// Follow-up date: +7d, -3d, 2026-12-05 …
        #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
        follow_up: Option<String>,
    },
    /// A problem (问题/诉求) reported in a zone.
    Problem {
        /// Where: an area, building or household (AREA/BUILDING/HOUSEHOLD).
        #[arg(long, value_name = "ADDR")]
        zone: String,
        /// repair, blocked-drain, moving-help, medical-help, home-service,
        /// dispute, hygiene, safety, other (or the Chinese words: 报修 …;
        /// config.toml `categories` replaces the list).
        #[arg(long)]
        category: String,
        /// What is wrong, as the resident put it.
        #[arg(long)]
        note: String,
        /// low, normal or high (低, 一般, 紧急).
        #[arg(long, default_value = "normal")]
        urgency: String,
        /// When: now, 14:30, yesterday 09:00, -2d, 2026-11-28 14:30.
        #[arg(long, default_value = "now", allow_hyphen_values = true)]
        at: String,
    },
    /// Resolve an open problem (ID as `log problem` printed it).
    Resolve {
        /// The problem's id, as `log problem` printed it.
        problem: String,
        /// How it was resolved.
        #[arg(long)]
        note: String,
        /// When: now, 14:30, yesterday 09:00, -2d, 2026-11-28 14:30.
        #[arg(long, default_value = "now", allow_hyphen_values = true)]
        at: String,
    },
    /// Reopen a resolved problem.
    Reopen {
        /// The problem's id, as `log problem` printed it.
        problem: String,
        /// Why it is open again.
        #[arg(long)]
        note: String,
        /// When: now, 14:30, yesterday 09:00, -2d, 2026-11-28 14:30.
        #[arg(long, default_value = "now", allow_hyphen_values = true)]
        at: String,
    },
    /// Note progress on an open problem.
    Progress {
        /// The problem's id, as `log problem` printed it.
        problem: String,
        /// What was done so far.
        #[arg(long)]
        note: String,
        /// When: now, 14:30, yesterday 09:00, -2d, 2026-11-28 14:30.
        #[arg(long, default_value = "now", allow_hyphen_values = true)]
        at: String,
    },
    /// Comment on a problem, open or resolved.
    Comment {
        /// The problem's id, as `log problem` printed it.
        problem: String,
        /// The comment.
        #[arg(long)]
        note: String,
        /// When: now, 14:30, yesterday 09:00, -2d, 2026-11-28 14:30.
        #[arg(long, default_value = "now", allow_hyphen_values = true)]
        at: String,
    },
    /// A hygiene (卫生) or security (治安) patrol of an area or building.
    Patrol {
        /// The area or building patrolled (AREA or AREA/BUILDING).
        #[arg(long, value_name = "ADDR")]
        zone: String,
        /// hygiene or security (卫生, 治安).
        #[arg(long)]
        kind: String,
        /// A checklist item that failed, with an optional note: --issue "灭火器在位:过期"
        #[arg(long = "issue", value_name = "ITEM[:NOTE]")]
        issues: Vec<String>,
        /// Open a problem for each failed item.
        #[arg(long)]
        open_problems: bool,
        /// What was seen (default: none).
        #[arg(long, default_value = "")]
        note: String,
        /// When: now, 14:30, yesterday 09:00, -2d, 2026-11-28 14:30.
        #[arg(long, default_value = "now", allow_hyphen_values = true)]
        at: String,
    },
    /// A service activity (党员奉献日, 义务劳动 …) with the members who took part.
    #[command(after_help = ACTIVITY_EXAMPLES)]
    Activity {
        /// A kind's code or either language's name (activities.toml adds kinds).
        #[arg(long)]
        kind: String,
        /// Where it took place: an area, building or household.
        #[arg(long, value_name = "ADDR")]
        zone: String,
        /// Members who took part, by name, phone or id, `,` between.
        #[arg(long, value_name = "A,B")]
        members: String,
        /// Duration in hours: 2, 1.5 (more than 0, at most 24).
        #[arg(long, allow_hyphen_values = true)]
        hours: String,
        /// When: now, 09:00, yesterday 09:00, -2d, 2026-11-28 09:00.
        #[arg(long, default_value = "now", allow_hyphen_values = true)]
        at: String,
        /// What was done (default: none).
        #[arg(long, default_value = "")]
        note: String,
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
    out::set_color(cli.color);
    // Completions and the man page need no data directory.
    match cli.cmd {
        Some(Cmd::Completions { shell }) => return completions::completions(shell),
        Some(Cmd::Man) => return completions::man(),
        _ => {}
    }
    let mut env = Env::resolve(cli.data.as_deref(), cli.lang, cli.as_member.clone())?;
    env.wait = cli.wait;
    // Stored checklist keys read as the user's labels (`show`, reports), as
    // in the TUI. A broken file is reported where it is used to write
    // (`log patrol`, the TUI); reading falls back to the shipped labels.
    if let Ok(lists) =
        gridbook_core::config::checklists(gridbook_core::config::config_dir().as_deref())
    {
        gridbook_domain::checklist::install(&lists);
    }
    // A read while the TUI holds the store: the TUI answers it.
    if crate::serve::answers(&cli.cmd)
        && let Some(answer) = crate::serve::ask(&env.data, env.lang)?
    {
        crate::serve::finish(answer);
    }
    run_in(env, cli.cmd)
}

/// Runs a command with its settings resolved (here, or in the running TUI
/// for another process).
pub(crate) fn run_in(env: Env, cmd: Option<Cmd>) -> Result<(), Fail> {
    let data = env.data.clone();
    dispatch(env, cmd).map_err(|mut f| {
        // Damage found after opening: say where, and what to restore from.
        let dir = data.display().to_string();
        if f.code == 3 && !f.elsewhere && !f.msg.contains(&dir) {
            let newest = gridbook_core::backup::newest(&data);
            f.msg = format!(
                "{} in {dir}{}",
                f.msg,
                gridbook_store::store::backup_hint(&newest)
            );
            f.zh =
                f.zh.take()
                    .map(|zh| crate::speak::in_dir(&zh, &dir, newest.as_deref()));
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
                if !store.is_empty() {
                    return Err(demo::DemoError::NotEmpty(env.data.display().to_string()).into());
                }
                // Built beside the empty store and swapped in whole.
                let mut loaded = None;
                let lock = store.close().ok_or_else(no_lock)?;
                drop(gridbook_store::swap::replace(&env.data, lock, |s| {
                    loaded = Some(demo::load(s, Ts::now())?);
                    Ok::<(), demo::DemoError>(())
                })?);
                let loaded =
                    loaded.ok_or_else(|| Fail::of(ErrorKind::Bug, "the demo load said nothing"))?;
                out::line(env.lang.f(
                    "contacts.msg.demo_loaded",
                    &[
                        &env.data.display().to_string(),
                        &loaded.households.to_string(),
                        &loaded.residents.to_string(),
                        &loaded.members.to_string(),
                        &loaded.events.to_string(),
                    ],
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
        Some(Cmd::Report(args)) => report::run(&env, args),
        Some(Cmd::Tag {
            addr,
            name,
            add,
            remove,
        }) => care::tag(&env, &addr, &name, &add, &remove),
        Some(Cmd::Plan { addr, json, days }) => plan::run(&env, &addr, json, days),
        Some(Cmd::Edit { what }) => edit::run(&env, what),
        Some(Cmd::Office { what }) => office::run(&env, what),
        Some(Cmd::Sync(args)) => sync::run(&env, args),
        Some(Cmd::Assign {
            member,
            zone,
            role,
            since,
        }) => assign::assign(&env, &member, &zone, &role, since.as_deref()),
        Some(Cmd::Unassign {
            member,
            zone,
            role,
            until,
        }) => assign::unassign(&env, &member, &zone, role.as_deref(), until.as_deref()),
        Some(Cmd::Move { addr, name, to }) => move_merge::move_resident(&env, &addr, &name, &to),
        Some(Cmd::Merge { addr, into }) => move_merge::merge(&env, &addr, &into),
        Some(Cmd::Transfer { from, to, since }) => {
            assign::transfer(&env, &from, &to, since.as_deref())
        }
        Some(Cmd::Retire {
            member,
            reason,
            yes,
        }) => assign::retire(&env, &member, &reason, yes),
        Some(Cmd::Find { query, limit, json }) => find::run(&env, &query.join(" "), limit, json),
        Some(Cmd::Export {
            format,
            out,
            bom,
            no_bom,
            passphrase,
            recipients,
        }) => data::export(
            &env,
            format,
            out.as_deref(),
            data::Bom { bom, no_bom },
            passphrase,
            &recipients,
        ),
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
        Some(Cmd::Completions { shell }) => completions::completions(shell),
        Some(Cmd::Man) => completions::man(),
        Some(Cmd::Conflicts { what, json }) => match what {
            None => conflicts::list(&env, json),
            Some(ConflictsCmd::Show { id, json: j }) => conflicts::show(&env, &id, json || j),
            Some(ConflictsCmd::Resolve { id, keep }) => conflicts::resolve(&env, &id, keep),
        },
        Some(Cmd::Check { rebuild, json }) => {
            // A check of a store that is not there would find nothing wrong.
            let store = env.open(Use::Read)?;
            if rebuild {
                gridbook_core::lookup::persist::forget(&env.data);
                let progress = progress::bar(env.lang.t("excel.progress.rebuild"), json);
                store.rebuild_with(progress.counts())?;
            }
            let progress = progress::bar(env.lang.t("excel.progress.check"), json);
            let report = store.check_with(progress.counts())?;
            drop(store);
            drop(progress);
            if json {
                out::json(&report)?;
            } else {
                let n = [
                    report.records,
                    report.ok,
                    report.missing.len(),
                    report.extra.len(),
                    report.wrong.len(),
                    report.undecodable.len(),
                ]
                .map(|n| n.to_string());
                let n: Vec<&str> = n.iter().map(String::as_str).collect();
                out::line(env.lang.f("check_cli.summary", &n))?;
            }
            if report.is_clean() {
                Ok(())
            } else if report.rebuild_fixes() {
                Err(Fail::said_as(
                    ErrorKind::Unavailable,
                    "contacts.rule.check_dirty",
                    &[],
                ))
            } else {
                let which = report
                    .undecodable
                    .iter()
                    .chain(&report.miscounted)
                    .take(3)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("; ");
                Err(Fail::said_as(
                    ErrorKind::Unavailable,
                    "check_cli.damaged",
                    &[&which],
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
                    .map_err(|e| crate::fail::output_fail(&dir, &e))?;
                return out::line(env.lang.f(
                    "contacts.msg.gen_wrote",
                    &[
                        &est.residents.len().to_string(),
                        &est.households.len().to_string(),
                        &est.members.len().to_string(),
                        &est.event_count().to_string(),
                        &dir.display().to_string(),
                    ],
                ));
            }
            let store = env.open(Use::Fill)?;
            if !store.is_empty() {
                return Err(Fail::said(
                    "contacts.msg.gen_not_empty",
                    &[&env.data.display().to_string()],
                ));
            }
            let spec =
                generator::Spec::large(households, seed, events.unwrap_or(households * 10), now);
            let progress = progress::bar(env.lang.t("excel.progress.gen"), false);
            let t0 = std::time::Instant::now();
            let est = generator::generate(&spec);
            let t1 = t0.elapsed();
            // Built beside the empty store and swapped in whole: a kill
            // leaves the empty store, and a retry starts afresh.
            let lock = store.close().ok_or_else(no_lock)?;
            let [households, residents, members, events] = [
                est.households.len(),
                est.residents.len(),
                est.members.len(),
                est.event_count(),
            ]
            .map(|n| n.to_string());
            drop(gridbook_store::swap::replace_bulk(
                &env.data,
                lock,
                &generator::IN_KEY_ORDER,
                |s| generator::load_owned(s, est, progress.counts()),
            )?);
            drop(progress);
            out::line(env.lang.f(
                "contacts.msg.generated",
                &[
                    &households,
                    &residents,
                    &members,
                    &events,
                    &format!("{t1:.1?}"),
                    &format!("{:.1?}", t0.elapsed() - t1),
                ],
            ))
        }
    }
}

fn import(env: &Env, what: ImportCmd) -> Result<(), Fail> {
    match what {
        ImportCmd::Roster {
            file,
            sheet,
            dry_run,
            skip_invalid,
            overwrite,
            json,
        } => {
            sheet_applies(&file, sheet.as_deref())?;
            let progress = progress::bar(env.lang.t("excel.progress.import"), json);
            let parsed = roster::read_sheet(&file, sheet.as_deref())?;
            let store = env.open(Use::Write)?;
            let ctx = env.ctx(&store)?;
            let opts = roster::Options {
                dry_run,
                skip_invalid,
                take: if overwrite {
                    roster::Take::All
                } else {
                    roster::Take::None
                },
            };
            let report = roster::import_progress(&store, ctx, &parsed, &opts, progress.counts())?;
            if report.written {
                backup_after(env, &store);
            }
            drop(store);
            drop(progress);
            if json {
                out::json(&report)?;
            } else {
                out::line(report.text(env.lang))?;
            }
            if dry_run && report.rows_rejected > 0 {
                return Err(Fail::said(
                    "import_cli.rejected",
                    &[
                        &file.display().to_string(),
                        &report.rows_rejected.to_string(),
                    ],
                ));
            }
            Ok(())
        }
        ImportCmd::Json { file, identity } => data::import_json(env, &file, identity.as_deref()),
        ImportCmd::Members { file, sheet } => {
            sheet_applies(&file, sheet.as_deref())?;
            let progress = progress::bar(env.lang.t("excel.progress.import"), false);
            let store = env.open(Use::Write)?;
            let ctx = env.ctx(&store)?;
            let report = members_csv::import_file_sheet_with(
                &store,
                ctx,
                &file,
                sheet.as_deref(),
                progress.counts(),
            )?;
            if report.members_added + report.assignments_added > 0 {
                backup_after(env, &store);
            }
            drop(store);
            drop(progress);
            out::line(report.text(env.lang))
        }
    }
}

/// `--sheet` names a sheet of a workbook; a CSV file has none.
fn sheet_applies(file: &Path, sheet: Option<&str>) -> Result<(), Fail> {
    if sheet.is_some() && !roster::table::is_workbook(file) {
        return Err(Fail::said(
            "import_cli.sheet_csv",
            &[&file.display().to_string()],
        ));
    }
    Ok(())
}

/// A backup after an import changed data. Failing to write one is reported
/// but does not undo the import, which is already saved.
fn backup_after(env: &Env, store: &Store) {
    match gridbook_core::backup::after_session(store, &env.config.backup_policy()) {
        Ok(Some(p)) => out::note(
            env.lang
                .f("contacts.msg.backup_written", &[&p.display().to_string()]),
        ),
        Ok(None) => {}
        Err(e) => out::note(env.lang.f("contacts.msg.backup_failed", &[&e.to_string()])),
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

/// A store on disk always holds its data directory's lock.
fn no_lock() -> Fail {
    Fail::of(ErrorKind::Bug, "a store on disk holds its lock")
}

/// A day given on the command line (`2026-11-01`, `2026/11/1`,
/// `2026年11月1日`) as the instant it starts in the local zone; today is
/// now, so a span given today starts when it is written.
pub fn day_start(flag: &str, s: &str, now: Ts) -> Result<Ts, Fail> {
    let tz = gridbook_domain::clock::tz();
    let d = gridbook_domain::when::calendar_date(s)
        .ok_or_else(|| Fail::input(format!("{flag} {s}: give a date as YYYY-MM-DD")))?;
    if Date::from_jiff(d) == now.date() {
        return Ok(now);
    }
    let z = d
        .to_zoned(tz)
        .map_err(|_| Fail::input(format!("{flag} {s}: not a day in the local zone")))?;
    Ok(Ts(z.timestamp().as_millisecond()))
}

/// The care groups (shipped, with `care.toml` laid over them).
pub fn care_groups() -> Result<gridbook_domain::vocab::Vocabulary, Fail> {
    gridbook_core::config::care_groups(gridbook_core::config::config_dir().as_deref())
        .map_err(Fail::input)
}

/// The kinds of service activity (shipped, with `activities.toml`).
pub fn activity_kinds() -> Result<gridbook_domain::vocab::Vocabulary, Fail> {
    gridbook_core::config::activity_kinds(gridbook_core::config::config_dir().as_deref())
        .map_err(Fail::input)
}

/// A household named by `addr`, or exit 2 saying what `addr` is instead.
pub fn household_at(store: &Store, addr: &str) -> Result<Household, Fail> {
    let zone = address::resolve(store, addr)?;
    match zone {
        address::Zone::Household(_, _, h) => Ok(h),
        other => Err(Fail::input(format!(
            "`{addr}` is a {}, not a household: give AREA/BUILDING/HOUSEHOLD",
            other.kind().code()
        ))),
    }
}

/// The live resident called `name` in household `h` (exact name), or exit 2
/// naming the residents there.
pub fn resident_in(store: &Store, h: &Household, name: &str) -> Result<Resident, Fail> {
    let residents: Vec<Resident> = store
        .residents_of(h.meta.id)?
        .into_iter()
        .filter(|r| r.meta.is_live())
        .collect();
    let name = name.trim();
    if let Some(r) = residents.iter().find(|r| r.name == name) {
        return Ok(r.clone());
    }
    let names: Vec<&str> = residents.iter().map(|r| r.name.as_str()).collect();
    Err(Fail::input(if names.is_empty() {
        format!("no resident `{name}` in {}: it has no residents", h.label())
    } else {
        format!(
            "no resident `{name}` in {}; residents there: {}",
            h.label(),
            names.join(", ")
        )
    }))
}
