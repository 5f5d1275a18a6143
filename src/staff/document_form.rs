//! The New and Edit forms of quotes and invoices. Works without JavaScript: the form
//! offers spare line rows (blank ones are ignored), a line names a catalogue item or is
//! free text, and a refused form comes back (422) with what was typed and every problem
//! named. Fields are `lines[0].quantity` and so on, the same names the API uses.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::documents::{doc_id, refused, Kind};
use super::session::StaffUser;
use crate::app::AppState;
use crate::domain::document_form::{format_decimal, DocError, DocumentFields, LineFields};
use crate::domain::money::{Currency, Money};
use crate::domain::records::today_in;
use crate::ids::ClientId;
use crate::invoicing::{self, Problem};
use crate::store::staff_documents::DocKind;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::{Form, Path, Query};
use crate::web::ClientIp;

/// Spare rows offered below the lines already there.
const SPARE_ROWS: usize = 4;
/// Days from issue to due (invoices) or to the end of validity (quotes), by default.
const DEFAULT_DAYS: i64 = 30;

pub struct ProductOption {
    pub id: String,
    pub label: String,
}

pub struct LineRow {
    pub index: usize,
    pub number: usize,
    pub fields: LineFields,
}

pub struct ClientOption {
    pub id: String,
    pub name: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "staff/document_form.html")]
struct FormPage {
    user: StaffUser,
    submission_key: String,
    heading: String,
    action: String,
    cancel: String,
    is_new: bool,
    client_name: String,
    clients: Vec<ClientOption>,
    fields: DocumentFields,
    end_label: &'static str,
    rows: Vec<LineRow>,
    products: Vec<ProductOption>,
    errors: Vec<String>,
}

fn end_label(kind: DocKind) -> &'static str {
    match kind {
        DocKind::Invoice => "Due date",
        DocKind::Quote => "Valid until",
    }
}

async fn products(state: &AppState, user: &StaffUser) -> AppResult<Vec<ProductOption>> {
    Ok(state
        .store
        .document_catalogue(user.workspace_id)
        .await?
        .into_iter()
        .map(|p| ProductOption {
            id: p.id.to_string(),
            label: format!(
                "{} — {}",
                p.name,
                Money::format_stored(p.price_minor, &p.currency)
            ),
        })
        .collect())
}

fn rows(lines: &[LineFields]) -> Vec<LineRow> {
    lines
        .iter()
        .cloned()
        .chain(std::iter::repeat_n(LineFields::default(), SPARE_ROWS))
        .enumerate()
        .map(|(index, fields)| LineRow {
            index,
            number: index + 1,
            fields,
        })
        .collect()
}

struct FormArgs {
    kind: DocKind,
    submission_key: String,
    existing: Option<(i64, String)>,
    client: Option<ClientId>,
    client_name: String,
    fields: DocumentFields,
    errors: Vec<String>,
}

async fn render(state: &AppState, user: StaffUser, a: FormArgs) -> AppResult<String> {
    let kind = a.kind;
    let clients = if a.existing.is_none() {
        state
            .store
            .client_choices(user.workspace_id)
            .await?
            .into_iter()
            .map(|(id, name)| ClientOption {
                selected: a.client.map(ClientId::get) == Some(id),
                id: id.to_string(),
                name,
            })
            .collect()
    } else {
        Vec::new()
    };
    let page = FormPage {
        submission_key: a.submission_key,
        heading: match &a.existing {
            Some((_, number)) => format!("Edit draft {} {number}", kind.noun()),
            None => format!("New {}", kind.noun()),
        },
        action: match &a.existing {
            Some((id, _)) => format!("/staff/{}/{id}", kind.plural()),
            None => format!("/staff/{}", kind.plural()),
        },
        cancel: match &a.existing {
            Some((id, _)) => format!("/staff/{}/{id}", kind.plural()),
            None => format!("/staff/{}", kind.plural()),
        },
        is_new: a.existing.is_none(),
        client_name: a.client_name,
        clients,
        end_label: end_label(kind),
        rows: rows(&a.fields.lines),
        fields: a.fields,
        products: products(state, &user).await?,
        errors: a.errors,
        user,
    };
    Ok(page.render()?)
}

