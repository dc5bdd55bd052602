//! What one article edit costs `serve`, stage by stage, through the library: the project is
//! opened once, then a paragraph is added to one article again and again, and each time the
//! session is updated, the site's plan made, and the edited article's page and the index
//! rendered (what a browser showing that article asks for after the reload).
//!
//! ```sh
//! cargo run --release --example edit_latency -- --root DIR [--edits 10]
//! ```
//!
//! The article is restored when the run ends. Prints one line per stage with the median and
//! the slowest time in milliseconds.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use sitrep::build::BuildOptions;
use sitrep::render::{Job, plan};
use sitrep::session::{Session, Updated};

#[derive(Parser)]
#[command(about = "Time what one article edit costs `sitrep serve`")]
struct Args {
    /// Project folder (one article in it is edited and restored)
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// How many edits to time
    #[arg(long, default_value_t = 10)]
    edits: usize,
}

fn median_and_max(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    let median = if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    };
    (median, v.last().copied().unwrap_or(0.0))
}

fn main() -> ExitCode {
    let args = Args::parse();
    let opened = Instant::now();
    let mut session = match Session::open(&args.root, &BuildOptions::default()) {
        Ok(s) => s,
        Err(diags) => {
            eprintln!("the project has {} problems; run `sitrep check`", diags.len());
            return ExitCode::FAILURE;
        }
    };
    let open_ms = opened.elapsed().as_secs_f64() * 1000.0;
    // The middle article, so the edit is neither first nor last in any order.
    let Some(article) = session.corpus.articles.get(session.corpus.articles.len() / 2) else {
        eprintln!("the project has no articles");
        return ExitCode::FAILURE;
    };
    let rel = article.path.clone();
    let path = args.root.join(&rel);
    let original = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    };
    let mut stages: [(&str, Vec<f64>); 4] = [
        ("update", Vec::new()),
        ("plan", Vec::new()),
        ("article page", Vec::new()),
        ("index page", Vec::new()),
    ];
    let mut failure = None;
    for k in 0..args.edits {
        let marker = format!("Edited for timing {k}");
        // A new last paragraph: the body is what an analyst edits, and it is analysed again.
        let edited = format!("{}\n\n{marker}.\n", original.trim_end());
        if let Err(e) = std::fs::write(&path, edited) {
            failure = Some(format!("{}: {e}", path.display()));
            break;
        }
        let t = Instant::now();
        let what = session.update(std::slice::from_ref(&PathBuf::from(&rel)));
        stages[0].1.push(t.elapsed().as_secs_f64() * 1000.0);
        if what != Updated::Articles(1) || session.has_errors() {
            failure = Some(format!("the edit was not applied as one article: {what:?}"));
            break;
        }
        let t = Instant::now();
        let Ok(mut site) = plan(&session.corpus, &session.briefing, &session.analyses) else {
            failure = Some("the templates failed".into());
            break;
        };
        site.render_one_at_a_time();
        stages[1].1.push(t.elapsed().as_secs_f64() * 1000.0);
        let Some(source) = session.briefing.sources.iter().position(|s| s.path == rel) else {
            failure = Some("the edited article is missing".into());
            break;
        };
        let t = Instant::now();
        let page = site.render(Job::Source(source));
        stages[2].1.push(t.elapsed().as_secs_f64() * 1000.0);
        if !page.is_ok_and(|p| String::from_utf8_lossy(&p.bytes).contains(&marker)) {
            failure = Some("the article page does not show the edit".into());
            break;
        }
        let t = Instant::now();
        let index = site.render(Job::Index);
        stages[3].1.push(t.elapsed().as_secs_f64() * 1000.0);
        if index.is_err() {
            failure = Some("the index failed to render".into());
            break;
        }
    }
    if let Err(e) = std::fs::write(&path, &original) {
        eprintln!("could not restore {}: {e}", path.display());
        return ExitCode::FAILURE;
    }
    if let Some(f) = failure {
        eprintln!("{f}");
        return ExitCode::FAILURE;
    }
    println!(
        "# {} articles, opened in {open_ms:.0} ms; {} edits of {rel}",
        session.corpus.articles.len(),
        args.edits
    );
    println!("stage\tmedian_ms\tmax_ms");
    let mut total = (0.0, 0.0);
    for (name, times) in stages {
        let (median, max) = median_and_max(times);
        total = (total.0 + median, total.1 + max);
        println!("{name}\t{median:.1}\t{max:.1}");
    }
    println!("total\t{:.1}\t{:.1}", total.0, total.1);
    ExitCode::SUCCESS
}
