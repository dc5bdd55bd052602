//! The commands' common core: run the pipeline, in memory or to disk.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::analyze::{Analysis, analyze};
use crate::derive::{Briefing, derive};
use crate::diagnostics::Diagnostic;
use crate::gazetteer::Gazetteer;
use crate::load::{Article, Corpus, Extraction, LoadOptions, load};
use crate::render::{Job, Page, render};
use crate::write::WriteError;

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub output: Option<PathBuf>,
    pub base_url: Option<String>,
    pub drafts: bool,
    /// Show a progress bar on a terminal for long builds.
    pub progress: bool,
    /// Read invalid UTF-8 with replacement characters (a warning) instead of failing.
    pub lossy: bool,
}

/// The result of running the pipeline without writing.
pub struct Site {
    pub corpus: Corpus,
    pub analyses: Vec<Analysis>,
    pub briefing: Briefing,
    pub pages: Vec<Page>,
    /// Warnings (a site exists only when there were no errors).
    pub diagnostics: Vec<Diagnostic>,
}

/// Load, analyse, derive and render. Fails with every diagnostic when any is an error.
pub fn build_site(root: &Path, options: &BuildOptions) -> Result<Site, Vec<Diagnostic>> {
    let (corpus, analyses, briefing, mut diags) = prepare(root, options)?;
    match render(&corpus, &briefing, &analyses) {
        Ok(pages) => Ok(Site {
            corpus,
            analyses,
            briefing,
            pages,
            diagnostics: diags,
        }),
        Err(mut errs) => {
            diags.append(&mut errs);
            Err(diags)
        }
    }
}

/// The corpus, its analyses, the briefing derived from them, and the warnings so far.
type Prepared = (Corpus, Vec<Analysis>, Briefing, Vec<Diagnostic>);

/// Load, analyse and derive: everything before rendering.
fn prepare(root: &Path, options: &BuildOptions) -> Result<Prepared, Vec<Diagnostic>> {
    let (mut corpus, mut diags) = load(
        root,
        &LoadOptions {
            include_drafts: options.drafts,
            lossy: options.lossy,
        },
    );
    if let Some(url) = &options.base_url {
        corpus.config.base_url = url.clone();
    }
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    let analyses = analyze_and_free(&mut corpus, options.progress);
    let briefing = derive(&corpus, &analyses);
    diags.extend(no_incident_warnings(&briefing));
    Ok((corpus, analyses, briefing, diags))
}

/// A warning for every article in which no incident was found.
pub fn no_incident_warnings(briefing: &Briefing) -> Vec<Diagnostic> {
    briefing
        .sources
        .iter()
        .filter(|s| s.incidents.is_empty())
        .map(|s| {
            Diagnostic::warning(
                &s.path,
                "no incident was found in this article (no attack at a place the gazetteer knows)",
            )
        })
        .collect()
}

/// Analyse every article in parallel; the order of the result follows the corpus.
pub fn analyze_all(corpus: &Corpus, progress: bool) -> Vec<Analysis> {
    let bar = crate::console::Progress::new("analysing", corpus.articles.len(), progress);
    let analyses = corpus
        .articles
        .par_iter()
        .map(|a| {
            let analysis = compact(analyze(a, &corpus.gazetteer, &corpus.config.extraction));
            bar.tick();
            analysis
        })
        .collect();
    bar.finish();
    analyses
}

/// [`analyze_all`], freeing each article's block text as soon as it is analysed: the analysis
/// holds the article's sentences, and pages take block kinds from the blocks but text from
/// the analysis. At scale, holding every article's text twice is what memory peaks on.
pub fn analyze_and_free(corpus: &mut Corpus, progress: bool) -> Vec<Analysis> {
    let bar = crate::console::Progress::new("analysing", corpus.articles.len(), progress);
    let (gazetteer, extraction) = (&corpus.gazetteer, &corpus.config.extraction);
    let analyses = corpus
        .articles
        .par_iter_mut()
        .map(|a| {
            let analysis = analyze_and_free_one(a, gazetteer, extraction);
            bar.tick();
            analysis
        })
        .collect();
    bar.finish();
    analyses
}

/// Analyse one article and free its block text (see [`analyze_and_free`]).
pub fn analyze_and_free_one(article: &mut Article, gazetteer: &Gazetteer, extraction: &Extraction) -> Analysis {
    let analysis = compact(analyze(article, gazetteer, extraction));
    for block in &mut article.blocks {
        block.text = String::new();
    }
    analysis
}

