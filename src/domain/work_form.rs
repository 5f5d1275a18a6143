//! Validation of the work records staff create and edit — jobs, projects, tasks and
//! visits — shared by the back office's forms and the JSON API. Every problem names its
//! field; a record is only stored when there is none.

use jiff::civil::DateTime;
use jiff::tz::TimeZone;

use super::records::parse_date;
use super::request_form::FieldError;
use super::text::check_visible;

pub const PROJECT_STATUSES: [&str; 5] = ["planned", "active", "on_hold", "completed", "cancelled"];
pub const JOB_STATUSES: [&str; 7] = [
    "draft",
    "unscheduled",
    "scheduled",
    "in_progress",
    "on_hold",
    "completed",
    "cancelled",
];
pub const VISIT_STATUSES: [&str; 3] = ["scheduled", "completed", "cancelled"];

const TITLE_MAX: usize = 200;
/// 2000-01-01 and 2200-01-01 UTC: the times a job can sensibly be scheduled at.
const MIN_INSTANT_MS: i64 = 946_684_800_000;
const MAX_INSTANT_MS: i64 = 7_258_118_400_000;
const TEXT_MAX: usize = 10_000;

/// A job as typed; instants already read (see [`parse_local`]).
#[derive(Debug, Clone, Default)]
pub struct JobInput {
    pub title: String,
    pub description: String,
    pub status: String,
    pub site_address: String,
    pub scheduled_start: Option<i64>,
    pub scheduled_end: Option<i64>,
    pub internal_notes: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidJob {
    pub title: String,
    pub description: String,
    pub status: &'static str,
    pub site_address: String,
    pub scheduled_start: Option<i64>,
    pub scheduled_end: Option<i64>,
    pub internal_notes: String,
}

#[derive(Debug, Clone, Default)]
pub struct ProjectInput {
    pub name: String,
    pub description: String,
    pub status: String,
    pub progress_pct: String,
    pub start_date: String,
    pub due_date: String,
    pub internal_notes: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidProject {
    pub name: String,
    pub description: String,
    pub status: &'static str,
    pub progress_pct: i64,
    pub start_date: Option<String>,
    pub due_date: Option<String>,
    pub internal_notes: String,
}

#[derive(Debug, Clone, Default)]
pub struct TaskInput {
    pub title: String,
    pub description: String,
    pub due_date: String,
    pub done: bool,
    pub shared_with_client: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidTask {
    pub title: String,
    pub description: String,
    pub due_date: Option<String>,
    pub done: bool,
    pub shared_with_client: bool,
}

fn err(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError {
        field,
        message: message.into(),
    }
}

fn one_line(s: &str) -> String {
    s.trim().to_string()
}

fn multi_line(s: &str) -> String {
    s.replace("\r\n", "\n").trim().to_string()
}

/// A required single-line title of at most [`TITLE_MAX`] characters.
fn title(raw: &str, field: &'static str, label: &str, errors: &mut Vec<FieldError>) -> String {
    errors.extend(check_visible(raw, false, field, label));
    let value = one_line(raw);
    if value.is_empty() {
        errors.push(err(field, format!("{label}: please enter it.")));
    } else if value.chars().count() > TITLE_MAX {
        errors.push(err(
            field,
            format!("{label}: at most {TITLE_MAX} characters."),
        ));
    }
    value
}

/// Optional multi-line text of at most [`TEXT_MAX`] characters.
fn text(raw: &str, field: &'static str, label: &str, errors: &mut Vec<FieldError>) -> String {
    errors.extend(check_visible(raw, true, field, label));
    let value = multi_line(raw);
    if value.chars().count() > TEXT_MAX {
        errors.push(err(
            field,
            format!("{label}: at most {TEXT_MAX} characters."),
        ));
    }
    value
}

fn one_of(
    raw: &str,
    allowed: &[&'static str],
    field: &'static str,
    label: &str,
    errors: &mut Vec<FieldError>,
) -> &'static str {
    match allowed.iter().find(|s| **s == raw.trim()) {
        Some(s) => s,
        None => {
            errors.push(err(
                field,
                format!(
                    "{label}: choose one of {}.",
                    allowed.join(", ").replace('_', " ")
                ),
            ));
            allowed[0]
        }
    }
}

fn optional_date(
    raw: &str,
    field: &'static str,
    label: &str,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    match parse_date(raw) {
        Some(d) if d.to_string() == raw => Some(raw.to_string()),
        _ => {
            errors.push(err(field, format!("{label}: not a date; use YYYY-MM-DD.")));
            None
        }
    }
}

/// A `datetime-local` value (`YYYY-MM-DDTHH:MM`, seconds optional) read in the
/// workspace's time zone, as milliseconds; empty is `None`.
pub fn parse_local(
    raw: &str,
    tz_name: &str,
    field: &'static str,
    label: &str,
) -> Result<Option<i64>, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let bad = || {
        err(
            field,
            format!("{label}: not a date and time; use YYYY-MM-DD HH:MM."),
        )
    };
    let dt: DateTime = raw.replacen(' ', "T", 1).parse().map_err(|_| bad())?;
    let tz = TimeZone::get(tz_name).unwrap_or(TimeZone::UTC);
    let zoned = dt.to_zoned(tz).map_err(|_| bad())?;
    Ok(Some(zoned.timestamp().as_millisecond()))
}

/// The value of one read field, its error kept in `errors`.
pub fn noted<T>(read: Result<T, FieldError>, errors: &mut Vec<FieldError>) -> Option<T> {
    read.map_err(|e| errors.push(e)).ok()
}

/// A validated record when neither the validation nor the fields read before it found a
/// problem; otherwise every problem, those in `errors` first.
pub fn all_or_errors<V>(
    validated: Result<V, Vec<FieldError>>,
    mut errors: Vec<FieldError>,
) -> Result<V, Vec<FieldError>> {
    match validated {
        Ok(valid) if errors.is_empty() => Ok(valid),
        Ok(_) => Err(errors),
        Err(more) => {
            errors.extend(more);
            Err(errors)
        }
    }
}

/// `ms` as a `datetime-local` value in the workspace's time zone.
pub fn format_local(ms: i64, tz_name: &str) -> String {
    let tz = TimeZone::get(tz_name).unwrap_or(TimeZone::UTC);
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(ts) => ts.to_zoned(tz).strftime("%Y-%m-%dT%H:%M").to_string(),
        Err(_) => String::new(),
    }
}

pub fn validate_job(input: &JobInput) -> Result<ValidJob, Vec<FieldError>> {
    let mut errors = Vec::new();
    let title = title(&input.title, "title", "Title", &mut errors);
    let description = text(
        &input.description,
        "description",
        "Description",
        &mut errors,
    );
    let status = one_of(
        &input.status,
        &JOB_STATUSES,
        "status",
        "Status",
        &mut errors,
    );
    let site_address = text(
        &input.site_address,
        "site_address",
        "Site address",
        &mut errors,
    );
    let internal_notes = text(
        &input.internal_notes,
        "internal_notes",
        "Internal notes",
        &mut errors,
    );
    for (ms, field, label) in [
        (input.scheduled_start, "scheduled_start", "Scheduled start"),
        (input.scheduled_end, "scheduled_end", "Scheduled end"),
    ] {
        let in_range = ms.is_none_or(|ms| (MIN_INSTANT_MS..=MAX_INSTANT_MS).contains(&ms));
        if !in_range {
            errors.push(err(
                field,
                format!("{label}: not a time between the years 2000 and 2200."),
            ));
        }
    }
    if let (Some(start), Some(end)) = (input.scheduled_start, input.scheduled_end) {
        if end < start {
            errors.push(err(
                "scheduled_end",
                "Scheduled end: cannot be before the start.",
            ));
        }
    }
    if input.scheduled_end.is_some() && input.scheduled_start.is_none() {
        errors.push(err(
            "scheduled_start",
            "Scheduled start: needed when there is an end.",
        ));
    }
    if status == "scheduled" && input.scheduled_start.is_none() {
        errors.push(err(
            "scheduled_start",
            "Scheduled start: a scheduled job needs a start date and time.",
        ));
    }
    if errors.is_empty() {
        Ok(ValidJob {
            title,
            description,
            status,
            site_address,
            scheduled_start: input.scheduled_start,
            scheduled_end: input.scheduled_end,
            internal_notes,
        })
    } else {
        Err(errors)
    }
}

pub fn validate_project(input: &ProjectInput) -> Result<ValidProject, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = title(&input.name, "name", "Name", &mut errors);
    let description = text(
        &input.description,
        "description",
        "Description",
        &mut errors,
    );
    let status = one_of(
        &input.status,
        &PROJECT_STATUSES,
        "status",
        "Status",
        &mut errors,
    );
    let progress_raw = input.progress_pct.trim().trim_end_matches('%').trim();
    let progress_pct = if progress_raw.is_empty() {
        0
    } else {
        match progress_raw.parse::<i64>() {
            Ok(p) if (0..=100).contains(&p) => p,
            _ => {
                errors.push(err(
                    "progress_pct",
                    "Progress: a whole number from 0 to 100.",
                ));
                0
            }
        }
    };
    let start_date = optional_date(&input.start_date, "start_date", "Start date", &mut errors);
    let due_date = optional_date(&input.due_date, "due_date", "Due date", &mut errors);
    if let (Some(s), Some(d)) = (&start_date, &due_date) {
        if d < s {
            errors.push(err(
                "due_date",
                "Due date: cannot be before the start date.",
            ));
        }
    }
    let internal_notes = text(
        &input.internal_notes,
        "internal_notes",
        "Internal notes",
        &mut errors,
    );
    if errors.is_empty() {
        Ok(ValidProject {
            name,
            description,
            status,
            progress_pct,
            start_date,
            due_date,
            internal_notes,
        })
    } else {
        Err(errors)
    }
}

