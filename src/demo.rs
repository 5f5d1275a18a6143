//! `portico demo`: a realistic workspace to click through.
//!
//! One workspace (slug `demo`) for a Dubai building-services company: a business
//! profile, an owner, 31 clients (companies with 2–4 contacts and individuals), a
//! catalogue, and quotes, invoices, payments, jobs with visits, projects with tasks and
//! requests in every state, in AED, USD and KWD, and files attached to jobs and invoices
//! (their bytes made in code by `sample_files`). Everything comes from the fixed lists
//! below and an index-based spread, and dates are relative to today in the workspace's
//! time zone, so the demo looks the same every day. Loading is idempotent: when the
//! workspace exists its data is left alone and only the owner's password is renewed.

mod sample_files;

use anyhow::{bail, Context};
use bytes::Bytes;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Span;

use crate::app::AppState;
use crate::auth::password;
use crate::crypto::random_token;
use crate::domain::email::EmailAddress;
use crate::domain::files::content_type_for;
use crate::domain::lines::{compute as compute_lines, LineInput};
use crate::domain::records::today_in;
use crate::files::{storage_key, FileStore};
use crate::ids::{
    ClientId, ContactId, FileId, InvoiceId, JobId, ProductId, ProjectId, QuoteId, StaffUserId,
    WorkspaceId,
};
use crate::store::clients::NewClient;
use crate::store::contacts::NewContact;
use crate::store::documents::{NewInvoice, NewLine, NewPayment, NewQuote};
use crate::store::files::NewFile;
use crate::store::products::NewProduct;
use crate::store::work::{
    NewJob, NewProject, NewRequest, NewTask, NewVisit, JOB_STATUSES, PROJECT_STATUSES,
    REQUEST_STATUSES,
};
use crate::store::workspaces::{BusinessProfile, NewWorkspace};
use crate::store::Store;

const SLUG: &str = "demo";
const BUSINESS_NAME: &str = "Harbour & Pine Building Services";
const TIME_ZONE: &str = "Asia/Dubai";
const OWNER_EMAIL: &str = "owner@demo.portico.test";
const OWNER_NAME: &str = "Mariam Qasim";
const BOOKKEEPER_EMAIL: &str = "books@ledgerline.test";
/// The companies whose portal links are printed: rich data in AED, USD and KWD.
const SHOWCASE: [&str; 3] = [COMPANIES[0].name, COMPANIES[1].name, COMPANIES[2].name];

/// Loads (or reuses) the demo workspace and returns the lines to print.
pub async fn load(state: &AppState) -> anyhow::Result<Vec<String>> {
    let store = &state.store;
    let now_ms = state.clock.now_ms();
    let existing = store.workspace_by_slug(SLUG).await?;
    let ws = match &existing {
        Some(row) => row.id(),
        None => {
            let new = NewWorkspace {
                slug: SLUG,
                name: BUSINESS_NAME,
                time_zone: TIME_ZONE,
                default_currency: "AED",
            };
            store.create_workspace(&new, now_ms).await?
        }
    };
    let password = random_token(12);
    let hash = password::hash(&password)?;
    let owner = ensure_owner(store, ws, &hash, now_ms).await?;
    store.set_staff_password(owner, &hash, now_ms).await?;
    if existing.is_none() {
        let row = store.workspace(ws).await?;
        let tz = TimeZone::get(&row.time_zone)?;
        let today = today_in(&row.time_zone, state.clock.now());
        let mut demo = Demo {
            store,
            files: &state.files,
            ws,
            owner,
            now_ms,
            today,
            tz,
            products: Vec::new(),
        };
        demo.populate().await.context("loading the demo data")?;
    }
    let mut out = vec![format!(
        "staff: {} {OWNER_EMAIL} {password}",
        state.config.url("/staff/login")
    )];
    for name in SHOWCASE {
        out.push(portal_line(state, ws, owner, name, now_ms).await?);
    }
    out.push(api_line(state, ws, owner, now_ms).await?);
    out.push(format!(
        "mail: codes are delivered to {}",
        crate::describe_mail(&state.config)
    ));
    Ok(out)
}

/// `api: <base url> <token>`: a new token on every run (the previous demo token is
/// revoked), like the owner's password.
async fn api_line(
    state: &AppState,
    ws: WorkspaceId,
    owner: StaffUserId,
    now_ms: i64,
) -> anyhow::Result<String> {
    const NAME: &str = "Demo token";
    state
        .store
        .revoke_api_tokens_named(ws, NAME, now_ms)
        .await?;
    let (token, hash, prefix) = crate::domain::api_token::generate();
    state
        .store
        .create_api_token(ws, NAME, &hash, &prefix, Some(owner), now_ms)
        .await?;
    Ok(format!("api: {} {token}", state.config.url("/api/v1")))
}

async fn ensure_owner(
    store: &Store,
    ws: WorkspaceId,
    hash: &str,
    now_ms: i64,
) -> anyhow::Result<StaffUserId> {
    let email = EmailAddress::parse(OWNER_EMAIL)?;
    match store.staff_by_email(email.normalised()).await? {
        Some(row) if row.workspace() == ws => Ok(row.id()),
        Some(_) => bail!("{OWNER_EMAIL} is already a staff user of another workspace"),
        None => Ok(store
            .create_staff(ws, &email, OWNER_NAME, "owner", hash, now_ms)
            .await?),
    }
}

/// `portal: <link> <email>` for a showcase company, turning its portal back on if staff
/// turned it off since the demo was loaded (the printed link must work).
async fn portal_line(
    state: &AppState,
    ws: WorkspaceId,
    owner: StaffUserId,
    name: &str,
    now_ms: i64,
) -> anyhow::Result<String> {
    let store = &state.store;
    let found = store
        .list_clients(ws, name, 10, 0)
        .await?
        .into_iter()
        .find(|c| c.name == name)
        .with_context(|| format!("the demo workspace has no client {name:?}; start with an empty data directory to reload it"))?;
    let id = ClientId::from_db(found.id);
    let mut client = store.client(ws, id).await?;
    if !client.portal_on() {
        client = store
            .set_portal_access(ws, id, true, Some(owner), now_ms)
            .await?;
    }
    let key = client
        .portal_access_key
        .with_context(|| format!("{name} has no portal access key"))?;
    let email = store
        .contacts_of(ws, id)
        .await?
        .into_iter()
        .filter_map(|c| c.email)
        .find(|e| !e.eq_ignore_ascii_case(BOOKKEEPER_EMAIL))
        .with_context(|| format!("{name} has no contact with an email"))?;
    Ok(format!(
        "portal: {} {email}",
        state.config.url(&format!("/portal/{key}"))
    ))
}

// ----- fixed data ----------------------------------------------------------------------

struct Person {
    first: &'static str,
    last: &'static str,
    role: &'static str,
    /// Empty: `first.last@<company domain>`.
    email: &'static str,
}

const fn p(first: &'static str, last: &'static str, role: &'static str) -> Person {
    Person {
        first,
        last,
        role,
        email: "",
    }
}

