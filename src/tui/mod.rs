//! The terminal UI.
use std::path::Path;

use crate::cli::{Env, Fail};

pub fn run_on(_env: &Env, _data: &Path) -> Result<(), Fail> {
    Err(Fail::input("the TUI is being built"))
}
