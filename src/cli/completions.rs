//! `gridbook completions bash|zsh|fish|powershell` and `gridbook man`:
//! shell completions (clap_complete) and a man page in roff (clap_mangen),
//! both generated from the command line's own definition, so they never
//! fall behind it.

use clap::CommandFactory;

use crate::cli::{Cli, Fail, out};

/// The shells completions are written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

/// The completion script for `shell`.
pub fn script(shell: Shell) -> Vec<u8> {
    let shell = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
        Shell::Powershell => clap_complete::Shell::PowerShell,
    };
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "gridbook", &mut buf);
    buf
}

/// The man page, gridbook(1), with a section per subcommand.
pub fn man_page() -> Result<Vec<u8>, std::io::Error> {
    let cmd = Cli::command();
    let mut buf = Vec::new();
    let man = clap_mangen::Man::new(cmd.clone());
    man.render_title(&mut buf)?;
    man.render_name_section(&mut buf)?;
    man.render_synopsis_section(&mut buf)?;
    man.render_description_section(&mut buf)?;
    man.render_options_section(&mut buf)?;
    // Every subcommand with its own options, so `man gridbook` is the
    // whole reference.
    buf.extend_from_slice(b".SH COMMANDS\n");
    for sub in cmd.get_subcommands() {
        let name = sub.get_name();
        let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
        buf.extend_from_slice(
            format!(".TP\n\\fBgridbook {name}\\fR\n{}\n", roff(&about)).as_bytes(),
        );
        for nested in sub.get_subcommands() {
            let about = nested
                .get_about()
                .map(|a| a.to_string())
                .unwrap_or_default();
            buf.extend_from_slice(
                format!(
                    ".TP\n\\fBgridbook {name} {}\\fR\n{}\n",
                    nested.get_name(),
                    roff(&about)
                )
                .as_bytes(),
            );
        }
    }
    man.render_version_section(&mut buf)?;
    Ok(buf)
}

/// Text safe in a roff paragraph: a leading `.` or `'` would be a request.
fn roff(s: &str) -> String {
    s.lines()
        .map(|l| {
            let l = l.replace('\\', "\\e");
            if l.starts_with(['.', '\'']) {
                format!("\\&{l}")
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn completions(shell: Shell) -> Result<(), Fail> {
    out::bytes(&script(shell))
}

pub fn man() -> Result<(), Fail> {
    let page = man_page().map_err(|e| {
        Fail::of(
            gridbook_domain::error::ErrorKind::Bug,
            format!("cannot render the man page: {e}"),
        )
    })?;
    out::bytes(&page)
}
