//! Arbitrary bytes as an article file, read as Markdown and as plain text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sitrep::fuzzing::load(data));
