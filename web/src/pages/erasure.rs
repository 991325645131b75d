//! Erasing a visitor's personal data from a conversation's page (a GDPR request):
//! confirm, then erase. Administrators only.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use domain::ConversationId;
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
        "Erase a visitor's data",
        Some(&session),
        html! {
            section.card {
                h1 { "Erase this visitor's data?" }
                p { "The visitor's name, e-mail address, the pages they were on and every message of their conversations, "
                    "the agents' answers included, become unreadable: in the history, the API, the event log and every export made from now on. "
                    "Who answered, and when, stays. Their browser is treated as a new visitor next time." }
                p { strong { "This cannot be undone." } }
                form method="post" action={"/history/" (c.conversation_id) "/erase"} #confirm-erase {
                    input type="hidden" name="csrf" value=(session.csrf);
                    label.check { input type="checkbox" name="confirm" required; " Yes, erase this visitor's data" }
                    p { button.danger type="submit" { "Erase the data" } " " a href={"/history/" (c.conversation_id)} { "Cancel" } }
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
    form.confirmed("Tick the box to confirm the erasure.")?;
    visitors::erase(&web, session.company_id(), domain::VisitorId(c.visitor_id), &session.metadata()).await?;
    Ok(Redirect::to(&format!("/history/{}", c.conversation_id)).into_response())
}