pub fn validate_task(input: &TaskInput) -> Result<ValidTask, Vec<FieldError>> {
    let mut errors = Vec::new();
    let title = title(&input.title, "title", "Title", &mut errors);
    let description = text(
        &input.description,
        "description",
        "Description",
        &mut errors,
    );
    let due_date = optional_date(&input.due_date, "due_date", "Due date", &mut errors);
    if errors.is_empty() {
        Ok(ValidTask {
            title,
            description,
            due_date,
            done: input.done,
            shared_with_client: input.shared_with_client,
        })
    } else {
        Err(errors)
    }
}

/// How long a visit's notes may be.
pub const VISIT_NOTES_MAX: usize = 2_000;

/// A visit's notes: trimmed, at most [`VISIT_NOTES_MAX`] characters, no hidden characters.
pub fn visit_notes(raw: &str) -> Result<String, FieldError> {
    if let Some(e) = check_visible(raw, true, "notes", "Notes") {
        return Err(e);
    }
    let notes = multi_line(raw);
    if notes.chars().count() > VISIT_NOTES_MAX {
        return Err(err(
            "notes",
            format!("Notes: at most {VISIT_NOTES_MAX} characters."),
        ));
    }
    Ok(notes)
}

/// A moment given to the API: RFC 3339 with an offset (`2026-03-04T10:00:00Z`), or a
/// local date and time (`2026-03-04T10:00`) read in the workspace's time zone.
pub fn parse_instant(
    raw: &str,
    tz_name: &str,
    field: &'static str,
    label: &str,
) -> Result<Option<i64>, FieldError> {
    match raw.trim().parse::<jiff::Timestamp>() {
        Ok(ts) => Ok(Some(ts.as_millisecond())),
        Err(_) => parse_local(raw, tz_name, field, label),
    }
}

