//! The `sitrep` command line: argument parsing only; the work is in the library.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};
use sitrep::build::{BuildError, BuildOptions, build_site, build_to_disk};
use sitrep::console;

#[derive(Parser)]
#[command(
    name = "sitrep",
    version,
    about = "Turn a folder of news articles about armed attacks into a cross-linked briefing website"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the briefing site from content/ into the output folder
    Build {
        /// Project folder (with site.toml and content/)
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Output folder (default: site.toml's output_dir, "public")
        #[arg(long)]
        output: Option<PathBuf>,
        /// Base URL of the published site, overriding site.toml
        #[arg(long)]
        base_url: Option<String>,
        /// Include articles marked `draft = true`
        #[arg(long)]
        drafts: bool,
        /// Read files that are not valid UTF-8 with replacement characters (warns)
        #[arg(long)]
        lossy: bool,
    },
    /// Serve the briefing on 127.0.0.1, rebuilding and reloading pages on every change
    Serve {
        /// Project folder (with site.toml and content/)
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Port to listen on
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Open the briefing in the default browser
        #[arg(long)]
        open: bool,
        /// Include articles marked `draft = true`
        #[arg(long)]
        drafts: bool,
    },
    /// Check content and internal links without writing; non-zero exit on errors
    Check {
        /// Project folder (with site.toml and content/)
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Print the analysis of article files as JSON (sentences, names, dates, events, facts)
    Extract {
        /// Article files (.md or .txt)
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Project whose gazetteer and settings to use
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Show what changed between two build outputs, in plain words, on stdout
    Diff {
        /// The earlier build output (a folder with data/incidents.json, …)
        old: PathBuf,
        /// The later build output
        new: PathBuf,
        /// Markdown (ready for a pull-request comment) or JSON
        #[arg(long, value_enum, default_value = "md")]
        format: DiffFormat,
        /// Exit 1 when anything changed, 0 when nothing did (unreadable inputs also exit 1)
        #[arg(long)]
        exit_code: bool,
        /// Link incident, group, place and source ids to their pages under this URL
        #[arg(long)]
        base_url: Option<String>,
    },
    /// Create a new briefing project in DIR
    Init { dir: PathBuf },
}

#[derive(Clone, Copy, ValueEnum)]
enum DiffFormat {
    Md,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build {
            root,
            output,
            base_url,
            drafts,
            lossy,
        } => build(
            root,
            BuildOptions {
                output,
                base_url,
                drafts,
                progress: true,
                lossy,
            },
        ),
        Command::Check { root } => check(root),
        Command::Serve {
            root,
            port,
            open,
            drafts,
        } => {
            match sitrep::serve::serve(sitrep::serve::ServeOptions {
                root,
                port,
                open,
                drafts,
            }) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    console::fail(&e);
                    ExitCode::from(1)
                }
            }
        }
        Command::Extract { files, root } => extract(files, root),
        Command::Diff {
            old,
            new,
            format,
            exit_code,
            base_url,
        } => diff(&old, &new, format, exit_code, base_url.as_deref()),
        Command::Init { dir } => match sitrep::scaffold::init(&dir) {
            Ok(()) => {
                console::say(&format!(
                    "created a briefing project in {}; build it with: sitrep build --root {}",
                    dir.display(),
                    dir.display()
                ));
                ExitCode::SUCCESS
            }
            Err(e) => {
                console::fail(&e);
                ExitCode::from(1)
            }
        },
    }
}

fn build(root: PathBuf, options: BuildOptions) -> ExitCode {
    let started = Instant::now();
    match build_to_disk(&root, &options) {
        Ok(built) => {
            console::print_diagnostics(&built.diagnostics);
            console::say(&format!(
                "{} pages: {} incidents, {} groups, {} places, {} sources in {} ms -> {}",
                built.pages,
                built.incidents,
                built.groups,
                built.places,
                built.sources,
                started.elapsed().as_millis(),
                built.output.display()
            ));
            ExitCode::SUCCESS
        }
        Err(BuildError::Content(diags)) => {
            console::print_diagnostics(&diags);
            let (errors, _) = console::count_errors(&diags);
            console::fail(&format!(
                "build failed with {errors} error(s); the previous output is untouched"
            ));
            ExitCode::from(1)
        }
        Err(BuildError::Output(msg)) => {
            console::fail(&msg);
            ExitCode::from(1)
        }
    }
}

fn check(root: PathBuf) -> ExitCode {
    match build_site(&root, &BuildOptions::default()) {
        Ok(site) => {
            let mut diags = site.diagnostics.clone();
            diags.extend(sitrep::checks::unmentioned(&site));
            diags.extend(sitrep::checks::unknown_names(&site));
            let links = sitrep::checks::link_errors(&site);
            let broken = links.len();
            diags.extend(links);
            console::print_diagnostics(&diags);
            let (errors, warnings) = console::count_errors(&diags);
            console::say(&format!(
                "checked {} pages: {broken} broken links, {errors} errors, {warnings} warnings",
                site.pages.len()
            ));
            if errors == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(diags) => {
            console::print_diagnostics(&diags);
            let (errors, _) = console::count_errors(&diags);
            console::fail(&format!("{errors} error(s)"));
            ExitCode::from(1)
        }
    }
}

fn extract(files: Vec<PathBuf>, root: PathBuf) -> ExitCode {
    match sitrep::extract::extract(&root, &files) {
        Ok((json, diags)) => {
            console::print_diagnostics(&diags);
            println!("{json}");
            if diags.iter().any(|d| d.is_error()) {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(diags) => {
            console::print_diagnostics(&diags);
            ExitCode::from(1)
        }
    }
}

fn diff(old: &Path, new: &Path, format: DiffFormat, exit_code: bool, base_url: Option<&str>) -> ExitCode {
    let report = match sitrep::diff::diff_outputs(old, new) {
        Ok(r) => r,
        Err(e) => {
            console::fail(&e.to_string());
            return ExitCode::from(1);
        }
    };
    let text = match format {
        DiffFormat::Md => sitrep::diff::to_markdown(&report, base_url),
        DiffFormat::Json => match serde_json::to_string_pretty(&report) {
            Ok(json) => json + "\n",
            Err(e) => {
                console::fail(&format!("cannot serialize the report: {e}"));
                return ExitCode::from(1);
            }
        },
    };
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => {}
        // A closed pipe (`sitrep diff … | head`) is the reader's choice, not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => {
            console::fail(&format!("cannot write to stdout: {e}"));
            return ExitCode::from(1);
        }
    }
    if exit_code && !report.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
