//! Past fuzz crashers and tricky inputs, replayed through the same functions as the cargo-fuzz
//! targets in `fuzz/fuzz_targets/`: no panic, and the same answer twice.
//!
//! Each file under `tests/fuzz_regressions/<target>/` is one raw input, exactly as libFuzzer
//! would hand it to `<target>` (for `dates` the first five bytes choose the publication date,
//! for `analyze` the first byte chooses the file kind and date). To add a crasher, minimise it
//! with `cargo fuzz tmin <target> <artifact>` and copy the result into that target's folder.

use std::fs;
use std::path::{Path, PathBuf};

use sitrep::fuzzing;

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_regressions")
        .join(target);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no regression inputs in {}", dir.display());
    files
        .into_iter()
        .map(|p| {
            let bytes = fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------

/// Run each input on a thread with the stack a fuzz target gets (the main thread's 8 MiB),
/// naming the file when it fails.
fn replay(target: &str, run: impl Fn(&[u8]) + Sync) {
    for (path, bytes) in inputs(target) {
        let outcome = std::thread::scope(|s| {
            std::thread::Builder::new()
                .stack_size(8 << 20)
                .spawn_scoped(s, || run(&bytes))
                .unwrap()
                .join()
        });
        assert!(outcome.is_ok(), "{target}: {} panicked", path.display());
    }
}

#[test]
fn load_regressions() {
    replay("load", fuzzing::load);
}

#[test]
fn dates_regressions() {
    replay("dates", fuzzing::dates);
}

#[test]
fn analyze_regressions() {
    let g = fuzzing::gazetteer();
    replay("analyze", |data| fuzzing::analyze(&g, data));
}
