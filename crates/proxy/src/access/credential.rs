//! The one credential a request offers: its `Authorization: Bearer` header if it has one, else its
//! session cookie (the `__Host-` one first). Only that one is checked, so a request cannot test
//! many guesses at once (several `Authorization` headers or a long `Cookie` header); a request with
//! several `Authorization` headers, or one that is not a bearer token, offers a malformed credential.

use super::session::{PLAIN_COOKIE, TLS_COOKIE};
use axum::http::{header, HeaderMap};
use axum_extra::extract::cookie::CookieJar;
use axum_extra::headers::authorization::Bearer;
use axum_extra::headers::{Authorization, HeaderMapExt};

/// What a request offers to prove it may use the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// Nothing.
    Missing,
    /// An `Authorization` header that is not exactly one bearer token.
    Malformed,
    /// A bearer token.
    Bearer(String),
    /// A session cookie's value.
    Session(String),
}

impl Credential {
    /// The credential `headers` carry.
    pub fn of(headers: &HeaderMap) -> Credential {
        let authorizations = headers.get_all(header::AUTHORIZATION).iter().count();
        if authorizations > 1 {
            return Credential::Malformed;
        }
        if authorizations == 1 {
            return match headers.typed_get::<Authorization<Bearer>>() {
                Some(Authorization(bearer)) => Credential::Bearer(bearer.token().to_string()),
                None => Credential::Malformed,
            };
        }
        let jar = CookieJar::from_headers(headers);
        match jar.get(TLS_COOKIE).or_else(|| jar.get(PLAIN_COOKIE)) {
            Some(cookie) => Credential::Session(cookie.value().to_string()),
            None => Credential::Missing,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(header::HeaderName, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(name.clone(), HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn one_credential_is_taken_per_request() {
        assert_eq!(Credential::of(&HeaderMap::new()), Credential::Missing);
        assert_eq!(
            Credential::of(&headers(&[(header::AUTHORIZATION, "Bearer abc")])),
            Credential::Bearer("abc".into())
        );
        assert_eq!(
            Credential::of(&headers(&[
                (header::AUTHORIZATION, "Bearer abc"),
                (header::AUTHORIZATION, "Bearer def"),
            ])),
            Credential::Malformed
        );
        assert_eq!(
            Credential::of(&headers(&[(header::AUTHORIZATION, "Basic YTpi")])),
            Credential::Malformed
        );
        assert_eq!(
            Credential::of(&headers(&[(
                header::COOKIE,
                "theme=dark; likely_session=s1; __Host-likely_session=s2"
            )])),
            Credential::Session("s2".into())
        );
        // A bearer header wins over cookies: the cookies are not tried.
        assert_eq!(
            Credential::of(&headers(&[
                (header::AUTHORIZATION, "Bearer abc"),
                (header::COOKIE, "likely_session=s1"),
            ])),
            Credential::Bearer("abc".into())
        );
    }
}
