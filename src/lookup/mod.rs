//! Quick lookup over the whole store (being built: see the issue on quick lookup).

pub mod cli;
