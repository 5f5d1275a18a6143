//! Reading a CSV of clients and contacts into a plan of what an import would create, or
//! the list of every bad row with its line number and why. No storage here: the same
//! plan is checked for the preview and again when the import runs.
//!
//! One row per contact. Rows naming the same client (by name, ignoring case and extra
//! spaces) make one client with all those contacts; the client's own fields come from
//! its first row. An individual is one person: its row's `email` and `phone` are the
//! person's, and a second row for the same individual is an error.

use std::collections::HashMap;

use super::client_form::{
    validate_client, validate_contact, ClientInput, ContactInput, ValidClient, ValidContact,
};

/// The columns a file may have, in any order; `kind` and `client_name` are required.
pub const COLUMNS: [&str; 10] = [
    "kind",
    "client_name",
    "phone",
    "billing_address",
    "site_address",
    "first_name",
    "last_name",
    "email",
    "contact_phone",
    "role",
];
/// Most data rows one file may hold.
pub const MAX_ROWS: usize = 20_000;

/// A refused row: its line in the file (the header is line 1) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct PlannedClient {
    pub line: u64,
    pub client: ValidClient,
    /// A company's contacts (an individual's person is in `client.person`).
    pub contacts: Vec<ValidContact>,
}

#[derive(Debug, Clone, Default)]
pub struct ImportPlan {
    pub clients: Vec<PlannedClient>,
    pub rows: usize,
}

impl ImportPlan {
    /// Contacts the import creates, an individual's person included.
    pub fn contact_count(&self) -> usize {
        self.clients
            .iter()
            .map(|c| c.contacts.len() + usize::from(c.client.person.is_some()))
            .sum()
    }
}

fn row_error(line: u64, message: impl Into<String>) -> RowError {
    RowError {
        line,
        message: message.into(),
    }
}

