//! Staff accounts: roles enforced on every restricted route, invitations by email (single
//! use, expiring), role changes with last-owner protection, disabling, session timeouts
//! and first-run setup.

use jiff::SignedDuration;
use portico::domain::email::EmailAddress;
use portico::ids::{StaffUserId, WorkspaceId};
use reqwest::StatusCode;

use crate::support::http::{csrf_of, Browser};
use crate::support::world::World;
use crate::support::TestApp;

pub const PASSWORD: &str = "a long staff password 42";

/// A staff member created straight in the store.
pub async fn add_staff(app: &TestApp, ws: WorkspaceId, email: &str, role: &str) -> StaffUserId {
    let hash = portico::auth::password::hash(PASSWORD).unwrap();
    app.state
        .store
        .create_staff(
            ws,
            &EmailAddress::parse(email).unwrap(),
            &format!("{role} {email}"),
            role,
            &hash,
            app.now_ms(),
        )
        .await
        .unwrap()
}

/// Signs in through the login form; panics unless it succeeds.
pub async fn try_sign_in(b: &Browser, email: &str, password: &str) -> reqwest::Response {
    let (_, page) = b.get_text("/staff/login").await;
    b.post_form(
        "/staff/login",
        &[
            ("_csrf", &csrf_of(&page)),
            ("email", email),
            ("password", password),
        ],
    )
    .await
}

/// A page's CSRF token for a signed-in browser.
pub async fn csrf(b: &Browser) -> String {
    let (status, page) = b.get_text("/staff/clients").await;
    assert_eq!(status, StatusCode::OK);
    csrf_of(&page)
}

pub async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
}

async fn role_of(app: &TestApp, id: StaffUserId) -> String {
    sqlx::query_scalar("SELECT role FROM staff_user WHERE id = $1")
        .bind(id.get())
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
}

pub fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// What a member might try to change, as stored: invites (open), tokens (live),
/// integrations, products (live, and their names), staff roles and states, profile.
async fn admin_state(app: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for sql in [
        "SELECT COUNT(*) FROM staff_invite WHERE revoked_at IS NULL",
        "SELECT COUNT(*) FROM api_token WHERE revoked_at IS NULL",
        "SELECT COUNT(*) FROM integration",
        "SELECT COUNT(*) FROM product WHERE archived_at IS NULL",
        "SELECT COUNT(*) FROM product WHERE name = 'Boiler service'",
        "SELECT COUNT(*) FROM staff_user WHERE role = 'member'",
        "SELECT COUNT(*) FROM staff_user WHERE disabled_at IS NOT NULL",
        "SELECT COUNT(*) FROM business_profile WHERE display_name = 'Cedar & Stone Services'",
    ] {
        out.push(count(app, sql).await);
    }
    out
}

