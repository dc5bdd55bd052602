//! Stage 1, load: read a briefing project from disk into a [`Corpus`] of plain data.
//!
//! This is the only stage (with `write`) that touches the file system. Every problem is
//! collected as a [`Diagnostic`] so one run reports all of them.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};
use serde::Serialize;
use walkdir::WalkDir;

use crate::diagnostics::{Diagnostic, line_col};
use crate::frontmatter::{self, Fields};
use crate::gazetteer::{Gazetteer, Group, Place};
use crate::text::{slugify, squash_whitespace, squash_whitespace_owned};

/// Settings from `site.toml`.
#[derive(Debug, Clone, Serialize)]
pub struct Config {
    pub title: String,
    pub description: String,
    /// Absolute base URL for feeds and sitemaps; empty means relative links only.
    pub base_url: String,
    pub language: String,
    pub output_dir: String,
    /// Largest article (or gazetteer) file read, in bytes.
    pub max_article_bytes: u64,
    pub extraction: Extraction,
}

/// Tunables of the analysis, with defaults that suit wire-style reporting.
#[derive(Debug, Clone, Serialize)]
pub struct Extraction {
    /// How many days before an article's publication (or report) date an undated mention may
    /// reach back to join an existing incident at the same place.
    pub attach_window_days: i64,
    /// How many sentences an event date carries forward to later sentences without a date.
    pub carry_sentences: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "Briefing".into(),
            description: String::new(),
            base_url: String::new(),
            language: "en".into(),
            output_dir: "public".into(),
            max_article_bytes: 10 * 1024 * 1024,
            extraction: Extraction {
                attach_window_days: 7,
                carry_sentences: 8,
            },
        }
    }
}

/// One block of article text after Markdown parsing: a paragraph, heading, quote or list item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Block {
    pub kind: BlockKind,
    pub text: String,
    /// 1-based line in the source file where the block starts.
    pub line: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BlockKind {
    Paragraph,
    Heading,
    Quote,
    Item,
}

/// An article as read from `content/articles/`.
#[derive(Debug, Clone, Serialize)]
pub struct Article {
    pub id: String,
    /// Path relative to the project root, with '/' separators.
    pub path: String,
    pub title: String,
    /// True when the title was derived from the text rather than given.
    pub title_derived: bool,
    pub date: Option<NaiveDate>,
    pub publisher: Option<String>,
    pub url: Option<String>,
    pub author: Option<String>,
    pub tags: Vec<String>,
    pub draft: bool,
    pub blocks: Vec<Block>,
    /// Blocks dropped because they repeat an earlier block word for word.
    pub repeated_blocks: usize,
}

/// An analyst's note on one incident: a title, ids to fold into it, or exclusion.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentNote {
    pub id: String,
    pub path: String,
    pub title: Option<String>,
    pub merge: Vec<String>,
    pub exclude: bool,
    pub body: String,
}

/// Everything a build reads.
#[derive(Debug, Clone)]
pub struct Corpus {
    pub config: Config,
    pub articles: Vec<Article>,
    pub gazetteer: Gazetteer,
    pub notes: Vec<IncidentNote>,
    /// Template overrides from `templates/`, by file name.
    pub templates: BTreeMap<String, String>,
    /// Files from `static/`, by relative path.
    pub static_files: BTreeMap<String, Vec<u8>>,
}

/// Options that change what is loaded.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    pub include_drafts: bool,
    /// Read invalid UTF-8 with replacement characters and a warning instead of an error.
    pub lossy: bool,
}

/// How a tree is read: which files, and how strictly.
struct Reading<'a> {
    exts: &'a [&'a str],
    max_bytes: u64,
    lossy: bool,
}

/// Read the project at `root`. Returns the corpus (possibly partial) and every problem found.
pub fn load(root: &Path, options: &LoadOptions) -> (Corpus, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let config = load_config(root, &mut diags);
    let mut articles = load_articles(root, &config, options, &mut diags);
    let content = root.join("content");
    let entity_reading = Reading {
        exts: &["md"],
        max_bytes: config.max_article_bytes,
        lossy: options.lossy,
    };
    let mut groups = Vec::new();
    for (rel, text) in read_tree(root, &content.join("groups"), &entity_reading, &mut diags) {
        groups.extend(parse_group(&rel, &text, &mut diags));
    }
    let mut places = Vec::new();
    for (rel, text) in read_tree(root, &content.join("places"), &entity_reading, &mut diags) {
        places.extend(parse_place(&rel, &text, &mut diags));
    }
    let notes = load_notes(root, &config, options, &mut diags);
    check_id_collisions(
        groups.iter().map(|g| (g.id.as_str(), g.path.as_str())),
        "group",
        &mut diags,
    );
    check_id_collisions(
        places.iter().map(|p| (p.id.as_str(), p.path.as_str())),
        "place",
        &mut diags,
    );
    let gazetteer = Gazetteer::new(groups, places, &mut diags);
    let templates = load_templates(root, &config, &mut diags);
    let static_files = read_static(root, &mut diags);

    articles.sort_by(|a, b| a.id.cmp(&b.id));
    let corpus = Corpus {
        config,
        articles,
        gazetteer,
        notes,
        templates,
        static_files,
    };
    (corpus, diags)
}

