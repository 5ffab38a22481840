//! Who to call from a row standing for a household: the cell that shows the
//! head and the number, and what `y` copies and names. One rule for Today,
//! problems, coverage, the browser's households and lookup
//! (`gridbook_domain::contact`: the head is 户主, else the first resident;
//! a phoneless head's household is reached through the first resident who
//! has a number, named).

use gridbook_core::zoneview::{self, Caller};
use gridbook_domain::model::Id;

use crate::tui::world::{R, World, err};

/// A household's caller as a row shows it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Call {
    /// `邹建国 13059231874`, `李秀英 → 李明 13805461234`, `王芳 —`; empty
    /// when the row is not a household.
    pub cell: String,
    pub phone: Option<String>,
    /// Whose number `phone` is, or who has none.
    pub whose: Option<String>,
}

/// The call for `zone` when it is a household with residents.
pub fn of(w: &World, zone: Option<Id>) -> R<Call> {
    let Some(zone) = zone else {
        return Ok(Call::default());
    };
    Ok(zoneview::caller(w.store, zone)
        .map_err(err)?
        .map(|c| from(&c))
        .unwrap_or_default())
}

pub fn from(c: &Caller) -> Call {
    let cell = match (&c.phone, &c.phone_of) {
        (Some(p), Some(of)) if *of != c.head => format!("{} → {of} {p}", c.head),
        (Some(p), _) => format!("{} {p}", c.head),
        (None, _) => format!("{} —", c.head),
    };
    Call {
        cell,
        phone: c.phone.clone(),
        whose: c.phone_of.clone().or_else(|| Some(c.head.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(head: &str, phone: Option<&str>, of: Option<&str>) -> Caller {
        Caller {
            head: head.into(),
            phone: phone.map(String::from),
            phone_of: of.map(String::from),
        }
    }

    #[test]
    fn the_cell_names_whoever_answers() {
        let own = from(&c("邹建国", Some("13059231874"), Some("邹建国")));
        assert_eq!(own.cell, "邹建国 13059231874");
        assert_eq!(own.whose.as_deref(), Some("邹建国"));
        let other = from(&c("李秀英", Some("13805461234"), Some("李明")));
        assert_eq!(other.cell, "李秀英 → 李明 13805461234");
        assert_eq!(other.whose.as_deref(), Some("李明"));
        let none = from(&c("王芳", None, None));
        assert_eq!(none.cell, "王芳 —");
        assert_eq!((none.phone, none.whose.as_deref()), (None, Some("王芳")));
    }
}
