//! Open data: the whole process as JSON (schema in docs/EXPORTS.md) and one CSV row per card
//! (RFC 4180), both built from the same document model as the PDF, so the three never
//! disagree and an anonymous roundtable's authors are absent from all of them.
//!
//! Also the `tavoli export` command, which writes any of the three to a file.

mod csv;
mod json;

use std::path::Path;

use tavoli_core::Lang;

use crate::{
    pdf::{self, DocModel},
    state::AppState,
};

pub use csv::to_csv;
pub use json::{SCHEMA, to_json};

/// What `tavoli export` can write, chosen by the file's extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Json,
    Csv,
}

impl Format {
    /// `.pdf`, `.json` or `.csv` (any case); anything else is refused.
    pub fn from_path(path: &Path) -> Option<Format> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "pdf" => Some(Format::Pdf),
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }
}

/// Bytes of an export of a model.
pub fn render(model: &DocModel, format: Format, lang: Lang) -> Result<Vec<u8>, String> {
    match format {
        Format::Pdf => pdf::docpp(model, lang),
        Format::Json => serde_json::to_vec_pretty(&to_json(model)).map_err(|e| e.to_string()),
        Format::Csv => Ok(to_csv(model).into_bytes()),
    }
}

/// `tavoli export`: assembles the process and writes the file (atomically: a temporary file
/// renamed into place, so a failed export never leaves half a PDF under the real name).
/// Errors are one line for the terminal.
pub async fn to_file(
    state: &AppState,
    process_id: &str,
    out: &Path,
    lang: Lang,
) -> Result<String, String> {
    let format = Format::from_path(out).ok_or_else(|| {
        format!(
            "cannot tell the format of {}: name the file .pdf, .json or .csv",
            out.display()
        )
    })?;
    let model = pdf::assemble(state, process_id)
        .await
        .map_err(|e| format!("cannot read the database: {e}"))?
        .ok_or_else(|| format!("there is no process with id {process_id}"))?;
    let bytes = tokio::task::spawn_blocking(move || render(&model, format, lang))
        .await
        .map_err(|e| e.to_string())??;
    let temporary = out.with_extension("partial");
    std::fs::write(&temporary, &bytes)
        .and_then(|()| std::fs::rename(&temporary, out))
        .map_err(|e| {
            let _ = std::fs::remove_file(&temporary);
            format!("cannot write {}: {e}", out.display())
        })?;
    Ok(format!("Wrote {} ({} bytes).", out.display(), bytes.len()))
}
