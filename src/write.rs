//! Stage 5, write: pages to the output folder, atomically. The new site is written into a
//! sibling folder and swapped in only when complete, so a failed build leaves the previous
//! output untouched.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::load::safe_relative;
use crate::render::Page;

/// Marks a folder as sitrep output, so sitrep never replaces a folder it did not write.
pub const MARKER: &str = ".sitrep-output";

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error(
        "refusing to replace {0}: it is not empty and was not written by sitrep (no {MARKER} file); choose another --output or empty it"
    )]
    NotOurs(PathBuf),
    #[error("refusing to write page `{0}`: its path would leave the output folder")]
    UnsafePath(String),
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Replace `output` with exactly `pages`.
pub fn write_site(output: &Path, pages: &[Page]) -> Result<(), WriteError> {
    if output.exists() && !is_ours(output)? {
        return Err(WriteError::NotOurs(output.to_path_buf()));
    }
    let parent = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(io_err(&parent))?;
    let name = output
        .file_name()
        .map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
    let staging = parent.join(format!(".{name}.sitrep-new"));
    let retired = parent.join(format!(".{name}.sitrep-old"));
    for leftover in [&staging, &retired] {
        if leftover.exists() {
            fs::remove_dir_all(leftover).map_err(io_err(leftover))?;
        }
    }
    fs::create_dir_all(&staging).map_err(io_err(&staging))?;
    let result = write_pages(&staging, pages);
    if let Err(e) = result {
        let _ = fs::remove_dir_all(&staging);
        return Err(e);
    }
    if output.exists() {
        fs::rename(output, &retired).map_err(io_err(output))?;
        if let Err(source) = fs::rename(&staging, output) {
            // Put the previous site back before reporting.
            let _ = fs::rename(&retired, output);
            return Err(WriteError::Io {
                path: output.to_path_buf(),
                source,
            });
        }
        fs::remove_dir_all(&retired).map_err(io_err(&retired))?;
    } else {
        fs::rename(&staging, output).map_err(io_err(output))?;
    }
    Ok(())
}

fn write_pages(dir: &Path, pages: &[Page]) -> Result<(), WriteError> {
    use rayon::prelude::*;
    // Folders first (sequentially, each once), then the files in parallel.
    let mut folders = std::collections::BTreeSet::new();
    let mut targets = Vec::with_capacity(pages.len());
    for page in pages {
        let rel = safe_relative(&page.path).ok_or_else(|| WriteError::UnsafePath(page.path.clone()))?;
        let path = dir.join(rel);
        if let Some(p) = path.parent() {
            folders.insert(p.to_path_buf());
        }
        targets.push((path, &page.bytes));
    }
    for folder in &folders {
        fs::create_dir_all(folder).map_err(io_err(folder))?;
    }
    targets
        .par_iter()
        .try_for_each(|(path, bytes)| fs::write(path, bytes).map_err(io_err(path)))?;
    let marker = dir.join(MARKER);
    fs::write(
        &marker,
        "This folder is written by sitrep and replaced on every build.\n",
    )
    .map_err(io_err(&marker))
}

/// An existing folder may be replaced when it is empty or carries our marker.
fn is_ours(output: &Path) -> Result<bool, WriteError> {
    if !output.is_dir() {
        return Ok(false);
    }
    if output.join(MARKER).is_file() {
        return Ok(true);
    }
    let mut entries = fs::read_dir(output).map_err(io_err(output))?;
    Ok(entries.next().is_none())
}