/// Where articles live, relative to the project root.
pub const ARTICLES_DIR: &str = "content/articles";
/// File extensions read as articles.
pub const ARTICLE_EXTS: &[&str] = &["md", "txt", "markdown"];

fn article_reading<'a>(config: &Config, options: &LoadOptions) -> Reading<'a> {
    Reading {
        exts: ARTICLE_EXTS,
        max_bytes: config.max_article_bytes,
        lossy: options.lossy,
    }
}

/// Every article under `content/articles`, in file order, drafts left out unless asked for.
pub fn load_articles(root: &Path, config: &Config, options: &LoadOptions, diags: &mut Vec<Diagnostic>) -> Vec<Article> {
    // Each file is read and parsed on whichever core is free, so its raw text is dropped as
    // soon as it is parsed; the results keep the sorted file order so diagnostics and ids
    // come out the same every time.
    let paths = files_of(root, &root.join(ARTICLES_DIR), diags);
    let reading = article_reading(config, options);
    let parsed: Vec<(Option<Article>, Vec<Diagnostic>)> = {
        use rayon::prelude::*;
        paths
            .par_iter()
            .map(|path| {
                let mut d = Vec::new();
                let article =
                    read_file(root, path, &reading, &mut d).and_then(|(rel, text)| parse_article(&rel, &text, &mut d));
                (article, d)
            })
            .collect()
    };
    let mut articles = Vec::new();
    for (article, d) in parsed {
        diags.extend(d);
        if let Some(a) = article
            && (options.include_drafts || !a.draft)
        {
            articles.push(a);
        }
    }
    check_id_collisions(
        articles.iter().map(|a| (a.id.as_str(), a.path.as_str())),
        "article",
        diags,
    );
    articles
}

/// An article file read again after an edit.
#[derive(Debug)]
pub enum Reloaded {
    Article(Box<Article>),
    /// The file is gone, is not an article, or is a draft left out.
    Absent,
    /// The file cannot be used as it stands (the diagnostics say why).
    Unusable,
}

/// Read one article file again, with the same checks as a full load.
pub fn reload_article(
    root: &Path,
    path: &Path,
    config: &Config,
    options: &LoadOptions,
    diags: &mut Vec<Diagnostic>,
) -> Reloaded {
    if !path.is_file() {
        return Reloaded::Absent;
    }
    let before = diags.len();
    let read = read_file(root, path, &article_reading(config, options), diags);
    let article = read.and_then(|(rel, text)| parse_article(&rel, &text, diags));
    if diags[before..].iter().any(Diagnostic::is_error) {
        return Reloaded::Unusable;
    }
    match article {
        Some(a) if options.include_drafts || !a.draft => Reloaded::Article(Box::new(a)),
        _ => Reloaded::Absent,
    }
}

/// The analysts' incident notes (`content/incidents`), sorted by id.
pub fn load_notes(
    root: &Path,
    config: &Config,
    options: &LoadOptions,
    diags: &mut Vec<Diagnostic>,
) -> Vec<IncidentNote> {
    let reading = Reading {
        exts: &["md"],
        max_bytes: config.max_article_bytes,
        lossy: options.lossy,
    };
    let mut notes = Vec::new();
    for (rel, text) in read_tree(root, &root.join("content/incidents"), &reading, diags) {
        notes.extend(parse_note(&rel, &text, diags));
    }
    notes.sort_by(|a, b| a.id.cmp(&b.id));
    notes
}

/// The project's own templates, by name relative to `templates/`.
pub fn load_templates(root: &Path, config: &Config, diags: &mut Vec<Diagnostic>) -> BTreeMap<String, String> {
    let mut templates = BTreeMap::new();
    let reading = Reading {
        exts: &["html", "xml", "txt", "json"],
        max_bytes: config.max_article_bytes,
        lossy: false,
    };
    for (rel, text) in read_tree(root, &root.join("templates"), &reading, diags) {
        let name = rel.strip_prefix("templates/").unwrap_or(&rel).to_string();
        templates.insert(name, text);
    }
    templates
}

