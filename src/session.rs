//! A build kept in memory between edits, for `serve`. After a change it reads again only what
//! changed: an edited article is re-read and re-analysed on its own, notes, templates and
//! static files are re-read, and the briefing is derived again from the analyses kept. A
//! change to site.toml or the gazetteer (which every analysis depends on) reloads everything.
//!
//! An edit that breaks a file keeps that file's last good version in the session and reports
//! the error, so the site stays usable while it is fixed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::analyze::Analysis;
use crate::build::{BuildOptions, analyze_and_free, analyze_and_free_one, no_incident_warnings};
use crate::derive::{Briefing, IncidentCache, derive_with};
use crate::diagnostics::Diagnostic;
use crate::load::{self, ARTICLE_EXTS, ARTICLES_DIR, Corpus, LoadOptions, Reloaded};

pub struct Session {
    root: PathBuf,
    options: BuildOptions,
    pub corpus: Corpus,
    /// One per article, in the corpus's order.
    pub analyses: Vec<Analysis>,
    pub briefing: Briefing,
    /// Incidents as built, reused for clusters no edit touched.
    incidents: IncidentCache,
    /// Problems of the last reading of each article file, by path relative to the root.
    article_diags: BTreeMap<String, Vec<Diagnostic>>,
    /// Problems outside the articles: site.toml, gazetteer, notes, templates, static files.
    other_diags: Vec<Diagnostic>,
    /// A full reload failed: the next change of any kind tries the full reload again.
    stale: Option<Vec<Diagnostic>>,
}

/// What a changed path asks to be done again.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Scope {
    Static,
    Templates,
    Notes,
    Articles,
    Project,
}

/// What an update did, for the terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Updated {
    /// Nothing the site is built from changed.
    Nothing,
    /// These article files were read and analysed again (and the briefing derived again).
    Articles(usize),
    /// Notes were read again and the briefing derived again.
    Notes,
    /// Templates or static files were read again.
    Theme,
    /// The whole project was read again.
    Everything,
}

impl Session {
    /// Load, analyse and derive the whole project. Fails with every diagnostic when any is an
    /// error.
    pub fn open(root: &Path, options: &BuildOptions) -> Result<Session, Vec<Diagnostic>> {
        let (mut corpus, diags) = load::load(root, &load_options(options));
        if diags.iter().any(Diagnostic::is_error) {
            return Err(diags);
        }
        if let Some(url) = &options.base_url {
            corpus.config.base_url = url.clone();
        }
        let analyses = analyze_and_free(&mut corpus, options.progress);
        let mut incidents = IncidentCache::default();
        let briefing = derive_with(&corpus, &analyses, Some(&mut incidents));
        let (mut article_diags, mut other_diags) = (BTreeMap::<String, Vec<Diagnostic>>::new(), Vec::new());
        for d in diags {
            match article_path(&d.file) {
                Some(rel) => article_diags.entry(rel).or_default().push(d),
                None => other_diags.push(d),
            }
        }
        Ok(Session {
            root: root.to_path_buf(),
            options: options.clone(),
            corpus,
            analyses,
            briefing,
            incidents,
            article_diags,
            other_diags,
            stale: None,
        })
    }

