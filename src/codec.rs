//! Value encoding for the store: one format-version byte, then bincode 2
//! (`config::standard()`) of the serde type. Decoding is bounded and never panics.

use serde::Serialize;
use serde::de::DeserializeOwned;
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
