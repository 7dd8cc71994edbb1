//! `/login` and `/logout`: the form, the session cookie when the token is right (the one credential
//! of a login is the form's token, under the same failure budget as the API), and its removal. With
//! access control off, both go back to the page.

use super::gate::{Access, Client};
use super::login_page::login_page;
use super::session::{login_cookie, logout_cookie, over_tls};
use crate::error::AppError;
use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

/// The login form's fields.
#[derive(Deserialize)]
pub struct LoginForm {
    token: String,
}

/// `GET`/`POST /login` and `POST /logout`, for any outer router state.
pub fn router<S: Clone + Send + Sync + 'static>(access: Option<Access>) -> Router<S> {
    Router::new()
        .route("/login", get(form).post(login))
        .route("/logout", axum::routing::post(logout))
        .with_state(access)
}

/// `GET /login`: the form, or back to the page when access control is off.
async fn form(State(access): State<Option<Access>>) -> Response {
    if access.is_none() {
        return Redirect::to("/").into_response();
    }
    login_page(StatusCode::OK, "")
}

/// `POST /login`: sets the session cookie and goes back to the page when the token is right.
async fn login(
    State(access): State<Option<Access>>,
    Client(client): Client,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let Some(access) = access else {
        return Redirect::to("/").into_response();
    };
    let Ok(Form(form)) = form else {
        return login_page(
            StatusCode::BAD_REQUEST,
            "Send the form with an access token.",
        );
    };
    match access.attempt(client, "login form", |token| {
        token.matches(form.token.trim())
    }) {
        Ok(()) => {
            let jar = CookieJar::new().add(login_cookie(access.token(), over_tls(&headers)));
            (jar, Redirect::to("/")).into_response()
        }
        Err(AppError::AccessRequired) => {
            login_page(StatusCode::UNAUTHORIZED, "That token is not right.")
        }
        Err(error) => {
            let mut page = login_page(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many wrong tokens from this address; wait a minute.",
            );
            if let Some(wait) = error.retry_after().and_then(|v| v.parse().ok()) {
                page.headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, wait);
            }
            page
        }
    }
}

/// `POST /logout`: forgets the cookie (both names).
async fn logout() -> Response {
    let jar = CookieJar::new()
        .add(logout_cookie(true))
        .add(logout_cookie(false));
    (jar, Redirect::to("/login")).into_response()
}
