//! Members and their zones from CSV: `name/姓名, phone/电话, kind/类型,
//! tags/标签, zones/责任区, liaison/联系户` (zones and liaison households are
//! addresses separated by `;`). Every row is checked before anything is
//! written; re-importing adds nothing twice.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use crate::address;
use crate::ops::{self, Ctx, OpError};
use crate::roster::{RosterError, RowError, decode_text};
use gridbook_domain::model::*;
use gridbook_domain::validate;
use gridbook_store::store::Store;

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Col {
    Name,
    Phone,
    Kind,
    Tags,
    Zones,
    Liaison,
    Since,
}

fn col(h: &str) -> Option<Col> {
    let h = h.trim().trim_start_matches('\u{feff}').to_lowercase();
    Some(match h.as_str() {
        "name" | "姓名" => Col::Name,
        "phone" | "电话" | "手机" | "手机号" | "联系电话" => Col::Phone,
        "kind" | "类型" | "身份" | "类别" => Col::Kind,
        "tags" | "标签" => Col::Tags,
        "zones" | "责任区" | "负责区域" => Col::Zones,
        "liaison" | "联系户" => Col::Liaison,
        "since" | "起始日期" | "开始日期" | "任职日期" => Col::Since,
        _ => return None,
    })
}

struct Row {
    name: String,
    phone: String,
    kind: MemberKind,
    tags: String,
    zones: Vec<Id>,
    liaison: Vec<Id>,
    since: Ts,
}

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub members_added: usize,
    pub members_unchanged: usize,
    pub assignments_added: usize,
    pub assignments_unchanged: usize,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "members: {} added, {} unchanged; assignments: {} added, {} unchanged",
            self.members_added,
            self.members_unchanged,
            self.assignments_added,
            self.assignments_unchanged
        )
    }
}

pub fn import_file(store: &Store, ctx: Ctx, path: &Path) -> Result<Report, RosterError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| RosterError::Read {
        file: file.clone(),
        source,
    })?;
    import(store, ctx, &file, &bytes)
}

pub fn import(store: &Store, ctx: Ctx, file: &str, bytes: &[u8]) -> Result<Report, RosterError> {
    let (text, _) = decode_text(bytes).ok_or_else(|| RosterError::Encoding {
        file: file.to_string(),
    })?;
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = rdr
        .headers()
        .map_err(|_| RosterError::NoHeader {
            file: file.to_string(),
        })?
        .clone();
    let mut cols: HashMap<Col, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        if let Some(c) = col(h) {
            cols.entry(c).or_insert(i);
        }
    }
    let missing: Vec<String> = [(Col::Name, "姓名 (name)"), (Col::Phone, "电话 (phone)")]
        .iter()
        .filter(|(c, _)| !cols.contains_key(c))
        .map(|(_, n)| n.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(RosterError::MissingColumns {
            file: file.to_string(),
            line: 1,
            missing,
        });
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errors.push(RowError {
                    file: file.to_string(),
                    line: e.position().map_or(0, |p| p.line()),
                    column: None,
                    reason: format!("not valid CSV: {e}"),
                });
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        let cell = |c: Col| {
            cols.get(&c)
                .and_then(|&i| rec.get(i))
                .unwrap_or("")
                .trim()
                .to_string()
        };
        let err = |c: Col, reason: String| RowError {
            file: file.to_string(),
            line,
            column: cols
                .get(&c)
                .map(|&i| (i + 1, headers.get(i).unwrap_or("").to_string())),
            reason,
        };
        let before = errors.len();
        let name =
            validate::name("name", &cell(Col::Name)).map_err(|e| err(Col::Name, e.to_string()));
        let phone = validate::phone(&cell(Col::Phone)).map_err(|e| err(Col::Phone, e.to_string()));
        let kind_text = cell(Col::Kind);
        let kind = if kind_text.is_empty() {
            Some(MemberKind::PartyMember)
        } else {
            MemberKind::parse(&kind_text)
        };
        if kind.is_none() {
            errors.push(err(
                Col::Kind,
                format!("unknown kind `{kind_text}` (党员, 网格员, 志愿者, 楼栋长 or party-member, grid-worker, volunteer, building-head)"),
            ));
        }
        let since_text = cell(Col::Since);
        let since = if since_text.is_empty() {
            ctx.now
        } else {
            match gridbook_domain::when::instant(
                &since_text,
                ctx.now,
                &gridbook_domain::clock::tz(),
            ) {
                Ok(t) => t,
                Err(e) => {
                    errors.push(err(Col::Since, e));
                    ctx.now
                }
            }
        };
        let mut resolve_all = |c: Col| -> Vec<Id> {
            let mut ids = Vec::new();
            for a in cell(c)
                .split([';', '；'])
                .map(str::trim)
                .filter(|a| !a.is_empty())
            {
                match address::resolve(store, a) {
                    Ok(z) => ids.push(z.id()),
                    Err(e) => errors.push(err(c, e.to_string())),
                }
            }
            ids
        };
        let zones = resolve_all(Col::Zones);
        let liaison = resolve_all(Col::Liaison);
        match (name, phone) {
            (Ok(name), Ok(phone)) if errors.len() == before => rows.push(Row {
                name,
                phone,
                kind: kind.unwrap_or(MemberKind::PartyMember),
                tags: cell(Col::Tags),
                zones,
                liaison,
                since,
            }),
            (n, p) => {
                if let Err(e) = n {
                    errors.push(e);
                }
                if let Err(e) = p {
                    errors.push(e);
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(RosterError::Rows { errors });
    }
    let mut report = Report::default();
    let to_roster = |e: OpError| match e {
        OpError::Store(s) => RosterError::Store(s),
        other => RosterError::Rows {
            errors: vec![RowError {
                file: file.to_string(),
                line: 0,
                column: None,
                reason: other.to_string(),
            }],
        },
    };
    store.bulk(|| {
        let existing = store.members()?;
        for row in &rows {
            let member = match existing
                .iter()
                .find(|m| m.name == row.name && m.phone == row.phone)
            {
                Some(m) => {
                    report.members_unchanged += 1;
                    m.meta.id
                }
                None => {
                    report.members_added += 1;
                    ops::add_member(store, ctx, &row.name, &row.phone, row.kind, &row.tags)
                        .map_err(to_roster)?
                        .meta
                        .id
                }
            };
            for (zones, role) in [
                (&row.zones, Role::Responsible),
                (&row.liaison, Role::Liaison),
            ] {
                for z in zones {
                    let held = store
                        .assignments_of(*z)?
                        .iter()
                        .any(|a| a.member == member && a.role == role && a.until.is_none());
                    if held {
                        report.assignments_unchanged += 1;
                    } else {
                        ops::assign(store, ctx, *z, member, role, row.since, None)
                            .map_err(to_roster)?;
                        report.assignments_added += 1;
                    }
                }
            }
        }
        Ok::<(), RosterError>(())
    })?;
    Ok(report)
}
