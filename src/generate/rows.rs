//! The generated records of one client, all derived from (seed, client index, record
//! index), so a seed always makes the same data. Proportions, per client with M
//! invoices: 2 contacts; M invoices of 1–3 lines; max(1, M/4) quotes of 1–2 lines; a
//! payment for every paid or part-paid invoice; max(1, M/10) jobs, each with 2 visits
//! and a file record; max(1, M/50) projects with 3 tasks each; max(1, M/20) requests.

use jiff::civil::Date;
use jiff::Span;

use super::batch::{Table, V};
use crate::domain::lines::{compute, LineInput};

/// Days of history the generated records spread over.
const HISTORY_DAYS: i64 = 1095;
const DAY_MS: i64 = 86_400_000;
const TAX_BP: i64 = 500;

const ADJECTIVES: [&str; 12] = [
    "Harbour", "Cedar", "Granite", "Silver", "Palm", "Desert", "Coral", "Summit", "Falcon",
    "Oasis", "Marina", "Atlas",
];
const NOUNS: [&str; 10] = [
    "Facilities", "Holdings", "Trading", "Logistics", "Hotels", "Clinics", "Schools", "Towers",
    "Retail", "Kitchens",
];
const FIRST: [&str; 10] = [
    "Aisha", "Omar", "Priya", "James", "Lina", "Rashid", "Sara", "Daniel", "Mei", "Yusuf",
];
const LAST: [&str; 8] = [
    "Haddad", "Khan", "Menon", "Walker", "Nasser", "Silva", "Chen", "Rahman",
];
const WORK: [&str; 8] = [
    "Air-conditioning service",
    "Deep cleaning",
    "Electrical inspection",
    "Plumbing repair",
    "Pest control",
    "Fit-out works",
    "Lift maintenance",
    "Fire alarm testing",
];

/// A deterministic 64-bit mix of the inputs (SplitMix64 over their combination).
pub fn mix(seed: u64, a: u64, b: u64, salt: u64) -> u64 {
    let mut z = seed
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(a.wrapping_mul(0xBF58_476D_1CE4_E5B9))
        .wrapping_add(b.wrapping_mul(0x94D0_49BB_1331_11EB))
        .wrapping_add(salt);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

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
    "id", "workspace_id", "parent", "position", "description", "quantity_milli",
    "unit_price_minor", "discount_bp", "tax_rate_bp", "subtotal_minor", "tax_minor", "total_minor",
];