#[tokio::test]
async fn members_are_refused_every_admin_route_and_nothing_changes() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let store = &app.state.store;
    let now = app.now_ms();
    let other = add_staff(&app, w.ws, "other@cedar.test", "member").await;
    let gone = add_staff(&app, w.ws, "gone@cedar.test", "member").await;
    sqlx::query("UPDATE staff_user SET disabled_at = $1 WHERE id = $2")
        .bind(now)
        .bind(gone.get())
        .execute(store.pool())
        .await
        .unwrap();
    let invite_id = store
        .create_staff_invite(
            w.ws,
            &EmailAddress::parse("soon@cedar.test").unwrap(),
            portico::domain::staff::Role::Member,
            "invite-hash",
            w.staff,
            now + 3_600_000,
            now,
        )
        .await
        .unwrap();
    let token_id = store
        .create_api_token(w.ws, "sync", "token-hash", "pt_x", None, now)
        .await
        .unwrap();
    let product = store
        .create_product(
            w.ws,
            &portico::store::products::NewProduct {
                kind: "service",
                name: "Boiler service",
                description: "",
                unit: "",
                price_minor: 100,
                currency: "AED",
                tax_rate_bp: 0,
                visible_in_portal: true,
            },
            now,
        )
        .await
        .unwrap();
    add_staff(&app, w.ws, "mo@cedar.test", "member").await;
    let member = Browser::staff(&app, "mo@cedar.test", PASSWORD).await;
    let token = csrf(&member).await;
    let before = admin_state(&app).await;

    for path in [
        "/staff/team".to_string(),
        "/staff/integrations".to_string(),
        "/staff/api-tokens".to_string(),
        "/staff/settings".to_string(),
        format!("/staff/catalogue/{product}"),
    ] {
        let (status, page) = member.get_text(&path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "GET {path}");
        assert!(page.contains("owners and admins"), "{path} says why");
    }
    let item = item_form();
    let posts: Vec<(String, Vec<(&str, &str)>)> = vec![
        (
            "/staff/team/invite".into(),
            vec![("email", "new@cedar.test"), ("role", "member")],
        ),
        (format!("/staff/team/{other}/role"), vec![("role", "admin")]),
        (format!("/staff/team/{other}/disable"), vec![]),
        (format!("/staff/team/{gone}/enable"), vec![]),
        (format!("/staff/team/invites/{invite_id}/withdraw"), vec![]),
        ("/staff/api-tokens".into(), vec![("name", "sync")]),
        (format!("/staff/api-tokens/{token_id}/revoke"), vec![]),
        (
            "/staff/integrations/stripe".into(),
            vec![("secret_key", "sk_test_x"), ("webhook_secret", "whsec_x")],
        ),
        (
            "/staff/integrations/telr".into(),
            vec![("store_id", "1"), ("auth_key", "k"), ("advice_secret", "s")],
        ),
        ("/staff/integrations/stripe/disconnect".into(), vec![]),
        ("/staff/integrations/telr/disconnect".into(), vec![]),
        (
            "/staff/settings".into(),
            vec![("display_name", "Hijacked"), ("accent_colour", "#000000")],
        ),
        ("/staff/catalogue".into(), item.clone()),
        (format!("/staff/catalogue/{product}"), item.clone()),
        (format!("/staff/catalogue/{product}/archive"), vec![]),
        (format!("/staff/catalogue/{product}/restore"), vec![]),
    ];
    for (path, fields) in &posts {
        let mut form = vec![("_csrf", token.as_str())];
        form.extend_from_slice(fields);
        let r = member.post_form(path, &form).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "POST {path}");
    }
    assert_eq!(admin_state(&app).await, before, "nothing changed");
    assert_eq!(role_of(&app, other).await, "member");

    // Members still work clients and requests, and see the catalogue.
    for path in [
        "/staff/clients",
        "/staff/requests",
        "/staff/catalogue",
        &format!("/staff/clients/{}", w.a),
    ] {
        assert_eq!(member.get(path).await.status(), StatusCode::OK, "{path}");
    }
    let (_, nav) = member.get_text("/staff/clients").await;
    assert!(
        !nav.contains("href=\"/staff/team\""),
        "no Staff link for members"
    );

    // An admin gets the same pages, and the same form changes things.
    add_staff(&app, w.ws, "ada@cedar.test", "admin").await;
    let admin = Browser::staff(&app, "ada@cedar.test", PASSWORD).await;
    for path in [
        "/staff/team".to_string(),
        "/staff/api-tokens".to_string(),
        "/staff/integrations".to_string(),
        "/staff/settings".to_string(),
        format!("/staff/catalogue/{product}"),
    ] {
        assert_eq!(admin.get(&path).await.status(), StatusCode::OK, "{path}");
    }
    let at = csrf(&admin).await;
    let r = admin
        .post_form(
            &format!("/staff/team/{other}/role"),
            &[("_csrf", &at), ("role", "admin")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(role_of(&app, other).await, "admin");
}

fn item_form() -> Vec<(&'static str, &'static str)> {
    vec![
        ("name", "Free stuff"),
        ("price", "0"),
        ("currency", "AED"),
        ("kind", "service"),
    ]
}

/// The accept link in the newest invitation sent to `to`.
async fn invite_link(app: &TestApp, to: &str, nth: usize) -> String {
    let mail = app.smtp.wait_for(to, nth).await;
    assert!(mail.subject().contains("invited"), "{}", mail.subject());
    let text = mail.text();
    let start = text.find("/staff/invite?token=").expect("link in the mail");
    let path: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    assert!(
        mail.html().contains(&path),
        "the HTML part has the link too"
    );
    path
}

async fn invite(owner: &Browser, email: &str, role: &str) -> reqwest::Response {
    let token = csrf(owner).await;
    owner
        .post_form(
            "/staff/team/invite",
            &[("_csrf", &token), ("email", email), ("role", role)],
        )
        .await
}

/// The token in an invitation link.
fn token_of(link: &str) -> &str {
    link.split("token=").nth(1).unwrap()
}

/// Sends the accept form for `link` (the token goes in the body, as the page does).
async fn post_accept(b: &Browser, link: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let mut form = vec![("token", token_of(link))];
    form.extend_from_slice(fields);
    b.post_form("/staff/invite", &form).await
}

async fn accept(b: &Browser, link: &str, name: &str, password: &str) -> reqwest::Response {
    let (status, page) = b.get_text(link).await;
    assert_eq!(status, StatusCode::OK, "invite page");
    post_accept(
        b,
        link,
        &[
            ("_csrf", &csrf_of(&page)),
            ("name", name),
            ("password", password),
            ("password_again", password),
        ],
    )
    .await
}

#[tokio::test]
async fn an_invitation_by_email_creates_an_account_once() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let owner = Browser::staff(&app, &w.staff_email, &w.staff_password).await;

    let r = invite(&owner, " Nadia@Cedar.test ", "admin").await;
    assert_eq!(location(&r), "/staff/team?done=invited");
    let link = invite_link(&app, "Nadia@Cedar.test", 1).await;
    let token = token_of(&link);
    let stored: String = sqlx::query_scalar("SELECT token_hash FROM staff_invite")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    assert_ne!(stored, token, "only a hash is stored");
    let (_, team) = owner.get_text("/staff/team").await;
    assert!(team.contains("Nadia@Cedar.test") && team.contains("Open invitations"));

    // A bad form changes nothing and keeps the link usable.
    let nadia = Browser::new(&app);
    let (_, page) = nadia.get_text(&link).await;
    let r = post_accept(
        &nadia,
        &link,
        &[
            ("_csrf", &csrf_of(&page)),
            ("name", "Nadia Noor"),
            ("password", "short"),
            ("password_again", "short"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Password: a password needs at least 12"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM staff_user").await, 1);

    let r = accept(&nadia, &link, " Nadia Noor ", "nadia's long password").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/staff/clients");
    let (status, page) = nadia.get_text("/staff/team").await;
    assert_eq!(status, StatusCode::OK, "signed in, as an admin");
    assert!(page.contains("Nadia Noor"));
    let role: String =
        sqlx::query_scalar("SELECT role FROM staff_user WHERE email_norm = 'nadia@cedar.test'")
            .fetch_one(app.state.store.pool())
            .await
            .unwrap();
    assert_eq!(role, "admin");

    // The password works on the sign-in page.
    Browser::staff(&app, "nadia@cedar.test", "nadia's long password").await;

    // The link is used up.
    let again = Browser::new(&app);
    assert_eq!(again.get(&link).await.status(), StatusCode::GONE);
    let r = post_accept(
        &again,
        &link,
        &[
            ("_csrf", "x"),
            ("name", "Mallory"),
            ("password", "mallory's long password"),
            ("password_again", "mallory's long password"),
        ],
    )
    .await;
    assert_ne!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM staff_user").await, 2);

    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_event WHERE action LIKE 'staff.%' ORDER BY id",
    )
    .fetch_all(app.state.store.pool())
    .await
    .unwrap();
    assert!(actions.contains(&"staff.invited".to_string()));
    assert!(actions.contains(&"staff.joined".to_string()));
}

