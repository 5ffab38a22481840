//! What kind of failure an error is. Each crate's error types say their kind;
//! the command line maps kinds to exit codes in one place.

/// The three kinds of failure a user can meet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The input was wrong: a file, an argument, an address. Exit 2.
    Input,
    /// The store cannot be used: locked, damaged, missing, no space or no
    /// permission. Exit 3.
    Unavailable,
    /// gridbook itself is wrong. Exit 1.
    Bug,
}

/// An error that knows its kind.
pub trait Kinded {
    fn kind(&self) -> ErrorKind;
}