fn key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Reads the whole file; `Ok` only when every row is good.
pub fn plan_import(text: &str) -> Result<ImportPlan, Vec<RowError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|h| h.trim().to_ascii_lowercase()).collect(),
        Err(e) => {
            return Err(vec![row_error(
                1,
                format!("the header row cannot be read ({e})."),
            )])
        }
    };
    let mut errors = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        if !COLUMNS.contains(&h.as_str()) {
            errors.push(row_error(
                1,
                format!(
                    "unknown column “{h}” (column {}); the columns are {}.",
                    i + 1,
                    COLUMNS.join(", ")
                ),
            ));
        } else if headers[..i].contains(h) {
            errors.push(row_error(1, format!("the column “{h}” appears twice.")));
        }
    }
    for required in ["kind", "client_name"] {
        if !headers.iter().any(|h| h == required) {
            errors.push(row_error(1, format!("the column “{required}” is missing.")));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let col = |name: &str| headers.iter().position(|h| h == name);
    let cols: HashMap<&str, usize> = COLUMNS
        .iter()
        .filter_map(|c| col(c).map(|i| (*c, i)))
        .collect();

    let mut plan = ImportPlan::default();
    // client key → (index in plan.clients, kind, line of its first row)
    let mut seen: HashMap<String, (usize, &'static str, u64)> = HashMap::new();
    // (client index, email) → line
    let mut emails: HashMap<(usize, String), u64> = HashMap::new();
    for result in reader.records() {
        let record = match result {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(row_error(
                    line,
                    "this row cannot be read (is the file saved as UTF-8 CSV?).",
                ));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        plan.rows += 1;
        if plan.rows > MAX_ROWS {
            errors.push(row_error(
                line,
                format!("the file has more than {MAX_ROWS} rows; split it into smaller files."),
            ));
            break;
        }
        if record.iter().all(|f| f.trim().is_empty()) {
            plan.rows -= 1;
            continue;
        }
        if record.len() != headers.len() {
            errors.push(row_error(
                line,
                format!(
                    "has {} fields, the header has {}.",
                    record.len(),
                    headers.len()
                ),
            ));
            continue;
        }
        let get = |name: &str| {
            cols.get(name)
                .and_then(|i| record.get(*i))
                .unwrap_or("")
                .to_string()
        };
        let kind_raw = get("kind").trim().to_lowercase();
        let kind: &'static str = match kind_raw.as_str() {
            "company" => "company",
            "individual" => "individual",
            "" => {
                errors.push(row_error(
                    line,
                    "kind is missing; write company or individual.",
                ));
                continue;
            }
            other => {
                errors.push(row_error(
                    line,
                    format!("unknown kind “{other}”; write company or individual."),
                ));
                continue;
            }
        };
        let name = get("client_name");
        if name.trim().is_empty() {
            errors.push(row_error(line, "client_name is missing."));
            continue;
        }
        let k = key(&name);
        if let Some((index, first_kind, first_line)) = seen.get(&k).copied() {
            if first_kind != kind {
                errors.push(row_error(
                    line,
                    format!(
                        "“{}” is {} on line {first_line}; one client cannot be both.",
                        name.trim(),
                        if first_kind == "company" {
                            "a company"
                        } else {
                            "an individual"
                        }
                    ),
                ));
                continue;
            }
            if kind == "individual" {
                errors.push(row_error(line, format!("“{}” is an individual already on line {first_line}; an individual client is one person.", name.trim())));
                continue;
            }
            add_contact(&mut plan, &mut emails, &mut errors, index, line, &get);
            continue;
        }
        let input = ClientInput {
            kind: kind.into(),
            name: name.clone(),
            phone: get("phone"),
            billing_address: get("billing_address"),
            site_address: get("site_address"),
            email: if kind == "individual" {
                get("email")
            } else {
                String::new()
            },
        };
        match validate_client(&input) {
            Ok(client) => {
                let index = plan.clients.len();
                if let Some(email) = client.person.as_ref().and_then(|p| p.email.as_ref()) {
                    emails.insert((index, email.normalised().to_string()), line);
                }
                plan.clients.push(PlannedClient {
                    line,
                    client,
                    contacts: Vec::new(),
                });
                seen.insert(k, (index, kind, line));
                if kind == "company" {
                    add_contact(&mut plan, &mut emails, &mut errors, index, line, &get);
                }
            }
            Err(problems) => {
                for p in problems {
                    errors.push(row_error(line, p.message));
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(plan)
    } else {
        errors.sort_by_key(|e| e.line);
        Err(errors)
    }
}

/// The contact on a company's row, if the row has one.
fn add_contact(
    plan: &mut ImportPlan,
    emails: &mut HashMap<(usize, String), u64>,
    errors: &mut Vec<RowError>,
    index: usize,
    line: u64,
    get: &dyn Fn(&str) -> String,
) {
    let input = ContactInput {
        first_name: get("first_name"),
        last_name: get("last_name"),
        email: get("email"),
        phone: get("contact_phone"),
        role: get("role"),
    };
    let any = [
        &input.first_name,
        &input.last_name,
        &input.email,
        &input.phone,
        &input.role,
    ]
    .iter()
    .any(|v| !v.trim().is_empty());
    if !any {
        return;
    }
    match validate_contact(&input) {
        Ok(contact) => {
            if let Some(email) = &contact.email {
                let norm = email.normalised().to_string();
                if let Some(first) = emails.get(&(index, norm.clone())) {
                    errors.push(row_error(line, format!("duplicate email {norm}: line {first} already gives it to a contact of this client.")));
                    return;
                }
                emails.insert((index, norm), line);
            }
            if let Some(planned) = plan.clients.get_mut(index) {
                planned.contacts.push(contact);
            }
        }
        Err(problems) => {
            for p in problems {
                errors.push(row_error(line, p.message));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_group_into_clients_with_their_contacts() {
        let csv = "\u{feff}kind,client_name,phone,first_name,last_name,email,role\n\
                   company,Acme Facilities,+971 4 000 0000,Ann,Archer,ann@acme.test,Billing\n\
                   company,  acme   facilities ,,Arif,,ARIF@acme.test,\n\
                   individual,Layla Haddad,+971 50 1,,,layla@example.test,\n\
                   company,Birch Holdings,,,,,\n";
        let plan = plan_import(csv).unwrap();
        assert_eq!(plan.rows, 4);
        assert_eq!(plan.clients.len(), 3);
        assert_eq!(plan.clients[0].contacts.len(), 2);
        assert_eq!(plan.clients[0].client.phone, "+971 4 000 0000");
        assert!(plan.clients[1].client.person.is_some());
        assert!(plan.clients[2].contacts.is_empty());
        assert_eq!(plan.contact_count(), 3);
    }

    #[test]
    fn every_bad_row_is_listed_with_its_line_and_why() {
        let csv = "kind,client_name,first_name,email\n\
                   company,Acme,Ann,ann@acme.test\n\
                   company,Acme,Ann B,ANN@acme.test\n\
                   robot,Beta,,\n\
                   company,,Carl,carl@x.test\n\
                   company,Delta,Dee,not-an-email\n\
                   individual,Acme,,\n\
                   company,Echo\n\
                   company,Foxtrot,,fox@x.test\n";
        let errors = plan_import(csv).unwrap_err();
        let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 4, 5, 6, 7, 8, 9]);
        let text = |line: u64| {
            errors
                .iter()
                .find(|e| e.line == line)
                .unwrap()
                .message
                .clone()
        };
        assert!(
            text(3).contains("duplicate email ann@acme.test: line 2"),
            "{}",
            text(3)
        );
        assert!(text(4).contains("unknown kind “robot”"));
        assert!(text(5).contains("client_name is missing"));
        assert!(text(6).starts_with("Email:"));
        assert!(text(7).contains("cannot be both"));
        assert!(text(8).contains("has 2 fields, the header has 4"));
        assert!(text(9).starts_with("First name:"), "{}", text(9));
    }

    #[test]
    fn the_header_must_name_known_columns_and_the_required_ones() {
        let errors = plan_import("kind,name,colour\ncompany,A,red\n").unwrap_err();
        let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        assert!(errors.iter().all(|e| e.line == 1));
        assert!(messages.iter().any(|m| m.contains("unknown column “name”")));
        assert!(messages
            .iter()
            .any(|m| m.contains("“client_name” is missing")));
        assert_eq!(
            plan_import("kind,client_name\n").map(|p| p.clients.len()),
            Ok(0)
        );
    }
}
