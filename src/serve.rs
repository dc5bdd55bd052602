//! `sitrep serve`: the briefing served from memory on 127.0.0.1 and kept up to date as
//! content, templates, static files or site.toml change; open pages reload over Server-Sent
//! Events. A broken edit keeps the last good version of the file served and shows the error in
//! the terminal and as an overlay in the page.
//!
//! One thread, the workshop, owns the build ([`Session`]): it applies changes (an edited
//! article is re-read and re-analysed on its own, then the briefing derived again) and renders
//! each page when it is first asked for, so an edit costs one article's analysis and one
//! derivation, not a whole build.

use std::collections::HashMap;
use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use notify::RecursiveMode;
use tokio::sync::{broadcast, oneshot};
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use crate::build::BuildOptions;
use crate::console;
use crate::diagnostics::Diagnostic;
use crate::render::{DataFile, Job, Plan};
use crate::session::{Session, Updated};

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub port: u16,
    pub open: bool,
    pub drafts: bool,
}

/// What the browser is told.
#[derive(Debug, Clone)]
enum Notice {
    Reload,
    Failed(String),
}

/// Messages to the workshop.
enum Request {
    /// A page, by its path in the site (`incidents/x/index.html`).
    Page(String, oneshot::Sender<Answer>),
    /// Files changed (absolute paths).
    Changed(Vec<PathBuf>),
}

/// The workshop's answer to a page request.
enum Answer {
    Found(String, Arc<Vec<u8>>),
    /// The page lives at this folder URL (`incidents/x` → `/incidents/x/`).
    Folder(String),
    /// A page failed to render (a template error); the message says why.
    Failed(String),
    NotFound(Option<Arc<Vec<u8>>>),
}

struct Shared {
    workshop: mpsc::Sender<Request>,
    /// The warnings printed so far.
    shown: std::sync::Mutex<std::collections::BTreeSet<Diagnostic>>,
    error: RwLock<Option<String>>,
    notices: broadcast::Sender<Notice>,
}

const LIVE_JS: &str = include_str!("live.js");

/// How long the watcher waits for a burst of file events (an editor's save) to settle.
const SETTLE: Duration = Duration::from_millis(40);

/// Build once, then serve and update on change until interrupted.
pub fn serve(mut options: ServeOptions) -> Result<(), String> {
    options.root = std::path::absolute(&options.root).map_err(|e| format!("{}: {e}", options.root.display()))?;
    let (notices, _) = broadcast::channel(16);
    let (to_workshop, requests) = mpsc::channel();
    let shared = Arc::new(Shared {
        workshop: to_workshop.clone(),
        shown: Default::default(),
        error: RwLock::new(None),
        notices,
    });
    let started = Instant::now();
    let build = BuildOptions {
        drafts: options.drafts,
        progress: true,
        ..BuildOptions::default()
    };
    let session = match Session::open(&options.root, &build) {
        Ok(s) => {
            report(&s, &shared, &format!("built in {} ms", started.elapsed().as_millis()));
            Some(s)
        }
        Err(diags) => {
            fail(&diags, &shared);
            None
        }
    };

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], options.port));
    let listener = runtime.block_on(tokio::net::TcpListener::bind(addr)).map_err(|e| {
        format!(
            "cannot listen on {addr}: {e} (is another server using port {}? try --port)",
            options.port
        )
    })?;
    let url = format!("http://{addr}/");
    console::say(&format!("serving {} at {url} (Ctrl-C to stop)", options.root.display()));
    if options.open {
        let _ = std::process::Command::new("xdg-open").arg(&url).spawn();
    }

    let root = options.root.clone();
    let mut debouncer = notify_debouncer_full::new_debouncer(
        SETTLE,
        None,
        move |result: notify_debouncer_full::DebounceEventResult| {
            let paths: Vec<PathBuf> = match result {
                // Reading files raises access events: only writes count.
                Ok(events) => events
                    .iter()
                    .filter(|e| !matches!(e.kind, notify::EventKind::Access(_)))
                    .flat_map(|e| e.paths.iter().filter(|p| crate::session::is_watched(&root, p)).cloned())
                    .collect(),
                // Events were lost: look at everything again.
                Err(_) => vec![root.join("site.toml")],
            };
            if !paths.is_empty() {
                let _ = to_workshop.send(Request::Changed(paths));
            }
        },
    )
    .map_err(|e| format!("cannot watch files: {e}"))?;
    for (path, mode) in watched(&options.root) {
        if path.exists() {
            debouncer
                .watch(&path, mode)
                .map_err(|e| format!("cannot watch {}: {e}", path.display()))?;
        }
    }
    let workshop_shared = Arc::clone(&shared);
    let workshop_root = options.root.clone();
    std::thread::spawn(move || workshop(&workshop_root, &build, session, &requests, &workshop_shared));

    let app = Router::new()
        .route("/__sitrep/live.js", get(live_js))
        .route("/__sitrep/events", get(events))
        .fallback(get(page))
        .with_state(Arc::clone(&shared));
    runtime
        .block_on(async { axum::serve(listener, app).await })
        .map_err(|e| format!("server stopped: {e}"))?;
    drop(debouncer);
    Ok(())
}

