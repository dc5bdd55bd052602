//! Per-stage benchmarks of the build pipeline on a generated 1,000-article corpus.
//!
//! ```sh
//! cargo bench --bench pipeline            # all stages and the whole build
//! cargo bench --bench pipeline -- analyze # one stage
//! SITREP_BENCH_ARTICLES=300 cargo bench   # another corpus size
//! ```
//!
//! The corpus is written once into a temporary folder (on /dev/shm where there is one) by
//! `sitrep::corpus_gen`, with a fixed seed, so runs compare like with like.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use sitrep::build::{BuildOptions, analyze_all, build_to_disk};
use sitrep::corpus_gen::{GenOptions, generate};
use sitrep::derive::derive;
use sitrep::load::{LoadOptions, load};
use sitrep::render::render;
use sitrep::write::write_site;

fn scratch() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    let mut b = tempfile::Builder::new();
    b.prefix("sitrep-bench-");
    if shm.is_dir() { b.tempdir_in(shm) } else { b.tempdir() }.expect("temp dir")
}

fn articles() -> usize {
    std::env::var("SITREP_BENCH_ARTICLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000)
}

fn stages(c: &mut Criterion) {
    let dir = scratch();
    let root = dir.path().join("project");
    generate(&root, &GenOptions::new(articles(), 1)).expect("generate corpus");
    let out: PathBuf = dir.path().join("public");

    let (corpus, diags) = load(&root, &LoadOptions::default());
    assert!(!diags.iter().any(|d| d.is_error()), "the generated corpus has errors");
    let analyses = analyze_all(&corpus, false);
    let briefing = derive(&corpus, &analyses);
    let pages = render(&corpus, &briefing, &analyses).unwrap_or_else(|_| panic!("render failed"));

    let mut g = c.benchmark_group("pipeline");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    g.bench_function("load", |b| b.iter(|| black_box(load(&root, &LoadOptions::default()))));
    g.bench_function("analyze", |b| b.iter(|| black_box(analyze_all(&corpus, false))));
    g.bench_function("derive", |b| b.iter(|| black_box(derive(&corpus, &analyses))));
    g.bench_function("render", |b| {
        b.iter(|| black_box(render(&corpus, &briefing, &analyses).is_ok()))
    });
    g.bench_function("write", |b| b.iter(|| write_site(&out, &pages).expect("write")));
    let options = BuildOptions {
        output: Some(dir.path().join("built")),
        ..BuildOptions::default()
    };
    g.bench_function("build", |b| {
        b.iter(|| black_box(build_to_disk(&root, &options).is_ok()))
    });
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
