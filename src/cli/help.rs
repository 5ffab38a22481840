//! The command line in the chosen language: which language before clap has
//! parsed anything, the `Command` with every `about` and argument help
//! taken from the catalogs (`[contacts.help]`, keyed by the subcommand path
//! and the argument's id), and clap's own refusals said in that language.
//! English keeps the doc comments on `Cli` as its source.

use std::ffi::OsString;

use clap::error::{ContextKind, ContextValue, ErrorKind as ClapKind};
use clap::{Arg, ArgAction, Command, CommandFactory, FromArgMatches};
use gridbook_domain::i18n::Lang;

use super::Cli;

/// The language a run speaks, before parsing: `--lang`, then config's
/// `lang`, then `LANG`, as `Env::resolve` decides it once parsed.
pub fn early_lang(args: &[OsString]) -> Lang {
    let mut flag = None;
    let mut it = args.iter().filter_map(|a| a.to_str());
    while let Some(a) = it.next() {
        if a == "--" {
            break;
        }
        let v = match a.strip_prefix("--lang") {
            Some("") => it.next(),
            Some(rest) => rest.strip_prefix('='),
            None => None,
        };
        if let Some(v) = v.and_then(|v| v.parse::<Lang>().ok()) {
            flag = Some(v);
        }
    }
    let config =
        gridbook_core::config::Config::load(gridbook_core::config::config_dir().as_deref())
            .ok()
            .and_then(|c| c.lang);
    Lang::detect(flag, config)
}

/// The catalog's text for `key`, when it has one.
fn known(lang: Lang, key: &str) -> Option<&'static str> {
    Some(lang.t(key)).filter(|t| *t != key)
}

/// The key of a command's (or an argument's) help text.
pub fn key(path: &str, what: &str) -> String {
    if path.is_empty() {
        format!("contacts.help.{what}")
    } else {
        format!("contacts.help.{path}.{what}")
    }
}

/// `Cli`'s command, said in `lang`.
pub fn command(lang: Lang) -> Command {
    let cmd = Cli::command();
    match lang {
        Lang::En => cmd,
        Lang::Zh => {
            let cmd = cmd
                .disable_help_flag(true)
                .disable_version_flag(true)
                .disable_help_subcommand(true)
                .arg(
                    Arg::new("help")
                        .short('h')
                        .long("help")
                        .global(true)
                        .action(ArgAction::Help)
                        .help(lang.t("contacts.help.print_help")),
                )
                .arg(
                    Arg::new("version")
                        .short('V')
                        .long("version")
                        .action(ArgAction::Version)
                        .help(lang.t("contacts.help.print_version")),
                );
            localize(cmd, "", lang)
        }
    }
}

fn localize(mut cmd: Command, path: &str, lang: Lang) -> Command {
    if let Some(about) = known(lang, &key(path, "about")) {
        cmd = cmd.about(about).long_about(None);
    }
    if let Some(after) = cmd.get_after_help().map(|s| s.to_string()) {
        cmd = cmd.after_help(after.replacen("Examples:", lang.t("contacts.help.examples"), 1));
    }
    cmd = cmd
        .help_template(lang.t("contacts.help.template"))
        .subcommand_help_heading(lang.t("contacts.help.commands"))
        .subcommand_value_name(lang.t("contacts.help.command"));
    let ids: Vec<(String, bool)> = cmd
        .get_arguments()
        .map(|a| (a.get_id().to_string(), a.is_positional()))
        .collect();
    for (id, positional) in ids {
        let help = known(lang, &key(path, &id));
        let heading = lang.t(if positional {
            "contacts.help.arguments"
        } else {
            "contacts.help.options"
        });
        cmd = cmd.mut_arg(&id, |a| {
            // clap's own `[default: …]`, `[possible values: …]` and `[env: …]`
            // are English: said here instead.
            let mut notes = Vec::new();
            let takes = a.get_action().takes_values();
            // A flag (`--json`) takes no value: its true/false are clap's, not the user's.
            let values: Vec<String> = a
                .get_possible_values()
                .iter()
                .filter(|v| takes && !v.is_hide_set())
                .map(|v| v.get_name().to_string())
                .collect();
            if !values.is_empty() {
                notes.push(lang.f("contacts.help.values", &[&values.join("、")]));
            }
            let defaults: Vec<String> = a
                .get_default_values()
                .iter()
                .map(|v| v.to_string_lossy().to_string())
                .filter(|v| !v.is_empty())
                .collect();
            if !defaults.is_empty() && takes {
                notes.push(lang.f("contacts.help.default", &[&defaults.join("、")]));
            }
            if let Some(env) = a.get_env() {
                notes.push(lang.f("contacts.help.env", &[&env.to_string_lossy()]));
            }
            let a = a.help_heading(heading);
            let a = if takes {
                a.hide_possible_values(true)
                    .hide_default_value(true)
                    .hide_env(true)
            } else {
                a
            };
            let text = match help {
                Some(h) => h.to_string(),
                None => a.get_help().map(|h| h.to_string()).unwrap_or_default(),
            };
            let text = if notes.is_empty() {
                text
            } else {
                format!("{text}（{}）", notes.join("；"))
            };
            a.help(text).long_help(None)
        });
    }
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in subs {
        let sub_path = if path.is_empty() {
            name.clone()
        } else {
            format!("{path}.{name}")
        };
        cmd = cmd.mut_subcommand(&name, |s| localize(s, &sub_path, lang));
    }
    cmd
}

