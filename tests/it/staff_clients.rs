//! Creating clients and contacts in the back office (SPEC §9): validated forms that name
//! the field, no half-saved rows, duplicates refused, CSRF and workspace checks, and a
//! new client onboarded to the portal end to end.

use reqwest::StatusCode;

use crate::support::http::{csrf_of, Browser};
use crate::support::world::{staff_browser, World};
use crate::support::TestApp;

/// A form's fields, the field expected to be refused, and its label in the message.
type Case<'a> = (Vec<(&'a str, &'a str)>, &'a str, &'a str);

/// Rows in `client` and `contact`, to prove a refused form stored nothing.
async fn counts(app: &TestApp) -> (i64, i64) {
    let pool = app.state.store.pool();
    let clients: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM client")
        .fetch_one(pool)
        .await
        .unwrap();
    let contacts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM contact")
        .fetch_one(pool)
        .await
        .unwrap();
    (clients, contacts)
}

/// Posts the new-client form with these fields (plus the page's CSRF token).
async fn post_client(staff: &Browser, fields: &[(&str, &str)]) -> reqwest::Response {
    let (status, page) = staff.get_text("/staff/clients/new").await;
    assert_eq!(status, StatusCode::OK);
    let csrf = csrf_of(&page);
    let key = idempotency_key_of(&page);
    let mut form = vec![("_csrf", csrf.as_str()), ("idempotency_key", key.as_str())];
    form.extend_from_slice(fields);
    staff.post_form("/staff/clients", &form).await
}

fn idempotency_key_of(page: &str) -> String {
    let marker = "name=\"idempotency_key\" value=\"";
    let start = page.find(marker).unwrap() + marker.len();
    page[start..].split('"').next().unwrap().to_string()
}