/// Folders and files whose change triggers an update.
fn watched(root: &Path) -> Vec<(PathBuf, RecursiveMode)> {
    vec![
        (root.join("content"), RecursiveMode::Recursive),
        (root.join("templates"), RecursiveMode::Recursive),
        (root.join("static"), RecursiveMode::Recursive),
        (root.to_path_buf(), RecursiveMode::NonRecursive),
    ]
}

/// The workshop loop: answer page requests from the current session, rendering each page once
/// per version of the site; apply changes as they come.
fn workshop(
    root: &Path,
    options: &BuildOptions,
    mut session: Option<Session>,
    requests: &mpsc::Receiver<Request>,
    shared: &Shared,
) {
    // Page requests that came in while the site was being updated, answered by the next one.
    let mut pending: Vec<Request> = Vec::new();
    loop {
        let mut queue = std::mem::take(&mut pending)
            .into_iter()
            .chain(std::iter::from_fn(|| requests.recv().ok()));
        let changed = match &session {
            Some(s) => match Site::new(s) {
                Ok(site) => site.answer_until_change(&mut queue),
                Err(diags) => answer_failed(&diags, shared, &mut queue),
            },
            None => answer_failed(&[], shared, &mut queue),
        };
        drop(queue);
        let Some(mut changed) = changed else { return };
        // Take every change already queued: one update for a burst of saves.
        while let Ok(r) = requests.try_recv() {
            match r {
                Request::Changed(more) => changed.extend(more),
                page => pending.push(page),
            }
        }
        let started = Instant::now();
        match session.as_mut() {
            Some(s) => {
                let templates = s.corpus.templates.clone();
                let what = s.update(&changed);
                let retemplated = s.corpus.templates != templates;
                let checked = if retemplated || what == Updated::Everything {
                    crate::render::check_templates(&s.corpus)
                } else {
                    Ok(())
                };
                // Templates that no longer compile: keep the last good ones and say why.
                if let Err(diags) = checked {
                    if retemplated && what != Updated::Everything {
                        s.corpus.templates = templates;
                    }
                    fail(&diags, shared);
                } else if what != Updated::Nothing {
                    report(s, shared, &describe(&what, started));
                }
            }
            None => match Session::open(root, options) {
                Ok(s) => {
                    report(&s, shared, &describe(&Updated::Everything, started));
                    session = Some(s);
                }
                Err(diags) => fail(&diags, shared),
            },
        }
    }
}

fn describe(what: &Updated, started: Instant) -> String {
    let ms = started.elapsed().as_millis();
    match what {
        Updated::Nothing => format!("nothing to update ({ms} ms)"),
        Updated::Articles(1) => format!("updated 1 article in {ms} ms"),
        Updated::Articles(n) => format!("updated {n} articles in {ms} ms"),
        Updated::Notes => format!("updated incident notes in {ms} ms"),
        Updated::Theme => format!("updated the theme in {ms} ms"),
        Updated::Everything => format!("rebuilt everything in {ms} ms"),
    }
}

/// Print the session's problems; with errors show the overlay, else reload the browsers.
/// Warnings already printed are not printed again (at scale there are hundreds).
fn report(session: &Session, shared: &Shared, done: &str) {
    let diags = session.diagnostics();
    if session.has_errors() {
        fail(&diags, shared);
        return;
    }
    let mut shown = shared.shown.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let new: Vec<Diagnostic> = diags.iter().filter(|d| !shown.contains(*d)).cloned().collect();
    console::print_diagnostics(&new);
    *shown = diags.into_iter().collect();
    if let Ok(mut e) = shared.error.write() {
        *e = None;
    }
    console::say(done);
    let _ = shared.notices.send(Notice::Reload);
}