pub fn load_config(root: &Path, diags: &mut Vec<Diagnostic>) -> Config {
    let mut config = Config::default();
    let path = root.join("site.toml");
    let text = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            diags.push(Diagnostic::warning("site.toml", "no site.toml; using default settings"));
            return config;
        }
        Err(e) => {
            diags.push(Diagnostic::error("site.toml", format!("cannot read: {e}")));
            return config;
        }
    };
    let table: toml::Table = match text.parse() {
        Ok(t) => t,
        Err(e) => {
            let (line, col) = e.span().map_or((1, 1), |s| line_col(&text, s.start));
            diags.push(Diagnostic::error("site.toml", format!("invalid TOML: {}", e.message().trim())).at(line, col));
            return config;
        }
    };
    let known = [
        "title",
        "description",
        "base_url",
        "language",
        "output_dir",
        "max_article_bytes",
        "extraction",
    ];
    for (key, value) in &table {
        let at = |d: Diagnostic| {
            let (line, col) = text
                .find(&format!("{key} "))
                .or_else(|| text.find(&format!("{key}=")))
                .map_or((1, 1), |o| line_col(&text, o));
            d.at(line, col)
        };
        let string = |v: &toml::Value| v.as_str().map(|s| s.trim().to_string());
        match key.as_str() {
            "title" | "description" | "base_url" | "language" | "output_dir" => match string(value) {
                Some(s) => match key.as_str() {
                    "title" => config.title = s,
                    "description" => config.description = s,
                    "base_url" => config.base_url = s,
                    "language" => config.language = s,
                    _ => config.output_dir = s,
                },
                None => diags.push(at(Diagnostic::error("site.toml", format!("`{key}` must be text")))),
            },
            "max_article_bytes" => match value.as_integer() {
                Some(n) if n > 0 => config.max_article_bytes = n as u64,
                _ => diags.push(at(Diagnostic::error(
                    "site.toml",
                    "`max_article_bytes` must be a positive whole number of bytes",
                ))),
            },
            "extraction" => {
                let Some(t) = value.as_table() else {
                    diags.push(at(Diagnostic::error("site.toml", "`[extraction]` must be a table")));
                    continue;
                };
                for (k, v) in t {
                    match (k.as_str(), v.as_integer()) {
                        ("attach_window_days", Some(n)) if (0..=366).contains(&n) => {
                            config.extraction.attach_window_days = n;
                        }
                        ("carry_sentences", Some(n)) if (0..=50).contains(&n) => {
                            config.extraction.carry_sentences = n as usize;
                        }
                        _ => diags.push(at(Diagnostic::error(
                            "site.toml",
                            format!("`extraction.{k}` is unknown or out of range; expected attach_window_days (0-366) or carry_sentences (0-50)"),
                        ))),
                    }
                }
            }
            other => {
                let hint = crate::diagnostics::suggest(other, &known)
                    .map_or_else(String::new, |s| format!(": did you mean `{s}`?"));
                diags.push(at(Diagnostic::warning(
                    "site.toml",
                    format!("unknown setting `{other}`{hint}"),
                )));
            }
        }
    }
    config
}

/// Read every file under `dir` with one of `exts`, sorted by path, as (relative path, text).
fn read_tree(root: &Path, dir: &Path, how: &Reading<'_>, diags: &mut Vec<Diagnostic>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for path in files_of(root, dir, diags) {
        out.extend(read_file(root, &path, how, diags));
    }
    out
}

/// The files under `dir`, in name order. A symlink loop or an unreadable folder costs that
/// part (with a warning), not the build.
fn files_of(root: &Path, dir: &Path, diags: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if !dir.exists() {
        return out;
    }
    for entry in WalkDir::new(dir).follow_links(true).sort_by_file_name() {
        match entry {
            Ok(e) if e.file_type().is_file() => out.push(e.into_path()),
            Ok(_) => {}
            Err(e) => {
                let p = e.path().map_or_else(|| dir.to_path_buf(), Path::to_path_buf);
                let why = if e.loop_ancestor().is_some() {
                    "symbolic link loop".to_string()
                } else {
                    e.to_string()
                };
                diags.push(Diagnostic::warning(relative(root, &p), format!("skipped: {why}")));
            }
        }
    }
    out
}

/// Read one file of a tree: `None` (with a diagnostic where it matters) when it is hidden, of
/// another kind, too large, unreadable or not UTF-8.
fn read_file(root: &Path, path: &Path, how: &Reading<'_>, diags: &mut Vec<Diagnostic>) -> Option<(String, String)> {
    let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    if name.starts_with('.') {
        return None;
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if !how.exts.contains(&ext.as_str()) {
        return None;
    }
    let rel = relative(root, path);
    let size = fs::metadata(path).map_or(0, |m| m.len());
    if size > how.max_bytes {
        diags.push(Diagnostic::error(
            &rel,
            format!(
                "file is {size} bytes, over the limit of {} bytes (site.toml `max_article_bytes`)",
                how.max_bytes
            ),
        ));
        return None;
    }
    match fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Some((rel, text)),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                if how.lossy {
                    diags.push(Diagnostic::warning(
                        &rel,
                        format!("not valid UTF-8 at byte {at}; read with replacement characters (--lossy)"),
                    ));
                    Some((rel, String::from_utf8_lossy(e.as_bytes()).into_owned()))
                } else {
                    diags.push(Diagnostic::error(
                        &rel,
                        format!("not valid UTF-8 at byte {at}; save the file as UTF-8, or build with --lossy"),
                    ));
                    None
                }
            }
        },
        Err(e) => {
            diags.push(Diagnostic::warning(&rel, format!("skipped: cannot read: {e}")));
            None
        }
    }
}

