//! The saved first screen, beside the store: `DATA/first.screen`, so that
//! the TUI draws data at once while sled opens the store (whose open time
//! follows the store's size on disk).
//!
//! It holds the data the first screen was drawn from (what the app puts in
//! it, any serde type), never terminal cells. It is trusted exactly as the
//! saved lookup index is ([`crate::lookup::persist`]), plus a context:
//! - it exists: every process that may write deletes it after taking the
//!   writer lock and before its first commit (`persist::forget`; the TUI,
//!   which may write, deletes it in `persist::hold`), so a writer killed
//!   between a commit and sealing it leaves none;
//! - its stamp equals the store's seal, read without opening the store;
//! - its context equals the caller's: everything else the screen depends on
//!   (the day, who works, the language, the settings), given as text and
//!   kept as a hash, so no name is written in the clear beside the data.
//!
//! Layout: `magic, bincode(version, stamp, context hash, body), crc32`.
//! A short, torn, foreign or too large file is ignored, never a panic.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::lookup::persist::Stamp;

/// The file's name in the data directory.
pub const FILE: &str = "first.screen";
/// Written first, then renamed over [`FILE`].
pub const TEMP: &str = "first.screen.tmp";
const MAGIC: &[u8; 8] = b"GBFRST1\n";
/// Bumped whenever the layout changes.
const VERSION: u32 = 1;
/// A first screen is a page of rows; anything larger is not ours.
const MAX_BYTES: u64 = 16 << 20;

pub fn path(data: &Path) -> PathBuf {
    data.join(FILE)
}

fn config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<{ MAX_BYTES as usize }>()
}

/// A stable 64-bit hash of the context text (FNV-1a): the same in every
/// build, unlike std's hasher.
fn hash(context: &str) -> u64 {
    context.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Writes `body` as the first screen of the store in `data`, stamped
/// `stamp` (read by the caller under the writer lock, before and after
/// loading what `body` holds): to a temporary file (0600), made durable,
/// then renamed into place.
pub fn save<T: Serialize>(
    data: &Path,
    stamp: Stamp,
    context: &str,
    body: &T,
) -> std::io::Result<()> {
    let inner = bincode::serde::encode_to_vec((VERSION, stamp, hash(context), body), config())
        .map_err(std::io::Error::other)?;
    let mut bytes = MAGIC.to_vec();
    bytes.extend_from_slice(&inner);
    let crc = crc32fast::hash(&bytes);
    bytes.extend_from_slice(&crc.to_le_bytes());
    crate::lookup::persist::write_private(data, TEMP, &path(data), &bytes)
}

/// The saved first screen of the store in `data` if the file is there and
/// its stamp is `want` and its context `context`; `None` otherwise.
pub fn load<T: DeserializeOwned>(data: &Path, want: Stamp, context: &str) -> Option<T> {
    let f = File::open(path(data)).ok()?;
    if f.metadata().ok()?.len() > MAX_BYTES {
        return None;
    }
    let mut bytes = Vec::new();
    f.take(MAX_BYTES).read_to_end(&mut bytes).ok()?;
    let body_end = bytes.len().checked_sub(4)?;
    let (body, crc) = bytes.split_at(body_end);
    if crc32fast::hash(body) != u32::from_le_bytes(crc.try_into().ok()?) {
        return None;
    }
    let inner = body.strip_prefix(MAGIC.as_slice())?;
    // The header first, so a stale or foreign file costs no body decoding.
    let ((version, stamp, ctx), _): ((u32, Stamp, u64), usize) =
        bincode::serde::decode_from_slice(inner, config()).ok()?;
    if version != VERSION || stamp != want || ctx != hash(context) {
        return None;
    }
    let ((_, _, _, screen), used): ((u32, Stamp, u64, T), usize) =
        bincode::serde::decode_from_slice(inner, config()).ok()?;
    (used == inner.len()).then_some(screen)
}

#[cfg(test)]
mod tests {
    use super::*;
    use gridbook_store::store::Store;
    use std::fs;

    #[derive(Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Screen {
        rows: Vec<String>,
    }

    fn store_with_a_seal() -> (tempfile::TempDir, Stamp) {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path();
        {
            let store = Store::open(data).unwrap();
            crate::demo::load(&store, gridbook_domain::model::Ts::now()).unwrap();
        }
        let stamp = crate::lookup::persist::stamp(data).expect("a seal");
        (tmp, stamp)
    }

    #[test]
    fn a_saved_screen_reads_back_only_with_its_stamp_and_context() {
        let (tmp, stamp) = store_with_a_seal();
        let data = tmp.path();
        let screen = Screen {
            rows: vec!["胜利花苑".into(), "a".into()],
        };
        save(data, stamp, "day=1;me=", &screen).unwrap();
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(path(data)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(load::<Screen>(data, stamp, "day=1;me="), Some(screen));
        assert_eq!(load::<Screen>(data, stamp, "day=2;me="), None);
        // Another store's stamp (here: the one after a commit).
        {
            let store = Store::open(data).unwrap();
            let ctx = crate::ops::Ctx::now(None);
            crate::ops::add_area(&store, ctx, "新区", "xq").unwrap();
        }
        let after = crate::lookup::persist::stamp(data).unwrap();
        assert_ne!(after, stamp);
        assert_eq!(load::<Screen>(data, after, "day=1;me="), None);
    }

    #[test]
    fn a_short_torn_or_foreign_file_is_ignored() {
        let (tmp, stamp) = store_with_a_seal();
        let data = tmp.path();
        let screen = Screen {
            rows: vec!["x".repeat(100); 50],
        };
        save(data, stamp, "c", &screen).unwrap();
        let good = fs::read(path(data)).unwrap();
        let mut cases: Vec<Vec<u8>> = vec![
            Vec::new(),
            good[..3].to_vec(),
            good[..good.len() / 2].to_vec(),
            b"not a screen at all".to_vec(),
        ];
        for at in [0, 9, good.len() / 2, good.len() - 1] {
            let mut b = good.clone();
            b[at] ^= 0x40;
            cases.push(b);
        }
        for (i, bytes) in cases.iter().enumerate() {
            fs::write(path(data), bytes).unwrap();
            assert_eq!(load::<Screen>(data, stamp, "c"), None, "case {i}");
        }
        fs::write(path(data), &good).unwrap();
        assert_eq!(load::<Screen>(data, stamp, "c"), Some(screen));
    }
}
