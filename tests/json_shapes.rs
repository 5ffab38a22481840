//! Every `--json` output has the fields the README documents for it: one
//! table row per command, its documented top-level fields, and the fields of
//! the array inside it that the README names.

mod common;

use common::Data;
use serde_json::Value;

/// (arguments, where the fields are: "" for the top level or `[]` for the
/// first element of a top-level array, or a field holding an array, its
/// fields).
type Shape = (
    &'static [&'static str],
    &'static str,
    &'static [&'static str],
);

const SHAPES: &[Shape] = &[
    (
        &["show", "slhy/3/2-501"],
        "",
        &[
            "id",
            "kind",
            "path",
            "short",
            "occupancy",
            "covered_by",
            "liaisons",
            "residents",
            "children",
            "last_visit",
            "open_problems",
            "recent",
        ],
    ),
    (
        &["show", "slhy/3/2-501"],
        "residents",
        &[
            "id", "name", "relation", "phones", "tags", "notes", "status", "care",
        ],
    ),
    (
        &["show", "slhy/3/2-501"],
        "recent",
        &["id", "at", "kind", "by", "text"],
    ),
    (
        &["show", "slhy/3/2-501"],
        "liaisons",
        &["member_id", "name", "phone", "since"],
    ),
    (
        &["show", "slhy/3"],
        "covered_by",
        &["member_id", "name", "phone", "direct", "via", "since"],
    ),
    (
        &["show", "slhy/3"],
        "children",
        &["id", "name", "code", "count"],
    ),
    (
        &["show", "slhy/3"],
        "open_problems",
        &[
            "id",
            "zone",
            "category",
            "description",
            "opened",
            "age_days",
        ],
    ),
    (
        &["show", "slhy/3/2-501"],
        "last_visit",
        &["at", "by", "days_ago"],
    ),
    (
        &["find", "501"],
        "[]",
        &[
            "kind",
            "id",
            "name",
            "address",
            "phone",
            "cover",
            "household",
            "zone",
            "score",
            "tier",
            "name_match",
            "address_match",
            "phone_match",
            "tags",
            "head",
            "status",
        ],
    ),
    (
        &["import", "roster", "ROSTER", "--dry-run"],
        "",
        &[
            "encoding",
            "areas_added",
            "buildings_added",
            "households_added",
            "households_updated",
            "households_unchanged",
            "residents_added",
            "residents_updated",
            "residents_unchanged",
            "rows_rejected",
            "rejected",
            "ignored_columns",
            "warnings",
            "written",
        ],
    ),
    (
        &["check"],
        "",
        &["records", "ok", "missing", "extra", "wrong", "undecodable"],
    ),
    (
        &["report", "coverage"],
        "",
        &[
            "days",
            "areas",
            "buildings",
            "households",
            "uncovered",
            "households_uncovered",
            "households_visited",
            "visited_pct",
            "buildings_hygiene_patrolled",
            "hygiene_pct",
            "buildings_security_patrolled",
            "security_pct",
            "not_visited",
            "not_patrolled",
            "by_area",
        ],
    ),
    (
        &["report", "coverage"],
        "by_area",
        &[
            "id",
            "name",
            "covered_by",
            "buildings",
            "households",
            "households_uncovered",
            "visited",
            "visited_pct",
            "hygiene_pct",
            "security_pct",
            "by_building",
        ],
    ),
    (
        &["report", "coverage"],
        "not_visited",
        &["id", "path", "what", "last", "days"],
    ),
    (
        &["report", "coverage"],
        "uncovered",
        &["id", "kind", "path", "households"],
    ),
    (
        &["report", "problems"],
        "",
        &[
            "days",
            "period",
            "open",
            "opened_in_period",
            "resolved_in_period",
        ],
    ),
    (
        &["report", "problems"],
        "open",
        &[
            "id",
            "zone_id",
            "zone",
            "category",
            "description",
            "urgency",
            "opened",
            "age_days",
            "reported_by",
            "last_note",
        ],
    ),
    (
        &["report", "activity"],
        "",
        &[
            "days",
            "period",
            "visits",
            "problems_opened",
            "problems_resolved",
            "hygiene_patrols",
            "security_patrols",
            "by_member",
        ],
    ),
    (
        &["report", "activity"],
        "by_member",
        &[
            "member",
            "id",
            "tags",
            "visits",
            "problems_reported",
            "problems_resolved",
            "patrols",
        ],
    ),
    (
        &["report", "today"],
        "",
        &["follow_ups", "open_problems", "patrols_due", "not_visited"],
    ),
    (
        &["report", "today"],
        "follow_ups",
        &[
            "household_id",
            "household",
            "due",
            "overdue_days",
            "visit_note",
        ],
    ),
    (
        &["report", "workload"],
        "[]",
        &[
            "id",
            "name",
            "phone",
            "kind",
            "tags",
            "zones",
            "liaison_households",
            "households_covered",
            "visits_30d",
            "open_problems",
        ],
    ),
    (
        &["report", "care"],
        "[]",
        &[
            "household",
            "address",
            "head",
            "phone",
            "phone_of",
            "groups",
            "cadence_days",
            "last_visit",
            "days_overdue",
        ],
    ),
    (
        &["report", "members"],
        "[]",
        &[
            "id",
            "name",
            "kind",
            "tags",
            "branch",
            "visits",
            "care_visits_on_time",
            "liaison_visited",
            "problems_reported",
            "problems_resolved",
            "median_days_to_resolve",
            "patrols",
            "activities",
            "service_hours",
        ],
    ),
    (
        &["plan", "slhy/3"],
        "",
        &[
            "building",
            "building_id",
            "units",
            "days",
            "summary",
            "floors",
        ],
    ),
    (&["plan", "slhy/3"], "floors", &["floor", "households"]),
    (
        &["report", "ledger", "visits"],
        "",
        &["ledger", "title", "period", "columns", "rows"],
    ),
];