pub fn read_static(root: &Path, diags: &mut Vec<Diagnostic>) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let dir = root.join("static");
    if !dir.exists() {
        return files;
    }
    for entry in WalkDir::new(&dir).sort_by_file_name() {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                let rel = relative(&dir, e.path());
                match fs::read(e.path()) {
                    Ok(bytes) => {
                        files.insert(rel, bytes);
                    }
                    Err(err) => diags.push(Diagnostic::error(
                        relative(root, e.path()),
                        format!("cannot read: {err}"),
                    )),
                }
            }
            Ok(_) => {}
            Err(e) => diags.push(Diagnostic::error("static", format!("cannot read: {e}"))),
        }
    }
    files
}

fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn stem(rel: &str) -> &str {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name.rsplit_once('.').map_or(name, |(s, _)| s)
}

fn check_id_collisions<'a>(items: impl Iterator<Item = (&'a str, &'a str)>, what: &str, diags: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for (id, path) in items {
        if let Some(first) = seen.insert(id, path) {
            diags.push(Diagnostic::error(
                path,
                format!("{what} id `{id}` is also the id of {first}; rename one of the two files"),
            ));
        }
    }
}

const ARTICLE_KEYS: &[&str] = &["title", "date", "publisher", "url", "author", "tags", "draft"];

/// Parse one article file. Returns `None` only when the file cannot be used at all.
pub fn parse_article(rel: &str, text: &str, diags: &mut Vec<Diagnostic>) -> Option<Article> {
    let file = Path::new(rel);
    let split = match frontmatter::split(text, file) {
        Ok(s) => s,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    let mut f = Fields::parse(&split, file);
    let title = f.string("title");
    let date_given = f.has("date");
    let date = f.date("date");
    let publisher = f.string("publisher");
    let url = f.string("url").and_then(|u| {
        if is_safe_url(&u) {
            Some(u)
        } else {
            diags.push(Diagnostic::warning(
                file,
                format!("`url = {u}` is dropped: only http, https and mailto links are kept"),
            ));
            None
        }
    });
    let author = f.string("author");
    let tags = f.list("tags");
    let draft = f.boolean("draft").unwrap_or(false);
    diags.extend(f.finish(ARTICLE_KEYS));

    let is_markdown = !rel.ends_with(".txt");
    let (mut blocks, had_html) = if is_markdown {
        markdown_blocks(split.body, split.body_line)
    } else {
        (text_blocks(split.body, split.body_line), false)
    };
    if had_html {
        diags.push(Diagnostic::warning(
            file,
            "raw HTML in the article is shown as text, not rendered",
        ));
    }
    let repeated_blocks = fold_repeated(&mut blocks);

    let (title, title_derived) = match title {
        Some(t) => (t, false),
        None => (derive_title(&mut blocks), true),
    };
    if blocks.is_empty() {
        diags.push(Diagnostic::warning(file, "the article has no text"));
    }
    if !date_given {
        let how = match split.format {
            frontmatter::Format::Toml => "add `date = YYYY-MM-DD` to the front matter",
            frontmatter::Format::Yaml => "add `date: YYYY-MM-DD` to the front matter",
            frontmatter::Format::None => {
                "add front matter at the top of the file: a line `+++`, a line `date = YYYY-MM-DD`, a line `+++`"
            }
        };
        diags.push(Diagnostic::warning(
            file,
            format!("no `date`: relative dates such as \"on Monday\" stay unresolved; {how}"),
        ));
    }
    Some(Article {
        id: slugify(stem(rel)),
        path: rel.to_string(),
        title,
        title_derived,
        date,
        publisher,
        url,
        author,
        tags,
        draft,
        blocks,
        repeated_blocks,
    })
}

/// Links that may appear in a page: no `javascript:`, `data:` or other schemes.
pub fn is_safe_url(u: &str) -> bool {
    let lower = u.trim().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:")
}

/// Plain text: every non-blank line is a paragraph (wire copy rarely wraps lines).
fn text_blocks(body: &str, first_line: usize) -> Vec<Block> {
    body.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| Block {
            kind: BlockKind::Paragraph,
            text: squash_whitespace(l),
            line: first_line + i,
        })
        .collect()
}