async fn post_contact(staff: &Browser, client: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let (status, page) = staff
        .get_text(&format!("/staff/clients/{client}/contacts/new"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let csrf = csrf_of(&page);
    let mut form = vec![("_csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    staff
        .post_form(&format!("/staff/clients/{client}/contacts"), &form)
        .await
}

/// The id in a `/staff/clients/{id}` redirect.
fn created_id(r: &reqwest::Response) -> String {
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap();
    location
        .strip_prefix("/staff/clients/")
        .unwrap_or_else(|| panic!("redirect to a client record, got {location}"))
        .to_string()
}

async fn create_company(staff: &Browser, name: &str) -> String {
    let r = post_client(
        staff,
        &[
            ("kind", "company"),
            ("name", name),
            ("phone", "+971 4 555 0100"),
            ("billing_address", "PO Box 1\nDubai"),
            ("site_address", "Warehouse 7"),
            ("email", ""),
        ],
    )
    .await;
    created_id(&r)
}

#[tokio::test]
async fn a_company_is_created_and_two_contacts_added_show_on_its_record() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let staff = staff_browser(&app, &w).await;

    let (_, list) = staff.get_text("/staff/clients").await;
    assert!(
        list.contains("href=\"/staff/clients/new\""),
        "New client button"
    );
    let (_, form) = staff.get_text("/staff/clients/new").await;
    assert!(form.contains("<fieldset>") && form.contains("<legend>"));
    assert!(form.contains("Email (individuals: the person's email, used to sign in)"));

    let id = create_company(&staff, "Northwind Traders").await;
    let (status, record) = staff.get_text(&format!("/staff/clients/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(record.contains("Northwind Traders"));
    assert!(record.contains("Warehouse 7"));
    assert!(
        record.contains(&format!("/staff/clients/{id}/contacts/new")),
        "Add contact link"
    );

    let r = post_contact(
        &staff,
        &id,
        &[
            ("first_name", "  Nadia "),
            ("last_name", "Noor"),
            ("email", " Nadia@Northwind.Test "),
            ("phone", "+971 50 123 4567"),
            ("role", "Billing"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()["location"],
        format!("/staff/clients/{id}").as_str()
    );
    let r = post_contact(
        &staff,
        &id,
        &[
            ("first_name", "Omar"),
            ("last_name", ""),
            ("email", ""),
            ("phone", ""),
            ("role", "Site manager"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    let (_, record) = staff.get_text(&format!("/staff/clients/{id}")).await;
    assert!(record.contains("Nadia Noor"));
    assert!(
        record.contains("Nadia@Northwind.Test"),
        "email trimmed, kept as typed"
    );
    assert!(record.contains("Billing"));
    assert!(record.contains("Omar"));
    assert!(record.contains("Site manager"));
    let contacts = app
        .state
        .store
        .contacts_of(w.ws, id.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(contacts.len(), 2);

    let created = app
        .state
        .store
        .audit_events(w.ws, "client.created", 5)
        .await
        .unwrap();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].actor_kind, "staff");
    assert_eq!(created[0].actor_label, w.staff_email);
    assert_eq!(created[0].detail, "Northwind Traders");
    let added = app
        .state
        .store
        .audit_events(w.ws, "contact.created", 5)
        .await
        .unwrap();
    assert_eq!(added.len(), 2);
}

#[tokio::test]
async fn an_individual_is_its_own_contact_with_the_portal_toggle_on_its_page() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let staff = staff_browser(&app, &w).await;
    let before = counts(&app).await;
    let r = post_client(
        &staff,
        &[
            ("kind", "individual"),
            ("name", "  Layla   Haddad "),
            ("phone", "050 111 2222"),
            ("billing_address", ""),
            ("site_address", "Villa 12"),
            ("email", "Layla@Example.com"),
        ],
    )
    .await;
    let id = created_id(&r);
    assert_eq!(counts(&app).await, (before.0 + 1, before.1 + 1));
    let contacts = app
        .state
        .store
        .contacts_of(w.ws, id.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(contacts.len(), 1);
    let person = &contacts[0];
    assert_eq!(
        (person.first_name.as_str(), person.last_name.as_str()),
        ("Layla", "Haddad")
    );
    assert_eq!(person.email.as_deref(), Some("Layla@Example.com"));

    let (_, record) = staff.get_text(&format!("/staff/clients/{id}")).await;
    assert!(record.contains("Individual"));
    assert!(record.contains(&format!("/staff/contacts/{}", person.id)));
    let (status, page) = staff
        .get_text(&format!("/staff/contacts/{}", person.id))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Turn Client Portal Access on"));
}

#[tokio::test]
async fn every_bad_client_field_gets_422_naming_it_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let staff = staff_browser(&app, &w).await;
    let before = counts(&app).await;
    let long = "x".repeat(501);
    let long_last = format!("Al {}", "y".repeat(150));
    let cases: Vec<Case> = vec![
        (vec![("kind", "robot"), ("name", "Robo")], "kind", "Kind:"),
        (vec![("kind", "company"), ("name", "   ")], "name", "Name:"),
        (
            vec![("kind", "company"), ("name", "Acme"), ("phone", "call me")],
            "phone",
            "Phone:",
        ),
        (
            vec![
                ("kind", "company"),
                ("name", "Acme"),
                ("billing_address", &long),
            ],
            "billing_address",
            "Billing address:",
        ),
        (
            vec![
                ("kind", "company"),
                ("name", "Acme"),
                ("site_address", &long),
            ],
            "site_address",
            "Site address:",
        ),
        (
            vec![
                ("kind", "individual"),
                ("name", "Ivy Ink"),
                ("email", "not-an-email"),
            ],
            "email",
            "Email:",
        ),
        (
            vec![("kind", "company"), ("name", "Acme"), ("email", "a@b.test")],
            "email",
            "Email:",
        ),
        (
            vec![("kind", "individual"), ("name", &long_last)],
            "name",
            "Name:",
        ),
    ];
    for (fields, field, label) in cases {
        let r = post_client(&staff, &fields).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        let page = r.text().await.unwrap();
        assert!(page.contains(label), "{field}: message names the field");
        assert!(
            page.contains(&format!("href=\"#{field}\"")),
            "{field}: summary links to it"
        );
        assert!(
            page.contains(&format!("id=\"{field}\"")),
            "{field}: the link has a target"
        );
        assert!(page.contains("aria-invalid=\"true\""), "{field}");
        assert_eq!(counts(&app).await, before, "{field}: nothing stored");
    }
    // Values come back as typed.
    let r = post_client(
        &staff,
        &[
            ("kind", "individual"),
            ("name", "Ivy Ink"),
            ("phone", "call me"),
            ("site_address", "Unit 4"),
        ],
    )
    .await;
    let page = r.text().await.unwrap();
    assert!(page.contains("value=\"Ivy Ink\""));
    assert!(page.contains(">Unit 4</textarea>"));
    assert!(page.contains("value=\"individual\" checked"));
    assert_eq!(
        page.matches("Phone: use digits").count(),
        1,
        "one message per problem"
    );
}

#[tokio::test]
async fn every_bad_contact_field_gets_422_naming_it_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let staff = staff_browser(&app, &w).await;
    let a = w.a.to_string();
    let before = counts(&app).await;
    let long = "z".repeat(101);
    let cases: Vec<Case> = vec![
        (vec![("first_name", " ")], "first_name", "First name:"),
        (
            vec![("first_name", "Zed"), ("last_name", &long)],
            "last_name",
            "Last name:",
        ),
        (
            vec![("first_name", "Zed"), ("email", "zed@")],
            "email",
            "Email:",
        ),
        (
            vec![("first_name", "Zed"), ("phone", "<b>")],
            "phone",
            "Phone:",
        ),
        (
            vec![("first_name", "Zed"), ("role", &long)],
            "role",
            "Role:",
        ),
    ];
    for (fields, field, label) in cases {
        let r = post_contact(&staff, &a, &fields).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        let page = r.text().await.unwrap();
        assert!(page.contains(label), "{field}: message names the field");
        assert!(page.contains(&format!("href=\"#{field}\"")), "{field}");
        assert!(page.contains("aria-invalid=\"true\""), "{field}");
        assert_eq!(counts(&app).await, before, "{field}: nothing stored");
    }
}

#[tokio::test]
async fn a_duplicate_contact_email_in_one_client_is_refused_but_allowed_at_another() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let staff = staff_browser(&app, &w).await;
    let a = w.a.to_string();
    let before = counts(&app).await;
    // Ann is already at Acme; case and spaces do not make it a different address.
    let r = post_contact(
        &staff,
        &a,
        &[("first_name", "Annie"), ("email", " ANN@acme.test ")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("Email: another contact of this client already has this address."));
    assert!(page.contains("href=\"#email\""));
    assert!(page.contains("value=\"Annie\""), "values kept");
    assert_eq!(counts(&app).await, before, "nothing added");
    assert!(app
        .state
        .store
        .audit_events(w.ws, "contact.created", 5)
        .await
        .unwrap()
        .is_empty());

    let r = post_contact(
        &staff,
        &w.b.to_string(),
        &[("first_name", "Ann"), ("email", "ann@acme.test")],
    )
    .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "same email at another client"
    );
    assert_eq!(counts(&app).await, (before.0, before.1 + 1));
}

#[tokio::test]
async fn missing_or_forged_csrf_is_refused_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let staff = staff_browser(&app, &w).await;
    let before = counts(&app).await;
    let client_fields = [("kind", "company"), ("name", "Sneaky Ltd")];
    let r = staff.post_form("/staff/clients", &client_fields).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "missing");
    let mut forged = vec![("_csrf", "forged-token")];
    forged.extend_from_slice(&client_fields);
    let r = staff.post_form("/staff/clients", &forged).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "forged");

    let path = format!("/staff/clients/{}/contacts", w.a);
    let r = staff.post_form(&path, &[("first_name", "Sneaky")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = staff
        .post_form(
            &path,
            &[("_csrf", "forged-token"), ("first_name", "Sneaky")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Another browser's valid token is not this session's.
    let other = staff_browser(&app, &w).await;
    let (_, page) = other.get_text("/staff/clients/new").await;
    let r = staff
        .post_form(
            "/staff/clients",
            &[
                ("_csrf", &csrf_of(&page)),
                ("kind", "company"),
                ("name", "Sneaky Ltd"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "another session's token");
    assert_eq!(counts(&app).await, before);
}

#[tokio::test]
async fn another_workspaces_client_is_not_found() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let other_ws = app
        .state
        .store
        .create_workspace(
            &portico::store::workspaces::NewWorkspace {
                slug: "other",
                name: "Other Co",
                time_zone: "UTC",
                default_currency: "USD",
            },
            app.now_ms(),
        )
        .await
        .unwrap();
    let foreign = crate::support::world::client(&app, other_ws, "company", "Foreign Client").await;
    let staff = staff_browser(&app, &w).await;
    assert_eq!(
        staff
            .get(&format!("/staff/clients/{foreign}/contacts/new"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        staff
            .get("/staff/clients/not-a-number/contacts/new")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let before = counts(&app).await;
    let (_, page) = staff.get_text("/staff/clients/new").await;
    let r = staff
        .post_form(
            &format!("/staff/clients/{foreign}/contacts"),
            &[
                ("_csrf", &csrf_of(&page)),
                ("first_name", "Intruder"),
                ("email", "in@truder.test"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(counts(&app).await, before);
}

#[tokio::test]
async fn names_with_markup_are_shown_escaped() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let staff = staff_browser(&app, &w).await;
    let id = create_company(&staff, "<script>alert(1)</script> Ltd").await;
    let r = post_contact(
        &staff,
        &id,
        &[
            ("first_name", "<script>alert(2)</script>"),
            ("role", "<img src=x onerror=alert(3)>"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, record) = staff.get_text(&format!("/staff/clients/{id}")).await;
    let (_, list) = staff.get_text("/staff/clients").await;
    let (_, form) = staff
        .get_text(&format!("/staff/clients/{id}/contacts/new"))
        .await;
    for page in [&record, &list, &form] {
        assert!(!page.contains("<script>alert"));
        assert!(!page.contains("<img src=x"));
    }
    assert!(record.contains("&#60;script&#62;alert(1)&#60;/script&#62; Ltd"));
    assert!(record.contains("&#60;script&#62;alert(2)&#60;/script&#62;"));
    // A refused form shows the typed markup escaped too.
    let r = post_client(
        &staff,
        &[
            ("kind", "company"),
            ("name", "\"><script>alert(4)</script>"),
            ("phone", "bad"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(!page.contains("<script>alert"));
}

#[tokio::test]
async fn a_new_company_is_onboarded_and_its_new_contact_signs_in_to_the_portal() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let staff = staff_browser(&app, &w).await;
    let id = create_company(&staff, "Fresh Start Co").await;
    let r = post_contact(
        &staff,
        &id,
        &[
            ("first_name", "Farah"),
            ("last_name", "Fresh"),
            ("email", "farah@fresh.test"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    let (_, record) = staff.get_text(&format!("/staff/clients/{id}")).await;
    let r = staff
        .post_form(
            &format!("/staff/clients/{id}/portal"),
            &[("_csrf", &csrf_of(&record)), ("enabled", "on")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, record) = staff.get_text(&format!("/staff/clients/{id}")).await;
    let marker = "id=\"portal-link\" type=\"text\" readonly value=\"";
    let start = record
        .find(marker)
        .expect("the record shows the portal link")
        + marker.len();
    let link = record[start..].split('"').next().unwrap();
    let path = link.strip_prefix(&app.base).expect("link on this server");
    assert!(path.starts_with("/portal/"));

    let client = Browser::new(&app);
    let r = client.log_in(&app, path, "farah@fresh.test").await;
    assert_eq!(r.headers()["location"], "/portal/home");
    let (status, home) = client.get_text("/portal/home").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("Fresh Start Co") || home.contains("Farah"));
}

#[tokio::test]
async fn names_and_emails_with_direction_or_control_characters_are_refused_by_field() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let staff = staff_browser(&app, &w).await;
    let before = counts(&app).await;
    let client_cases: Vec<Case> = vec![
        (
            vec![("kind", "company"), ("name", "Acme \u{202E}gnp.exe")],
            "name",
            "Name:",
        ),
        (
            vec![("kind", "individual"), ("name", "Eve \u{2067}Evil\u{2069}")],
            "name",
            "Name:",
        ),
        (
            vec![("kind", "company"), ("name", "Zero\u{200B}Width")],
            "name",
            "Name:",
        ),
        (
            vec![("kind", "company"), ("name", "Bell\u{7} Co")],
            "name",
            "Name:",
        ),
        (
            vec![
                ("kind", "individual"),
                ("name", "Eve Smith"),
                ("email", "eve\u{202D}@example.test"),
            ],
            "email",
            "Email:",
        ),
        (
            vec![
                ("kind", "company"),
                ("name", "Fine Co"),
                ("billing_address", "PO Box 1\n\u{202B}Dubai"),
            ],
            "billing_address",
            "Billing address:",
        ),
    ];
    for (fields, field, label) in client_cases {
        let r = post_client(&staff, &fields).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        let page = r.text().await.unwrap();
        assert!(
            page.contains(&format!("href=\"#{field}\"")),
            "{field}: {page}"
        );
        assert!(page.contains(label), "{field}: names the field");
        assert!(
            page.contains("invisible or control character"),
            "{field}: says why"
        );
        assert_eq!(counts(&app).await, before, "{field}: nothing stored");
    }
    let a = w.a.to_string();
    let contact_cases: Vec<Case> = vec![
        (
            vec![("first_name", "Ann\u{202E}")],
            "first_name",
            "First name:",
        ),
        (
            vec![("first_name", "Ann"), ("last_name", "\u{2066}X")],
            "last_name",
            "Last name:",
        ),
        (
            vec![("first_name", "Ann"), ("role", "Boss\u{1B}")],
            "role",
            "Role:",
        ),
    ];
    for (fields, field, label) in contact_cases {
        let r = post_contact(&staff, &a, &fields).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        let page = r.text().await.unwrap();
        assert!(page.contains(label), "{field}: names the field");
        assert!(page.contains(&format!("href=\"#{field}\"")), "{field}");
        assert_eq!(counts(&app).await, before, "{field}: nothing stored");
    }
    // Multi-line addresses keep their newlines and tabs; other scripts are welcome.
    let r = post_client(
        &staff,
        &[
            ("kind", "company"),
            ("name", "مرحبا José 你好"),
            ("billing_address", "PO Box 1\nDubai"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn changing_a_contacts_email_to_a_taken_or_bad_one_shows_the_form_again_and_changes_nothing()
{
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let staff = staff_browser(&app, &w).await;
    let dan = crate::support::world::contact(&app, w.ws, w.a, "Dan", Some("dan@acme.test")).await;
    let path = format!("/staff/contacts/{dan}");
    for (typed, message) in [
        (
            " ANN@acme.test ",
            "Email: another contact of this client already has that email address.",
        ),
        ("not an address", "Email:"),
    ] {
        let (_, page) = staff.get_text(&path).await;
        let r = staff
            .post_form(
                &format!("{path}/email"),
                &[("_csrf", &csrf_of(&page)), ("email", typed)],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{typed}");
        let page = r.text().await.unwrap();
        assert!(page.contains(message), "{typed}: {page}");
        assert!(page.contains("aria-invalid=\"true\""), "{typed}");
        assert!(
            page.contains(&format!("value=\"{typed}\"")),
            "{typed}: what was typed is kept"
        );
        let row = app.state.store.contact(w.ws, dan).await.unwrap();
        assert_eq!(row.email.as_deref(), Some("dan@acme.test"), "{typed}");
    }
}

#[tokio::test]
async fn sending_the_new_client_form_twice_creates_one_client() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let staff = staff_browser(&app, &w).await;
    let before = counts(&app).await;
    let (_, page) = staff.get_text("/staff/clients/new").await;
    let csrf = csrf_of(&page);
    let key = idempotency_key_of(&page);
    let form = [
        ("_csrf", csrf.as_str()),
        ("idempotency_key", key.as_str()),
        ("kind", "individual"),
        ("name", "Dana Double"),
        ("email", "dana@double.test"),
    ];
    let (one, two) = tokio::join!(
        staff.post_form("/staff/clients", &form),
        staff.post_form("/staff/clients", &form)
    );
    let first = created_id(&one);
    assert_eq!(created_id(&two), first, "both land on the same client");
    // A refresh after the POST sends it once more.
    let three = staff.post_form("/staff/clients", &form).await;
    assert_eq!(created_id(&three), first);
    assert_eq!(
        counts(&app).await,
        (before.0 + 1, before.1 + 1),
        "one client and its person"
    );
    // A form without its key is out of date and stores nothing.
    let r = staff
        .post_form(
            "/staff/clients",
            &[
                ("_csrf", csrf.as_str()),
                ("kind", "company"),
                ("name", "No Key Ltd"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(counts(&app).await, (before.0 + 1, before.1 + 1));
    // A fresh form makes another client.
    let r = post_client(&staff, &[("kind", "company"), ("name", "Second Co")]).await;
    assert_ne!(created_id(&r), first);
}

#[tokio::test]
async fn an_individual_client_is_one_person_and_takes_no_other_contacts() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let staff = staff_browser(&app, &w).await;
    let r = post_client(
        &staff,
        &[
            ("kind", "individual"),
            ("name", "Layla Haddad"),
            ("email", "layla@example.test"),
        ],
    )
    .await;
    let person = created_id(&r);
    let (_, page) = staff.get_text(&format!("/staff/clients/{person}")).await;
    assert!(!page.contains("/contacts/new"), "no Add contact button");
    assert!(page.contains("An individual client is one person"));
    let (_, company) = staff.get_text(&format!("/staff/clients/{}", w.a)).await;
    assert!(company.contains(&format!("/staff/clients/{}/contacts/new", w.a)));

    let (status, page) = staff
        .get_text(&format!("/staff/clients/{person}/contacts/new"))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("An individual client is one person"));
    // The form sent anyway (an old page, a hand-made POST) stores nothing.
    let before = counts(&app).await;
    let r = staff
        .post_form(
            &format!("/staff/clients/{person}/contacts"),
            &[
                ("_csrf", &csrf_of(&company)),
                ("first_name", "Intruder"),
                ("email", "intruder@example.test"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("An individual client is one person"));
    assert_eq!(counts(&app).await, before, "nothing stored");
}
