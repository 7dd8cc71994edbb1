//! Optional access control for shared deployments. When `LIKELY_ACCESS_TOKEN` is set, every `/v1`
//! call must carry the token, as `Authorization: Bearer <token>` (scripts, Cohere's SDKs) or as the
//! session cookie that the small form at `/login` sets (browsers). The static page and `/healthz`
//! stay open, so the page can load and explain; a public deployment cannot spend the organisation's
//! quota.
//!
//! | module | job |
//! |---|---|
//! | [`token`] | the token: read from the environment, length and character checks, comparison |
//! | [`credential`] | the one credential a request offers (bearer header, else session cookie) |
//! | [`session`] | the session cookie: a value derived from the token, never the token itself |
//! | [`failures`] | failed attempts per client, rate-limited |
//! | [`gate`] | the `/v1` middleware |
//! | [`login`], [`login_page`] | `/login` and `/logout`, and their HTML form |

pub mod credential;
pub mod failures;
pub mod gate;
pub mod login;
pub mod login_page;
pub mod session;
pub mod token;

pub use gate::Access;
pub use token::{AccessToken, AccessTokenError, ACCESS_TOKEN_ENV, MIN_TOKEN_CHARS};