/// Markdown: paragraphs, headings, quotes and list items as plain text. Raw HTML is kept as
/// text (it is escaped when rendered). A line break after a long line ending a sentence starts
/// a new paragraph, since pasted articles often put one paragraph per line.
fn markdown_blocks(body: &str, first_line: usize) -> (Vec<Block>, bool) {
    let (prepared, inserted) = split_unwrapped_lines(body);
    let mut blocks = Vec::new();
    let mut had_html = false;
    let mut current: Option<(BlockKind, String, usize)> = None;
    let mut quote_depth = 0usize;
    let mut lines = LineCursor::new(prepared.as_bytes());
    let mut line_of = |offset: usize| -> usize {
        let offset = offset.min(prepared.len());
        // `inserted` is in ascending order.
        let added = inserted.partition_point(|&at| at < offset);
        first_line + lines.newlines_before(offset) - added
    };
    let parser = Parser::new_ext(&prepared, pulldown_cmark::Options::empty()).into_offset_iter();
    for (event, range) in parser {
        match event {
            Event::Start(Tag::Paragraph) | Event::Start(Tag::Item) | Event::Start(Tag::Heading { .. }) => {
                let kind = match event {
                    Event::Start(Tag::Heading {
                        level: HeadingLevel::H1 | HeadingLevel::H2 | HeadingLevel::H3,
                        ..
                    })
                    | Event::Start(Tag::Heading { .. }) => BlockKind::Heading,
                    Event::Start(Tag::Item) => BlockKind::Item,
                    _ if quote_depth > 0 => BlockKind::Quote,
                    _ => BlockKind::Paragraph,
                };
                if current.is_none() {
                    current = Some((kind, String::new(), line_of(range.start)));
                }
            }
            Event::Start(Tag::BlockQuote(_)) => quote_depth += 1,
            Event::End(TagEnd::BlockQuote(_)) => quote_depth = quote_depth.saturating_sub(1),
            Event::End(TagEnd::Paragraph) | Event::End(TagEnd::Item) | Event::End(TagEnd::Heading(_)) => {
                if let Some((kind, text, line)) = current.take() {
                    let text = squash_whitespace_owned(text);
                    if !text.is_empty() {
                        blocks.push(Block { kind, text, line });
                    }
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, buf, _)) = current.as_mut() {
                    buf.push_str(&t);
                }
            }
            Event::Html(t) | Event::InlineHtml(t) => {
                had_html = true;
                match current.as_mut() {
                    Some((_, buf, _)) => buf.push_str(&t),
                    None => {
                        let text = squash_whitespace(&t);
                        if !text.is_empty() {
                            blocks.push(Block {
                                kind: BlockKind::Paragraph,
                                text,
                                line: line_of(range.start),
                            });
                        }
                    }
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some((_, buf, _)) = current.as_mut() {
                    buf.push(' ');
                }
            }
            _ => {}
        }
    }
    (blocks, had_html)
}

/// Counts the newlines before an offset, starting from the last offset asked about: blocks
/// are asked for in file order, so the text is scanned about once instead of once per block.
struct LineCursor<'a> {
    text: &'a [u8],
    offset: usize,
    newlines: usize,
}

impl<'a> LineCursor<'a> {
    fn new(text: &'a [u8]) -> Self {
        LineCursor {
            text,
            offset: 0,
            newlines: 0,
        }
    }

    /// Newlines in `text[..offset]`; `offset` must be at most the text's length.
    fn newlines_before(&mut self, offset: usize) -> usize {
        // Chunks short enough for 8-bit counts, added with no early exit, so vector registers
        // take many bytes at a time.
        let count = |bytes: &[u8]| -> usize {
            bytes
                .chunks(255)
                .map(|c| usize::from(c.iter().fold(0u8, |n, &b| n + u8::from(b == b'\n'))))
                .sum()
        };
        if offset >= self.offset {
            self.newlines += count(&self.text[self.offset..offset]);
        } else {
            self.newlines -= count(&self.text[offset..self.offset]);
        }
        self.offset = offset;
        self.newlines
    }
}

/// Pasted articles often put one paragraph per line and never wrap. When any prose line is
/// longer than hard-wrapped Markdown would have (120 characters), every line break between two
/// prose lines is taken as a paragraph break: a blank line is inserted. Returns the text and
/// the offsets of the inserted newlines, so block line numbers can be mapped back to the file.
fn split_unwrapped_lines(body: &str) -> (String, Vec<usize>) {
    let prose = |l: &str| {
        let t = l.trim_start();
        !t.is_empty()
            && l.len() == t.len()
            && !t.starts_with(['#', '>', '-', '*', '+', '|', '<', '`', '='])
            && !t.chars().next().is_some_and(|c| c.is_ascii_digit())
    };
    let lines: Vec<&str> = body.lines().collect();
    let unwrapped = lines.iter().any(|l| prose(l) && l.chars().count() > 120);
    let mut out = String::with_capacity(body.len() + 64);
    let mut inserted = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        out.push_str(line);
        out.push('\n');
        let next = lines.get(i + 1).copied().unwrap_or("");
        if unwrapped && prose(line) && prose(next) {
            inserted.push(out.len());
            out.push('\n');
        }
    }
    (out, inserted)
}