const BOOKKEEPER: Person = Person {
    first: "Farah",
    last: "Haddad",
    role: "Bookkeeper (Ledgerline)",
    email: BOOKKEEPER_EMAIL,
};

struct Company {
    name: &'static str,
    domain: &'static str,
    currency: &'static str,
    address: &'static str,
    site: &'static str,
    people: &'static [Person],
}

const fn co(
    name: &'static str,
    domain: &'static str,
    currency: &'static str,
    address: &'static str,
    site: &'static str,
    people: &'static [Person],
) -> Company {
    Company {
        name,
        domain,
        currency,
        address,
        site,
        people,
    }
}

const COMPANIES: [Company; 24] = [
    co(
        "Northwind Facilities Management LLC",
        "northwind-facilities.test",
        "AED",
        "Unit 14, Dubai Investments Park 1, Dubai",
        "Northwind House, Plot 597-2110, Dubai Investments Park, Dubai",
        &[
            p("Aisha", "Al Marri", "Facilities Director"),
            p("Rahul", "Menon", "Site Supervisor"),
            p("Grace", "Okafor", "Accounts Payable"),
            BOOKKEEPER,
        ],
    ),
    co(
        "Gulf Crest Hospitality Group",
        "gulfcrest-hospitality.test",
        "USD",
        "Level 9, Shoreline Tower, Palm Jumeirah, Dubai",
        "Gulf Crest Resort, Crescent Road, Palm Jumeirah, Dubai",
        &[
            p("Daniel", "Whitfield", "Director of Engineering"),
            p("Maria", "Santos", "Procurement Manager"),
            p("Kenji", "Watanabe", "Chief Engineer"),
        ],
    ),
    co(
        "Al Sabah Trading & Logistics Co.",
        "alsabah-logistics.test",
        "KWD",
        "Block 2, Street 24, Shuwaikh Industrial Area, Kuwait City, Kuwait",
        "Warehouse 7, Shuwaikh Port Road, Kuwait City, Kuwait",
        &[
            p("Yousef", "Al-Kandari", "Operations Manager"),
            p("Priya", "Raghavan", "Finance Officer"),
            p("Mohammed", "Al-Ajmi", "Warehouse Supervisor"),
        ],
    ),
    co(
        "Saffron Table Restaurants",
        "saffron-table.test",
        "AED",
        "Shop 3, Cluster D, Jumeirah Lake Towers, Dubai",
        "",
        &[
            p("Omar", "Farouk", "Owner"),
            p("Li", "Wei", "Restaurant Manager"),
            BOOKKEEPER,
        ],
    ),
    co(
        "Meridian Dental Clinics",
        "meridian-dental.test",
        "AED",
        "Building 64, Dubai Healthcare City, Dubai",
        "",
        &[
            p("Sara", "Khalil", "Clinic Director"),
            p("Jonas", "Berg", "Practice Manager"),
        ],
    ),
    co(
        "O'Neill & Partners Architects",
        "oneill-partners.test",
        "AED",
        "Office 1203, Al Moosa Tower 2, Sheikh Zayed Road, Dubai",
        "",
        &[
            p("Siobhán", "O'Neill", "Managing Partner"),
            p("Tomás", "Rivera", "Office Manager"),
            p("Hannah", "Cole", "Studio Coordinator"),
        ],
    ),
    co(
        "Desert Rose Schools",
        "desertrose-schools.test",
        "AED",
        "Al Barsha South 2, Dubai",
        "Desert Rose Primary Campus, Al Barsha South 2, Dubai",
        &[
            p("Fatima", "Al Hashimi", "Principal"),
            p("Peter", "Mwangi", "Estates Manager"),
            p("Anjali", "Kapoor", "Bursar"),
        ],
    ),
    co(
        "Blue Lagoon Residences Owners Association",
        "bluelagoon-oa.test",
        "AED",
        "Blue Lagoon Residences, Al Raha Beach, Abu Dhabi",
        "",
        &[
            p("Viktor", "Petrov", "Community Manager"),
            p("Noura", "Al Suwaidi", "Board Chair"),
        ],
    ),
    co(
        "Crescent Pharma Distribution",
        "crescent-pharma.test",
        "USD",
        "Warehouse B12, Jebel Ali Free Zone South, Dubai",
        "",
        &[
            p("Chloé", "Dubois", "Regional Operations Lead"),
            p("Ahmed", "Raza", "Warehouse Manager"),
            p("Emily", "Carter", "Accounts Payable"),
        ],
    ),
    co(
        "Skyline Fitness Studios",
        "skyline-fitness.test",
        "AED",
        "Ground floor, Marina Plaza, Dubai Marina, Dubai",
        "",
        &[
            p("Marcus", "Johnson", "Founder"),
            p("Yuki", "Tanaka", "Studio Manager"),
        ],
    ),
    co(
        "Falcon Ridge Property Management",
        "falconridge-pm.test",
        "AED",
        "Suite 402, Al Reem Tower, Al Reem Island, Abu Dhabi",
        "Falcon Ridge Tower B, Al Reem Island, Abu Dhabi",
        &[
            p("Khalid", "Bin Hamad", "Portfolio Director"),
            p("Rosa", "Martínez", "Property Manager"),
            p("Arjun", "Nair", "Maintenance Coordinator"),
            p("Olivia", "Bennett", "Leasing Manager"),
        ],
    ),
    co(
        "Pearl Coast Marine Services",
        "pearlcoast-marine.test",
        "AED",
        "Berth 11, Dubai Maritime City, Dubai",
        "",
        &[
            p("Jürgen", "Weiß", "Technical Superintendent"),
            p("Samir", "Benali", "Yard Manager"),
        ],
    ),
    co(
        "Hanover Logistics FZE",
        "hanover-logistics.test",
        "USD",
        "Plot S30102, Jebel Ali Free Zone, Dubai",
        "",
        &[
            p("Ayşe", "Yılmaz", "General Manager"),
            p("Thomas", "Müller", "Facilities Lead"),
            p("Nikhil", "Joshi", "Finance Manager"),
        ],
    ),
    co(
        "Oasis Coworking",
        "oasis-cowork.test",
        "AED",
        "Floor 3, The Bay Gate, Business Bay, Dubai",
        "",
        &[
            p("Leila", "Nasser", "Community Lead"),
            p("Ben", "Adeyemi", "Operations Manager"),
        ],
    ),
    co(
        "Kuwait Gateway Real Estate",
        "kuwait-gateway.test",
        "KWD",
        "Al Hamra Tower, Floor 31, Sharq, Kuwait City, Kuwait",
        "Gateway Residences, Salmiya, Kuwait",
        &[
            p("Dana", "Al-Sabah", "Asset Manager"),
            p("Faisal", "Al-Mutairi", "Property Engineer"),
            p("Sunita", "Rao", "Accounts"),
        ],
    ),
    co(
        "Amber Leaf Tea House",
        "amberleaf-tea.test",
        "AED",
        "Al Seef Village, Bur Dubai, Dubai",
        "",
        &[
            p("Mei Lin", "Chen", "Owner"),
            p("Hamza", "Qureshi", "Manager"),
        ],
    ),
    co(
        "Lighthouse Pediatrics",
        "lighthouse-peds.test",
        "AED",
        "Villa 21, Al Wasl Road, Jumeirah 1, Dubai",
        "",
        &[
            p("Ingrid", "Larsen", "Medical Director"),
            p("Joseph", "Mensah", "Operations Manager"),
            p("Reem", "Abdullah", "Front Office Supervisor"),
        ],
    ),
    co(
        "Ironwood Automotive Workshop",
        "ironwood-auto.test",
        "AED",
        "Street 18, Al Quoz Industrial Area 3, Dubai",
        "",
        &[
            p("Carlos", "Mendes", "Workshop Owner"),
            p("Vikram", "Singh", "Service Manager"),
        ],
    ),
    co(
        "Sundial Early Learning Centre",
        "sundial-learning.test",
        "AED",
        "Villa 5, 8th Street, Mirdif, Dubai",
        "",
        &[
            p("Claire", "Dupont", "Head of Centre"),
            p("Aaliyah", "Hassan", "Administrator"),
            p("Mariam", "Yusuf", "Facilities Assistant"),
        ],
    ),
    co(
        "Granite Peak Capital",
        "granitepeak-capital.test",
        "USD",
        "Gate Village 4, DIFC, Dubai",
        "",
        &[
            p("Andrew", "Lawson", "Chief Operating Officer"),
            p("Natalia", "Kowalska", "Office Manager"),
        ],
    ),
    co(
        "Zephyr Data Centres",
        "zephyr-dc.test",
        "USD",
        "Building A3, Dubai Silicon Oasis, Dubai",
        "Zephyr DXB-2 Data Hall, Dubai Silicon Oasis, Dubai",
        &[
            p("Søren", "Holm", "Site Director"),
            p("Adaeze", "Nwosu", "Critical Facilities Engineer"),
            p("Rajesh", "Iyer", "Procurement"),
            p("Lucy", "Tran", "Finance Business Partner"),
        ],
    ),
    co(
        "Marina Heights Dental Lab",
        "marinaheights-lab.test",
        "AED",
        "Office 2104, Marina Heights Tower, Dubai Marina, Dubai",
        "",
        &[
            p("Hyun-woo", "Park", "Lab Director"),
            p("Sofia", "Rossi", "Lab Coordinator"),
        ],
    ),
    co(
        "Caravan Events & Exhibitions",
        "caravan-events.test",
        "AED",
        "Warehouse 5, Umm Ramool, Dubai",
        "",
        &[
            p("João", "Figueiredo", "Production Director"),
            p("Huda", "Al Rashid", "Events Manager"),
            p("Liam", "Murphy", "Logistics Coordinator"),
        ],
    ),
    co(
        "Al Dana Fisheries",
        "aldana-fisheries.test",
        "KWD",
        "Sharq Fish Market, Kuwait City, Kuwait",
        "",
        &[
            p("Bader", "Al-Rashidi", "Managing Director"),
            p("Joy", "Dela Cruz", "Office Administrator"),
        ],
    ),
];

