//! Where a household's door is in its building: the floor and door number a
//! room number stands for, for the building plan (楼盘表).
//!
//! The usual rule: the last two digits are the door, the digits before them
//! the floor (`501` → floor 5, door 1; `1601` → floor 16). Basements are
//! `B1-01` or `B101` (floor −1). A building may number differently: its
//! ground floor may hold shops so that `101` is on residential floor N
//! (`first_floor`), or its rooms may run straight through, `1`–`K` on the
//! first floor (`doors_per_floor`). A room that gives no floor goes in the
//! plan's "other" row, never dropped.

/// A building's numbering rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FloorRule {
    /// The floor that rooms numbered `1xx` are on (1 unless shops take the ground floor).
    pub first_floor: i32,
    /// Rooms numbered straight through, this many per floor.
    pub doors_per_floor: Option<u32>,
}

impl Default for FloorRule {
    fn default() -> Self {
        FloorRule {
            first_floor: 1,
            doors_per_floor: None,
        }
    }
}

/// A door's place: its floor (negative below ground) and number on that floor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Place {
    pub floor: i32,
    pub door: u32,
}

/// The place `room` stands for under `rule`, or `None` when the number gives
/// no floor (such rooms go in the plan's "other" row).
pub fn place(room: &str, rule: FloorRule) -> Option<Place> {
    let room = room.trim();
    let room = room
        .strip_suffix('室')
        .or_else(|| room.strip_suffix('号'))
        .unwrap_or(room)
        .trim();
    if let Some(rest) = room.strip_prefix(['B', 'b']) {
        return basement(rest);
    }
    if !room.bytes().all(|b| b.is_ascii_digit()) || room.is_empty() {
        return None;
    }
    let n: u32 = room.parse().ok()?;
    if let Some(k) = rule.doors_per_floor.filter(|k| *k > 0) {
        if n == 0 {
            return None;
        }
        return Some(Place {
            floor: ((n - 1) / k) as i32 + rule.first_floor,
            door: (n - 1) % k + 1,
        });
    }
    if room.len() < 3 || room.len() > 4 {
        return None;
    }
    let (floor, door) = (n / 100, n % 100);
    if floor == 0 || door == 0 {
        return None;
    }
    Some(Place {
        floor: floor as i32 - 1 + rule.first_floor,
        door,
    })
}

/// `1-01`, `101`, `1` (a basement floor with no door number is door 0).
fn basement(rest: &str) -> Option<Place> {
    let (floor, door) = match rest.split_once(['-', '_']) {
        Some((f, d)) => (f.parse::<u32>().ok()?, d.parse::<u32>().ok()?),
        None if rest.len() >= 3 => {
            let n: u32 = rest.parse().ok()?;
            (n / 100, n % 100)
        }
        None => (rest.parse::<u32>().ok()?, 0),
    };
    (floor > 0).then_some(Place {
        floor: -(floor as i32),
        door,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(room: &str) -> Option<(i32, u32)> {
        place(room, FloorRule::default()).map(|p| (p.floor, p.door))
    }

    #[test]
    fn the_usual_numbering() {
        assert_eq!(p("501"), Some((5, 1)));
        assert_eq!(p("1601"), Some((16, 1)));
        assert_eq!(p("3302"), Some((33, 2)));
        assert_eq!(p("102室"), Some((1, 2)));
        assert_eq!(p("B1-01"), Some((-1, 1)));
        assert_eq!(p("b2-03"), Some((-2, 3)));
        assert_eq!(p("B101"), Some((-1, 1)));
        assert_eq!(p("B1"), Some((-1, 0)));
    }

    #[test]
    fn numbers_that_give_no_floor_go_to_other() {
        for room in [
            "", "门面", "A座", "12", "12345", "001", "500", "B0-01", "1-2",
        ] {
            assert_eq!(p(room), None, "{room}");
        }
    }

    #[test]
    fn shops_on_the_ground_floor_move_101_up() {
        let rule = FloorRule {
            first_floor: 2,
            doors_per_floor: None,
        };
        assert_eq!(place("101", rule), Some(Place { floor: 2, door: 1 }));
        assert_eq!(place("1601", rule), Some(Place { floor: 17, door: 1 }));
    }

    #[test]
    fn rooms_numbered_straight_through() {
        let rule = FloorRule {
            first_floor: 1,
            doors_per_floor: Some(4),
        };
        assert_eq!(place("1", rule), Some(Place { floor: 1, door: 1 }));
        assert_eq!(place("4", rule), Some(Place { floor: 1, door: 4 }));
        assert_eq!(place("5", rule), Some(Place { floor: 2, door: 1 }));
        assert_eq!(place("12", rule), Some(Place { floor: 3, door: 4 }));
        assert_eq!(place("0", rule), None);
    }
}
