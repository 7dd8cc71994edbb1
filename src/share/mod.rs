//! Share links. A link holds a snapshot of the evaluation (`likely_core::snapshot`): inside the
//! link (`#s=`, which browsers never send to a server) when it is small or the server keeps nothing,
//! or kept on the server with the link carrying only its id (`/s/<id>`). The author chooses
//! everything or figures only (the text never leaves the browser) and, for stored links, an expiry;
//! their browser keeps the delete token. An opened link shows the same figures under a banner, and
//! older `#e=` links still open. A link holding a playground opens the playground (`/playground`).

mod banner;
mod choice;
mod delete;
mod expiry;
mod keys;
mod make;
mod open;
mod panel;

pub use banner::{date_text, ShareBanner};
pub use choice::{choose, Choice};
pub use make::{origin, store};
pub use open::{follow_hash_changes, open_from_location};
pub use panel::SharePanel;