#[tokio::test]
async fn expired_withdrawn_and_unknown_invitations_are_refused() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let owner = Browser::staff(&app, &w.staff_email, &w.staff_password).await;

    invite(&owner, "late@cedar.test", "member").await;
    let link = invite_link(&app, "late@cedar.test", 1).await;
    app.clock.advance(SignedDuration::from_hours(73));
    let late = Browser::new(&app);
    let (status, page) = late.get_text(&link).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(page.contains("This invitation cannot be used"));
    let (_, login) = late.get_text("/staff/login").await;
    let r = post_accept(
        &late,
        &link,
        &[
            ("_csrf", &csrf_of(&login)),
            ("name", "Late"),
            ("password", "a long late password"),
            ("password_again", "a long late password"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::GONE);

    // A new invitation (the owner's session expired with the clock) replaces nothing
    // else; withdrawing it kills its link.
    let owner = Browser::staff(&app, &w.staff_email, &w.staff_password).await;
    invite(&owner, "late@cedar.test", "member").await;
    let second = invite_link(&app, "late@cedar.test", 2).await;
    assert_ne!(second, link);
    let id: i64 = sqlx::query_scalar(
        "SELECT id FROM staff_invite WHERE accepted_at IS NULL AND revoked_at IS NULL",
    )
    .fetch_one(app.state.store.pool())
    .await
    .unwrap();
    let token = csrf(&owner).await;
    let r = owner
        .post_form(
            &format!("/staff/team/invites/{id}/withdraw"),
            &[("_csrf", &token)],
        )
        .await;
    assert_eq!(location(&r), "/staff/team?done=withdrawn");
    assert_eq!(
        Browser::new(&app).get(&second).await.status(),
        StatusCode::GONE
    );
    assert_eq!(
        Browser::new(&app)
            .get("/staff/invite?token=not-a-real-token")
            .await
            .status(),
        StatusCode::GONE
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM staff_user").await, 1);

    // An address that already has an account cannot be invited.
    let r = invite(&owner, &w.staff_email, "member").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("already belongs to a staff account"));
}

#[tokio::test]
async fn only_owners_touch_owners_and_the_last_owner_stays() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let admin_id = add_staff(&app, w.ws, "ada@cedar.test", "admin").await;
    let admin = Browser::staff(&app, "ada@cedar.test", PASSWORD).await;
    let owner = Browser::staff(&app, &w.staff_email, &w.staff_password).await;
    let owner_path = format!("/staff/team/{}", w.staff);

    // An admin can neither demote nor disable an owner, nor invite one.
    let t = csrf(&admin).await;
    let r = admin
        .post_form(
            &format!("{owner_path}/role"),
            &[("_csrf", &t), ("role", "member")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("Only an owner"));
    let r = admin
        .post_form(&format!("{owner_path}/disable"), &[("_csrf", &t)])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = invite(&admin, "boss@cedar.test", "owner").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(role_of(&app, w.staff).await, "owner");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM staff_invite").await, 0);

    // The owner cannot demote themselves (they are the last owner anyway).
    let t = csrf(&owner).await;
    let r = owner
        .post_form(
            &format!("{owner_path}/role"),
            &[("_csrf", &t), ("role", "admin")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(role_of(&app, w.staff).await, "owner");

    // The owner makes the admin an owner; then two owners demote each other at once:
    // one wins, one owner remains.
    let r = owner
        .post_form(
            &format!("/staff/team/{admin_id}/role"),
            &[("_csrf", &t), ("role", "owner")],
        )
        .await;
    assert_eq!(location(&r), "/staff/team?done=role");
    assert_eq!(role_of(&app, admin_id).await, "owner");
    let t2 = csrf(&admin).await;
    let admin_path = format!("/staff/team/{admin_id}/role");
    let owner_role_path = format!("{owner_path}/role");
    let form1 = [("_csrf", t.as_str()), ("role", "member")];
    let form2 = [("_csrf", t2.as_str()), ("role", "member")];
    let (a, b) = tokio::join!(
        owner.post_form(&admin_path, &form1),
        admin.post_form(&owner_role_path, &form2),
    );
    let mut statuses = [a.status(), b.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::SEE_OTHER, StatusCode::FORBIDDEN]);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM staff_user WHERE role = 'owner' AND disabled_at IS NULL"
        )
        .await,
        1
    );
    let actions = count(
        &app,
        "SELECT COUNT(*) FROM audit_event WHERE action = 'staff.role_changed'",
    )
    .await;
    assert_eq!(actions, 2, "each change that happened is in the audit log");
}

