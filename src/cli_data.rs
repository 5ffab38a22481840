//! `gridbook export | import json | backup | restore`: the command-line edge of data in and out.

use std::path::Path;

use crate::cli::{Env, Fail};
use crate::export::Format;

pub fn export(_env: &Env, _format: Format, _out: Option<&Path>, _bom: bool) -> Result<(), Fail> {
    Err(Fail::input("export is not built yet"))
}

pub fn import_json(_env: &Env, _file: &Path) -> Result<(), Fail> {
    Err(Fail::input("import json is not built yet"))
}

pub fn backup(_env: &Env) -> Result<(), Fail> {
    Err(Fail::input("backup is not built yet"))
}

pub fn restore(_env: &Env, _file: Option<&Path>, _force: bool) -> Result<(), Fail> {
    Err(Fail::input("restore is not built yet"))
}