    /// Every current problem: the files' own, then the briefing's warnings.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        if let Some(failed) = &self.stale {
            return failed.clone();
        }
        let mut all: Vec<Diagnostic> = self.other_diags.clone();
        all.extend(self.article_diags.values().flatten().cloned());
        all.extend(no_incident_warnings(&self.briefing));
        all
    }

    pub fn has_errors(&self) -> bool {
        self.stale.is_some()
            || self.other_diags.iter().any(Diagnostic::is_error)
            || self.article_diags.values().flatten().any(Diagnostic::is_error)
    }

    /// Bring the session up to date with files that changed (absolute paths, or relative to
    /// the root).
    pub fn update(&mut self, changed: &[PathBuf]) -> Updated {
        let rels: Vec<String> = changed.iter().filter_map(|p| self.relative(p)).collect();
        let scopes: std::collections::BTreeSet<Scope> = rels.iter().filter_map(|r| scope_of(r)).collect();
        if scopes.is_empty() && self.stale.is_none() {
            return Updated::Nothing;
        }
        if self.stale.is_some() || scopes.contains(&Scope::Project) {
            match Session::open(&self.root, &self.options) {
                Ok(fresh) => *self = fresh,
                Err(diags) => self.stale = Some(diags),
            }
            return Updated::Everything;
        }
        // Each kind of file that changed is read again, whatever else changed with it.
        let (config, options) = (self.corpus.config.clone(), load_options(&self.options));
        if scopes.contains(&Scope::Static) {
            let mut diags = Vec::new();
            self.corpus.static_files = load::read_static(&self.root, &mut diags);
            self.replace_other_diags(|d| d.starts_with("static"), diags);
        }
        if scopes.contains(&Scope::Templates) {
            let mut diags = Vec::new();
            self.corpus.templates = load::load_templates(&self.root, &config, &mut diags);
            self.replace_other_diags(|d| d.starts_with("templates"), diags);
        }
        if scopes.contains(&Scope::Notes) {
            let mut diags = Vec::new();
            self.corpus.notes = load::load_notes(&self.root, &config, &options, &mut diags);
            self.replace_other_diags(|d| d.starts_with("content/incidents"), diags);
        }
        let edited: Vec<&String> = rels.iter().filter(|r| scope_of(r) == Some(Scope::Articles)).collect();
        for rel in &edited {
            self.reload_article(rel);
        }
        if edited.is_empty() && !scopes.contains(&Scope::Notes) {
            return Updated::Theme;
        }
        let briefing = derive_with(&self.corpus, &self.analyses, Some(&mut self.incidents));
        let old = std::mem::replace(&mut self.briefing, briefing);
        // Freeing the old briefing (hundreds of thousands of strings at scale) is left to
        // another thread: nothing waits on it.
        std::thread::spawn(move || drop(old));
        if edited.is_empty() {
            Updated::Notes
        } else {
            Updated::Articles(edited.len())
        }
    }

    /// Read one article file again and put its new version (and analysis) in place of the old.
    fn reload_article(&mut self, rel: &str) {
        let mut diags = Vec::new();
        let options = load_options(&self.options);
        let path = self.root.join(rel);
        let old = self.corpus.articles.iter().position(|a| a.path == rel);
        if let Some(i) = old {
            self.incidents.forget(&self.corpus.articles[i].id);
        }
        match load::reload_article(&self.root, &path, &self.corpus.config, &options, &mut diags) {
            // A broken edit keeps the last good version.
            Reloaded::Unusable => {}
            Reloaded::Absent => {
                if let Some(i) = old {
                    self.corpus.articles.remove(i);
                    self.analyses.remove(i);
                }
            }
            Reloaded::Article(mut article) => {
                let clash = self
                    .corpus
                    .articles
                    .iter()
                    .find(|a| a.id == article.id && a.path != rel)
                    .map(|a| a.path.clone());
                if let Some(first) = clash {
                    diags.push(Diagnostic::error(
                        rel,
                        format!(
                            "article id `{}` is also the id of {first}; rename one of the two files",
                            article.id
                        ),
                    ));
                } else {
                    let analysis =
                        analyze_and_free_one(&mut article, &self.corpus.gazetteer, &self.corpus.config.extraction);
                    if let Some(i) = old {
                        self.corpus.articles.remove(i);
                        self.analyses.remove(i);
                    }
                    let at = self.corpus.articles.partition_point(|a| a.id < article.id);
                    self.corpus.articles.insert(at, *article);
                    self.analyses.insert(at, analysis);
                }
            }
        }
        if diags.is_empty() {
            self.article_diags.remove(rel);
        } else {
            self.article_diags.insert(rel.to_string(), diags);
        }
    }

    fn replace_other_diags(&mut self, under: impl Fn(&str) -> bool, fresh: Vec<Diagnostic>) {
        self.other_diags.retain(|d| !under(&d.file.to_string_lossy()));
        self.other_diags.extend(fresh);
    }

    fn relative(&self, path: &Path) -> Option<String> {
        relative_to(&self.root, path)
    }
}

/// `path` (absolute, or relative to `root`) relative to `root` with `/` separators, or `None`
/// when it lies outside.
fn relative_to(root: &Path, path: &Path) -> Option<String> {
    let rel = if path.is_absolute() {
        path.strip_prefix(root).ok()?
    } else {
        path
    };
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// Whether a change at `path` concerns the site: a file the build reads (not the output,
/// hidden files or editor litter), or a folder of them.
pub fn is_watched(root: &Path, path: &Path) -> bool {
    relative_to(root, path).is_some_and(|rel| scope_of(&rel).is_some())
}

fn load_options(options: &BuildOptions) -> LoadOptions {
    LoadOptions {
        include_drafts: options.drafts,
        lossy: options.lossy,
    }
}

/// The article path a diagnostic is about, if it is about an article file.
fn article_path(file: &Path) -> Option<String> {
    let rel = file.to_string_lossy().replace('\\', "/");
    (scope_of(&rel) == Some(Scope::Articles)).then_some(rel)
}

/// What must be redone when the file at `rel` (relative to the root) changes; `None` for
/// files the build does not read (editor backups, hidden files, the output).
fn scope_of(rel: &str) -> Option<Scope> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    if name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp") {
        return None;
    }
    let under = |dir: &str| {
        rel.strip_prefix(dir)
            .is_some_and(|r| r.is_empty() || r.starts_with('/'))
    };
    if under(ARTICLES_DIR) {
        let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
        // A folder event (a new or renamed folder of articles) needs a full look.
        return match ext {
            Some(e) if ARTICLE_EXTS.contains(&e.as_str()) => Some(Scope::Articles),
            Some(_) => None,
            None => Some(Scope::Project),
        };
    }
    if under("content/incidents") {
        return Some(Scope::Notes);
    }
    if under("templates") {
        return Some(Scope::Templates);
    }
    if under("static") {
        return Some(Scope::Static);
    }
    if rel == "site.toml" || under("content") {
        return Some(Scope::Project);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_paths_are_scoped_by_what_they_feed() {
        assert_eq!(scope_of("content/articles/a.md"), Some(Scope::Articles));
        assert_eq!(scope_of("content/articles/2024/a.TXT"), Some(Scope::Articles));
        assert_eq!(scope_of("content/articles/.a.md.swp"), None);
        assert_eq!(scope_of("content/articles/a.md~"), None);
        assert_eq!(scope_of("content/articles/notes.pdf"), None);
        assert_eq!(scope_of("content/articles/2024"), Some(Scope::Project));
        assert_eq!(scope_of("content/incidents/x.md"), Some(Scope::Notes));
        assert_eq!(scope_of("content/groups/kh.md"), Some(Scope::Project));
        assert_eq!(scope_of("site.toml"), Some(Scope::Project));
        assert_eq!(scope_of("templates/base.html"), Some(Scope::Templates));
        assert_eq!(scope_of("static/style.css"), Some(Scope::Static));
        assert_eq!(scope_of("public/index.html"), None);
        assert_eq!(scope_of("contents/x.md"), None);
    }
}
