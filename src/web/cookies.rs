//! Cookie names and flags. Over https the names carry the `__Host-` prefix and the
//! `Secure` flag; always `HttpOnly`, `Path=/` and `SameSite=Lax` (a strict cookie would
//! be dropped when a client comes back from a payment page).

use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

pub const PORTAL_SESSION: &str = "portico_portal";
pub const STAFF_SESSION: &str = "portico_staff";
/// Random value binding CSRF tokens of forms shown before login.
pub const PRE_SESSION: &str = "portico_pre";
/// The login attempt a code was sent for.
pub const LOGIN_ATTEMPT: &str = "portico_login";

pub fn name(base: &str, https: bool) -> String {
    if https {
        format!("__Host-{base}")
    } else {
        base.to_string()
    }
}

pub fn get(jar: &CookieJar, base: &str, https: bool) -> Option<String> {
    jar.get(&name(base, https))
        .map(|c| c.value().to_string())
        .filter(|v| !v.is_empty() && v.len() <= 128)
}

pub fn build(base: &str, value: String, https: bool) -> Cookie<'static> {
    let mut c = Cookie::new(name(base, https), value);
    c.set_http_only(true);
    c.set_same_site(SameSite::Lax);
    c.set_path("/");
    c.set_secure(https);
    c
}

pub fn removal(base: &str, https: bool) -> Cookie<'static> {
    let mut c = build(base, String::new(), https);
    c.make_removal();
    c
}
