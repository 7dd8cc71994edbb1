//! What the page draws, computed here so it is tested natively: the colours and legends of the per-token
//! view (`colour`), the charts' data (`chart_data`), the per-snippet table (`snippet_table`) and a
//! token's text shown on its own (`token_text`).

pub mod chart_data;
pub mod colour;
pub mod snippet_table;
pub mod token_text;
