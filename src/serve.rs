//! `sitrep serve`: the briefing served from memory on 127.0.0.1, rebuilt when content,
//! templates, static files or site.toml change, and open pages reloaded over Server-Sent
//! Events. A broken edit keeps the last good site served and shows the error in the terminal
//! and as an overlay in the page.

use std::collections::BTreeMap;
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
use tokio::sync::broadcast;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use crate::build::{BuildOptions, build_site};
use crate::console;
use crate::diagnostics::Diagnostic;

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

struct Shared {
    pages: RwLock<Arc<BTreeMap<String, Vec<u8>>>>,
    error: RwLock<Option<String>>,
    notices: broadcast::Sender<Notice>,
}

const LIVE_JS: &str = include_str!("live.js");

/// Build once, then serve and rebuild on change until interrupted.
pub fn serve(mut options: ServeOptions) -> Result<(), String> {
    options.root = std::path::absolute(&options.root).map_err(|e| format!("{}: {e}", options.root.display()))?;
    let (notices, _) = broadcast::channel(16);
    let shared = Arc::new(Shared {
        pages: RwLock::new(Arc::new(BTreeMap::new())),
        error: RwLock::new(None),
        notices,
    });
    rebuild(&options, &shared);

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

    // Watch on a plain thread; rebuilds run there too, so the server never waits on them.
    let (tx, rx) = mpsc::channel();
    let mut debouncer = notify_debouncer_full::new_debouncer(Duration::from_millis(120), None, tx)
        .map_err(|e| format!("cannot watch files: {e}"))?;
    for (path, mode) in watched(&options.root) {
        if path.exists() {
            debouncer
                .watch(&path, mode)
                .map_err(|e| format!("cannot watch {}: {e}", path.display()))?;
        }
    }
    let watch_shared = Arc::clone(&shared);
    let watch_options = options.clone();
    std::thread::spawn(move || {
        while let Ok(result) = rx.recv() {
            let relevant = match result {
                // Reading files during a build raises access events: only writes count.
                Ok(events) => events.iter().any(|e| {
                    !matches!(e.kind, notify::EventKind::Access(_))
                        && e.paths.iter().any(|p| is_source(&watch_options.root, p))
                }),
                Err(_) => true,
            };
            if relevant {
                rebuild(&watch_options, &watch_shared);
            }
        }
    });

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

/// Folders and files whose change triggers a rebuild.
fn watched(root: &Path) -> Vec<(PathBuf, RecursiveMode)> {
    vec![
        (root.join("content"), RecursiveMode::Recursive),
        (root.join("templates"), RecursiveMode::Recursive),
        (root.join("static"), RecursiveMode::Recursive),
        (root.to_path_buf(), RecursiveMode::NonRecursive),
    ]
}

/// A changed path that belongs to the project's sources (not its output or editor litter).
/// `root` and `path` are both absolute.
fn is_source(root: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else { return false };
    let name = rel
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp") {
        return false;
    }
    rel == Path::new("site.toml") || ["content", "templates", "static"].iter().any(|d| rel.starts_with(d))
}

/// Rebuild in memory; on success swap the pages in and reload browsers, on failure keep the
/// last good pages and show the error.
fn rebuild(options: &ServeOptions, shared: &Shared) {
    let started = Instant::now();
    let build = BuildOptions {
        drafts: options.drafts,
        ..BuildOptions::default()
    };
    match build_site(&options.root, &build) {
        Ok(site) => {
            console::print_diagnostics(&site.diagnostics);
            let pages: BTreeMap<String, Vec<u8>> = site.pages.into_iter().map(|p| (p.path, p.bytes)).collect();
            let n = pages.keys().filter(|p| p.ends_with(".html")).count();
            if let Ok(mut w) = shared.pages.write() {
                *w = Arc::new(pages);
            }
            if let Ok(mut e) = shared.error.write() {
                *e = None;
            }
            console::say(&format!("rebuilt {n} pages in {} ms", started.elapsed().as_millis()));
            let _ = shared.notices.send(Notice::Reload);
        }
        Err(diags) => {
            console::print_diagnostics(&diags);
            let message = diags
                .iter()
                .filter(|d| d.is_error())
                .map(Diagnostic::to_string)
                .collect::<Vec<_>>()
                .join("\n");
            console::fail("build failed; still serving the last good build");
            if let Ok(mut e) = shared.error.write() {
                *e = Some(message.clone());
            }
            let _ = shared.notices.send(Notice::Failed(message));
        }
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
    let pages = shared.pages.read().map(|p| Arc::clone(&p)).unwrap_or_default();
    let raw = percent_decode(uri.path());
    let path = raw.trim_start_matches('/');
    if path.split('/').any(|s| s == "..") {
        return (StatusCode::BAD_REQUEST, "bad path").into_response();
    }
    let key = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    };
    if let Some(bytes) = pages.get(&key) {
        return respond(StatusCode::OK, &key, bytes);
    }
    // "incidents/x" → "incidents/x/" so relative links on the page resolve.
    if pages.contains_key(&format!("{path}/index.html")) {
        let location = format!("/{path}/");
        return Response::builder()
            .status(StatusCode::MOVED_PERMANENTLY)
            .header(header::LOCATION, location)
            .body(Body::empty())
            .unwrap_or_default();
    }
    match pages.get("404.html") {
        Some(bytes) => respond(StatusCode::NOT_FOUND, "404.html", bytes),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
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
    let body = if ext == "html" {
        inject_live_reload(bytes)
    } else {
        bytes.to_vec()
    };
    let mut res = Response::new(Body::from(body));
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
        assert!(is_source(root, Path::new("/p/content/articles/a.md")));
        assert!(is_source(root, Path::new("/p/site.toml")));
        assert!(!is_source(root, Path::new("/p/public/index.html")));
        assert!(!is_source(root, Path::new("/p/content/articles/.a.md.swp")));
    }
}
