//! Write a deterministic synthetic briefing project for benchmarks.
//!
//! ```sh
//! cargo run --release --example gen_corpus -- --n 10000 --out /dev/shm/corpus-10k [--seed 1]
//! cargo run --release --example gen_corpus -- --n 1000 --out DIR --hugo HUGO_DIR
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use sitrep::corpus_gen::{GenOptions, generate, hugo_site};

#[derive(Parser)]
#[command(about = "Generate a deterministic synthetic briefing project")]
struct Args {
    /// Number of articles
    #[arg(long)]
    n: usize,
    /// Project folder to write (site.toml and content/)
    #[arg(long)]
    out: PathBuf,
    /// Seed of the generator; the same seed gives the same bytes
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Underlying incidents (default: n/4, between 10 and 400)
    #[arg(long)]
    incidents: Option<usize>,
    /// Also write the same articles as a minimal Hugo site of plain pages into this folder
    #[arg(long)]
    hugo: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let options = GenOptions {
        articles: args.n,
        seed: args.seed,
        incidents: args.incidents,
    };
    match generate(&args.out, &options) {
        Ok(s) => eprintln!(
            "wrote {} articles ({} words, {} bytes) about {} incidents, {} groups and {} places to {}",
            s.articles,
            s.words,
            s.bytes,
            s.incidents,
            s.groups,
            s.places,
            args.out.display()
        ),
        Err(e) => {
            eprintln!("error: {}: {e}", args.out.display());
            return ExitCode::FAILURE;
        }
    }
    if let Some(h) = &args.hugo {
        match hugo_site(&args.out, h) {
            Ok(n) => eprintln!("wrote a Hugo site of {n} pages to {}", h.display()),
            Err(e) => {
                eprintln!("error: {}: {e}", h.display());
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
