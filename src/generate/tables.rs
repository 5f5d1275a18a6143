//! The tables the generator fills and their columns, in insertion order.

use super::batch::Table;

/// Every table the generator fills, in the order their rows must be inserted.
pub struct Tables {
    pub client: Table,
    pub contact: Table,
    pub project: Table,
    pub job: Table,
    pub visit: Table,
    pub quote: Table,
    pub quote_line: Table,
    pub invoice: Table,
    pub invoice_line: Table,
    pub payment: Table,
    pub task: Table,
    pub request: Table,
    pub file: Table,
}

const LINE_COLUMNS: [&str; 12] = [
    "id",
    "workspace_id",
    "parent",
    "position",
    "description",
    "quantity_milli",
    "unit_price_minor",
    "discount_bp",
    "tax_rate_bp",
    "subtotal_minor",
    "tax_minor",
    "total_minor",
];

fn line_columns(parent: &'static str) -> Vec<&'static str> {
    LINE_COLUMNS
        .iter()
        .map(|c| if *c == "parent" { parent } else { c })
        .collect()
}

impl Default for Tables {
    fn default() -> Self {
        Self {
            client: Table::new(
                "client",
                &[
                    "id",
                    "workspace_id",
                    "kind",
                    "name",
                    "phone",
                    "billing_address",
                    "portal_enabled",
                    "portal_access_key",
                    "portal_enabled_at",
                    "created_at",
                    "updated_at",
                ],
            ),
            contact: Table::new(
                "contact",
                &[
                    "id",
                    "workspace_id",
                    "client_id",
                    "first_name",
                    "last_name",
                    "email",
                    "email_norm",
                    "phone",
                    "is_primary",
                    "created_at",
                    "updated_at",
                ],
            ),
            project: Table::new(
                "project",
                &[
                    "id",
                    "workspace_id",
                    "client_id",
                    "name",
                    "status",
                    "progress_pct",
                    "start_date",
                    "due_date",
                    "created_at",
                    "updated_at",
                ],
            ),
            job: Table::new(
                "job",
                &[
                    "id",
                    "workspace_id",
                    "client_id",
                    "project_id",
                    "number",
                    "title",
                    "status",
                    "site_address",
                    "scheduled_start",
                    "scheduled_end",
                    "created_at",
                    "updated_at",
                ],
            ),
            visit: Table::new(
                "visit",
                &[
                    "id",
                    "workspace_id",
                    "job_id",
                    "starts_at",
                    "ends_at",
                    "status",
                    "created_at",
                    "updated_at",
                ],
            ),
            quote: Table::new(
                "quote",
                &[
                    "id",
                    "workspace_id",
                    "client_id",
                    "number",
                    "title",
                    "status",
                    "issue_date",
                    "valid_until",
                    "currency",
                    "subtotal_minor",
                    "tax_minor",
                    "total_minor",
                    "sent_at",
                    "decided_at",
                    "created_at",
                    "updated_at",
                ],
            ),
            quote_line: Table::new("quote_line", &line_columns("quote_id")),
            invoice: Table::new(
                "invoice",
                &[
                    "id",
                    "workspace_id",
                    "client_id",
                    "number",
                    "title",
                    "status",
                    "issue_date",
                    "due_date",
                    "currency",
                    "subtotal_minor",
                    "tax_minor",
                    "total_minor",
                    "paid_minor",
                    "sent_at",
                    "voided_at",
                    "created_at",
                    "updated_at",
                ],
            ),
            invoice_line: Table::new("invoice_line", &line_columns("invoice_id")),
            payment: Table::new(
                "payment",
                &[
                    "id",
                    "workspace_id",
                    "client_id",
                    "invoice_id",
                    "method",
                    "status",
                    "amount_minor",
                    "currency",
                    "received_at",
                    "created_at",
                    "updated_at",
                ],
            ),
            task: Table::new(
                "task",
                &[
                    "id",
                    "workspace_id",
                    "client_id",
                    "project_id",
                    "title",
                    "due_date",
                    "done_at",
                    "shared_with_client",
                    "created_at",
                    "updated_at",
                ],
            ),
            request: Table::new(
                "request",
                &[
                    "id",
                    "workspace_id",
                    "client_id",
                    "contact_id",
                    "subject",
                    "details",
                    "status",
                    "created_at",
                    "updated_at",
                ],
            ),
            file: Table::new(
                "file",
                &[
                    "id",
                    "workspace_id",
                    "client_id",
                    "job_id",
                    "name",
                    "content_type",
                    "size_bytes",
                    "sha256",
                    "storage_key",
                    "created_at",
                ],
            ),
        }
    }
}

impl Tables {
    /// Every table, parents before children.
    pub fn in_order(&mut self) -> [&mut Table; 13] {
        [
            &mut self.client,
            &mut self.contact,
            &mut self.project,
            &mut self.job,
            &mut self.visit,
            &mut self.quote,
            &mut self.quote_line,
            &mut self.invoice,
            &mut self.invoice_line,
            &mut self.payment,
            &mut self.task,
            &mut self.request,
            &mut self.file,
        ]
    }
}
