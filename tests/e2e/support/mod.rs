//! What the end-to-end tests share: a real `likely` server on a loopback port and a real headless
//! Chromium driven over WebDriver.

pub mod browser;
pub mod server;

pub use browser::Browser;
pub use server::Server;

/// The worked example's held-out snippet: Hamlet's soliloquy, one line, typographic apostrophes.
pub const HAMLET_SNIPPET: &str = "To be, or not to be: that is the question: Whether ’tis nobler in the mind to suffer The slings and arrows of outrageous fortune, Or to take arms against a sea of troubles, And by opposing end them. To die: to sleep; No more; and by a sleep to say we end The heart-ache and the thousand natural shocks That flesh is heir to, ’tis a consummation Devoutly to be wish’d.";
