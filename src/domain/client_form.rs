//! What the back office accepts for a new client and a new contact, with a message that
//! names the field for everything it refuses.

use super::email::EmailAddress;
use super::request_form::FieldError;
use super::text::check_visible;

#[derive(Debug, Clone, Default)]
pub struct ClientInput {
    pub kind: String,
    pub name: String,
    pub phone: String,
    pub billing_address: String,
    pub site_address: String,
    /// For an individual: the person's email (optional).
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidClient {
    pub kind: &'static str,
    pub name: String,
    pub phone: String,
    pub billing_address: String,
    pub site_address: String,
    /// An individual is also its own contact.
    pub person: Option<ValidContact>,
}

#[derive(Debug, Clone, Default)]
pub struct ContactInput {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidContact {
    pub first_name: String,
    pub last_name: String,
    pub email: Option<EmailAddress>,
    pub phone: String,
    pub role: String,
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn multi_line(s: &str) -> String {
    s.replace("\r\n", "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect::<String>()
        .trim()
        .to_string()
}

/// Fewest digits a phone number can have (a short local number).
const PHONE_MIN_DIGITS: usize = 5;

/// Phone numbers as people write them: digits, spaces, `+ - ( ) .` and an extension,
/// with at least [`PHONE_MIN_DIGITS`] digits. Empty means none.
pub fn check_phone(phone: &str, errors: &mut Vec<FieldError>, field: &'static str) {
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let ok = phone.is_empty()
        || (phone.chars().count() <= 40
            && digits >= PHONE_MIN_DIGITS
            && phone
                .chars()
                .all(|c| c.is_ascii_digit() || " +-().x".contains(c)));
    if !ok {
        errors.push(FieldError {
            field,
            message: format!(
                "Phone: use digits, spaces and + - ( ) only, at least {PHONE_MIN_DIGITS} digits and at most 40 characters."
            ),
        });
    }
}

fn check_len(
    value: &str,
    max: usize,
    field: &'static str,
    label: &str,
    errors: &mut Vec<FieldError>,
) {
    if value.chars().count() > max {
        errors.push(FieldError {
            field,
            message: format!("{label}: at most {max} characters."),
        });
    }
}

pub fn validate_contact(input: &ContactInput) -> Result<ValidContact, Vec<FieldError>> {
    let mut errors: Vec<FieldError> = [
        check_visible(&input.first_name, false, "first_name", "First name"),
        check_visible(&input.last_name, false, "last_name", "Last name"),
        check_visible(&input.role, false, "role", "Role"),
    ]
    .into_iter()
    .flatten()
    .collect();
    let first_name = one_line(&input.first_name);
    let last_name = one_line(&input.last_name);
    let phone = one_line(&input.phone);
    let role = one_line(&input.role);
    if first_name.is_empty() {
        errors.push(FieldError {
            field: "first_name",
            message: "First name: please enter it.".into(),
        });
    }
    check_len(&first_name, 100, "first_name", "First name", &mut errors);
    check_len(&last_name, 100, "last_name", "Last name", &mut errors);
    check_len(&role, 100, "role", "Role", &mut errors);
    check_phone(&phone, &mut errors, "phone");
    let email = match input.email.trim() {
        "" => None,
        raw => match EmailAddress::parse(raw) {
            Ok(e) => Some(e),
            Err(e) => {
                errors.push(FieldError {
                    field: "email",
                    message: format!("Email: {e}."),
                });
                None
            }
        },
    };
    if errors.is_empty() {
        Ok(ValidContact {
            first_name,
            last_name,
            email,
            phone,
            role,
        })
    } else {
        Err(errors)
    }
}

pub fn validate_client(input: &ClientInput) -> Result<ValidClient, Vec<FieldError>> {
    let mut errors = Vec::new();
    let kind = match input.kind.as_str() {
        "company" => "company",
        "individual" => "individual",
        _ => {
            errors.push(FieldError {
                field: "kind",
                message: "Kind: choose company or individual.".into(),
            });
            "company"
        }
    };
    errors.extend(
        [
            check_visible(&input.name, false, "name", "Name"),
            check_visible(
                &input.billing_address,
                true,
                "billing_address",
                "Billing address",
            ),
            check_visible(&input.site_address, true, "site_address", "Site address"),
        ]
        .into_iter()
        .flatten(),
    );
    let name = one_line(&input.name);
    if name.is_empty() {
        errors.push(FieldError {
            field: "name",
            message: "Name: please enter it.".into(),
        });
    }
    check_len(&name, 200, "name", "Name", &mut errors);
    let phone = one_line(&input.phone);
    check_phone(&phone, &mut errors, "phone");
    let billing_address = multi_line(&input.billing_address);
    let site_address = multi_line(&input.site_address);
    check_len(
        &billing_address,
        500,
        "billing_address",
        "Billing address",
        &mut errors,
    );
    check_len(
        &site_address,
        500,
        "site_address",
        "Site address",
        &mut errors,
    );
    let person = if kind == "individual" && !name.is_empty() {
        let (first, last) = name.split_once(' ').unwrap_or((name.as_str(), ""));
        match validate_contact(&ContactInput {
            first_name: first.into(),
            last_name: last.into(),
            email: input.email.clone(),
            phone: phone.clone(),
            role: String::new(),
        }) {
            Ok(c) => Some(c),
            Err(mut e) => {
                errors.append(&mut e);
                None
            }
        }
    } else {
        None
    };
    if errors.is_empty() {
        Ok(ValidClient {
            kind,
            name,
            phone,
            billing_address,
            site_address,
            person,
        })
    } else {
        Err(errors)
    }
}

/// A new client as both the back office and the API accept it: [`validate_client`], with
/// the individual's first/last name problems reported against `name` (the field the
/// caller sent), one message per problem, and no email on a company (its people are
/// added as contacts once it exists).
pub fn validate_new_client(input: &ClientInput) -> Result<ValidClient, Vec<FieldError>> {
    let valid = validate_client(input).map_err(tidy)?;
    if valid.kind == "company" && !input.email.trim().is_empty() {
        return Err(vec![FieldError {
            field: "email",
            message: "Email: only an individual has one here; add a company's people as contacts once it is created.".into(),
        }]);
    }
    Ok(valid)
}

/// One message per problem, each pointing at a field a client form has.
fn tidy(errors: Vec<FieldError>) -> Vec<FieldError> {
    let mut out: Vec<FieldError> = Vec::new();
    for mut e in errors {
        // An individual's name becomes its person's first and last name.
        if e.field == "first_name" || e.field == "last_name" {
            e.field = "name";
            e.message =
                e.message
                    .replacen("First name", "Name", 1)
                    .replacen("Last name", "Name", 1);
        }
        if !out
            .iter()
            .any(|o| o.field == e.field && o.message == e.message)
        {
            out.push(e);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_individual_becomes_its_own_contact() {
        let ok = validate_client(&ClientInput {
            kind: "individual".into(),
            name: "  Layla   Haddad ".into(),
            email: "Layla@Example.com".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(ok.name, "Layla Haddad");
        let person = ok.person.unwrap();
        assert_eq!(
            (person.first_name.as_str(), person.last_name.as_str()),
            ("Layla", "Haddad")
        );
        assert_eq!(person.email.unwrap().normalised(), "layla@example.com");
    }

    #[test]
    fn every_problem_names_its_field() {
        let errs = validate_client(&ClientInput {
            kind: "robot".into(),
            name: "".into(),
            phone: "call me".into(),
            ..Default::default()
        })
        .unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["kind", "name", "phone"]);
        let errs = validate_contact(&ContactInput {
            first_name: " ".into(),
            email: "nope".into(),
            ..Default::default()
        })
        .unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["first_name", "email"]);
    }

    #[test]
    fn a_phone_needs_digits_and_is_kept_as_written_on_one_line() {
        let phone = |p: &str| {
            validate_contact(&ContactInput {
                first_name: "Ann".into(),
                phone: p.into(),
                ..Default::default()
            })
            .map(|ok| ok.phone)
            .map_err(|errs| errs.iter().map(|e| e.field).collect::<Vec<_>>())
        };
        assert_eq!(
            phone("  +971   50\t123 4567 ").as_deref(),
            Ok("+971 50 123 4567")
        );
        assert_eq!(
            phone("(04) 555-0100 x12").as_deref(),
            Ok("(04) 555-0100 x12")
        );
        assert_eq!(phone("").as_deref(), Ok(""));
        assert_eq!(phone("   ").as_deref(), Ok(""), "blank is no phone");
        for bad in ["()", "+ - .", "x", "1234", "+971 4 abc", &"1".repeat(41)] {
            assert_eq!(phone(bad), Err(vec!["phone"]), "{bad:?}");
        }
    }
}
