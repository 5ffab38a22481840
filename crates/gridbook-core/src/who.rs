//! Who is meant: a member named on the command line, in a form or in a
//! file, by id, exact name or phone.

use thiserror::Error;

use gridbook_domain::error::{ErrorKind, Kinded};
use gridbook_domain::model::{Id, Member};
use gridbook_domain::validate;
use gridbook_store::store::{Store, StoreError};

#[derive(Debug, Error)]
pub enum WhoError {
    /// `close`: up to three names like the one given, best first (each
    /// language joins them with its own separator).
    #[error("no member `{who}`{}", did_you_mean(close))]
    NoMember { who: String, close: Vec<String> },
    /// `names`: each member as "name phone".
    #[error("`{who}` names {count} members; use the phone number: {}", names.join(", "))]
    Ambiguous {
        who: String,
        count: usize,
        names: Vec<String>,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn did_you_mean(close: &[String]) -> String {
    if close.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", close.join(", "))
    }
}

impl Kinded for WhoError {
    fn kind(&self) -> ErrorKind {
        match self {
            WhoError::Store(e) => e.kind(),
            _ => ErrorKind::Input,
        }
    }
}

/// A live member by id, exact name, or phone.
pub fn member(store: &Store, who: &str) -> Result<Member, WhoError> {
    let who = who.trim();
    let members = store.members()?;
    if let Ok(id) = who.parse::<Id>()
        && let Some(m) = members.iter().find(|m| m.meta.id == id)
    {
        return Ok(m.clone());
    }
    let digits = validate::phone(who).ok();
    let hits: Vec<&Member> = members
        .iter()
        .filter(|m| m.name == who || Some(&m.phone) == digits.as_ref())
        .collect();
    // A retired member named exactly: operations then say they are
    // retired, or accept entries dated before they retired.
    if hits.is_empty()
        && let Some(m) = retired(store, who, digits.as_deref())?
    {
        return Ok(m);
    }
    match hits.as_slice() {
        [m] => Ok((*m).clone()),
        [] => {
            let mut close: Vec<(f64, &str)> = members
                .iter()
                .map(|m| {
                    (
                        strsim::normalized_levenshtein(&m.name, who),
                        m.name.as_str(),
                    )
                })
                .filter(|(s, _)| *s > 0.3)
                .collect();
            close.sort_by(|a, b| b.0.total_cmp(&a.0));
            Err(WhoError::NoMember {
                who: who.to_string(),
                close: close.iter().take(3).map(|c| c.1.to_string()).collect(),
            })
        }
        many => Err(WhoError::Ambiguous {
            who: who.to_string(),
            count: many.len(),
            names: many
                .iter()
                .map(|m| format!("{} {}", m.name, m.phone))
                .collect(),
        }),
    }
}

/// The one retired member with this id, exact name or phone, if exactly one.
fn retired(store: &Store, who: &str, digits: Option<&str>) -> Result<Option<Member>, WhoError> {
    let mut hits = Vec::new();
    for m in store.all::<Member>() {
        let m = m?;
        if !m.meta.is_live()
            && (m.meta.id.to_string() == who || m.name == who || Some(m.phone.as_str()) == digits)
        {
            hits.push(m);
        }
    }
    Ok(if hits.len() == 1 { hits.pop() } else { None })
}