#[derive(Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    client: String,
}

pub async fn new_form(
    State(state): State<AppState>,
    user: StaffUser,
    Kind(kind): Kind,
    Query(q): Query<NewQuery>,
) -> AppResult<Html<String>> {
    let ws = state.store.workspace(user.workspace_id).await?;
    let today = today_in(&ws.time_zone, state.clock.now());
    let end = today
        .checked_add(jiff::Span::new().days(DEFAULT_DAYS))
        .unwrap_or(today);
    let fields = DocumentFields {
        issue_date: today.to_string(),
        end_date: end.to_string(),
        currency: ws.default_currency.clone(),
        ..DocumentFields::default()
    };
    let client = q.client.parse::<ClientId>().ok();
    let html = render(
        &state,
        user,
        FormArgs {
            kind,
            submission_key: crate::store::submission::fresh_submission_key(),
            existing: None,
            client,
            client_name: String::new(),
            fields,
            errors: Vec::new(),
        },
    )
    .await?;
    Ok(Html(html))
}

/// The form's fields, by name; a line field's index is checked to be in range.
fn read_form(pairs: &[(String, String)]) -> AppResult<(String, String, String, DocumentFields)> {
    let mut csrf = String::new();
    let mut submission_key = String::new();
    let mut client = String::new();
    let mut f = DocumentFields::default();
    for (name, value) in pairs {
        let value = value.clone();
        match name.as_str() {
            "_csrf" => csrf = value,
            "submission_key" => {
                submission_key =
                    crate::store::submission::submission_key(&value).unwrap_or_default()
            }
            "client_id" => client = value,
            "title" => f.title = value,
            "issue_date" => f.issue_date = value,
            "end_date" => f.end_date = value,
            "currency" => f.currency = value,
            "client_notes" => f.client_notes = value,
            "internal_notes" => f.internal_notes = value,
            other => {
                let Some((index, field)) = other
                    .strip_prefix("lines[")
                    .and_then(|r| r.split_once("]."))
                else {
                    continue;
                };
                let i: usize = index
                    .parse()
                    .ok()
                    .filter(|i| *i < crate::domain::document_form::LINES_MAX + SPARE_ROWS)
                    .ok_or_else(|| AppError::BadRequest("Lines: too many lines.".into()))?;
                if f.lines.len() <= i {
                    f.lines.resize(i + 1, LineFields::default());
                }
                let line = &mut f.lines[i];
                match field {
                    "product_id" => line.product_id = value,
                    "description" => line.description = value,
                    "quantity" => line.quantity = value,
                    "unit_price" => line.unit_price = value,
                    "discount_percent" => line.discount_percent = value,
                    "tax_rate_percent" => line.tax_rate_percent = value,
                    _ => {}
                }
            }
        }
    }
    Ok((csrf, submission_key, client, f))
}

fn labels(errors: &[DocError]) -> Vec<String> {
    errors.iter().map(DocError::label).collect()
}

/// The form again with what was typed and why it was refused (422), or a plain error.
async fn refused_form(
    state: &AppState,
    user: StaffUser,
    a: FormArgs,
    problem: Problem,
) -> AppResult<Response> {
    let errors = match problem {
        Problem::Invalid(errors) => labels(&errors),
        Problem::Refused { field, message } => vec![match field {
            Some(f) => format!("{}: {message}.", f.replace('_', " ")),
            None => format!("{message}."),
        }],
        other => return Err(refused(other)),
    };
    let html = render(state, user, FormArgs { errors, ..a }).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
}

