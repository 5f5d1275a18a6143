//! Signing in: clients by emailed code, staff by password. The flows live here, apart from
//! HTTP, so every rule is tested by calling these functions with a controllable clock.

pub mod password;
pub mod portal_login;
pub mod staff_login;