/// Individuals: (first, last, email, currency, address).
const INDIVIDUALS: [(&str, &str, &str, &str, &str); 7] = [
    (
        "Hessa",
        "Al Falasi",
        "hessa.alfalasi@mailbox.test",
        "AED",
        "Villa 12, Street 4, Arabian Ranches 2, Dubai",
    ),
    (
        "James",
        "Thornton",
        "james.thornton@postbox.test",
        "AED",
        "Apartment 1804, Marina Gate 1, Dubai Marina, Dubai",
    ),
    (
        "Priyanka",
        "Sharma",
        "priyanka.sharma@mailbox.test",
        "AED",
        "Townhouse 33, Mira Oasis 1, Dubai",
    ),
    (
        "Elena",
        "Popescu",
        "elena.popescu@postbox.test",
        "AED",
        "Villa 7, Al Reef Villas, Abu Dhabi",
    ),
    (
        "Kwame",
        "Asante",
        "kwame.asante@mailbox.test",
        "USD",
        "Apartment 605, Bluewaters Residences 8, Dubai",
    ),
    (
        "Nguyen Thi",
        "Lan",
        "lan.nguyen@postbox.test",
        "AED",
        "Apartment 310, Silicon Gates 2, Dubai Silicon Oasis, Dubai",
    ),
    (
        "Abdullah",
        "Al-Enezi",
        "abdullah.alenezi@mailbox.test",
        "KWD",
        "House 14, Block 5, Salwa, Kuwait",
    ),
];

struct Product {
    kind: &'static str,
    name: &'static str,
    description: &'static str,
    unit: &'static str,
    price_aed: i64,
    visible: bool,
    /// Typical quantities in thousandths.
    quantities: [i64; 3],
}

const fn prod(
    kind: &'static str,
    name: &'static str,
    description: &'static str,
    unit: &'static str,
    price_aed: i64,
    visible: bool,
    quantities: [i64; 3],
) -> Product {
    Product {
        kind,
        name,
        description,
        unit,
        price_aed,
        visible,
        quantities,
    }
}

const PRODUCTS: [Product; 15] = [
    prod("service", "Preventive AC maintenance", "Filter clean, coil check, refrigerant pressure test and drain-line flush for one split or ducted unit.", "unit", 22_500, true, [4_000, 6_000, 12_000]),
    prod("service", "Emergency call-out (24/7)", "An engineer on site within two hours, day or night; the first hour of labour is included.", "call-out", 65_000, true, [1_000, 1_000, 2_000]),
    prod("service", "Electrician, hourly", "DEWA-licensed electrician, billed per started half hour.", "hour", 22_000, true, [2_500, 4_000, 7_500]),
    prod("service", "Plumber, hourly", "Plumbing repairs and installations, billed per started half hour.", "hour", 19_500, true, [1_500, 3_500, 6_000]),
    prod("service", "Deep cleaning", "Post-construction or move-out deep clean, equipment and materials included.", "m²", 1_250, true, [120_000, 180_000, 245_500]),
    prod("service", "Interior painting", "Two coats of washable emulsion, minor crack filling and protection of floors included.", "m²", 2_875, true, [45_000, 95_500, 210_250]),
    prod("service", "Fire safety inspection", "Annual inspection of alarms, extinguishers and emergency lighting, with the Civil Defence report.", "inspection", 125_000, true, [1_000, 1_000, 1_000]),
    prod("service", "Annual maintenance contract, villa", "Quarterly preventive visits for AC, plumbing and electrical, plus priority call-outs.", "year", 680_000, true, [1_000, 1_000, 1_000]),
    prod("product", "LED panel light 60×60 cm", "40 W, 4000 K, flicker-free driver, five-year warranty.", "", 14_500, true, [6_000, 12_000, 24_000]),
    prod("product", "AC filter set", "Washable replacement filters for one indoor unit.", "set", 8_500, true, [4_000, 6_000, 12_000]),
    prod("product", "Smoke detector, hard-wired", "Optical sensor with battery backup, EN 14604 certified.", "", 21_000, true, [5_000, 8_000, 14_000]),
    prod("product", "Electric water heater 80 L", "Wall-mounted, enamelled tank; installation billed separately.", "", 115_000, true, [1_000, 2_000, 1_000]),
    prod("service", "Scaffolding hire (subcontracted)", "Erection, weekly hire and dismantling by our scaffolding partner.", "week", 180_000, false, [1_000, 2_000, 3_000]),
    prod("service", "Debris removal and disposal", "Skip hire and licensed disposal of construction waste.", "load", 35_000, false, [1_000, 2_000, 1_000]),
    prod("service", "After-hours surcharge", "Added per hour for work outside 08:00–18:00, Monday to Friday.", "hour", 9_500, false, [2_000, 3_000, 4_500]),
];

