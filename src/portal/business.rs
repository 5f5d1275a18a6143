//! The business's own pages: products & services, About us and Contact.

use crate::web::extract::Path;
use askama::Template;
use axum::extract::State;
use axum::response::Html;

use super::documents::parse_id;
use super::session::PortalUser;
use super::view::{page_context, ListChrome, ListControls, ListQuery, Shell, PAGE_SIZE};
use crate::app::AppState;
use crate::domain::money::Money;
use crate::domain::portal_view::PRODUCT_FILTERS;
use crate::store::portal_lists::ProductRow;
use crate::store::workspaces::BusinessProfile;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::Query;

pub struct ProductView {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub unit: String,
    pub price: String,
    pub kind: &'static str,
}

fn product_view(p: &ProductRow) -> ProductView {
    ProductView {
        id: p.id,
        name: p.name.clone(),
        description: p.description.clone(),
        unit: p.unit.clone(),
        price: Money::format_stored(p.price_minor, &p.currency),
        kind: if p.kind == "service" {
            "Service"
        } else {
            "Product"
        },
    }
}

#[derive(Template)]
#[template(path = "portal/products.html")]
struct ProductList {
    shell: Shell,
    list: ListChrome,
    rows: Vec<ProductView>,
}

pub async fn products(
    State(state): State<AppState>,
    user: PortalUser,
    Query(q): Query<ListQuery>,
) -> AppResult<Html<String>> {
    const BASE: &str = "/portal/products";
    let controls = ListControls::parse(BASE, PRODUCT_FILTERS, &q)?;
    let ctx = page_context(&state, &user, "products").await?;
    let page = state
        .store
        .portal_products(
            user.scope,
            &controls.filter.condition(ctx.today),
            controls.after.as_ref(),
            PAGE_SIZE,
        )
        .await?;
    let view = ProductList {
        shell: ctx.shell,
        list: controls.chrome(BASE, &page.next),
        rows: page.rows.iter().map(product_view).collect(),
    };
    Ok(Html(view.render()?))
}

#[derive(Template)]
#[template(path = "portal/product.html")]
struct ProductPage {
    shell: Shell,
    p: ProductView,
}

pub async fn product(
    State(state): State<AppState>,
    user: PortalUser,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    let id = parse_id(&id)?;
    let row = state
        .store
        .portal_product(user.scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let ctx = page_context(&state, &user, "products").await?;
    Ok(Html(
        ProductPage {
            shell: ctx.shell,
            p: product_view(&row),
        }
        .render()?,
    ))
}

#[derive(Template)]
#[template(path = "portal/about.html")]
struct AboutPage {
    shell: Shell,
    profile: BusinessProfile,
}

pub async fn about(State(state): State<AppState>, user: PortalUser) -> AppResult<Html<String>> {
    let ctx = page_context(&state, &user, "about").await?;
    Ok(Html(
        AboutPage {
            shell: ctx.shell,
            profile: ctx.profile,
        }
        .render()?,
    ))
}

#[derive(Template)]
#[template(path = "portal/contact.html")]
struct ContactPage {
    shell: Shell,
    phone_link: String,
    profile: BusinessProfile,
}

pub async fn contact(State(state): State<AppState>, user: PortalUser) -> AppResult<Html<String>> {
    let ctx = page_context(&state, &user, "contact").await?;
    let phone_link: String = ctx
        .profile
        .phone
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    Ok(Html(
        ContactPage {
            shell: ctx.shell,
            phone_link,
            profile: ctx.profile,
        }
        .render()?,
    ))
}
