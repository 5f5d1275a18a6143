//! Seeded records most tests share: one workspace, two companies with the portal on (A and
//! B), one with it off (C), an individual, and a bookkeeper on record at both A and B.

use portico::domain::email::EmailAddress;
use portico::ids::{ClientId, ContactId, StaffUserId, WorkspaceId};
use portico::store::clients::NewClient;
use portico::store::contacts::NewContact;
use portico::store::workspaces::NewWorkspace;

use super::TestApp;

pub struct World {
    pub ws: WorkspaceId,
    pub staff: StaffUserId,
    pub staff_email: String,
    pub staff_password: String,
    pub a: ClientId,
    pub a_key: String,
    pub ann: ContactId,
    pub ann_email: String,
    pub b: ClientId,
    pub b_key: String,
    pub bob_email: String,
    pub c: ClientId,
    pub carol_email: String,
    pub bookkeeper_email: String,
}

pub async fn client(app: &TestApp, ws: WorkspaceId, kind: &str, name: &str) -> ClientId {
    app.state
        .store
        .create_client(ws, &NewClient { kind, name, phone: "+971 4 000 0000", billing_address: "1 Test Street", site_address: "" }, app.now_ms())
        .await
        .unwrap()
}

pub async fn contact(app: &TestApp, ws: WorkspaceId, client: ClientId, first: &str, email: Option<&str>) -> ContactId {
    let email = email.map(|e| EmailAddress::parse(e).unwrap());
    app.state
        .store
        .create_contact(ws, client, &NewContact { first_name: first, last_name: "Tester", email: email.as_ref(), phone: "", role: "", is_primary: false }, app.now_ms())
        .await
        .unwrap()
}

pub async fn enable(app: &TestApp, ws: WorkspaceId, client: ClientId) -> String {
    let row = app.state.store.set_portal_access(ws, client, true, None, app.now_ms()).await.unwrap();
    row.portal_access_key.unwrap()
}

impl World {
    pub async fn seed(app: &TestApp) -> Self {
        let store = &app.state.store;
        let now = app.now_ms();
        let ws = store
            .create_workspace(&NewWorkspace { slug: "test", name: "Cedar & Stone Services", time_zone: "Asia/Dubai", default_currency: "AED" }, now)
            .await
            .unwrap();
        let staff_email = "owner@cedar.test".to_string();
        let staff_password = "a long staff password 42".to_string();
        let hash = portico::auth::password::hash(&staff_password).unwrap();
        let staff = store.create_staff(ws, &EmailAddress::parse(&staff_email).unwrap(), "Olivia Owner", "owner", &hash, now).await.unwrap();

        let a = client(app, ws, "company", "Acme Facilities").await;
        let ann = contact(app, ws, a, "Ann", Some("ann@acme.test")).await;
        contact(app, ws, a, "Arif", Some("arif@acme.test")).await;
        let b = client(app, ws, "company", "Birch Holdings").await;
        contact(app, ws, b, "Bob", Some("bob@birch.test")).await;
        let c = client(app, ws, "company", "Cobalt Works").await;
        contact(app, ws, c, "Carol", Some("carol@cobalt.test")).await;
        contact(app, ws, a, "Bea", Some("books@ledger.test")).await;
        contact(app, ws, b, "Bea", Some("books@ledger.test")).await;
        let a_key = enable(app, ws, a).await;
        let b_key = enable(app, ws, b).await;
        World {
            ws,
            staff,
            staff_email,
            staff_password,
            a,
            a_key,
            ann,
            ann_email: "ann@acme.test".into(),
            b,
            b_key,
            bob_email: "bob@birch.test".into(),
            c,
            carol_email: "carol@cobalt.test".into(),
            bookkeeper_email: "books@ledger.test".into(),
        }
    }

    pub fn a_link(&self) -> String {
        format!("/portal/{}", self.a_key)
    }

    pub fn b_link(&self) -> String {
        format!("/portal/{}", self.b_key)
    }
}
