//! Server-rendered pages of the administration and the login.

pub mod advisors;
pub mod import;
pub mod invitation;
pub mod layout;
pub mod login;
pub mod sites;
pub mod user;
pub mod users;

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
            Err(rejection) => Err(crate::error::AppError::Invalid {
                code: "invalid_form",
                message: format!("The form could not be read: {}", rejection.body_text()),
                field: None,
            }),
        }
    }
}