/// Print the problems and show them over the open pages.
fn fail(diags: &[Diagnostic], shared: &Shared) {
    console::print_diagnostics(diags);
    let message = diags
        .iter()
        .filter(|d| d.is_error())
        .map(Diagnostic::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    console::fail("the site has errors; still serving the last good version");
    if let Ok(mut e) = shared.error.write() {
        *e = Some(message.clone());
    }
    let _ = shared.notices.send(Notice::Failed(message));
}

/// With no site to show (the first build failed, or its templates do not compile), answer
/// every page with the error until something changes.
fn answer_failed(
    diags: &[Diagnostic],
    shared: &Shared,
    requests: &mut impl Iterator<Item = Request>,
) -> Option<Vec<PathBuf>> {
    if !diags.is_empty() {
        fail(diags, shared);
    }
    loop {
        match requests.next()? {
            Request::Changed(paths) => return Some(paths),
            Request::Page(_, reply) => {
                let message = shared.error.read().ok().and_then(|e| e.clone()).unwrap_or_default();
                let _ = reply.send(Answer::Failed(message));
            }
        }
    }
}

/// One version of the site: what to render and the pages made so far. Pages and feeds are
/// found by their path ([`Plan::job_at`]); only the few other files are listed.
struct Site<'a> {
    plan: Plan<'a>,
    /// Path → a file made in advance or a data file.
    files: HashMap<String, Maker>,
    made: HashMap<String, Arc<Vec<u8>>>,
}

#[derive(Clone, Copy)]
enum Maker {
    Job(Job),
    File(usize),
    Data(DataFile),
}

impl<'a> Site<'a> {
    fn new(session: &'a Session) -> Result<Site<'a>, Vec<Diagnostic>> {
        let mut plan = crate::render::plan(&session.corpus, &session.briefing, &session.analyses)?;
        plan.render_one_at_a_time();
        let mut files: HashMap<String, Maker> = HashMap::new();
        for (i, f) in plan.files.iter().enumerate() {
            files.insert(f.path.clone(), Maker::File(i));
        }
        for d in &plan.data {
            files.insert(d.path().to_string(), Maker::Data(*d));
        }
        Ok(Site {
            plan,
            files,
            made: HashMap::new(),
        })
    }

    /// What makes the file at `key`, if anything.
    fn maker(&self, key: &str) -> Option<Maker> {
        self.plan
            .job_at(key)
            .map(Maker::Job)
            .or_else(|| self.files.get(key).copied())
    }

    /// Answer page requests until files change; `None` when the server is gone.
    fn answer_until_change(mut self, requests: &mut impl Iterator<Item = Request>) -> Option<Vec<PathBuf>> {
        loop {
            match requests.next()? {
                Request::Changed(paths) => return Some(paths),
                Request::Page(path, reply) => {
                    let _ = reply.send(self.answer(&path));
                }
            }
        }
    }

    fn answer(&mut self, path: &str) -> Answer {
        let key = if path.is_empty() || path.ends_with('/') {
            format!("{path}index.html")
        } else {
            path.to_string()
        };
        match self.get(&key) {
            Ok(Some(bytes)) => Answer::Found(key, bytes),
            Err(message) => Answer::Failed(message),
            Ok(None) if self.maker(&format!("{path}/index.html")).is_some() => Answer::Folder(format!("/{path}/")),
            Ok(None) => Answer::NotFound(self.get("404.html").ok().flatten()),
        }
    }

    /// The bytes at `key`, made on first request (HTML with the live-reload script).
    fn get(&mut self, key: &str) -> Result<Option<Arc<Vec<u8>>>, String> {
        if let Some(bytes) = self.made.get(key) {
            return Ok(Some(Arc::clone(bytes)));
        }
        let Some(maker) = self.maker(key) else {
            return Ok(None);
        };
        let bytes = match maker {
            Maker::Job(job) => self.plan.render(job).map_err(|d| d.to_string())?.bytes,
            Maker::File(i) => self.plan.files[i].bytes.clone(),
            Maker::Data(d) => self.plan.data_page(d).bytes,
        };
        let bytes = Arc::new(if key.ends_with(".html") {
            inject_live_reload(&bytes)
        } else {
            bytes
        });
        self.made.insert(key.to_string(), Arc::clone(&bytes));
        Ok(Some(bytes))
    }
}

async fn live_js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        LIVE_JS,
    )
        .into_response()
}