#[tokio::test]
async fn a_disabled_member_is_signed_out_at_once_and_cannot_sign_in() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let mo = add_staff(&app, w.ws, "mo@cedar.test", "member").await;
    let member = Browser::staff(&app, "mo@cedar.test", PASSWORD).await;
    assert_eq!(member.get("/staff/clients").await.status(), StatusCode::OK);

    let owner = Browser::staff(&app, &w.staff_email, &w.staff_password).await;
    let t = csrf(&owner).await;
    let r = owner
        .post_form(&format!("/staff/team/{mo}/disable"), &[("_csrf", &t)])
        .await;
    assert_eq!(location(&r), "/staff/team?done=disabled");

    let r = member.get("/staff/clients").await;
    assert_eq!(location(&r), "/staff/login", "the open session ended");
    assert_eq!(
        count(&app, &format!("SELECT COUNT(*) FROM staff_session WHERE staff_user_id = {mo} AND revoked_at IS NULL")).await,
        0
    );
    let r = try_sign_in(&Browser::new(&app), "mo@cedar.test", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    let r = owner
        .post_form(&format!("/staff/team/{mo}/enable"), &[("_csrf", &t)])
        .await;
    assert_eq!(location(&r), "/staff/team?done=enabled");
    Browser::staff(&app, "mo@cedar.test", PASSWORD).await;
    let actions = count(
        &app,
        "SELECT COUNT(*) FROM audit_event WHERE action IN ('staff.disabled', 'staff.enabled')",
    )
    .await;
    assert_eq!(actions, 2);
}

