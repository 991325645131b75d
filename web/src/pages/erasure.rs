//! Erasing a visitor's personal data from a conversation's page (a GDPR request):
//! confirm, then erase. Administrators only.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use domain::ConversationId;
use locale::t;
use maud::{html, Markup};

use super::layout::page;
use super::{ConfirmForm, Form, Path};
use crate::auth::{check_csrf, Admin};
use crate::error::AppError;
use crate::Web;
use app::chat::{history, visitors};

pub async fn confirm_form(State(web): State<Web>, Admin(session): Admin, Path(id): Path<ConversationId>) -> Result<Markup, AppError> {
    let c = history::readable(&web, &session, id).await?;
    Ok(page(
        &t!("erasure-title"),
        Some(&session),
        html! {
            section.card {
                h1 { (t!("erasure-question")) }
                p { (t!("erasure-what")) }
                p { strong { (t!("erasure-final")) } }
                form method="post" action={"/history/" (c.conversation_id) "/erase"} #confirm-erase {
                    input type="hidden" name="csrf" value=(session.csrf);
                    label.check { input type="checkbox" name="confirm" required; " " (t!("erasure-confirm")) }
                    p { button.danger type="submit" { (t!("erasure-button")) } " " a href={"/history/" (c.conversation_id)} { (t!("erasure-cancel")) } }
                }
            }
        },
    ))
}

pub async fn erase(
    State(web): State<Web>,
    Admin(session): Admin,
    Path(id): Path<ConversationId>,
    Form(form): Form<ConfirmForm>,
) -> Result<Response, AppError> {
    check_csrf(&session, &form.csrf)?;
    let c = history::readable(&web, &session, id).await?;
    form.confirmed(&t!("erasure-tick"))?;
    visitors::erase(&web, session.company_id(), domain::VisitorId(c.visitor_id), &session.metadata()).await?;
    Ok(Redirect::to(&format!("/history/{}", c.conversation_id)).into_response())
}