/// Drop blocks that repeat an earlier block word for word (scraping artefacts such as an
/// article pasted twice); returns how many were dropped.
///
/// Folding every block was most of the cost of loading, so each block first gets a cheap
/// [`fold_signature`], which blocks with the same folded key always share. Blocks with the
/// same signature and the same text repeat one another; only blocks whose signature is shared
/// by a different text are folded and compared.
fn fold_repeated(blocks: &mut Vec<Block>) -> usize {
    let signatures: Vec<FoldSignature> = blocks.iter().map(|b| fold_signature(&b.text)).collect();
    let mut order: Vec<usize> = (0..blocks.len()).collect();
    // A stable sort, so each group of equal signatures is in file order.
    order.sort_by_key(|&i| signatures[i]);
    let mut keep = vec![true; blocks.len()];
    for group in order.chunk_by(|&a, &b| signatures[a] == signatures[b]) {
        let Some((&first, rest)) = group.split_first() else {
            continue;
        };
        if rest.iter().all(|&i| blocks[i].text == blocks[first].text) {
            for &i in rest {
                keep[i] = false;
            }
        } else {
            let mut seen = std::collections::HashSet::new();
            for &i in group {
                keep[i] = seen.insert(crate::text::fold_key(&blocks[i].text));
            }
        }
    }
    let before = blocks.len();
    let mut keep = keep.into_iter();
    blocks.retain(|_| keep.next().unwrap_or(true));
    before - blocks.len()
}

/// How many letters and digits a text's folded key holds, and the sum of their byte values.
/// Folding lowercases ASCII letters, keeps digits and turns every other ASCII character into
/// a space or nothing, so an ASCII text has the same signature as its folded key and needs no
/// folding; other text is folded first.
type FoldSignature = (u64, u64);

fn fold_signature(text: &str) -> FoldSignature {
    if !text.is_ascii() {
        return fold_signature(&crate::text::fold_key(text));
    }
    let (mut count, mut sum) = (0, 0);
    // Chunks short enough for 16-bit sums (256 × b'z' < 2^16), added with no early exit, so
    // vector registers take many bytes at a time.
    for chunk in text.as_bytes().chunks(256) {
        let (n, s) = chunk.iter().fold((0u16, 0u16), |(n, s), &b| {
            // Lowercase a letter; a digit already has the 0x20 bit.
            let lower = b | 0x20;
            let alnum = (lower.wrapping_sub(b'a') < 26) | (b.wrapping_sub(b'0') < 10);
            (n + u16::from(alnum), s + if alnum { u16::from(lower) } else { 0 })
        });
        count += u64::from(n);
        sum += u64::from(s);
    }
    (count, sum)
}

/// A title from the text: a first line that reads as a headline (short, no final full stop)
/// is taken out of the body; otherwise the first sentence, shortened, without a dateline.
fn derive_title(blocks: &mut Vec<Block>) -> String {
    let Some(first) = blocks.first() else {
        return "Untitled article".into();
    };
    let t = first.text.trim();
    let headline = blocks.len() > 1
        && t.chars().count() <= 160
        && !t.ends_with(['.', ':', ';', ','])
        && t.split_whitespace().count() >= 3;
    if headline {
        let title = t.to_string();
        blocks.remove(0);
        return title;
    }
    let sentence = crate::text::split_sentences(t)
        .first()
        .map_or(t, |s| &t[s.start..s.end])
        .to_string();
    let sentence = strip_dateline(&sentence);
    shorten(sentence.trim_end_matches('.'), 90)
}

/// Remove a leading dateline such as "Shafaq News/ ", "BAGHDAD (Reuters) - " or "WASHINGTON — ".
pub fn strip_dateline(s: &str) -> &str {
    let head: String = s.chars().take(60).collect();
    for sep in ["/ ", " - ", " — ", " – ", ": "] {
        if let Some(i) = head.find(sep) {
            let before = &head[..i];
            let looks_like_dateline = before.split_whitespace().count() <= 4
                && (before.chars().filter(|c| c.is_alphabetic()).all(|c| c.is_uppercase())
                    || before.contains('(')
                    || sep == "/ ");
            if looks_like_dateline {
                return s[i + sep.len()..].trim_start();
            }
        }
    }
    s
}

/// Cut text to at most `max` characters on a word boundary, marking the cut with "…".
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
    format!("{}…", cut.trim_end_matches([',', ';', ':']))
}

