//! Key encoding: big-endian bytes, never bincode, so that byte order is the
//! order of ids, times and dates and every level and timeline is one ordered
//! prefix scan.

use std::ops::Bound;

use gridbook_domain::model::{Date, Id, Ts};

/// `a ++ b`: a child under its parent, an event under its zone.
pub fn pair(a: Id, b: Id) -> Vec<u8> {
    let mut k = Vec::with_capacity(32);
    k.extend_from_slice(&a.to_bytes());
    k.extend_from_slice(&b.to_bytes());
    k
}

/// The key of one id.
pub fn id(a: Id) -> Vec<u8> {
    a.to_bytes().to_vec()
}

/// The id at `at..at + 16` of a key or value, if there is one.
pub fn id_at(bytes: &[u8], at: usize) -> Option<Id> {
    Id::from_slice(bytes.get(at..at.checked_add(16)?)?)
}

/// The last 16 bytes of a key as an id: the child of a `parent ++ child` key.
pub fn last_id(bytes: &[u8]) -> Option<Id> {
    id_at(bytes, bytes.len().checked_sub(16)?)
}

/// A time as 8 bytes that sort in time order.
pub fn ts(t: Ts) -> [u8; 8] {
    // Flip the sign bit so negative instants still sort before positive ones.
    ((t.0 as u64) ^ (1 << 63)).to_be_bytes()
}

/// The time at the start of `b`, if it holds 8 bytes.
pub fn ts_from(b: &[u8]) -> Option<Ts> {
    let arr: [u8; 8] = b.get(..8)?.try_into().ok()?;
    Some(Ts((u64::from_be_bytes(arr) ^ (1 << 63)) as i64))
}

/// A calendar date as 4 bytes (year, month, day) that sort in date order
/// for the years gridbook accepts.
pub fn date(d: Date) -> [u8; 4] {
    let y = (d.year as u16).to_be_bytes();
    [y[0], y[1], d.month, d.day]
}

/// The date at the start of `b`, if it holds 4 bytes.
pub fn date_from(b: &[u8]) -> Option<Date> {
    let b = b.get(..4)?;
    Some(Date {
        year: u16::from_be_bytes([b[0], b[1]]) as i16,
        month: b[2],
        day: b[3],
    })
}

/// The key range of every key that starts with `prefix`.
pub fn prefix_range(prefix: &[u8]) -> (Bound<Vec<u8>>, Bound<Vec<u8>>) {
    let start = Bound::Included(prefix.to_vec());
    // The first key after the prefix: bump the last byte that is not 0xFF.
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return (start, Bound::Excluded(end));
        }
    }
    (start, Bound::Unbounded)
}

/// Every key from `from` on.
pub fn from(from: &[u8]) -> (Bound<Vec<u8>>, Bound<Vec<u8>>) {
    (Bound::Included(from.to_vec()), Bound::Unbounded)
}

/// Every key.
pub fn all() -> (Bound<Vec<u8>>, Bound<Vec<u8>>) {
    (Bound::Unbounded, Bound::Unbounded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ops::RangeBounds;

    #[test]
    fn times_sort_as_bytes_across_zero() {
        let times = [i64::MIN, -86_400_000, -1, 0, 1, 1_790_000_000_000, i64::MAX];
        for w in times.windows(2) {
            assert!(ts(Ts(w[0])) < ts(Ts(w[1])), "{w:?}");
        }
        for t in times {
            assert_eq!(ts_from(&ts(Ts(t))), Some(Ts(t)));
        }
        assert_eq!(ts_from(&[1, 2, 3]), None);
    }

    #[test]
    fn dates_sort_as_bytes() {
        let d = |year, month, day| Date { year, month, day };
        let dates = [
            d(1999, 12, 31),
            d(2026, 1, 1),
            d(2026, 1, 2),
            d(2026, 12, 1),
        ];
        for w in dates.windows(2) {
            assert!(date(w[0]) < date(w[1]));
        }
        for x in dates {
            assert_eq!(date_from(&date(x)), Some(x));
        }
    }

    #[test]
    fn a_prefix_range_holds_exactly_the_keys_with_the_prefix() {
        for prefix in [
            vec![],
            vec![0u8],
            vec![1, 2],
            vec![1, 0xFF],
            vec![0xFF, 0xFF],
        ] {
            let r = prefix_range(&prefix);
            let keys = [
                vec![],
                vec![0],
                vec![1, 1],
                vec![1, 2],
                vec![1, 2, 0],
                vec![1, 2, 0xFF],
                vec![1, 3],
                vec![1, 0xFF],
                vec![1, 0xFF, 7],
                vec![2],
                vec![0xFF, 0xFF],
                vec![0xFF, 0xFF, 0xFF, 1],
            ];
            for k in keys {
                assert_eq!(r.contains(&k), k.starts_with(&prefix), "{prefix:?} {k:?}");
            }
        }
    }

    #[test]
    fn ids_are_read_back_from_keys_of_any_length() {
        let (a, b) = (Id(7), Id(u128::MAX - 3));
        let k = pair(a, b);
        assert_eq!((id_at(&k, 0), last_id(&k)), (Some(a), Some(b)));
        assert_eq!(id_at(&k, 17), None);
        assert_eq!(last_id(&k[..15]), None);
    }
}
