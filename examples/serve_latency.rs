//! How long an article edit takes to show in a browser under `sitrep serve`, end to end: the
//! release binary serves the project, a client listens to the live-reload events as a page
//! does, an article file is edited, and the clock stops when the reload event has come and
//! the article's page, fetched again, shows the edit.
//!
//! ```sh
//! cargo build --release --bin sitrep --example serve_latency
//! target/release/examples/serve_latency --root DIR [--edits 10] [--port 18199]
//! ```
//!
//! The article is restored and the server stopped when the run ends.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use clap::Parser;

#[derive(Parser)]
#[command(about = "Time an article edit under `sitrep serve`, from save to the page showing it")]
struct Args {
    /// Project folder (one article in it is edited and restored)
    #[arg(long, default_value = ".")]
    root: PathBuf,
    #[arg(long, default_value_t = 10)]
    edits: usize,
    #[arg(long, default_value_t = 18199)]
    port: u16,
}

/// Stops the server however the run ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// GET a path; the status code and the body.
fn get(port: u16, path: &str) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    Ok((status, text))
}

/// The article in the middle of the sorted articles folder.
fn some_article(root: &Path) -> Option<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("content/articles"))
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    files.get(files.len() / 2).cloned()
}

fn run(args: &Args) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .map(|d| d.join("sitrep"))
        .ok_or("cannot find the sitrep binary")?;
    let article = some_article(&args.root).ok_or("the project has no .md articles")?;
    let stem = article
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let page = format!("/sources/{}/", sitrep::text::slugify(&stem));
    let original = std::fs::read_to_string(&article).map_err(|e| format!("{}: {e}", article.display()))?;

    let started = Instant::now();
    let _server = Server(
        Command::new(&bin)
            .args(["serve", "--port", &args.port.to_string(), "--root"])
            .arg(&args.root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("{}: {e}", bin.display()))?,
    );
    while !get(args.port, "/").is_ok_and(|(s, _)| s == 200) {
        if started.elapsed() > Duration::from_secs(900) {
            return Err("the server did not come up".into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let up = started.elapsed();

    let mut events = TcpStream::connect(("127.0.0.1", args.port)).map_err(|e| e.to_string())?;
    write!(
        events,
        "GET /__sitrep/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n"
    )
    .map_err(|e| e.to_string())?;
    events
        .set_read_timeout(Some(Duration::from_secs(60)))
        .map_err(|e| e.to_string())?;
    let mut events = BufReader::new(events);
    get(args.port, &page).map_err(|e| e.to_string())?;

    let (mut to_event, mut to_page) = (Vec::new(), Vec::new());
    let mut result = Ok(());
    for k in 0..args.edits {
        let marker = format!("Edited for timing {k}");
        let t = Instant::now();
        if let Err(e) = std::fs::write(&article, format!("{}\n\n{marker}.\n", original.trim_end())) {
            result = Err(e.to_string());
            break;
        }
        let mut line = String::new();
        loop {
            line.clear();
            match events.read_line(&mut line) {
                Ok(0) | Err(_) => return Err("the event stream closed".into()),
                Ok(_) if line.starts_with("event: reload") => break,
                Ok(_) if line.starts_with("event: build-error") => return Err("the edit failed to build".into()),
                Ok(_) => {}
            }
        }
        to_event.push(t.elapsed().as_secs_f64() * 1000.0);
        let (_, body) = get(args.port, &page).map_err(|e| e.to_string())?;
        to_page.push(t.elapsed().as_secs_f64() * 1000.0);
        if !body.contains(&marker) {
            result = Err(format!("{page} does not show the edit"));
            break;
        }
        // Let the watcher settle, as between an editor's saves.
        std::thread::sleep(Duration::from_millis(300));
    }
    std::fs::write(&article, &original).map_err(|e| format!("could not restore {}: {e}", article.display()))?;
    result?;
    println!(
        "# serve came up in {:.1} s; {} edits of {}",
        up.as_secs_f64(),
        args.edits,
        article.display()
    );
    println!("measure\tmedian_ms\tmax_ms");
    for (name, mut v) in [("reload event", to_event), ("page shows the edit", to_page)] {
        v.sort_by(f64::total_cmp);
        println!("{name}\t{:.0}\t{:.0}", v[v.len() / 2], v.last().copied().unwrap_or(0.0));
    }
    Ok(())
}

fn main() -> ExitCode {
    match run(&Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("serve_latency: {e}");
            ExitCode::FAILURE
        }
    }
}
