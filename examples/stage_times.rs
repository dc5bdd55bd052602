//! Run the build pipeline stage by stage through the library and print how long each took,
//! with the process's peak memory after each stage (Linux `VmHWM`).
//!
//! ```sh
//! cargo run --release --example stage_times -- --root DIR --output /dev/shm/out [--format tsv]
//! ```
//!
//! Output (one line per stage): `stage  seconds  peak_rss_mib`, then the totals and the pages
//! and bytes written. The stages are the ones `sitrep build` runs, in the same order.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use sitrep::build::analyze_and_free;
use sitrep::derive::derive;
use sitrep::load::{LoadOptions, load};
use sitrep::render::render;
use sitrep::write::write_site;

#[derive(Parser)]
#[command(about = "Time each stage of a sitrep build")]
struct Args {
    /// Project folder
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Output folder (replaced, as by `sitrep build`)
    #[arg(long)]
    output: PathBuf,
}

/// Peak resident set size so far, in MiB (0 where /proc is not available).
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() -> ExitCode {
    let args = Args::parse();
    let total = Instant::now();
    let mut rows: Vec<(&str, f64, f64)> = Vec::new();
    let mut lap = |name: &'static str, t: Instant| rows.push((name, t.elapsed().as_secs_f64(), peak_rss_mib()));

    let t = Instant::now();
    let (mut corpus, diags) = load(&args.root, &LoadOptions::default());
    lap("load", t);
    if diags.iter().any(|d| d.is_error()) {
        eprintln!("the project has errors; run `sitrep check`");
        return ExitCode::FAILURE;
    }
    let t = Instant::now();
    let analyses = analyze_and_free(&mut corpus, false);
    lap("analyze", t);
    let t = Instant::now();
    let briefing = derive(&corpus, &analyses);
    lap("derive", t);
    let t = Instant::now();
    let pages = match render(&corpus, &briefing, &analyses) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("render failed with {} errors", e.len());
            return ExitCode::FAILURE;
        }
    };
    lap("render", t);
    let t = Instant::now();
    if let Err(e) = write_site(&args.output, &pages) {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    lap("write", t);
    let elapsed = total.elapsed().as_secs_f64();
    let bytes: usize = pages.iter().map(|p| p.bytes.len()).sum();
    for (name, secs, rss) in &rows {
        println!("{name}\t{secs:.3}\t{rss:.0}");
    }
    println!("total\t{elapsed:.3}\t{:.0}", peak_rss_mib());
    println!(
        "# articles={} incidents={} pages={} bytes={} warnings={}",
        corpus.articles.len(),
        briefing.incidents.len(),
        pages.len(),
        bytes,
        diags.len()
    );
    ExitCode::SUCCESS
}