/// Parses the command line in `lang`; help and version are `Err` too, as
/// clap hands them (printed by [`exit`]).
pub fn parse(lang: Lang, args: Vec<OsString>) -> Result<Cli, clap::Error> {
    let m = command(lang).try_get_matches_from(args)?;
    Cli::from_arg_matches(&m)
}

/// Prints what clap stopped at (help, version, or a refusal) and gives the
/// exit code: 0 for help and version, 2 for bad input, as the contract says.
pub fn exit(e: clap::Error, lang: Lang) -> u8 {
    let code = if e.use_stderr() { 2 } else { 0 };
    if lang == Lang::En || !e.use_stderr() {
        let _ = e.print();
        return code;
    }
    let ctx = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join("、"),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let msg = match e.kind() {
        ClapKind::UnknownArgument => lang.f(
            "contacts.clap.unknown_argument",
            &[&ctx(ContextKind::InvalidArg)],
        ),
        ClapKind::InvalidSubcommand => lang.f(
            "contacts.clap.unknown_command",
            &[&ctx(ContextKind::InvalidSubcommand)],
        ),
        ClapKind::InvalidValue => lang.f(
            "contacts.clap.invalid_value",
            &[
                &ctx(ContextKind::InvalidValue),
                &ctx(ContextKind::InvalidArg),
                &ctx(ContextKind::ValidValue),
            ],
        ),
        ClapKind::ValueValidation => lang.f(
            "contacts.clap.bad_value",
            &[
                &ctx(ContextKind::InvalidValue),
                &ctx(ContextKind::InvalidArg),
            ],
        ),
        ClapKind::MissingRequiredArgument => {
            lang.f("contacts.clap.missing", &[&ctx(ContextKind::InvalidArg)])
        }
        ClapKind::MissingSubcommand | ClapKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            lang.t("contacts.clap.missing_command").to_string()
        }
        _ => lang.f("contacts.clap.other", &[e.kind().as_str().unwrap_or("")]),
    };
    let usage = match e.get(ContextKind::Usage) {
        Some(ContextValue::StyledStr(s)) => s.to_string(),
        _ => String::new(),
    };
    let usage = usage
        .trim()
        .replacen("Usage:", lang.t("contacts.help.usage"), 1);
    if usage.is_empty() {
        eprintln!("gridbook: {msg}\n\n{}", lang.t("contacts.clap.more"));
    } else {
        eprintln!(
            "gridbook: {msg}\n\n{usage}\n\n{}",
            lang.t("contacts.clap.more")
        );
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every command and every argument of the command line has its text
    /// in the Chinese catalog: a new flag without one fails here.
    #[test]
    fn every_command_and_argument_is_said_in_chinese() {
        fn walk(cmd: &Command, path: &str, missing: &mut Vec<String>) {
            let mut want = vec![key(path, "about")];
            want.extend(
                cmd.get_arguments()
                    .filter(|a| !a.is_global_set() || path.is_empty())
                    .map(|a| key(path, a.get_id().as_str())),
            );
            for k in want {
                if known(Lang::Zh, &k).is_none() || known(Lang::En, &k).is_none() {
                    missing.push(k);
                }
            }
            for s in cmd.get_subcommands() {
                let p = if path.is_empty() {
                    s.get_name().to_string()
                } else {
                    format!("{path}.{}", s.get_name())
                };
                walk(s, &p, missing);
            }
        }
        let mut missing = Vec::new();
        walk(&Cli::command(), "", &mut missing);
        assert!(missing.is_empty(), "no catalog text for: {missing:?}");
    }

    #[test]
    fn the_language_is_known_before_parsing() {
        let args = |a: &[&str]| a.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(early_lang(&args(&["--lang", "zh", "show", "x"])), Lang::Zh);
        assert_eq!(early_lang(&args(&["show", "x", "--lang=zh"])), Lang::Zh);
        assert_eq!(early_lang(&args(&["--lang", "en", "--help"])), Lang::En);
    }

    #[test]
    fn chinese_help_has_no_english_left_in_its_frame() {
        let help = command(Lang::Zh).render_help().to_string();
        for english in ["Usage:", "Commands:", "Options:", "Print help"] {
            assert!(!help.contains(english), "{english} in:\n{help}");
        }
        let mut log = command(Lang::Zh);
        let visit = log
            .find_subcommand_mut("log")
            .and_then(|l| l.find_subcommand_mut("visit"))
            .unwrap()
            .render_help()
            .to_string();
        assert!(visit.contains("走访人"), "{visit}");
    }
}
