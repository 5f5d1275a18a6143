//! The generated records of one client, all derived from (seed, client index, record
//! index), so a seed always makes the same data. Proportions, per client with M
//! invoices: 2 contacts; M invoices of 1–3 lines; max(1, M/4) quotes of 1–2 lines; a
//! payment for every paid or part-paid invoice; max(1, M/10) jobs, each with 2 visits
//! and a file record; max(1, M/50) projects with 3 tasks each; max(1, M/20) requests.

use jiff::civil::Date;
use jiff::Span;

use super::batch::V;
use super::tables::Tables;

/// Days of history the generated records spread over.
pub(super) const HISTORY_DAYS: i64 = 1095;
pub(super) const DAY_MS: i64 = 86_400_000;
pub(super) const TAX_BP: i64 = 500;

const ADJECTIVES: [&str; 12] = [
    "Harbour", "Cedar", "Granite", "Silver", "Palm", "Desert", "Coral", "Summit", "Falcon",
    "Oasis", "Marina", "Atlas",
];
const NOUNS: [&str; 10] = [
    "Facilities",
    "Holdings",
    "Trading",
    "Logistics",
    "Hotels",
    "Clinics",
    "Schools",
    "Towers",
    "Retail",
    "Kitchens",
];
const FIRST: [&str; 10] = [
    "Aisha", "Omar", "Priya", "James", "Lina", "Rashid", "Sara", "Daniel", "Mei", "Yusuf",
];
const LAST: [&str; 8] = [
    "Haddad", "Khan", "Menon", "Walker", "Nasser", "Silva", "Chen", "Rahman",
];
pub(super) const WORK: [&str; 8] = [
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
        let today_ms = today
            .to_zoned(jiff::tz::TimeZone::UTC)?
            .timestamp()
            .as_millisecond();
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

    pub(super) fn id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    /// The date `offset` days from today (negative: the past), within the range kept.
    pub(super) fn day(&self, offset: i64) -> &str {
        let i = (offset + HISTORY_DAYS + 60).clamp(0, self.days.len() as i64 - 1) as usize;
        &self.days[i]
    }

    pub(super) fn ms(&self, offset_days: i64, hour: i64) -> i64 {
        self.today_ms + offset_days * DAY_MS + hour * 3_600_000
    }

    /// Offset (days, ≤ 0) of record `k` of `n`, spread evenly over the history.
    pub(super) fn spread(k: u64, n: u64) -> i64 {
        -(((n - 1 - k) as i64) * HISTORY_DAYS / (n.max(1) as i64))
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
            V::I(client),
            V::I(ws),
            V::T(kind),
            V::T(&name),
            V::T("+971 4 000 0000"),
            V::T("PO Box 1, Dubai"),
            V::I(1),
            V::T(access_key),
            V::I(since),
            V::I(since),
            V::I(since),
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
                V::I(*contact),
                V::I(ws),
                V::I(client),
                V::T(FIRST[(x % 10) as usize]),
                V::T(LAST[((x >> 8) % 8) as usize]),
                V::T(&email),
                V::T(&email),
                V::T(""),
                V::I(i64::from(j == 0)),
                V::I(since),
                V::I(since),
            ]);
        }
        let projects = self.projects(t, client, i, (m / 50).max(1))?;
        self.jobs(t, client, i, (m / 10).max(1), &projects)?;
        self.quotes(t, client, i, (m / 4).max(1))?;
        self.invoices(t, client, i, m)?;
        self.requests(t, client, contacts[0], i, (m / 20).max(1));
        Ok(())
    }
}
