//! gridbook's store: the only crate that names sled. Typed operations over
//! one tree per record kind and the derived indexes, the codec, the data
//! directory's layout (lock, store, backups) and check/rebuild.

pub mod backups;
pub mod codec;
pub mod legacy;
pub mod store;
