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
    #[error("the build stopped before writing every page")]
    Abandoned,
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Replace `output` with exactly `pages`.
pub fn write_site(output: &Path, pages: &[Page]) -> Result<(), WriteError> {
    write_site_with(output, |dir| write_pages(dir, pages))
}

/// Replace `output` with what `fill` writes into a fresh staging folder; if `fill` fails, the
/// staging folder is removed and `output` is left as it was.
pub fn write_site_with(output: &Path, fill: impl FnOnce(&Path) -> Result<(), WriteError>) -> Result<(), WriteError> {
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
    let result = fill(&staging).and_then(|()| write_marker(&staging));
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
        .try_for_each(|(path, bytes)| fs::write(path, bytes).map_err(io_err(path)))
}

/// Render every page of a plan and write it into `dir` as it comes, in parallel, with the
/// plan's other files. Template errors are returned (the build then stops before the swap);
/// write errors fail.
pub fn write_plan(
    dir: &Path,
    plan: &crate::render::Plan<'_>,
) -> Result<Vec<crate::diagnostics::Diagnostic>, WriteError> {
    write_pages(dir, &plan.files)?;
    // The data files and the pages share the cores: the largest data file takes as long as
    // all the others together, and pages fill the time another core would wait for it.
    let (data, pages) = rayon::join(|| write_data_files(dir, plan), || write_page_jobs(dir, plan));
    data?;
    let mut errors = pages?;
    errors.sort();
    errors.dedup();
    Ok(errors)
}

/// The data files, each streamed into its file, never held whole (they are the largest).
fn write_data_files(dir: &Path, plan: &crate::render::Plan<'_>) -> Result<(), WriteError> {
    use rayon::prelude::*;
    plan.data.par_iter().try_for_each(|d| {
        let rel = safe_relative(d.path()).ok_or_else(|| WriteError::UnsafePath(d.path().to_string()))?;
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io_err(parent))?;
        }
        let file = fs::File::create(&path).map_err(io_err(&path))?;
        let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
        plan.write_data(*d, &mut out)
            .and_then(|()| std::io::Write::flush(&mut out))
            .map_err(io_err(&path))
    })
}

/// Every page's folder, then every page, rendered and written in parallel; the template
/// errors of the pages that failed.
fn write_page_jobs(
    dir: &Path,
    plan: &crate::render::Plan<'_>,
) -> Result<Vec<crate::diagnostics::Diagnostic>, WriteError> {
    use rayon::prelude::*;
    // Folders are kept as the plan's own '/'-separated strings: comparing paths component by
    // component cost more than making the folders. Most pages have a folder of their own, so
    // the folders are made in parallel too (`create_dir_all` succeeds when another thread
    // makes the same parent at the same moment).
    let paths: Vec<String> = plan.jobs.par_iter().map(|job| plan.path(*job)).collect();
    if let Some(p) = paths.iter().find(|p| safe_relative(p).is_none()) {
        return Err(WriteError::UnsafePath(p.clone()));
    }
    let mut folders: Vec<&str> = paths
        .iter()
        .filter_map(|p| p.rsplit_once('/'))
        .map(|(parent, _)| parent)
        .collect();
    folders.sort_unstable();
    folders.dedup();
    folders.par_iter().try_for_each(|folder| {
        let rel = safe_relative(folder).ok_or_else(|| WriteError::UnsafePath(folder.to_string()))?;
        let path = dir.join(rel);
        fs::create_dir_all(&path).map_err(io_err(&path))
    })?;
    let results: Vec<Result<Option<crate::diagnostics::Diagnostic>, WriteError>> = plan
        .jobs
        .par_iter()
        .map(|job| match plan.render(*job) {
            Ok(page) => {
                let rel = safe_relative(&page.path).ok_or_else(|| WriteError::UnsafePath(page.path.clone()))?;
                let path = dir.join(rel);
                fs::write(&path, &page.bytes).map_err(io_err(&path))?;
                Ok(None)
            }
            Err(d) => Ok(Some(d)),
        })
        .collect();
    let mut errors = Vec::new();
    for r in results {
        if let Some(d) = r? {
            errors.push(d);
        }
    }
    Ok(errors)
}

fn write_marker(dir: &Path) -> Result<(), WriteError> {
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