fn line_columns(parent: &'static str) -> Vec<&'static str> {
    LINE_COLUMNS.iter().map(|c| if *c == "parent" { parent } else { c }).collect()
}

impl Tables {
    pub fn new() -> Self {
        Self {
            client: Table::new("client", &["id", "workspace_id", "kind", "name", "phone", "billing_address", "portal_enabled", "portal_access_key", "portal_enabled_at", "created_at", "updated_at"]),
            contact: Table::new("contact", &["id", "workspace_id", "client_id", "first_name", "last_name", "email", "email_norm", "phone", "is_primary", "created_at", "updated_at"]),
            project: Table::new("project", &["id", "workspace_id", "client_id", "name", "status", "progress_pct", "start_date", "due_date", "created_at", "updated_at"]),
            job: Table::new("job", &["id", "workspace_id", "client_id", "project_id", "number", "title", "status", "site_address", "scheduled_start", "scheduled_end", "created_at", "updated_at"]),
            visit: Table::new("visit", &["id", "workspace_id", "job_id", "starts_at", "ends_at", "status", "created_at", "updated_at"]),
            quote: Table::new("quote", &["id", "workspace_id", "client_id", "number", "title", "status", "issue_date", "valid_until", "currency", "subtotal_minor", "tax_minor", "total_minor", "sent_at", "decided_at", "created_at", "updated_at"]),
            quote_line: Table::new("quote_line", &line_columns("quote_id")),
            invoice: Table::new("invoice", &["id", "workspace_id", "client_id", "number", "title", "status", "issue_date", "due_date", "currency", "subtotal_minor", "tax_minor", "total_minor", "paid_minor", "sent_at", "voided_at", "created_at", "updated_at"]),
            invoice_line: Table::new("invoice_line", &line_columns("invoice_id")),
            payment: Table::new("payment", &["id", "workspace_id", "client_id", "invoice_id", "method", "status", "amount_minor", "currency", "received_at", "created_at", "updated_at"]),
            task: Table::new("task", &["id", "workspace_id", "client_id", "project_id", "title", "due_date", "done_at", "shared_with_client", "created_at", "updated_at"]),
            request: Table::new("request", &["id", "workspace_id", "client_id", "contact_id", "subject", "details", "status", "created_at", "updated_at"]),
            file: Table::new("file", &["id", "workspace_id", "client_id", "job_id", "name", "content_type", "size_bytes", "sha256", "storage_key", "created_at"]),
        }
    }

    /// Every table, parents before children.
    pub fn in_order(&mut self) -> [&mut Table; 13] {
        [
            &mut self.client, &mut self.contact, &mut self.project, &mut self.job,
            &mut self.visit, &mut self.quote, &mut self.quote_line, &mut self.invoice,
            &mut self.invoice_line, &mut self.payment, &mut self.task, &mut self.request,
            &mut self.file,
        ]
    }
}

/// Run-wide state: the workspace, the seed, ids and document numbers handed out so far,
/// and the calendar the dates come from.
pub struct Generator {
    pub ws: i64,
    pub seed: u64,
    pub per_client: u64,
    next_id: i64,
    pub invoice_no: i64,
    pub quote_no: i64,
    pub job_no: i64,
    /// `YYYY-MM-DD` for today - HISTORY_DAYS - 60 … today + 60, indexed from the start.
    days: Vec<String>,
    today_ms: i64,
    /// The first file of the first client: the one whose bytes are stored.
    pub showcase_file: Option<(i64, String)>,
}

/// A generated file's storage key and the ids it is made from.
pub fn file_key(ws: i64, file: i64) -> String {
    crate::files::storage_key(
        crate::ids::WorkspaceId::from_db(ws),
        crate::ids::FileId::from_db(file),
    )
}

impl Generator {
    /// Ids are `(ms << 22) + n` with `ms` a few milliseconds into 2024 that depend only
    /// on the seed: valid, time-ordered ids that no two seeds share.
    pub fn new(ws: i64, seed: u64, per_client: u64, today: Date) -> anyhow::Result<Self> {
        let mut days = Vec::new();
        let first = today.checked_sub(Span::new().days(HISTORY_DAYS + 60))?;
        let mut d = first;
        for _ in 0..(HISTORY_DAYS + 121) {
            days.push(d.to_string());
            d = d.tomorrow()?;
        }
        let today_ms = today.to_zoned(jiff::tz::TimeZone::UTC)?.timestamp().as_millisecond();
        Ok(Self {
            ws,
            seed,
            per_client,
            next_id: ((seed as i64) * 1_000_000 + 1) << 22,
            invoice_no: 0,
            quote_no: 0,
            job_no: 0,
            days,
            today_ms,
            showcase_file: None,
        })
    }

    fn id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    /// The date `offset` days from today (negative: the past), within the range kept.
    fn day(&self, offset: i64) -> &str {
        let i = (offset + HISTORY_DAYS + 60).clamp(0, self.days.len() as i64 - 1) as usize;
        &self.days[i]
    }

    fn ms(&self, offset_days: i64, hour: i64) -> i64 {
        self.today_ms + offset_days * DAY_MS + hour * 3_600_000
    }

    /// Offset (days, ≤ 0) of record `k` of `n`, spread evenly over the history.
    fn spread(k: u64, n: u64) -> i64 {
        -(((n - 1 - k) as i64) * HISTORY_DAYS / (n.max(1) as i64))
    }

    fn lines(&mut self, t: &mut Table, parent: i64, n: u64, h: u64) -> anyhow::Result<[i64; 3]> {
        let inputs: Vec<LineInput> = (0..n)
            .map(|p| {
                let x = mix(h, p, 0, 11);
                LineInput {
                    quantity_milli: 1000 * (1 + (x % 4) as i64),
                    unit_price_minor: 5_000 + ((x >> 8) % 200) as i64 * 250,
                    discount_bp: 0,
                    tax_rate_bp: TAX_BP,
                }
            })
            .collect();
        let (amounts, total) = compute(&inputs)
            .map_err(|(i, e)| anyhow::anyhow!("generated line {i}: {e:?}"))?;
        for (p, (input, a)) in inputs.iter().zip(&amounts).enumerate() {
            let id = self.id();
            let what = WORK[(mix(h, p as u64, 1, 12) % WORK.len() as u64) as usize];
            t.push(&[
                V::I(id), V::I(self.ws), V::I(parent), V::I(p as i64 + 1), V::T(what),
                V::I(input.quantity_milli), V::I(input.unit_price_minor), V::I(0), V::I(TAX_BP),
                V::I(a.subtotal_minor), V::I(a.tax_minor), V::I(a.total_minor),
            ]);
        }
        Ok([total.subtotal_minor, total.tax_minor, total.total_minor])
    }

    /// All records of client `i`, with a random portal link key `access_key`.
    pub fn client(&mut self, t: &mut Tables, i: u64, access_key: &str) -> anyhow::Result<()> {
        let (ws, seed, m) = (self.ws, self.seed, self.per_client);
        let h = mix(seed, i, 0, 1);
        let client = self.id();
        let name = format!(
            "{} {} {:05}",
            ADJECTIVES[(h % 12) as usize],
            NOUNS[((h >> 8) % 10) as usize],
            i + 1
        );
        let kind = if h % 5 == 0 { "individual" } else { "company" };
        let since = self.ms(-HISTORY_DAYS - 30, 9);
        t.client.push(&[
            V::I(client), V::I(ws), V::T(kind), V::T(&name), V::T("+971 4 000 0000"),
            V::T("PO Box 1, Dubai"), V::I(1), V::T(access_key), V::I(since), V::I(since), V::I(since),
        ]);
        let mut contacts = [0i64; 2];
        for (j, contact) in contacts.iter_mut().enumerate() {
            *contact = self.id();
            let x = mix(seed, i, j as u64, 2);
            let email = if j == 0 {
                format!("c{i}@gen{seed}.test")
            } else {
                format!("c{i}.b@gen{seed}.test")
            };
            t.contact.push(&[
                V::I(*contact), V::I(ws), V::I(client), V::T(FIRST[(x % 10) as usize]),
                V::T(LAST[((x >> 8) % 8) as usize]), V::T(&email), V::T(&email), V::T(""),
                V::I(i64::from(j == 0)), V::I(since), V::I(since),
            ]);
        }
        let projects = self.projects(t, client, i, (m / 50).max(1))?;
        self.jobs(t, client, i, (m / 10).max(1), &projects)?;
        self.quotes(t, client, i, (m / 4).max(1))?;
        self.invoices(t, client, i, m)?;
        self.requests(t, client, contacts[0], i, (m / 20).max(1));
        Ok(())
    }

    fn projects(&mut self, t: &mut Tables, client: i64, i: u64, n: u64) -> anyhow::Result<Vec<i64>> {
        let mut ids = Vec::new();
        for k in 0..n {
            let id = self.id();
            ids.push(id);
            let start = Self::spread(k, n) - 60;
            let active = k + 1 == n;
            let (status, pct) = if active { ("active", 40) } else { ("completed", 100) };
            let name = format!("Programme {} for client {}", k + 1, i + 1);
            let at = self.ms(start, 8);
            t.project.push(&[
                V::I(id), V::I(self.ws), V::I(client), V::T(&name), V::T(status), V::I(pct),
                V::T(self.day(start)), V::T(self.day(start + 120)), V::I(at), V::I(at),
            ]);
            for s in 0..3u64 {
                let task = self.id();
                let done = (!active || s == 0).then(|| self.ms(start + 30, 17));
                let title = format!("{} – step {}", WORK[(mix(self.seed, i, k * 3 + s, 3) % 8) as usize], s + 1);
                t.task.push(&[
                    V::I(task), V::I(self.ws), V::I(client), V::I(id), V::T(&title),
                    V::T(self.day(start + 30 * (s as i64 + 1))), done.into(), V::I(i64::from(s < 2)),
                    V::I(at), V::I(at),
                ]);
            }
        }
        Ok(ids)
    }

    fn jobs(&mut self, t: &mut Tables, client: i64, i: u64, n: u64, projects: &[i64]) -> anyhow::Result<()> {
        for k in 0..n {
            let id = self.id();
            self.job_no += 1;
            let number = format!("J-{:07}", self.job_no);
            let future = k + 1 == n;
            let start = if future { 7 } else { Self::spread(k, n) };
            let status = match (future, k + 2 == n) {
                (true, _) => "scheduled",
                (false, true) => "in_progress",
                _ => "completed",
            };
            let title = WORK[(mix(self.seed, i, k, 4) % 8) as usize];
            let (from, to) = (self.ms(start, 8), self.ms(start, 12));
            let project = projects[(k as usize) % projects.len()];
            t.job.push(&[
                V::I(id), V::I(self.ws), V::I(client), V::I(project), V::T(&number), V::T(title),
                V::T(status), V::T("Site 1, Dubai"), V::I(from), V::I(to), V::I(from - DAY_MS),
                V::I(from - DAY_MS),
            ]);
            for v in 0..2 {
                let visit = self.id();
                let (s, e) = (from + v * 7 * DAY_MS, to + v * 7 * DAY_MS);
                let vs = if future { "scheduled" } else { "completed" };
                t.visit.push(&[
                    V::I(visit), V::I(self.ws), V::I(id), V::I(s), V::I(e), V::T(vs),
                    V::I(from - DAY_MS), V::I(from - DAY_MS),
                ]);
            }
            let file = self.id();
            let key = file_key(self.ws, file);
            let x = mix(self.seed, i, k, 5);
            let (size, name, sha) = if i == 0 && k == 0 {
                self.showcase_file = Some((file, key.clone()));
                let sha = crate::crypto::sha256_hex(&super::showcase_bytes());
                (super::SHOWCASE_FILE_BYTES as i64, "site-survey.pdf".to_string(), sha)
            } else {
                let sha = format!("{x:016x}{:016x}{:016x}{:016x}", x ^ 1, x ^ 2, x ^ 3);
                (50_000 + (x % 400_000) as i64, format!("{number}-report.pdf"), sha)
            };
            t.file.push(&[
                V::I(file), V::I(self.ws), V::I(client), V::I(id), V::T(&name),
                V::T("application/pdf"), V::I(size), V::T(&sha), V::T(&key), V::I(to),
            ]);
        }
        Ok(())
    }

    fn quotes(&mut self, t: &mut Tables, client: i64, i: u64, n: u64) -> anyhow::Result<()> {
        for k in 0..n {
            let id = self.id();
            self.quote_no += 1;
            let number = format!("Q-{:07}", self.quote_no);
            let h = mix(self.seed, i, k, 6);
            let issue = Self::spread(k, n);
            let current = issue > -30;
            let status = match (current, h % 100) {
                (true, _) => "sent",
                (false, 0..=49) => "accepted",
                (false, 50..=79) => "declined",
                (false, 80..=89) => "sent",
                _ => "draft",
            };
            let [sub, tax, total] = self.lines(&mut t.quote_line, id, 1 + h % 2, h)?;
            let at = self.ms(issue, 10);
            let sent = (status != "draft").then_some(at);
            let decided = matches!(status, "accepted" | "declined").then(|| at + 3 * DAY_MS);
            let title = WORK[(h % 8) as usize];
            t.quote.push(&[
                V::I(id), V::I(self.ws), V::I(client), V::T(&number), V::T(title), V::T(status),
                V::T(self.day(issue)), V::T(self.day(issue + 30)), V::T("AED"), V::I(sub),
                V::I(tax), V::I(total), sent.into(), decided.into(), V::I(at), V::I(at),
            ]);
        }
        Ok(())
    }

    fn invoices(&mut self, t: &mut Tables, client: i64, i: u64, n: u64) -> anyhow::Result<()> {
        for k in 0..n {
            let id = self.id();
            self.invoice_no += 1;
            let number = format!("INV-{:08}", self.invoice_no);
            let h = mix(self.seed, i, k, 7);
            let recent = k * 10 >= n * 9;
            let status = match (recent, h % 100) {
                (true, 0..=9) => "draft",
                (true, 10..=59) => "sent",
                (true, 60..=79) => "partially_paid",
                (true, _) => "paid",
                (false, 0..=2) => "draft",
                (false, 3..=5) => "void",
                (false, 6..=9) => "sent",
                (false, _) => "paid",
            };
            let [sub, tax, total] = self.lines(&mut t.invoice_line, id, 1 + h % 3, h)?;
            let paid = match status {
                "paid" => total,
                "partially_paid" => total / 2,
                _ => 0,
            };
            let issue = Self::spread(k, n);
            let at = self.ms(issue, 9);
            let sent = (status != "draft").then_some(at);
            let voided = (status == "void").then(|| at + DAY_MS);
            let title = WORK[(h % 8) as usize];
            t.invoice.push(&[
                V::I(id), V::I(self.ws), V::I(client), V::T(&number), V::T(title), V::T(status),
                V::T(self.day(issue)), V::T(self.day(issue + 30)), V::T("AED"), V::I(sub),
                V::I(tax), V::I(total), V::I(paid), sent.into(), voided.into(), V::I(at), V::I(at),
            ]);
            if paid > 0 {
                let payment = self.id();
                let received = at + 10 * DAY_MS;
                t.payment.push(&[
                    V::I(payment), V::I(self.ws), V::I(client), V::I(id), V::T("bank_transfer"),
                    V::T("succeeded"), V::I(paid), V::T("AED"), V::I(received), V::I(received),
                    V::I(received),
                ]);
            }
        }
        Ok(())
    }

    fn requests(&mut self, t: &mut Tables, client: i64, contact: i64, i: u64, n: u64) {
        const STATUSES: [&str; 4] = ["new", "in_review", "converted", "closed"];
        for k in 0..n {
            let id = self.id();
            let h = mix(self.seed, i, k, 8);
            let at = self.ms(Self::spread(k, n), 11);
            let subject = WORK[(h % 8) as usize];
            t.request.push(&[
                V::I(id), V::I(self.ws), V::I(client), V::I(contact), V::T(subject),
                V::T("Please send someone this week."), V::T(STATUSES[(h % 4) as usize]),
                V::I(at), V::I(at),
            ]);
        }
    }
}