#[test]
fn every_json_output_has_its_documented_fields() {
    let d = Data::new();
    let at = "2026-11-20T02:00:00Z";
    d.ok_at(
        at,
        &[
            "log",
            "visit",
            "--household",
            "slhy/3/2-501",
            "--member",
            "孙丽",
            "--follow-up",
            "2026-11-25",
        ],
    );
    d.ok_at(
        at,
        &[
            "log",
            "problem",
            "--zone",
            "slhy/3",
            "--category",
            "repair",
            "--note",
            "楼道灯不亮",
            "--as",
            "王强",
        ],
    );
    d.ok_at(at, &["tag", "slhy/3/2-501", "吕桂英", "--add", "独居老人"]);
    let readme = include_str!("../README.md");
    let roster = d.path("roster.csv");
    for (args, at, fields) in SHAPES {
        let mut args: Vec<&str> = args
            .iter()
            .map(|a| if *a == "ROSTER" { roster.as_str() } else { a })
            .collect();
        args.push("--json");
        let v = d.json(&args);
        let obj = match *at {
            "" => v.clone(),
            "[]" => v
                .as_array()
                .and_then(|a| a.first())
                .cloned()
                .unwrap_or(Value::Null),
            field => match &v[field] {
                Value::Array(a) => a.first().cloned().unwrap_or(Value::Null),
                other => other.clone(),
            },
        };
        let obj = obj
            .as_object()
            .unwrap_or_else(|| panic!("{args:?} {at}: no object to check in {v}"));
        for f in *fields {
            assert!(obj.contains_key(*f), "{args:?} {at}: no field `{f}`");
            assert!(readme.contains(f), "`{f}` of {args:?} is not in the README");
        }
        // The command is documented under the JSON shapes.
        let name = if args[0] == "report" {
            args[1]
        } else {
            args[0]
        };
        assert!(readme.contains(&format!("{name} ")), "{args:?}");
    }
}