const QUOTE_TITLES: [&str; 10] = [
    "Chiller plant service contract renewal",
    "Lobby lighting upgrade to LED",
    "Roof terrace waterproofing",
    "Staircase repainting, blocks A–C",
    "Fire alarm panel replacement",
    "Kitchen exhaust hood deep clean",
    "Villa annual maintenance contract",
    "Car park lighting and signage",
    "Office fit-out snagging works",
    "Water tank cleaning and disinfection",
];

const INVOICE_TITLES: [&str; 10] = [
    "Quarterly AC maintenance",
    "Emergency leak repair, 3rd floor",
    "LED lighting retrofit, phase 1",
    "Monthly deep cleaning",
    "Fire safety inspection and report",
    "Electrical fault finding and repair",
    "Painting of common areas",
    "Water heater replacement",
    "Smoke detector installation",
    "Annual maintenance contract instalment",
];

const JOBS: [(&str, &str); 10] = [
    ("Replace AC filters, all floors", "Replace and label filters on every indoor unit; report units needing coil cleaning."),
    ("Install LED panels in open-plan office", "Swap 60×60 fluorescent fittings for LED panels; works after 18:00 to avoid disruption."),
    ("Repair leaking riser in plant room", "Isolate and replace the corroded section of the cold-water riser, pressure-test afterwards."),
    ("Repaint reception and corridors", "Two coats, colour as approved on the sample board; furniture moved and covered by our team."),
    ("Annual fire safety inspection", "Test alarms, extinguishers and emergency lighting; Civil Defence report issued within 3 days."),
    ("Deep clean after refurbishment", "Post-construction clean of all floors, glazing and fixtures before handover."),
    ("Rewire kitchen circuits", "New dedicated circuits for the kitchen equipment, with RCD protection and labelled board."),
    ("Service chilled-water pumps", "Bearing check, seal inspection and vibration readings on both duty and standby pumps."),
    ("Fit hard-wired smoke detectors", "Install interconnected detectors in the server room, archive and corridors."),
    ("Replace water heaters in staff accommodation", "Remove old units, fit new 80 L heaters and check the safety valves."),
];

const PROJECTS: [(&str, &str); 5] = [
    ("Head office refurbishment", "Phased refurbishment of floors 2–4 while the offices stay open."),
    ("Energy-saving lighting retrofit", "LED retrofit and presence sensors across the building, aiming at a 35% cut in lighting load."),
    ("Fire code compliance upgrade", "Close the findings of the last Civil Defence inspection before the renewal date."),
    ("New branch fit-out", "MEP works, painting and final deep clean for the new branch."),
    ("Staff accommodation renovation", "Bathrooms, water heaters and AC units in the staff accommodation blocks."),
];

/// (title, shared with the client)
const TASKS: [(&str, bool); 8] = [
    ("Confirm access permits with building management", true),
    ("Approve paint colour samples", true),
    ("Send floor plans for the lighting layout", true),
    ("Order long-lead items", false),
    ("Book the scaffolding subcontractor", false),
    ("Share the Civil Defence certificate", true),
    ("Arrange after-hours access for noisy works", true),
    ("Check warranty terms with the supplier", false),
];

