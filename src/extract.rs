//! `sitrep extract`: one article's analysis as JSON, for analysts and for debugging.

use std::path::{Path, PathBuf};

use crate::analyze::analyze;
use crate::diagnostics::Diagnostic;
use crate::load::{LoadOptions, load, parse_article};

/// Analyse each file against the project's gazetteer. Returns pretty JSON (an object for one
/// file, an array for several) and the warnings met.
pub fn extract(root: &Path, files: &[PathBuf]) -> Result<(String, Vec<Diagnostic>), Vec<Diagnostic>> {
    let (corpus, load_diags) = load(
        root,
        &LoadOptions {
            include_drafts: true,
            lossy: true,
        },
    );
    let mut diags: Vec<Diagnostic> = load_diags
        .into_iter()
        .filter(|d| !d.file.starts_with("content/articles"))
        .collect();
    let mut out = Vec::new();
    for file in files {
        let rel = file.to_string_lossy().replace('\\', "/");
        let text = match std::fs::read(file) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(e) => {
                    diags.push(Diagnostic::error(
                        &rel,
                        format!("not valid UTF-8 at byte {}", e.utf8_error().valid_up_to()),
                    ));
                    continue;
                }
            },
            Err(e) => {
                diags.push(Diagnostic::error(&rel, format!("cannot read: {e}")));
                continue;
            }
        };
        if let Some(article) = parse_article(&rel, &text, &mut diags) {
            let analysis = analyze(&article, &corpus.gazetteer, &corpus.config.extraction);
            let mut value = serde_json::to_value(&analysis).unwrap_or_default();
            // Mentions hold byte ranges; a reader wants the words too.
            if let Some(list) = value.get_mut("mentions").and_then(|m| m.as_array_mut()) {
                for (json, m) in list.iter_mut().zip(&analysis.mentions) {
                    let text = analysis.sentence_text(m.sentence()).map_or("", |s| m.text(s));
                    if let Some(fields) = json.as_object_mut() {
                        fields.insert("text".into(), text.into());
                    }
                }
            }
            out.push(serde_json::json!({
                "article": article.id,
                "title": article.title,
                "published": article.date,
                "analysis": value,
            }));
        }
    }
    if out.is_empty() {
        return Err(diags);
    }
    let value = if out.len() == 1 {
        out.remove(0)
    } else {
        serde_json::Value::Array(out)
    };
    Ok((serde_json::to_string_pretty(&value).unwrap_or_default(), diags))
}