const GROUP_KEYS: &[&str] = &["name", "aliases", "kind", "member_of", "country"];
const PLACE_KEYS: &[&str] = &["name", "aliases", "kind", "country", "lat", "lon", "within"];
const NOTE_KEYS: &[&str] = &["title", "merge", "exclude"];

fn entity_id(rel: &str, diags: &mut Vec<Diagnostic>) -> String {
    let raw = stem(rel);
    let id = slugify(raw);
    if id != raw {
        diags.push(Diagnostic::warning(
            rel,
            format!("file name `{raw}` is used as id `{id}`; rename the file to `{id}.md` to make that explicit"),
        ));
    }
    id
}

fn parse_group(rel: &str, text: &str, diags: &mut Vec<Diagnostic>) -> Option<Group> {
    let file = Path::new(rel);
    let split = frontmatter::split(text, file).map_err(|d| diags.push(d)).ok()?;
    let mut f = Fields::parse(&split, file);
    let id = entity_id(rel, diags);
    let name = f.string("name");
    let group = Group {
        name: name.unwrap_or_else(|| id.replace('-', " ")),
        aliases: f.list("aliases"),
        kind: f.string("kind").unwrap_or_else(|| "armed-group".into()),
        member_of: f.list("member_of"),
        country: f.string("country"),
        description: split.body.trim().to_string(),
        path: rel.to_string(),
        id,
    };
    diags.extend(f.finish(GROUP_KEYS));
    Some(group)
}

fn parse_place(rel: &str, text: &str, diags: &mut Vec<Diagnostic>) -> Option<Place> {
    let file = Path::new(rel);
    let split = frontmatter::split(text, file).map_err(|d| diags.push(d)).ok()?;
    let mut f = Fields::parse(&split, file);
    let id = entity_id(rel, diags);
    let name = f.string("name");
    let place = Place {
        name: name.unwrap_or_else(|| id.replace('-', " ")),
        aliases: f.list("aliases"),
        kind: f.string("kind").unwrap_or_else(|| "site".into()),
        country: f.string("country"),
        lat: f.number("lat", -90.0, 90.0),
        lon: f.number("lon", -180.0, 180.0),
        within: f.string("within"),
        description: split.body.trim().to_string(),
        path: rel.to_string(),
        id,
    };
    diags.extend(f.finish(PLACE_KEYS));
    Some(place)
}

fn parse_note(rel: &str, text: &str, diags: &mut Vec<Diagnostic>) -> Option<IncidentNote> {
    let file = Path::new(rel);
    let split = frontmatter::split(text, file).map_err(|d| diags.push(d)).ok()?;
    let mut f = Fields::parse(&split, file);
    let note = IncidentNote {
        id: stem(rel).to_string(),
        path: rel.to_string(),
        title: f.string("title"),
        merge: f.list("merge"),
        exclude: f.boolean("exclude").unwrap_or(false),
        body: split.body.trim().to_string(),
    };
    diags.extend(f.finish(NOTE_KEYS));
    Some(note)
}

