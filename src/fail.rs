//! An error as the user sees it, and the one place where a kind of failure
//! becomes an exit code (0 ok, 2 bad input, 3 store unavailable, 1 a bug).

use gridbook_core::address::AddrError;
use gridbook_core::demo::DemoError;
use gridbook_core::ops::OpError;
use gridbook_core::roster::RosterError;
use gridbook_core::who::WhoError;
use gridbook_domain::error::{ErrorKind, Kinded};
use gridbook_store::store::StoreError;

/// An error as the user sees it: one message, one exit code.
#[derive(Debug)]
pub struct Fail {
    pub code: u8,
    pub msg: String,
}

impl Fail {
    pub fn input(msg: impl Into<String>) -> Fail {
        Fail::of(ErrorKind::Input, msg)
    }

    pub fn of(kind: ErrorKind, msg: impl Into<String>) -> Fail {
        Fail {
            code: exit_code(kind),
            msg: msg.into(),
        }
    }
}

/// The one place where a kind of failure becomes an exit code.
pub fn exit_code(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::Input => 2,
        ErrorKind::Unavailable => 3,
        ErrorKind::Bug => 1,
    }
}

macro_rules! fail_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Fail {
            fn from(e: $t) -> Fail {
                Fail::of(e.kind(), e.to_string())
            }
        }
    )*};
}
fail_from!(
    StoreError,
    OpError,
    AddrError,
    RosterError,
    DemoError,
    WhoError
);
