//! The Documento di proposta partecipata (DocPP) as a PDF: the document model assembled from
//! storage (`model`), what goes where (`docpp`), a small layout layer (`layout`: wrapped and
//! justified paragraphs, headings that never end a page, tables split across pages, vector bar
//! charts) and the writer over printpdf (`render`: fonts, footers, contents numbers,
//! metadata). No clock and no randomness anywhere: the same data gives the same bytes.

pub mod dates;
mod docpp;
pub mod fonts;
pub mod layout;
pub mod model;
mod render;

pub use docpp::kind_label;
pub use model::{DocModel, assemble};

use tavoli_core::Lang;

/// The DocPP of a process model, in Italian or English.
pub fn docpp(model: &DocModel, lang: Lang) -> Result<Vec<u8>, String> {
    docpp::render(model, lang)
}
