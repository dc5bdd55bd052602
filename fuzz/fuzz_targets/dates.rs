//! Date expressions: the first bytes choose a publication date (or none), the rest is the sentence.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sitrep::fuzzing::dates(data));
