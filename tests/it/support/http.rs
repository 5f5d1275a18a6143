//! A cookie-keeping HTTP client that reads forms the way a browser would.

use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};

use super::TestApp;

pub struct Browser {
    pub client: Client,
    pub base: String,
}

/// The value of the first hidden `_csrf` input in a page.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let start = html
        .find(marker)
        .map(|i| i + marker.len())
        .expect("page has a CSRF field");
    html[start..].split('"').next().unwrap().to_string()
}

impl Browser {
    pub fn new(app: &TestApp) -> Self {
        let client = Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .unwrap();
        Self {
            client,
            base: app.base.clone(),
        }
    }

    /// A browser signed in to the back office as `email`, at the client list.
    pub async fn staff(app: &TestApp, email: &str, password: &str) -> Self {
        let b = Self::new(app);
        let (_, page) = b.get_text("/staff/login").await;
        let r = b
            .post_form(
                "/staff/login",
                &[
                    ("_csrf", &csrf_of(&page)),
                    ("email", email),
                    ("password", password),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "sign-in of {email}");
        assert_eq!(
            r.headers()["location"],
            "/staff/clients",
            "sign-in of {email}"
        );
        b
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{}", self.base, path))
            .send()
            .await
            .unwrap()
    }

    pub async fn get_text(&self, path: &str) -> (StatusCode, String) {
        let r = self.get(path).await;
        let status = r.status();
        (status, r.text().await.unwrap())
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.client
            .post(format!("{}{}", self.base, path))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// Asks for a code from the login page at `login_path` (`/portal` or a client link).
    pub async fn request_code(&self, login_path: &str, email: &str) -> Response {
        let (status, page) = self.get_text(login_path).await;
        assert_eq!(status, StatusCode::OK, "login page {login_path}");
        let csrf = csrf_of(&page);
        let access_key = login_path.strip_prefix("/portal/").unwrap_or("");
        self.post_form(
            "/portal/login",
            &[
                ("_csrf", &csrf),
                ("email", email),
                ("access_key", access_key),
            ],
        )
        .await
    }

    /// Types a code on the verify page.
    pub async fn submit_code(&self, code: &str) -> Response {
        let (_, page) = self.get_text("/portal/verify").await;
        let csrf = csrf_of(&page);
        self.post_form("/portal/verify", &[("_csrf", &csrf), ("code", code)])
            .await
    }

    /// The whole flow through the mail: returns the response to the code submission.
    pub async fn log_in(&self, app: &TestApp, login_path: &str, email: &str) -> Response {
        let before = app.smtp.to(email).len();
        let r = self.request_code(login_path, email).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let mail = app.smtp.wait_for(email, before + 1).await;
        self.submit_code(&mail.code().expect("code in mail")).await
    }
}
