// The app's allocator (see `gridbook::Alloc`).
#[global_allocator]
static ALLOC: gridbook::Alloc = gridbook::ALLOC;

use std::io::Write;
use std::process::ExitCode;

use gridbook::cli::help;
use gridbook::i18n::Lang;

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // Known before parsing, so help and clap's refusals speak it too.
    let lang = help::early_lang(&args[1.min(args.len())..]);
    if let Err(f) = gridbook::cli::check_args(args.iter().skip(1).cloned()) {
        return report(f, lang);
    }
    let cli = match help::parse(lang, args) {
        Ok(cli) => cli,
        Err(e) => return ExitCode::from(help::exit(e, lang)),
    };
    gridbook::cli::out::set_color(cli.color);
    match gridbook::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => report(f, lang),
    }
}

/// One message on standard error (with anything non-printable in it made
/// visible: messages quote what the user gave), then the exit code.
fn report(f: gridbook::fail::Fail, lang: Lang) -> ExitCode {
    if f.is_quiet() {
        return ExitCode::SUCCESS;
    }
    let said = f.message(lang);
    let msg = gridbook::text::visible_lines(&said);
    // Standard error that cannot be written to leaves the exit code to say it.
    let prefix = gridbook::cli::out::paint(
        gridbook::cli::out::color_stderr(),
        gridbook::cli::out::Paint::Red,
        "gridbook:",
    );
    let _ = writeln!(std::io::stderr().lock(), "{prefix} {msg}");
    ExitCode::from(f.code)
}
