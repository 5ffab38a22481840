use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = gridbook::cli::Cli::parse();
    match gridbook::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("gridbook: {}", f.msg);
            ExitCode::from(f.code)
        }
    }
}
