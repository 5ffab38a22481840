//! Value encoding for the store: one format-version byte, then bincode 2
//! (`config::standard()`) of the serde type. Decoding is bounded and never panics.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Bumped when the byte layout of stored values changes.
pub const FORMAT_VERSION: u8 = 1;

/// No stored record comes near this; a corrupted length prefix must not make
/// the decoder allocate gigabytes.
pub const DECODE_LIMIT: usize = 1 << 20;

#[derive(Debug, Error)]
pub enum CodecError {
    #[error("empty value")]
    Empty,
    #[error("value has format version {0}, this gridbook reads version {FORMAT_VERSION}")]
    Version(u8),
    #[error("value does not decode: {0}")]
    Decode(String),
    #[error("value has {0} trailing bytes")]
    Trailing(usize),
    #[error("value does not encode: {0}")]
    Encode(String),
}

fn config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<DECODE_LIMIT>()
}

pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, CodecError> {
    let mut out = vec![FORMAT_VERSION];
    bincode::serde::encode_into_std_write(value, &mut out, config())
        .map_err(|e| CodecError::Encode(e.to_string()))?;
    Ok(out)
}

pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CodecError> {
    let (&version, body) = bytes.split_first().ok_or(CodecError::Empty)?;
    if version != FORMAT_VERSION {
        return Err(CodecError::Version(version));
    }
    let (value, used) = bincode::serde::decode_from_slice(body, config())
        .map_err(|e| CodecError::Decode(e.to_string()))?;
    if used != body.len() {
        return Err(CodecError::Trailing(body.len() - used));
    }
    Ok(value)
}

/// Decodes the leading fields of a value (a record's meta and parent) and
/// ignores the rest: a point read that needs one field skips the others.
pub fn decode_prefix<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CodecError> {
    let (&version, body) = bytes.split_first().ok_or(CodecError::Empty)?;
    if version != FORMAT_VERSION {
        return Err(CodecError::Version(version));
    }
    bincode::serde::decode_from_slice(body, config())
        .map(|(value, _)| value)
        .map_err(|e| CodecError::Decode(e.to_string()))
}

/// Decodes a whole value into a view that borrows its text from `bytes`
/// (`&str` fields, skipped sequences): a pass over many records reads the
/// fields it needs without allocating. The view must mirror every field of
/// the stored type in order; trailing bytes are an error, as in [`decode`].
pub fn decode_view<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, CodecError> {
    let (&version, body) = bytes.split_first().ok_or(CodecError::Empty)?;
    if version != FORMAT_VERSION {
        return Err(CodecError::Version(version));
    }
    let (value, used) = bincode::serde::borrow_decode_from_slice(body, config())
        .map_err(|e| CodecError::Decode(e.to_string()))?;
    if used != body.len() {
        return Err(CodecError::Trailing(body.len() - used));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use gridbook_domain::model::Id;

    #[test]
    fn ids_are_numbers_in_the_store_and_text_in_json() {
        let id = Id::new();
        let bytes = encode(&id).unwrap();
        assert!(bytes.len() <= 1 + 17, "compact: {} bytes", bytes.len());
        assert_eq!(decode::<Id>(&bytes).unwrap(), id);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{id}\""));
        assert_eq!(serde_json::from_str::<Id>(&json).unwrap(), id);
    }

    #[test]
    fn a_view_borrows_text_and_refuses_a_layout_it_does_not_cover_whole() {
        let bytes = encode(&(7u32, "二单元".to_string(), 9u8)).unwrap();
        let (n, text, last): (u32, &str, u8) = decode_view(&bytes).unwrap();
        assert_eq!((n, text, last), (7, "二单元", 9));
        // A view that stops early is refused, not silently short.
        assert!(matches!(
            decode_view::<(u32, &str)>(&bytes),
            Err(CodecError::Trailing(1))
        ));
    }

    #[test]
    fn wrong_version_and_trailing_bytes_are_errors() {
        let mut bytes = encode(&7u32).unwrap();
        bytes.push(0);
        assert!(matches!(
            decode::<u32>(&bytes),
            Err(CodecError::Trailing(1))
        ));
        bytes[0] = 99;
        assert!(matches!(
            decode::<u32>(&bytes),
            Err(CodecError::Version(99))
        ));
        assert!(matches!(decode::<u32>(&[]), Err(CodecError::Empty)));
    }
}