/// Where a relative path would land, refusing anything that could leave its folder.
pub fn safe_relative(path: &str) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for part in path.split('/') {
        if part.is_empty() || part == "." || part == ".." || part.contains(['\\', '\0', ':']) {
            return None;
        }
        out.push(part);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The missing-date warning says how to add a date in the article's own front matter
    /// syntax, and doing what it says gives a dated article with no such warning.
    #[test]
    fn the_missing_date_warning_gives_a_fix_that_works() {
        let body = "Rockets hit the base on Monday.\n";
        let cases = [
            (
                "+++\ntitle = \"T\"\n+++\n",
                "date = YYYY-MM-DD",
                "+++\ntitle = \"T\"\ndate = 2023-10-19\n+++\n",
            ),
            (
                "---\ntitle: T\n---\n",
                "date: YYYY-MM-DD",
                "---\ntitle: T\ndate: 2023-10-19\n---\n",
            ),
            (
                "",
                "`+++`, a line `date = YYYY-MM-DD`, a line `+++`",
                "+++\ndate = 2023-10-19\n+++\n",
            ),
        ];
        for (matter, advice, fixed) in cases {
            let mut d = Vec::new();
            let a = parse_article("content/articles/a.md", &format!("{matter}{body}"), &mut d);
            assert!(a.is_some_and(|a| a.date.is_none()), "{matter:?}");
            let warning = d.iter().find(|x| x.message.starts_with("no `date`"));
            assert!(warning.is_some_and(|w| w.message.contains(advice)), "{matter:?}: {d:?}");

            let mut d = Vec::new();
            let a = parse_article("content/articles/a.md", &format!("{fixed}{body}"), &mut d);
            assert_eq!(
                a.and_then(|a| a.date),
                NaiveDate::from_ymd_opt(2023, 10, 19),
                "{fixed:?}"
            );
            assert!(
                !d.iter().any(|x| x.message.starts_with("no `date`")),
                "{fixed:?}: {d:?}"
            );
        }
    }

    #[test]
    fn headline_first_line_becomes_title() {
        let mut d = Vec::new();
        let a = parse_article(
            "content/articles/002-x.txt",
            "Militia claims attack on base\n\nThe group said it did.\n",
            &mut d,
        )
        .unwrap();
        assert_eq!(a.title, "Militia claims attack on base");
        assert!(a.title_derived);
        assert_eq!(a.blocks.len(), 1);
        assert_eq!(a.blocks[0].line, 3);
    }

    #[test]
    fn dateline_is_not_part_of_a_derived_title() {
        let mut d = Vec::new();
        let a = parse_article(
            "content/articles/a.txt",
            "Shafaq News/ The group claimed a drone attack on the base.\nMore text follows here.\n",
            &mut d,
        )
        .unwrap();
        assert_eq!(a.title, "The group claimed a drone attack on the base");
    }

    #[test]
    fn repeated_paragraphs_are_folded() {
        let mut d = Vec::new();
        let body = "+++\ndate = 2023-10-23\n+++\nFirst paragraph here.\n\nSecond one.\n\nFirst paragraph here.\n\nSecond one.\n";
        let a = parse_article("content/articles/a.md", body, &mut d).unwrap();
        assert_eq!(a.repeated_blocks, 2);
        assert_eq!(a.blocks.len(), 2, "{:?}", a.blocks);
    }

    #[test]
    fn unwrapped_markdown_lines_are_paragraphs_with_true_line_numbers() {
        let long = "This is a long sentence that goes on and on well past one hundred and twenty characters in length, as pasted text does.";
        let body = format!("+++\ndate = 2023-10-23\n+++\n{long}\n{long} Again.\nshort line.\n");
        let mut d = Vec::new();
        let a = parse_article("content/articles/a.md", &body, &mut d).unwrap();
        let lines: Vec<usize> = a.blocks.iter().map(|b| b.line).collect();
        assert_eq!(lines, vec![4, 5, 6]);
        assert_eq!(a.blocks[2].text, "short line.");
    }

    #[test]
    fn hard_wrapped_markdown_keeps_its_paragraphs() {
        let body = "+++\ndate = 2023-10-23\n+++\nA wrapped line\nthat continues.\n\nNext paragraph.\n";
        let mut d = Vec::new();
        let a = parse_article("content/articles/a.md", body, &mut d).unwrap();
        assert_eq!(a.blocks.len(), 2);
        assert_eq!(a.blocks[0].text, "A wrapped line that continues.");
        assert_eq!(a.blocks[1].line, 7);
    }

    #[test]
    fn repeats_differing_only_in_case_and_punctuation_are_folded() {
        let mut blocks: Vec<Block> = ["The base, hit.", "Ain al-Asad", "the BASE hit", "Aïn al Asad", "Other"]
            .iter()
            .map(|t| Block {
                kind: BlockKind::Paragraph,
                text: t.to_string(),
                line: 1,
            })
            .collect();
        assert_eq!(fold_repeated(&mut blocks), 2);
        let texts: Vec<&str> = blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(texts, ["The base, hit.", "Ain al-Asad", "Other"]);
    }

    proptest::proptest! {
        #[test]
        fn ascii_text_has_the_signature_of_its_folded_key(s in "[aZz09 .'`sS\\-\t\n#_@\\[{~\x7f]{0,40}") {
            proptest::prop_assert_eq!(fold_signature(&s), fold_signature(&crate::text::fold_key(&s)));
        }

        #[test]
        fn folding_repeats_drops_what_folding_every_block_drops(
            texts in proptest::collection::vec("[aAbB '.\u{e9}]{0,6}", 0..12)
        ) {
            let mut blocks: Vec<Block> = texts
                .iter()
                .map(|t| Block { kind: BlockKind::Paragraph, text: t.clone(), line: 1 })
                .collect();
            let mut seen = std::collections::HashSet::new();
            let total = texts.len();
            let expected: Vec<String> =
                texts.into_iter().filter(|t| seen.insert(crate::text::fold_key(t))).collect();
            let dropped = fold_repeated(&mut blocks);
            let kept: Vec<String> = blocks.into_iter().map(|b| b.text).collect();
            proptest::prop_assert_eq!(dropped, total - expected.len());
            proptest::prop_assert_eq!(kept, expected);
        }
    }

    #[test]
    fn unsafe_urls_are_dropped() {
        assert!(!is_safe_url("javascript:alert(1)"));
        assert!(is_safe_url("https://example.org/a"));
    }

    #[test]
    fn safe_relative_refuses_escapes() {
        assert!(safe_relative("../x").is_none());
        assert!(safe_relative("/etc/passwd").is_none());
        assert!(safe_relative("a/b.css").is_some());
    }
}
