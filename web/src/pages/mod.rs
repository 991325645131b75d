//! Server-rendered pages of the administration and the login.

pub mod account;
pub mod advisors;
pub mod audit;
pub mod canned;
pub mod erasure;
pub mod flash;
pub mod hours;
pub mod import;
pub mod invitation;
pub mod layout;
pub mod login;
pub mod new_password;
pub mod order;
pub mod password_reset;
pub mod sites;
pub mod subscription;
pub mod user;
pub mod users;

/// The form behind a destructive action's button: the session's CSRF token and the box
/// that confirms it.
#[derive(serde::Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    confirm: Option<String>,
}

impl ConfirmForm {
    /// Whether the box was ticked (or the confirmation page's button sent `confirm`).
    pub fn is_confirmed(&self) -> bool {
        self.confirm.as_deref().is_some_and(|c| !c.is_empty())
    }

    /// Refused, with `unticked` as the reason, unless it was confirmed.
    pub fn confirmed(&self, unticked: &str) -> Result<(), crate::error::AppError> {
        if self.is_confirmed() {
            Ok(())
        } else {
            Err(crate::error::AppError::invalid("confirm", unticked))
        }
    }
}

/// Parses a form body, turning a malformed one into an error that names the problem.
pub struct Form<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for Form<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = crate::error::AppError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(value)) => Ok(Form(value)),
            Err(rejection) => Err(crate::error::AppError::App(app::Error::Invalid {
                code: "invalid_form",
                message: locale::t!("err-form-unreadable", detail = rejection.body_text()),
                field: None,
            })),
        }
    }
}

/// Parses a query string, turning a malformed one into an error that names the problem.
pub struct Query<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for Query<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = crate::error::AppError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Query(value)),
            Err(rejection) => Err(crate::error::AppError::App(app::Error::Invalid {
                code: "invalid_input",
                message: locale::t!("err-query-unreadable", detail = rejection.body_text()),
                field: None,
            })),
        }
    }
}

/// Path parameters (ids); one that cannot be read names nothing that exists: not found.
pub struct Path<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for Path<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = crate::error::AppError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(_) => Err(crate::error::AppError::App(app::Error::NotFound)),
        }
    }
}