/// An analysis with no spare capacity: its lists grew by doubling, and a hundred thousand of
/// them kept for the whole build make the slack count.
fn compact(mut a: Analysis) -> Analysis {
    a.sentences.shrink_to_fit();
    a.mentions.shrink_to_fit();
    a.dates.shrink_to_fit();
    a.events.shrink_to_fit();
    a.facts.shrink_to_fit();
    a.memberships.shrink_to_fit();
    a.candidates.shrink_to_fit();
    a.quoted.shrink_to_fit();
    a.named.shrink_to_fit();
    a
}

/// Where the site goes: `--output`, else site.toml's `output_dir`, relative to the root.
pub fn output_dir(root: &Path, corpus: &Corpus, options: &BuildOptions) -> PathBuf {
    match &options.output {
        Some(p) => p.clone(),
        None => root.join(&corpus.config.output_dir),
    }
}

/// Refuse output folders whose replacement would destroy the project or the system.
pub fn check_output(root: &Path, output: &Path) -> Result<(), String> {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (root, out) = (abs(root), abs(output));
    let normal = |p: &Path| p.components().collect::<PathBuf>();
    let (root, out) = (normal(&root), normal(&out));
    if out.parent().is_none() {
        return Err(format!(
            "refusing to use {} as output: it is the file system root",
            out.display()
        ));
    }
    if root.starts_with(&out) {
        return Err(format!(
            "refusing to use {} as output: it contains the project",
            out.display()
        ));
    }
    for protected in ["content", "templates", "static"] {
        if out.starts_with(root.join(protected)) {
            return Err(format!(
                "refusing to use {} as output: it is inside the project's {protected}/ folder",
                out.display()
            ));
        }
    }
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from)
        && normal(&home) == out
    {
        return Err(format!(
            "refusing to use {} as output: it is the home folder",
            out.display()
        ));
    }
    Ok(())
}

/// What a build to disk made, for the summary line.
pub struct Built {
    pub pages: usize,
    pub incidents: usize,
    pub groups: usize,
    pub places: usize,
    pub sources: usize,
    pub diagnostics: Vec<Diagnostic>,
    pub output: PathBuf,
}

/// Build and write the site. Pages are rendered in parallel and written as they are made, so
/// memory does not grow with the size of the site; the output folder is swapped in only when
/// every page is written. Content problems come back as diagnostics, write problems as a
/// message.
pub fn build_to_disk(root: &Path, options: &BuildOptions) -> Result<Built, BuildError> {
    let (corpus, analyses, briefing, mut diags) = prepare(root, options).map_err(BuildError::Content)?;
    let out = output_dir(root, &corpus, options);
    check_output(root, &out).map_err(BuildError::Output)?;
    let mut plan = crate::render::plan(&corpus, &briefing, &analyses).map_err(|mut e| {
        diags.append(&mut e);
        BuildError::Content(std::mem::take(&mut diags))
    })?;
    let previous = crate::redirects::Previous::read(&out);
    crate::redirects::keep_links(&briefing, &mut plan.files, &corpus.config.language, &previous);
    let mut template_errors = Vec::new();
    let written = crate::write::write_site_with(&out, |dir| {
        template_errors = crate::write::write_plan(dir, &plan)?;
        if template_errors.is_empty() {
            Ok(())
        } else {
            Err(WriteError::Abandoned)
        }
    });
    if !template_errors.is_empty() {
        diags.append(&mut template_errors);
        return Err(BuildError::Content(diags));
    }
    written.map_err(|e: WriteError| BuildError::Output(e.to_string()))?;
    let built = Built {
        pages: plan.jobs.iter().filter(|j| !matches!(j, Job::Feed(_))).count()
            + plan.files.iter().filter(|f| f.path.ends_with(".html")).count(),
        incidents: briefing.incidents.len(),
        groups: briefing.groups.len(),
        places: briefing.places.len(),
        sources: briefing.sources.len(),
        diagnostics: diags,
        output: out,
    };
    drop(plan);
    // Freeing a large briefing (millions of small allocations) takes longer than writing
    // its last pages; it happens on another thread, so the caller has its answer at once
    // (and a one-shot `sitrep build` exits without waiting for it). Should no thread be
    // available, the data is freed here, as the refused closure is dropped.
    let _ = std::thread::Builder::new().spawn(move || drop((corpus, analyses, briefing)));
    Ok(built)
}

pub enum BuildError {
    Content(Vec<Diagnostic>),
    Output(String),
}
