//! The status filters each portal list offers. Each maps a fixed key from the query
//! string to a fixed SQL condition; anything else is refused with a clear message.

use jiff::civil::Date;

/// One filter choice: its key in `?status=`, its label, and its condition.
pub struct Filter {
    pub key: &'static str,
    pub label: &'static str,
    condition: &'static str,
}

impl Filter {
    /// The SQL condition, with the workspace's `today` (a validated date) filled in.
    pub fn condition(&self, today: Date) -> String {
        self.condition.replace("{today}", &today.to_string())
    }
}

const fn f(key: &'static str, label: &'static str, condition: &'static str) -> Filter {
    Filter {
        key,
        label,
        condition,
    }
}

/// For lists without status filters (files).
pub const NO_FILTERS: &[Filter] = &[f("", "All", "")];

pub const PRODUCT_FILTERS: &[Filter] = &[
    f("", "All", ""),
    f("services", "Services", "AND kind = 'service'"),
    f("products", "Products", "AND kind = 'product'"),
];

pub const INVOICE_FILTERS: &[Filter] = &[
    f("", "All", ""),
    f("open", "To pay", "AND status IN ('sent', 'partially_paid') AND total_minor > paid_minor"),
    f("overdue", "Overdue", "AND status IN ('sent', 'partially_paid') AND total_minor > paid_minor AND due_date < '{today}'"),
    f("paid", "Paid", "AND status = 'paid'"),
    f("void", "Void", "AND status = 'void'"),
];

pub const QUOTE_FILTERS: &[Filter] = &[
    f("", "All", ""),
    f(
        "pending",
        "Awaiting review",
        "AND status = 'sent' AND valid_until >= '{today}'",
    ),
    f(
        "expired",
        "Expired",
        "AND status = 'sent' AND valid_until < '{today}'",
    ),
    f("accepted", "Accepted", "AND status = 'accepted'"),
    f("declined", "Declined", "AND status = 'declined'"),
];

pub const REQUEST_FILTERS: &[Filter] = &[
    f("", "All", ""),
    f("new", "New", "AND status = 'new'"),
    f("in_review", "In review", "AND status = 'in_review'"),
    f("converted", "Converted", "AND status = 'converted'"),
    f("closed", "Closed", "AND status = 'closed'"),
];

pub const TASK_FILTERS: &[Filter] = &[
    f("", "All", ""),
    f("open", "To do", "AND t.done_at IS NULL"),
    f("done", "Done", "AND t.done_at IS NOT NULL"),
];

pub const PROJECT_FILTERS: &[Filter] = &[
    f("", "All", ""),
    f("planned", "Planned", "AND status = 'planned'"),
    f("active", "Active", "AND status = 'active'"),
    f("on_hold", "On hold", "AND status = 'on_hold'"),
    f("completed", "Completed", "AND status = 'completed'"),
    f("cancelled", "Cancelled", "AND status = 'cancelled'"),
];

pub const JOB_FILTERS: &[Filter] = &[
    f("", "All", ""),
    f(
        "active",
        "Active",
        "AND j.status IN ('scheduled', 'in_progress', 'on_hold')",
    ),
    f(
        "unscheduled",
        "Not yet scheduled",
        "AND j.status = 'unscheduled'",
    ),
    f("scheduled", "Scheduled", "AND j.status = 'scheduled'"),
    f("in_progress", "In progress", "AND j.status = 'in_progress'"),
    f("on_hold", "On hold", "AND j.status = 'on_hold'"),
    f("completed", "Completed", "AND j.status = 'completed'"),
    f("cancelled", "Cancelled", "AND j.status = 'cancelled'"),
];

/// The filter named by `key`, or `None` for a key the list does not offer.
pub fn find(filters: &'static [Filter], key: &str) -> Option<&'static Filter> {
    filters.iter().find(|f| f.key == key)
}

pub fn request_status_label(status: &str) -> &'static str {
    match status {
        "new" => "New",
        "in_review" => "In review",
        "converted" => "Converted",
        "closed" => "Closed",
        _ => "Unknown",
    }
}

pub fn project_status_label(status: &str) -> &'static str {
    match status {
        "planned" => "Planned",
        "active" => "Active",
        "on_hold" => "On hold",
        "completed" => "Completed",
        "cancelled" => "Cancelled",
        _ => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_filters_are_not_found() {
        assert!(find(INVOICE_FILTERS, "overdue").is_some());
        assert!(
            find(INVOICE_FILTERS, "draft").is_none(),
            "drafts are never a choice"
        );
        assert!(find(INVOICE_FILTERS, "' OR 1=1").is_none());
    }

    #[test]
    fn today_is_filled_in() {
        let c = find(INVOICE_FILTERS, "overdue")
            .unwrap()
            .condition(jiff::civil::date(2026, 3, 1));
        assert!(c.ends_with("due_date < '2026-03-01'"));
    }
}