#[tokio::test]
async fn another_workspaces_staff_and_invites_are_not_found() {
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
    let stranger = add_staff(&app, other_ws, "x@other.test", "member").await;
    let owner = Browser::staff(&app, &w.staff_email, &w.staff_password).await;
    let t = csrf(&owner).await;
    let their_invite = app
        .state
        .store
        .create_staff_invite(
            other_ws,
            &EmailAddress::parse("y@other.test").unwrap(),
            portico::domain::staff::Role::Member,
            "some-hash",
            stranger,
            app.now_ms() + 3_600_000,
            app.now_ms(),
        )
        .await
        .unwrap();
    for path in [
        format!("/staff/team/{stranger}/role"),
        format!("/staff/team/{stranger}/disable"),
        format!("/staff/team/{stranger}/enable"),
        format!("/staff/team/invites/{their_invite}/withdraw"),
    ] {
        let r = owner
            .post_form(&path, &[("_csrf", &t), ("role", "admin")])
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(role_of(&app, stranger).await, "member");
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM staff_invite WHERE revoked_at IS NULL"
        )
        .await,
        1
    );
    let (_, team) = owner.get_text("/staff/team").await;
    assert!(!team.contains("x@other.test"));
}

#[tokio::test]
async fn an_invitation_sent_twice_at_once_creates_one_account() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let owner = Browser::staff(&app, &w.staff_email, &w.staff_password).await;
    invite(&owner, "twice@cedar.test", "member").await;
    let link = invite_link(&app, "twice@cedar.test", 1).await;
    let (a, b) = (Browser::new(&app), Browser::new(&app));
    let (_, pa) = a.get_text(&link).await;
    let (_, pb) = b.get_text(&link).await;
    let (ta, tb) = (csrf_of(&pa), csrf_of(&pb));
    let form = |t: &str| {
        vec![
            ("_csrf", t.to_string()),
            ("token", token_of(&link).to_string()),
            ("name", "Twice".to_string()),
            ("password", "a long enough password".to_string()),
            ("password_again", "a long enough password".to_string()),
        ]
    };
    let (fa, fb) = (form(&ta), form(&tb));
    let send = |br: &Browser, f: Vec<(&'static str, String)>| {
        let url = format!("{}/staff/invite", br.base);
        br.client.post(url).form(&f).send()
    };
    let (ra, rb) = tokio::join!(send(&a, fa), send(&b, fb));
    let mut statuses = [ra.unwrap().status(), rb.unwrap().status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::SEE_OTHER, StatusCode::GONE]);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM staff_user WHERE email_norm = 'twice@cedar.test'"
        )
        .await,
        1
    );
}