const REQUESTS: [(&str, &str); 6] = [
    ("AC not cooling in meeting room 2", "Since Sunday the unit in meeting room 2 blows warm air. Could someone check it this week? Mornings are best for us."),
    ("Price for repainting the warehouse office", "We'd like a price for repainting the two offices and the pantry in the warehouse, roughly 120 m² of wall.\n\nWhite or off-white is fine."),
    ("Water leak under the pantry sink", "Small but constant leak under the pantry sink. We've put a bucket there for now."),
    ("Two more smoke detectors", "The fire officer recommended two extra detectors: one in the server room and one in the archive."),
    ("Flickering lights in the car park", "Several lights on level B1 flicker at night, mostly around bays 40–60."),
    ("Deep clean before the audit", "يرجى تنظيف المكتب قبل زيارة المدققين يوم الخميس.\nPlease deep clean the office before the auditors visit on Thursday — reception and meeting rooms first."),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QuoteState {
    Draft,
    SentValid,
    SentExpiring,
    SentExpired,
    Accepted,
    Declined,
}

const QUOTE_STATES: [QuoteState; 6] = [
    QuoteState::Draft,
    QuoteState::SentValid,
    QuoteState::SentExpiring,
    QuoteState::SentExpired,
    QuoteState::Accepted,
    QuoteState::Declined,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InvoiceState {
    Draft,
    SentNotDue,
    Overdue,
    PartiallyPaid,
    Paid,
    Void,
}

const INVOICE_STATES: [InvoiceState; 6] = [
    InvoiceState::Draft,
    InvoiceState::SentNotDue,
    InvoiceState::Overdue,
    InvoiceState::PartiallyPaid,
    InvoiceState::Paid,
    InvoiceState::Void,
];

/// The "other" client (not a showcase) whose job gets a file.
const FILES_CLIENT: usize = 4;

#[derive(Debug, Clone, Copy)]
enum Attach {
    Job(JobId),
    Invoice(InvoiceId),
}

const METER_READINGS: &str =
    "date,meter,reading_kwh\n2026-01-31,MDB-1,18234\n2026-02-28,MDB-1,19871\n\
2026-01-31,MDB-2,7420\n2026-02-28,MDB-2,8013\n";

const HANDOVER: &str =
    "Handover checklist\n\n[x] Works completed as quoted\n[x] Snagging list closed\n\
[x] Test certificates supplied\n[x] Keys and access cards returned\n";

/// A lump-sum KWD line, to show three decimals: KWD 1,250.125.
const KWD_LUMP_SUM: i64 = 1_250_125;

/// A fixed conversion from the AED catalogue price: USD at 0.2723, KWD at 0.0837.
fn price_in(price_aed: i64, currency: &str) -> i64 {
    match currency {
        "USD" => price_aed * 2723 / 10_000,
        "KWD" => price_aed * 837 / 1000,
        _ => price_aed,
    }
}

/// UAE VAT at 5%; work billed to Kuwait or in dollars is zero-rated here.
fn tax_for(currency: &str) -> i64 {
    if currency == "AED" {
        500
    } else {
        0
    }
}

/// `first.last` in plain ASCII, for a contact's address.
fn email_local(first: &str, last: &str) -> String {
    let fold = |s: &str| -> String {
        s.chars()
            .flat_map(|c| c.to_lowercase())
            .filter_map(|c| match c {
                'a'..='z' | '0'..='9' | '-' => Some(c),
                'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => Some('a'),
                'é' | 'è' | 'ê' | 'ë' => Some('e'),
                'í' | 'ì' | 'î' | 'ï' | 'ı' => Some('i'),
                'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' => Some('o'),
                'ú' | 'ù' | 'û' | 'ü' => Some('u'),
                'ç' => Some('c'),
                'ñ' => Some('n'),
                'ş' => Some('s'),
                'ğ' => Some('g'),
                'ß' => Some('s'),
                _ => None,
            })
            .collect()
    };
    format!("{}.{}", fold(first), fold(last))
}

fn landline(i: usize, kuwait: bool) -> String {
    if kuwait {
        format!(
            "+965 2{:03} {:04}",
            (i * 37 + 110) % 1000,
            (i * 4271 + 1234) % 10_000
        )
    } else {
        format!(
            "+971 4 {:03} {:04}",
            200 + (i * 53) % 700,
            (i * 7919 + 1000) % 10_000
        )
    }
}

fn mobile(i: usize, j: usize, kuwait: bool) -> String {
    let n = i * 5 + j;
    if kuwait {
        format!(
            "+965 {} {:03} {:04}",
            [5, 6, 9][n % 3],
            (n * 211 + 300) % 1000,
            (n * 6173 + 42) % 10_000
        )
    } else {
        format!(
            "+971 5{} {:03} {:04}",
            [0, 2, 5, 6, 8][n % 5],
            (n * 389 + 120) % 1000,
            (n * 2713 + 77) % 10_000
        )
    }
}

// ----- loading -------------------------------------------------------------------------

struct DemoClient {
    id: ClientId,
    currency: &'static str,
    site: &'static str,
    contacts: Vec<ContactId>,
}

struct Demo<'a> {
    store: &'a Store,
    files: &'a FileStore,
    ws: WorkspaceId,
    owner: StaffUserId,
    now_ms: i64,
    today: Date,
    tz: TimeZone,
    /// Ids in the order of [`PRODUCTS`].
    products: Vec<ProductId>,
}

impl Demo<'_> {
    async fn populate(&mut self) -> anyhow::Result<()> {
        self.profile().await?;
        for p in &PRODUCTS {
            let new = NewProduct {
                kind: p.kind,
                name: p.name,
                description: p.description,
                unit: p.unit,
                price_minor: p.price_aed,
                currency: "AED",
                tax_rate_bp: 500,
                visible_in_portal: p.visible,
            };
            self.products.push(
                self.store
                    .create_product(self.ws, &new, self.now_ms)
                    .await?,
            );
        }
        let clients = self.clients().await?;
        for (i, client) in clients.iter().enumerate() {
            if i < SHOWCASE.len() {
                self.showcase(client, i).await?;
            } else {
                self.everyday(client, i).await?;
            }
        }
        Ok(())
    }

    async fn profile(&self) -> anyhow::Result<()> {
        let profile = BusinessProfile {
            display_name: BUSINESS_NAME.to_string(),
            about_us: "Harbour & Pine has kept offices, schools, clinics, hotels and homes across the UAE and Kuwait \
                running since 2009. Our 60 licensed technicians cover air conditioning, electrical, plumbing, \
                painting, fire safety and deep cleaning, on planned maintenance contracts or as one-off jobs. \
                Every visit is booked in advance, every quote is fixed-price, and emergencies get an engineer \
                on site within two hours, day or night."
                .to_string(),
            address: "Office 705, Al Shafar Tower 1, Barsha Heights, Dubai, United Arab Emirates".to_string(),
            phone: "+971 4 450 7720".to_string(),
            email: "hello@harbourandpine.test".to_string(),
            website: "https://harbourandpine.test".to_string(),
            hours: "Monday to Friday 08:00–18:00, Saturday 09:00–13:00. Emergency line open 24/7.".to_string(),
            accent_colour: "#1f6f5c".to_string(),
        };
        self.store
            .save_business_profile(self.ws, &profile, self.now_ms)
            .await?;
        Ok(())
    }

    async fn clients(&self) -> anyhow::Result<Vec<DemoClient>> {
        let mut out = Vec::new();
        for (i, c) in COMPANIES.iter().enumerate() {
            let kuwait = c.currency == "KWD";
            let phone = landline(i, kuwait);
            let site = if c.site.is_empty() { c.address } else { c.site };
            let new = NewClient {
                kind: "company",
                name: c.name,
                phone: &phone,
                billing_address: c.address,
                site_address: site,
            };
            let id = self.store.create_client(self.ws, &new, self.now_ms).await?;
            let mut contacts = Vec::new();
            for (j, person) in c.people.iter().enumerate() {
                let email = if person.email.is_empty() {
                    format!("{}@{}", email_local(person.first, person.last), c.domain)
                } else {
                    person.email.to_string()
                };
                let phone = mobile(i, j, kuwait);
                contacts.push(
                    self.contact(
                        id,
                        person.first,
                        person.last,
                        &email,
                        &phone,
                        person.role,
                        j == 0,
                    )
                    .await?,
                );
            }
            out.push(DemoClient {
                id,
                currency: c.currency,
                site,
                contacts,
            });
        }
        for (k, &(first, last, email, currency, address)) in INDIVIDUALS.iter().enumerate() {
            let i = COMPANIES.len() + k;
            let kuwait = currency == "KWD";
            let name = format!("{first} {last}");
            let phone = mobile(i, 0, kuwait);
            let new = NewClient {
                kind: "individual",
                name: &name,
                phone: &phone,
                billing_address: address,
                site_address: address,
            };
            let id = self.store.create_client(self.ws, &new, self.now_ms).await?;
            let contact = self
                .contact(id, first, last, email, &phone, "Homeowner", true)
                .await?;
            out.push(DemoClient {
                id,
                currency,
                site: address,
                contacts: vec![contact],
            });
        }
        // About half the portals are on: always the showcase and the bookkeeper's two
        // companies (indices 0 and 3), then every other client.
        for (i, client) in out.iter().enumerate() {
            if i < 4 || i % 2 == 0 {
                self.store
                    .set_portal_access(self.ws, client.id, true, Some(self.owner), self.now_ms)
                    .await?;
            }
        }
        Ok(out)
    }

    #[allow(clippy::too_many_arguments)]
    async fn contact(
        &self,
        client: ClientId,
        first: &str,
        last: &str,
        email: &str,
        phone: &str,
        role: &str,
        is_primary: bool,
    ) -> anyhow::Result<ContactId> {
        let email = EmailAddress::parse(email).with_context(|| format!("demo email {email:?}"))?;
        let new = NewContact {
            first_name: first,
            last_name: last,
            email: Some(&email),
            phone,
            role,
            is_primary,
        };
        Ok(self
            .store
            .create_contact(self.ws, client, &new, self.now_ms)
            .await?)
    }

    /// The three printed companies: every quote and invoice state, active jobs with
    /// upcoming visits inside an active project, requests in every status.
    async fn showcase(&self, client: &DemoClient, i: usize) -> anyhow::Result<()> {
        let seed = i * 11;
        let project = self.project(client, "active", seed).await?;
        let in_progress = self.job(client, "in_progress", seed, Some(project)).await?;
        self.job(client, "scheduled", seed + 1, Some(project))
            .await?;
        self.tasks(client, Some(project), seed, 4, false).await?;
        let done = self.project(client, "completed", seed + 1).await?;
        let completed = self.job(client, "completed", seed + 2, Some(done)).await?;
        self.tasks(client, Some(done), seed + 4, 2, true).await?;
        self.job(client, "on_hold", seed + 3, None).await?;
        self.job(client, "unscheduled", seed + 4, None).await?;
        if i == 0 {
            self.job(client, "draft", seed + 5, None).await?;
        }
        let mut accepted = None;
        for (k, &state) in QUOTE_STATES.iter().enumerate() {
            let id = self.quote(client, state, seed + k).await?;
            if state == QuoteState::Accepted {
                accepted = Some(id);
            }
        }
        let mut invoices = Vec::new();
        for (k, &state) in INVOICE_STATES.iter().enumerate() {
            let (job, quote) = match state {
                InvoiceState::Paid => (Some(completed), accepted),
                InvoiceState::PartiallyPaid => (Some(in_progress), None),
                _ => (None, None),
            };
            let mut lines = self.lines(seed + k, client.currency);
            if state == InvoiceState::Overdue && client.currency == "KWD" {
                lines.insert(
                    0,
                    NewLine {
                        product_id: None,
                        description: "Annual fire-suppression system overhaul, Warehouse 7",
                        quantity_milli: 1000,
                        unit_price_minor: KWD_LUMP_SUM,
                        discount_bp: 0,
                        tax_rate_bp: 0,
                    },
                );
            }
            let id = self
                .invoice(client, state, seed + k, lines, job, quote)
                .await?;
            invoices.push((state, id));
        }
        // A second, older overdue invoice.
        self.invoice(
            client,
            InvoiceState::Overdue,
            seed + 9,
            self.lines(seed + 9, client.currency),
            None,
            None,
        )
        .await?;
        for (k, status) in REQUEST_STATUSES.iter().enumerate() {
            self.request(client, status, seed + k).await?;
        }
        self.showcase_files(client, i, in_progress, completed, &invoices)
            .await?;
        Ok(())
    }

    /// Everyone else: a deterministic spread over the states.
    async fn everyday(&self, client: &DemoClient, i: usize) -> anyhow::Result<()> {
        let mut project = None;
        if i % 4 == 0 {
            let status = PROJECT_STATUSES[(i / 4) % PROJECT_STATUSES.len()];
            let id = self.project(client, status, i).await?;
            self.tasks(client, Some(id), i, 2 + i % 3, status == "completed")
                .await?;
            project = (status == "active").then_some(id);
        }
        for k in 0..i % 3 {
            let status = JOB_STATUSES[(i + k * 3) % JOB_STATUSES.len()];
            let job = self
                .job(client, status, i + k, if k == 0 { project } else { None })
                .await?;
            if i == FILES_CLIENT && k == 0 && status != "draft" {
                let report = sample_files::pdf(&[
                    "Harbour & Pine Building Services",
                    "Service report: chiller plant inspection",
                    "All readings within tolerance.",
                ]);
                self.attach(client, Attach::Job(job), "Service report.pdf", report, -6)
                    .await?;
            }
        }
        for k in 0..1 + i % 3 {
            self.quote(client, QUOTE_STATES[(i + k) % QUOTE_STATES.len()], i + k)
                .await?;
        }
        for k in 0..1 + (i + 1) % 4 {
            let state = INVOICE_STATES[(i * 2 + k) % INVOICE_STATES.len()];
            self.invoice(
                client,
                state,
                i + k,
                self.lines(i + k, client.currency),
                None,
                None,
            )
            .await?;
        }
        if i % 3 == 0 {
            self.request(
                client,
                REQUEST_STATUSES[(i / 3) % REQUEST_STATUSES.len()],
                i,
            )
            .await?;
        }
        if i % 5 == 1 {
            self.tasks(client, None, i, 1, false).await?;
        }
        Ok(())
    }

    // ----- files

    /// Attachments on a showcase company's jobs and invoices, with names in Ukrainian,
    /// Arabic and English, plus one on a draft and one on a void invoice that the portal
    /// must never show.
    async fn showcase_files(
        &self,
        client: &DemoClient,
        i: usize,
        in_progress: JobId,
        completed: JobId,
        invoices: &[(InvoiceState, InvoiceId)],
    ) -> anyhow::Result<()> {
        let invoice = |state: InvoiceState| {
            invoices
                .iter()
                .find(|(s, _)| *s == state)
                .map(|(_, id)| Attach::Invoice(*id))
                .with_context(|| format!("showcase invoice in state {state:?}"))
        };
        let files: Vec<(Attach, &str, Vec<u8>, i64)> = match i {
            0 => vec![
                (
                    Attach::Job(in_progress),
                    "Угода №5 — план.pdf",
                    sample_files::pdf(&[
                        "Agreement No. 5 - works plan",
                        "Phase 1: strip-out. Phase 2: first fix. Phase 3: handover.",
                    ]),
                    -12,
                ),
                (
                    Attach::Job(in_progress),
                    "Site photos (before).png",
                    sample_files::png([31, 111, 92], [236, 214, 170]),
                    -4,
                ),
                (
                    invoice(InvoiceState::Paid)?,
                    "فاتورة.pdf",
                    sample_files::pdf(&["Tax invoice (Arabic copy)", "Paid in full - thank you."]),
                    -55,
                ),
                (
                    invoice(InvoiceState::Overdue)?,
                    "Meter readings.csv",
                    METER_READINGS.as_bytes().to_vec(),
                    -38,
                ),
                (
                    invoice(InvoiceState::Draft)?,
                    "Draft costing (internal).pdf",
                    sample_files::pdf(&["Draft - not for the client"]),
                    -1,
                ),
            ],
            1 => vec![
                (
                    Attach::Job(completed),
                    "Handover checklist.txt",
                    HANDOVER.as_bytes().to_vec(),
                    -17,
                ),
                (
                    invoice(InvoiceState::SentNotDue)?,
                    "Signed work order.pdf",
                    sample_files::pdf(&["Work order signed by the client"]),
                    -5,
                ),
            ],
            _ => vec![
                (
                    Attach::Job(in_progress),
                    "Warehouse 7 — floor plan.pdf",
                    sample_files::pdf(&["Warehouse 7 floor plan", "Sprinkler zones A-D"]),
                    -9,
                ),
                (
                    invoice(InvoiceState::Overdue)?,
                    "Fire-suppression test report.pdf",
                    sample_files::pdf(&["Fire-suppression test report", "Result: pass"]),
                    -39,
                ),
                (
                    invoice(InvoiceState::Void)?,
                    "Raised in error.pdf",
                    sample_files::pdf(&["Void copy"]),
                    -34,
                ),
            ],
        };
        for (on, name, bytes, days) in files {
            self.attach(client, on, name, bytes, days).await?;
        }
        Ok(())
    }

    /// Stores `bytes` under a generated key and records the file on `on`.
    async fn attach(
        &self,
        client: &DemoClient,
        on: Attach,
        name: &str,
        bytes: Vec<u8>,
        offset_days: i64,
    ) -> anyhow::Result<()> {
        let id = FileId::new();
        let key = storage_key(self.ws, id);
        let sha256 = crate::crypto::sha256_hex(&bytes);
        let size = bytes.len() as i64;
        self.files
            .put(&key, Bytes::from(bytes))
            .await
            .with_context(|| format!("storing demo file {name:?}"))?;
        let (job_id, invoice_id) = match on {
            Attach::Job(j) => (Some(j), None),
            Attach::Invoice(inv) => (None, Some(inv)),
        };
        let new = NewFile {
            id,
            job_id,
            invoice_id,
            name,
            content_type: content_type_for(name),
            size_bytes: size,
            sha256: &sha256,
            storage_key: &key,
            uploaded_by: Some(self.owner),
        };
        self.store
            .create_file(self.ws, client.id, &new, self.past(offset_days, 11)?)
            .await?;
        Ok(())
    }

    // ----- dates

    fn day(&self, offset_days: i64) -> anyhow::Result<Date> {
        Ok(self.today.checked_add(Span::new().try_days(offset_days)?)?)
    }

    fn date(&self, offset_days: i64) -> anyhow::Result<String> {
        Ok(self.day(offset_days)?.to_string())
    }

    /// Milliseconds at a wall-clock time, `offset_days` from today, in the workspace's zone.
    fn at(&self, offset_days: i64, hour: i8, minute: i8) -> anyhow::Result<i64> {
        let zoned = self
            .day(offset_days)?
            .at(hour, minute, 0, 0)
            .to_zoned(self.tz.clone())?;
        Ok(zoned.timestamp().as_millisecond())
    }

    /// Like [`Demo::at`], but never later than now: when a record was created.
    fn past(&self, offset_days: i64, hour: i8) -> anyhow::Result<i64> {
        Ok(self.at(offset_days, hour, 0)?.min(self.now_ms))
    }

    // ----- records

    /// 1–4 catalogue lines, priced in the document's currency.
    fn lines(&self, seed: usize, currency: &str) -> Vec<NewLine<'static>> {
        (0..1 + seed % 4)
            .map(|j| {
                let idx = (seed * 7 + j * 4) % PRODUCTS.len();
                let p = &PRODUCTS[idx];
                let discount_bp = match (seed + j) % 7 {
                    3 => 1000,
                    5 => 500,
                    _ => 0,
                };
                NewLine {
                    product_id: self.products.get(idx).copied(),
                    description: p.name,
                    quantity_milli: p.quantities[(seed + j) % 3],
                    unit_price_minor: price_in(p.price_aed, currency),
                    discount_bp,
                    tax_rate_bp: tax_for(currency),
                }
            })
            .collect()
    }

    async fn quote(
        &self,
        client: &DemoClient,
        state: QuoteState,
        seed: usize,
    ) -> anyhow::Result<QuoteId> {
        let shift = (seed % 4) as i64;
        let (status, issue, valid) = match state {
            QuoteState::Draft => ("draft", 0, 30),
            QuoteState::SentValid => ("sent", -3, 27),
            QuoteState::SentExpiring => ("sent", -25, 4),
            QuoteState::SentExpired => ("sent", -45, -15),
            QuoteState::Accepted => ("accepted", -30, 0),
            QuoteState::Declined => ("declined", -50, -20),
        };
        let new = NewQuote {
            title: QUOTE_TITLES[seed % QUOTE_TITLES.len()],
            status,
            issue_date: &self.date(issue - shift)?,
            valid_until: &self.date(valid - shift)?,
            currency: client.currency,
            client_notes: "Prices include materials unless stated otherwise. Works start within five working days of \
                acceptance; to accept, reply to your account manager or call us.",
            internal_notes: if seed % 2 == 0 { "Margin 24%. Check scaffolding cost before sending a revision." } else { "" },
            lines: self.lines(seed * 3 + 1, client.currency),
        };
        Ok(self
            .store
            .create_quote(self.ws, client.id, &new, self.past(issue - shift, 9)?)
            .await?)
    }

    async fn invoice(
        &self,
        client: &DemoClient,
        state: InvoiceState,
        seed: usize,
        lines: Vec<NewLine<'static>>,
        job: Option<JobId>,
        quote: Option<QuoteId>,
    ) -> anyhow::Result<InvoiceId> {
        let shift = (seed % 4) as i64;
        let (status, issue, due) = match state {
            InvoiceState::Draft => ("draft", 0, 30),
            InvoiceState::SentNotDue => ("sent", -5, 25),
            InvoiceState::Overdue => ("sent", -40, -10),
            InvoiceState::PartiallyPaid => ("sent", -20, 10),
            InvoiceState::Paid => ("sent", -60, -30),
            InvoiceState::Void => ("void", -35, -5),
        };
        let (issue, due) = (issue - shift, due - shift);
        let inputs: Vec<LineInput> = lines
            .iter()
            .map(|l| LineInput {
                quantity_milli: l.quantity_milli,
                unit_price_minor: l.unit_price_minor,
                discount_bp: l.discount_bp,
                tax_rate_bp: l.tax_rate_bp,
            })
            .collect();
        let total = compute_lines(&inputs)
            .map_err(|(i, e)| anyhow::anyhow!("demo line {i}: {e}"))?
            .1
            .total_minor;
        let new = NewInvoice {
            title: INVOICE_TITLES[seed % INVOICE_TITLES.len()],
            status,
            issue_date: &self.date(issue)?,
            due_date: &self.date(due)?,
            currency: client.currency,
            client_notes: "Payment by bank transfer to Harbour & Pine Building Services LLC, IBAN AE07 0331 2345 6789 0123 456. \
                Please quote the invoice number.",
            internal_notes: if state == InvoiceState::Void { "Raised twice by mistake; replaced by the next invoice." } else { "" },
            job_id: job,
            quote_id: quote,
            lines,
        };
        let id = self
            .store
            .create_invoice(self.ws, client.id, &new, self.past(issue, 9)?)
            .await?;
        match state {
            InvoiceState::PartiallyPaid => {
                self.pay(client, id, total * 2 / 5, "bank_transfer", issue + 7, seed)
                    .await?
            }
            InvoiceState::Paid => {
                let deposit = total / 2;
                self.pay(client, id, deposit, "bank_transfer", issue + 15, seed)
                    .await?;
                self.pay(
                    client,
                    id,
                    total - deposit,
                    if seed % 2 == 0 { "cheque" } else { "cash" },
                    due - 2,
                    seed + 1,
                )
                .await?;
            }
            _ => {}
        }
        Ok(id)
    }

    async fn pay(
        &self,
        client: &DemoClient,
        invoice: InvoiceId,
        amount: i64,
        method: &str,
        day: i64,
        seed: usize,
    ) -> anyhow::Result<()> {
        if amount <= 0 {
            return Ok(());
        }
        let received_at = self.past(day, 11)?;
        let note = format!(
            "Received with thanks, ref. HP-{:05}",
            10_000 + seed * 37 % 90_000
        );
        let new = NewPayment {
            method,
            amount_minor: amount,
            currency: client.currency,
            received_at,
            note: &note,
            provider_ref: None,
        };
        self.store
            .record_payment(self.ws, invoice, &new, received_at)
            .await?;
        Ok(())
    }

    async fn project(
        &self,
        client: &DemoClient,
        status: &str,
        seed: usize,
    ) -> anyhow::Result<ProjectId> {
        let (progress_pct, start, due) = match status {
            "planned" => (0, 14, 90),
            "active" => (40 + (seed % 5) as i64 * 10, -30, 45),
            "on_hold" => (30, -60, 30),
            "completed" => (100, -120, -20),
            _ => (10, -90, -30),
        };
        let (name, description) = PROJECTS[seed % PROJECTS.len()];
        let new = NewProject {
            name,
            description,
            status,
            progress_pct,
            start_date: Some(&self.date(start)?),
            due_date: Some(&self.date(due)?),
            internal_notes: "",
        };
        Ok(self
            .store
            .create_project(self.ws, client.id, &new, self.past(start.min(0) - 7, 10)?)
            .await?)
    }

    async fn job(
        &self,
        client: &DemoClient,
        status: &str,
        seed: usize,
        project: Option<ProjectId>,
    ) -> anyhow::Result<JobId> {
        let s = (seed % 5) as i64;
        // (day, from, to, status, notes)
        let plan: Vec<(i64, i8, i8, &str, &str)> = match status {
            "scheduled" => vec![(
                2 + s,
                9,
                12,
                "scheduled",
                "Technician reports to security on arrival.",
            )],
            "in_progress" => vec![
                (
                    -3 - s % 3,
                    8,
                    13,
                    "completed",
                    "First fix done; materials ordered for the second visit.",
                ),
                (
                    1 + s,
                    8,
                    13,
                    "scheduled",
                    "Second fix, testing and handover.",
                ),
            ],
            "on_hold" => vec![
                (-10, 9, 11, "completed", "Survey done, parts on order."),
                (-2, 9, 11, "cancelled", "Postponed at the client's request."),
                (
                    12 + s,
                    9,
                    11,
                    "scheduled",
                    "Provisional date, to be confirmed once the parts arrive.",
                ),
            ],
            "completed" => vec![
                (
                    -20 - s,
                    8,
                    12,
                    "completed",
                    "Works completed and signed off by the client.",
                ),
                (
                    -18 - s,
                    8,
                    10,
                    "completed",
                    "Snagging visit, all items closed.",
                ),
            ],
            "cancelled" => vec![(-7, 14, 16, "cancelled", "Job cancelled by the client.")],
            _ => Vec::new(),
        };
        let mut visits = Vec::new();
        for &(day, from, to, visit_status, notes) in &plan {
            visits.push((
                self.at(day, from, 0)?,
                self.at(day, to, 0)?,
                visit_status,
                notes,
            ));
        }
        let (title, description) = JOBS[seed % JOBS.len()];
        let new = NewJob {
            project_id: project,
            title,
            description,
            status,
            site_address: client.site,
            scheduled_start: visits.iter().map(|v| v.0).min(),
            scheduled_end: visits.iter().map(|v| v.1).max(),
            internal_notes: if seed % 3 == 0 {
                "Gate code with the site supervisor; park in visitor bays only."
            } else {
                ""
            },
        };
        let created = self.past(-25 - s, 10)?;
        let id = self
            .store
            .create_job(self.ws, client.id, &new, created)
            .await?;
        for (k, (starts_at, ends_at, status, notes)) in visits.into_iter().enumerate() {
            let assigned_to = ((seed + k) % 2 == 0).then_some(self.owner);
            let visit = NewVisit {
                starts_at,
                ends_at,
                status,
                assigned_to,
                notes,
            };
            self.store
                .create_visit(self.ws, id, &visit, created)
                .await?;
        }
        Ok(id)
    }

    async fn tasks(
        &self,
        client: &DemoClient,
        project: Option<ProjectId>,
        seed: usize,
        count: usize,
        all_done: bool,
    ) -> anyhow::Result<()> {
        for k in 0..count {
            let (title, shared_with_client) = TASKS[(seed + k) % TASKS.len()];
            let due = self.date(k as i64 * 7 - 3)?;
            let done_at = if all_done || k == 0 {
                Some(self.past(-4 - k as i64, 15)?)
            } else {
                None
            };
            let new = NewTask {
                project_id: project,
                job_id: None,
                title,
                description: "",
                due_date: Some(&due),
                done_at,
                shared_with_client,
            };
            self.store
                .create_task(self.ws, client.id, &new, self.past(-30, 9)?)
                .await?;
        }
        Ok(())
    }

    async fn request(&self, client: &DemoClient, status: &str, seed: usize) -> anyhow::Result<()> {
        let (subject, details) = REQUESTS[seed % REQUESTS.len()];
        let preferred = self.date(3 + (seed % 7) as i64)?;
        let new = NewRequest {
            contact_id: client.contacts.first().copied(),
            subject,
            details,
            preferred_date: Some(&preferred),
            site_address: client.site,
            status,
            product_id: None,
            idempotency_key: None,
        };
        self.store
            .create_request(
                self.ws,
                client.id,
                &new,
                self.past(-1 - (seed % 9) as i64, 8)?,
            )
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_addresses_are_plain_ascii_and_valid() {
        assert_eq!(email_local("Siobhán", "O'Neill"), "siobhan.oneill");
        assert_eq!(email_local("Ayşe", "Yılmaz"), "ayse.yilmaz");
        assert_eq!(email_local("Mei Lin", "Chen"), "meilin.chen");
        for c in &COMPANIES {
            for person in c.people {
                let email = if person.email.is_empty() {
                    format!("{}@{}", email_local(person.first, person.last), c.domain)
                } else {
                    person.email.to_string()
                };
                assert!(email.is_ascii(), "{email}");
                assert!(EmailAddress::parse(&email).is_ok(), "{email}");
            }
            assert!((2..=4).contains(&c.people.len()), "{}", c.name);
        }
    }

    #[test]
    fn the_bookkeeper_serves_two_showcase_or_portal_companies() {
        let with_bookkeeper: Vec<usize> = COMPANIES
            .iter()
            .enumerate()
            .filter(|(_, c)| c.people.iter().any(|p| p.email == BOOKKEEPER_EMAIL))
            .map(|(i, _)| i)
            .collect();
        assert_eq!(with_bookkeeper, vec![0, 3]);
    }

    #[test]
    fn prices_convert_with_integer_math() {
        assert_eq!(price_in(45_000, "AED"), 45_000);
        assert_eq!(price_in(45_000, "USD"), 12_253);
        assert_eq!(price_in(45_000, "KWD"), 37_665);
    }
}