pub async fn create(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Kind(kind): Kind,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (csrf, submission_key, client_raw, fields) = read_form(&pairs)?;
    user.check_csrf(&state, &csrf)?;
    let client = client_raw.parse::<ClientId>().ok();
    let args = FormArgs {
        kind,
        submission_key: submission_key.clone(),
        existing: None,
        client,
        client_name: String::new(),
        fields,
        errors: Vec::new(),
    };
    let Some(client) = client else {
        let problem = Problem::Invalid(vec![DocError {
            field: "client_id".into(),
            message: "choose the client this is for.".into(),
        }]);
        return refused_form(&state, user, args, problem).await;
    };
    // Another workspace's client is simply not found, before anything is numbered.
    let client_row = state.store.client(user.workspace_id, client).await?;
    let key = Some(submission_key.as_str());
    match invoicing::save_draft(
        &state,
        user.workspace_id,
        kind,
        client,
        None,
        &args.fields,
        key,
    )
    .await
    {
        Ok(made) => {
            let (id, number) = made.value;
            if made.made_now {
                user.audit(
                    &state,
                    &format!("{}.created", kind.noun()),
                    (kind.noun(), id),
                    Some(client_row.id),
                    &ip,
                    &number,
                )
                .await?;
            }
            Ok(
                Redirect::to(&format!("/staff/{}/{id}?notice=created", kind.plural()))
                    .into_response(),
            )
        }
        Err(problem) => refused_form(&state, user, args, problem).await,
    }
}

fn fields_of(
    doc: &crate::store::staff_documents::StaffDoc,
    lines: &[crate::store::staff_documents::StaffLine],
) -> DocumentFields {
    let places = Currency::parse(&doc.currency).map_or(2, Currency::exponent);
    DocumentFields {
        title: doc.title.clone(),
        issue_date: doc.issue_date.clone(),
        end_date: doc.end_date.clone(),
        currency: doc.currency.clone(),
        client_notes: doc.client_notes.clone(),
        internal_notes: doc.internal_notes.clone(),
        lines: lines
            .iter()
            .map(|l| LineFields {
                product_id: l.product_id.map(|p| p.to_string()).unwrap_or_default(),
                description: l.description.clone(),
                quantity: format_decimal(l.quantity_milli, 3, 0),
                unit_price: format_decimal(l.unit_price_minor, places, places),
                discount_percent: if l.discount_bp == 0 {
                    String::new()
                } else {
                    format_decimal(l.discount_bp, 2, 0)
                },
                tax_rate_percent: format_decimal(l.tax_rate_bp, 2, 0),
            })
            .collect(),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    user: StaffUser,
    Kind(kind): Kind,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = doc_id(&id)?;
    let doc = state
        .store
        .staff_document(user.workspace_id, kind, id)
        .await?;
    if doc.status != "draft" {
        return Ok(Redirect::to(&format!("/staff/{}/{id}", kind.plural())).into_response());
    }
    let lines = state
        .store
        .staff_document_lines(user.workspace_id, kind, id)
        .await?;
    let html = render(
        &state,
        user,
        FormArgs {
            kind,
            submission_key: String::new(),
            existing: Some((id, doc.number.clone())),
            client: Some(ClientId::from_db(doc.client_id)),
            client_name: doc.client_name.clone(),
            fields: fields_of(&doc, &lines),
            errors: Vec::new(),
        },
    )
    .await?;
    Ok(Html(html).into_response())
}

pub async fn update(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Kind(kind): Kind,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let id = doc_id(&id)?;
    let (csrf, _, _, fields) = read_form(&pairs)?;
    user.check_csrf(&state, &csrf)?;
    let doc = state
        .store
        .staff_document(user.workspace_id, kind, id)
        .await?;
    let client = ClientId::from_db(doc.client_id);
    let args = FormArgs {
        kind,
        submission_key: String::new(),
        existing: Some((id, doc.number.clone())),
        client: Some(client),
        client_name: doc.client_name.clone(),
        fields,
        errors: Vec::new(),
    };
    match invoicing::save_draft(
        &state,
        user.workspace_id,
        kind,
        client,
        Some(id),
        &args.fields,
        None,
    )
    .await
    {
        Ok(made) => {
            let (_, number) = made.value;
            user.audit(
                &state,
                &format!("{}.updated", kind.noun()),
                (kind.noun(), id),
                Some(doc.client_id),
                &ip,
                &number,
            )
            .await?;
            Ok(
                Redirect::to(&format!("/staff/{}/{id}?notice=saved", kind.plural()))
                    .into_response(),
            )
        }
        Err(problem) => refused_form(&state, user, args, problem).await,
    }
}
