use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    if let Err(f) = gridbook::cli::check_args(std::env::args_os().skip(1)) {
        return report(f);
    }
    let cli = gridbook::cli::Cli::parse();
    gridbook::cli::out::set_color(cli.color);
    match gridbook::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => report(f),
    }
}

/// One message on standard error (with anything non-printable in it made
/// visible: messages quote what the user gave), then the exit code.
fn report(f: gridbook::fail::Fail) -> ExitCode {
    if f.is_quiet() {
        return ExitCode::SUCCESS;
    }
    let msg = gridbook::text::visible_lines(&f.msg);
    // Standard error that cannot be written to leaves the exit code to say it.
    let prefix = gridbook::cli::out::paint(
        gridbook::cli::out::color_stderr(),
        gridbook::cli::out::Paint::Red,
        "gridbook:",
    );
    let _ = writeln!(std::io::stderr().lock(), "{prefix} {msg}");
    ExitCode::from(f.code)
}