/// A visit's times and status; the end must come after the start, both between the
/// years 2000 and 2200.
pub fn validate_visit(
    starts_at: Option<i64>,
    ends_at: Option<i64>,
    status: &str,
) -> Result<(i64, i64, &'static str), Vec<FieldError>> {
    let mut errors = Vec::new();
    let status = one_of(status, &VISIT_STATUSES, "status", "Status", &mut errors);
    if starts_at.is_none() {
        errors.push(err("starts_at", "Starts: please enter a date and time."));
    }
    if ends_at.is_none() {
        errors.push(err("ends_at", "Ends: please enter a date and time."));
    }
    for (ms, field, label) in [
        (starts_at, "starts_at", "Starts"),
        (ends_at, "ends_at", "Ends"),
    ] {
        if ms.is_some_and(|ms| !(MIN_INSTANT_MS..=MAX_INSTANT_MS).contains(&ms)) {
            errors.push(err(
                field,
                format!("{label}: not a time between the years 2000 and 2200."),
            ));
        }
    }
    match (starts_at, ends_at) {
        (Some(s), Some(e)) if errors.is_empty() => {
            if e <= s {
                Err(vec![err("ends_at", "Ends: must be after the start.")])
            } else {
                Ok((s, e, status))
            }
        }
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(r: Result<impl std::fmt::Debug, Vec<FieldError>>) -> Vec<&'static str> {
        r.err()
            .unwrap_or_default()
            .iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn a_job_needs_a_title_a_known_status_and_times_in_order() {
        let good = JobInput {
            title: "  Chiller service ".into(),
            status: "in_progress".into(),
            ..JobInput::default()
        };
        let valid = validate_job(&good).unwrap();
        assert_eq!(
            (valid.title.as_str(), valid.status),
            ("Chiller service", "in_progress")
        );
        let bad = JobInput {
            title: " ".into(),
            status: "done".into(),
            scheduled_start: Some(1_780_000_002_000),
            scheduled_end: Some(1_780_000_001_000),
            ..JobInput::default()
        };
        assert_eq!(
            fields(validate_job(&bad)),
            vec!["title", "status", "scheduled_end"]
        );
        let unscheduled = JobInput {
            title: "x".into(),
            status: "scheduled".into(),
            ..JobInput::default()
        };
        assert_eq!(fields(validate_job(&unscheduled)), vec!["scheduled_start"]);
        let far = JobInput {
            title: "x".into(),
            status: "draft".into(),
            scheduled_start: Some(i64::MIN),
            ..JobInput::default()
        };
        assert_eq!(fields(validate_job(&far)), vec!["scheduled_start"]);
        let hidden = JobInput {
            title: "a\u{202e}b".into(),
            status: "draft".into(),
            ..JobInput::default()
        };
        assert_eq!(fields(validate_job(&hidden)), vec!["title"]);
    }

    #[test]
    fn a_project_reads_progress_and_dates_strictly() {
        let mut p = ProjectInput {
            name: "Fit-out".into(),
            status: "active".into(),
            progress_pct: "40%".into(),
            start_date: "2026-03-01".into(),
            due_date: "2026-04-01".into(),
            ..ProjectInput::default()
        };
        assert_eq!(validate_project(&p).unwrap().progress_pct, 40);
        p.progress_pct = "101".into();
        p.due_date = "2026-02-01".into();
        assert_eq!(
            fields(validate_project(&p)),
            vec!["progress_pct", "due_date"]
        );
        p.progress_pct = "".into();
        p.due_date = "1/4/2026".into();
        assert_eq!(fields(validate_project(&p)), vec!["due_date"]);
    }

    #[test]
    fn a_task_keeps_its_flags_and_refuses_a_bad_date() {
        let t = TaskInput {
            title: "Send the drawings".into(),
            due_date: "2026-05-05".into(),
            shared_with_client: true,
            ..TaskInput::default()
        };
        let v = validate_task(&t).unwrap();
        assert!(v.shared_with_client && !v.done);
        let bad = TaskInput {
            title: "".into(),
            due_date: "2026-02-30".into(),
            ..TaskInput::default()
        };
        assert_eq!(fields(validate_task(&bad)), vec!["title", "due_date"]);
    }

    #[test]
    fn local_times_are_read_in_the_workspace_zone() {
        let ms = parse_local("2026-03-03T09:30", "Asia/Dubai", "s", "S")
            .unwrap()
            .unwrap();
        assert_eq!(
            jiff::Timestamp::from_millisecond(ms).unwrap().to_string(),
            "2026-03-03T05:30:00Z"
        );
        assert_eq!(format_local(ms, "Asia/Dubai"), "2026-03-03T09:30");
        assert_eq!(parse_local("", "UTC", "s", "S"), Ok(None));
        assert!(parse_local("tomorrow", "UTC", "s", "S").is_err());
        assert!(parse_local("2026-02-30T10:00", "UTC", "s", "S").is_err());
        assert_eq!(
            fields(validate_visit(Some(ms + 5), Some(ms + 4), "scheduled")),
            vec!["ends_at"]
        );
        assert_eq!(
            fields(validate_visit(None, Some(ms), "nope")),
            vec!["status", "starts_at"]
        );
    }

    #[test]
    fn a_visit_ends_after_it_starts_and_api_times_take_an_offset_or_the_zone() {
        let start = 1_780_000_000_000;
        assert_eq!(
            validate_visit(Some(start), Some(start + 60_000), "scheduled"),
            Ok((start, start + 60_000, "scheduled"))
        );
        assert_eq!(
            fields(validate_visit(Some(start), Some(start), "scheduled")),
            vec!["ends_at"]
        );
        assert_eq!(
            fields(validate_visit(Some(0), Some(start), "scheduled")),
            vec!["starts_at"]
        );
        let zoned = parse_instant("2026-03-04T10:00", "Asia/Dubai", "s", "S").unwrap();
        let offset = parse_instant("2026-03-04T06:00:00Z", "Asia/Dubai", "s", "S").unwrap();
        assert_eq!(zoned, offset);
        assert!(parse_instant("soon", "UTC", "starts_at", "Starts").is_err());
        assert_eq!(
            visit_notes("  Ring twice \r\n").as_deref(),
            Ok("Ring twice")
        );
        assert!(visit_notes(&"x".repeat(VISIT_NOTES_MAX + 1)).is_err());
        assert!(visit_notes("a\u{202e}b").is_err());
    }
}
