//! The variant names of an enum as its derived `Deserialize` lists them: the
//! compiler's own list, in declaration order. Tests compare what they
//! generate or exercise against it, so a new kind of entry cannot be left
//! out of a hand-written list without a test failing.

use serde::Deserialize;
use serde::de::{self, Visitor};

/// The names serde derives for enum `T`, or an empty list when `T` is not an
/// enum.
pub fn names<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    let mut probe = Probe(&[]);
    // The probe always refuses; all it wants is the list it was shown.
    let _ = T::deserialize(&mut probe);
    probe.0
}

/// A deserializer that records the variant list an enum asks it for.
struct Probe(&'static [&'static str]);

impl<'de> de::Deserializer<'de> for &mut Probe {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("not an enum"))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Self::Error> {
        self.0 = variants;
        Err(de::Error::custom("seen"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct identifier
        ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Correction, EventBody, Id};

    #[test]
    fn an_enum_lists_its_variants_in_order() {
        let events = names::<EventBody>();
        assert_eq!(events.first(), Some(&"Assigned"));
        assert_eq!(events.get(2), Some(&"Visit"));
        assert_eq!(
            names::<Correction>(),
            [
                "Visit",
                "ProblemOpened",
                "ProblemStepped",
                "Patrol",
                "Activity"
            ]
        );
    }

    #[test]
    fn a_type_that_is_no_enum_lists_nothing() {
        assert!(names::<Id>().is_empty());
        assert!(names::<String>().is_empty());
    }
}