async fn events(State(shared): State<Arc<Shared>>) -> Sse<impl tokio_stream::Stream<Item = Result<Event, Infallible>>> {
    // A page that connects while the last build is broken sees the error at once.
    let current = shared.error.read().ok().and_then(|e| e.clone()).map(Notice::Failed);
    let updates = BroadcastStream::new(shared.notices.subscribe()).filter_map(|n| n.ok());
    let stream = tokio_stream::iter(current).chain(updates).map(|n| {
        Ok(match n {
            Notice::Reload => Event::default().event("reload").data("reload"),
            Notice::Failed(msg) => Event::default().event("build-error").data(msg),
        })
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

async fn page(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let raw = percent_decode(uri.path());
    let path = raw.trim_start_matches('/');
    if path.split('/').any(|s| s == "..") {
        return (StatusCode::BAD_REQUEST, "bad path").into_response();
    }
    let (reply, answer) = oneshot::channel();
    if shared.workshop.send(Request::Page(path.to_string(), reply)).is_err() {
        return (StatusCode::SERVICE_UNAVAILABLE, "the server is stopping").into_response();
    }
    match answer.await {
        Ok(Answer::Found(key, bytes)) => respond(StatusCode::OK, &key, &bytes),
        Ok(Answer::Folder(location)) => Response::builder()
            .status(StatusCode::MOVED_PERMANENTLY)
            .header(header::LOCATION, location)
            .body(Body::empty())
            .unwrap_or_default(),
        Ok(Answer::NotFound(Some(bytes))) => respond(StatusCode::NOT_FOUND, "404.html", &bytes),
        Ok(Answer::NotFound(None)) => (StatusCode::NOT_FOUND, "not found").into_response(),
        Ok(Answer::Failed(message)) => {
            let html = format!(
                "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>sitrep: error</title></head>\
                 <body><main><h1>This page could not be made</h1><pre>{}</pre></main></body></html>",
                crate::render::escape(&message)
            );
            respond(
                StatusCode::INTERNAL_SERVER_ERROR,
                "error.html",
                &inject_live_reload(html.as_bytes()),
            )
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "the server is stopping").into_response(),
    }
}

fn respond(status: StatusCode, path: &str, bytes: &[u8]) -> Response {
    let ext = path.rsplit('.').next().unwrap_or("");
    let mime = match ext {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    };
    let mut res = Response::new(Body::from(bytes.to_vec()));
    *res.status_mut() = status;
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Add the live-reload script to a page, and let the page's policy allow its connection.
/// Only `serve` does this: built sites carry no such script.
pub fn inject_live_reload(html: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(html);
    let text = text.replacen("default-src 'none';", "default-src 'none'; connect-src 'self';", 1);
    let tag = "<script src=\"/__sitrep/live.js\"></script>\n";
    match text.rfind("</body>") {
        Some(i) => format!("{}{tag}{}", &text[..i], &text[i..]).into_bytes(),
        None => format!("{text}{tag}").into_bytes(),
    }
}

/// Decode %XX escapes in a URL path (invalid ones are kept as written).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injection_adds_script_and_connect_permission() {
        let html = b"<html><head><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'self'\"></head><body><p>x</p></body></html>";
        let out = String::from_utf8(inject_live_reload(html)).unwrap();
        assert!(out.contains("connect-src 'self'"));
        assert!(out.contains("<script src=\"/__sitrep/live.js\"></script>\n</body>"));
    }

    #[test]
    fn paths_are_decoded() {
        assert_eq!(percent_decode("/a%20b/"), "/a b/");
        assert_eq!(percent_decode("/bad%zz"), "/bad%zz");
    }

    #[test]
    fn only_sources_trigger_rebuilds() {
        let root = Path::new("/p");
        let watched = |p: &str| crate::session::is_watched(root, Path::new(p));
        assert!(watched("/p/content/articles/a.md"));
        assert!(watched("/p/site.toml"));
        assert!(watched("/p/templates"));
        assert!(!watched("/p/public/index.html"));
        assert!(!watched("/p/content/articles/.a.md.swp"));
        assert!(!watched("/elsewhere/site.toml"));
    }
}
