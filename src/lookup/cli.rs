//! `gridbook find`.

use crate::cli::{Env, Fail};

pub fn run(_env: &Env, _query: &str, _limit: usize, _json: bool) -> Result<(), Fail> {
    Err(Fail::input("find is not built yet"))
}
