//! What a client sees of quotes, invoices and jobs: statuses, labels, "overdue",
//! "expiring soon" and "active", decided in the workspace's own time zone.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// Today's date where the business is.
pub fn today_in(tz_name: &str, now: Timestamp) -> Date {
    let tz = TimeZone::get(tz_name).unwrap_or(TimeZone::UTC);
    now.to_zoned(tz).date()
}

/// Parses a stored `YYYY-MM-DD` date.
pub fn parse_date(text: &str) -> Option<Date> {
    text.parse::<Date>().ok()
}

/// Balance > 0, still payable, and due before today.
pub fn invoice_is_overdue(status: &str, due_date: &str, balance_minor: i64, today: Date) -> bool {
    matches!(status, "sent" | "partially_paid")
        && balance_minor > 0
        && parse_date(due_date).is_some_and(|due| due < today)
}

pub fn invoice_status_label(status: &str) -> &'static str {
    match status {
        "draft" => "Draft",
        "sent" => "Awaiting payment",
        "partially_paid" => "Partially paid",
        "paid" => "Paid",
        "void" => "Void",
        _ => "Unknown",
    }
}

/// A sent quote whose validity has not run out.
pub fn quote_is_pending(status: &str, valid_until: &str, today: Date) -> bool {
    status == "sent" && parse_date(valid_until).is_some_and(|d| d >= today)
}

/// Pending and running out within the next seven days.
pub fn quote_expires_soon(status: &str, valid_until: &str, today: Date) -> bool {
    quote_is_pending(status, valid_until, today)
        && parse_date(valid_until)
            .is_some_and(|d| d <= today.saturating_add(jiff::Span::new().days(7)))
}

pub fn quote_status_label(status: &str, valid_until: &str, today: Date) -> &'static str {
    match status {
        "sent" if !quote_is_pending(status, valid_until, today) => "Expired",
        "sent" => "Awaiting your review",
        "accepted" => "Accepted",
        "declined" => "Declined",
        "draft" => "Draft",
        _ => "Unknown",
    }
}

pub const ACTIVE_JOB_STATUSES: [&str; 3] = ["scheduled", "in_progress", "on_hold"];

pub fn job_status_label(status: &str) -> &'static str {
    match status {
        "draft" => "Draft",
        "unscheduled" => "Not yet scheduled",
        "scheduled" => "Scheduled",
        "in_progress" => "In progress",
        "on_hold" => "On hold",
        "completed" => "Completed",
        "cancelled" => "Cancelled",
        _ => "Unknown",
    }
}

/// A stored `YYYY-MM-DD` shown as `3 Mar 2026`; anything unreadable is shown as stored.
pub fn display_date(text: &str) -> String {
    parse_date(text)
        .map(|d| d.strftime("%-d %b %Y").to_string())
        .unwrap_or_else(|| text.to_string())
}

/// An instant shown in the workspace's time zone, the time labelled with that zone so no
/// reader takes it for their own: `Tue 3 Mar 2026, 09:30 GMT+4`, `… 09:30 BST`.
pub fn display_instant(ms: i64, tz_name: &str) -> String {
    let tz = TimeZone::get(tz_name).unwrap_or(TimeZone::UTC);
    match Timestamp::from_millisecond(ms) {
        Ok(ts) => {
            let zoned = ts.to_zoned(tz);
            format!(
                "{} {}",
                zoned.strftime("%a %-d %b %Y, %H:%M"),
                zone_label(&zoned)
            )
        }
        Err(_) => String::new(),
    }
}

/// The zone's abbreviation where it has a lettered one (`GMT`, `CET`, `EST`); else the
/// offset from UTC (`GMT+4`, `GMT+5:30`), which reads better than a bare `+04`.
fn zone_label(zoned: &jiff::Zoned) -> String {
    let abbreviation = zoned.strftime("%Z").to_string();
    if !abbreviation.is_empty() && abbreviation.chars().all(|c| c.is_ascii_alphabetic()) {
        return abbreviation;
    }
    let seconds = zoned.offset().seconds();
    if seconds == 0 {
        return "GMT".into();
    }
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    let (h, m) = (minutes / 60, minutes % 60);
    if m == 0 {
        format!("GMT{sign}{h}")
    } else {
        format!("GMT{sign}{h}:{m:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn overdue_is_decided_in_the_workspace_time_zone() {
        // 2026-03-01 21:30 UTC is already 2 March in Dubai (UTC+4) but still 1 March in New York.
        let now: Timestamp = "2026-03-01T21:30:00Z".parse().unwrap();
        assert_eq!(today_in("Asia/Dubai", now), date(2026, 3, 2));
        assert_eq!(today_in("America/New_York", now), date(2026, 3, 1));
        assert!(invoice_is_overdue(
            "sent",
            "2026-03-01",
            100,
            today_in("Asia/Dubai", now)
        ));
        assert!(!invoice_is_overdue(
            "sent",
            "2026-03-01",
            100,
            today_in("America/New_York", now)
        ));
    }

    #[test]
    fn paid_void_and_draft_invoices_are_never_overdue() {
        let today = date(2026, 5, 1);
        for status in ["paid", "void", "draft"] {
            assert!(!invoice_is_overdue(status, "2026-01-01", 100, today));
        }
        assert!(!invoice_is_overdue(
            "partially_paid",
            "2026-01-01",
            0,
            today
        ));
        assert!(invoice_is_overdue("partially_paid", "2026-01-01", 1, today));
        assert!(!invoice_is_overdue("sent", "not a date", 1, today));
    }

    #[test]
    fn quotes_expiring_within_seven_days_need_action() {
        let today = date(2026, 5, 1);
        assert!(quote_expires_soon("sent", "2026-05-08", today));
        assert!(!quote_expires_soon("sent", "2026-05-09", today));
        assert!(quote_expires_soon("sent", "2026-05-01", today));
        assert!(!quote_is_pending("sent", "2026-04-30", today));
        assert!(!quote_expires_soon("accepted", "2026-05-02", today));
        assert_eq!(quote_status_label("sent", "2026-04-30", today), "Expired");
    }

    #[test]
    fn dates_read_the_way_people_write_them() {
        assert_eq!(display_date("2026-03-03"), "3 Mar 2026");
        assert_eq!(display_date("garbage"), "garbage");
        let ms = "2026-03-03T05:30:00Z"
            .parse::<Timestamp>()
            .unwrap()
            .as_millisecond();
        assert_eq!(
            display_instant(ms, "Asia/Dubai"),
            "Tue 3 Mar 2026, 09:30 GMT+4"
        );
        assert_eq!(
            display_instant(ms, "Europe/London"),
            "Tue 3 Mar 2026, 05:30 GMT"
        );
        assert_eq!(
            display_instant(ms, "Europe/Paris"),
            "Tue 3 Mar 2026, 06:30 CET"
        );
        assert_eq!(
            display_instant(ms, "Asia/Kolkata"),
            "Tue 3 Mar 2026, 11:00 IST"
        );
        assert_eq!(
            display_instant(ms, "Asia/Kathmandu"),
            "Tue 3 Mar 2026, 11:15 GMT+5:45"
        );
        assert_eq!(
            display_instant(ms, "America/Sao_Paulo"),
            "Tue 3 Mar 2026, 02:30 GMT-3"
        );
        assert_eq!(display_instant(ms, "UTC"), "Tue 3 Mar 2026, 05:30 UTC");
    }
}
