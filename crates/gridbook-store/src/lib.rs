//! gridbook's store: typed operations over one tree per record kind and the
//! projections derived from them, on a small key-value seam with two engines
//! (sled on disk, the only code that names sled; a `BTreeMap` in memory for
//! tests). Also the codec, key encoding, the schema and its migrations, the
//! data directory's layout (lock, store, backups), and check/rebuild.

pub mod backups;
pub mod bulk;
pub mod carry;
pub mod check;
pub mod codec;
pub mod compact;
pub mod counts;
pub mod engine;
pub mod error;
pub mod keys;
pub mod legacy;
pub mod order;
pub mod outbox;
pub mod progress;
pub mod projection;
pub mod replay;
pub mod schema;
pub mod stamps;
pub mod stats;
pub mod store;
pub mod swap;
pub mod writes;
