//! An article analysed against a small gazetteer built once in code.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use sitrep::gazetteer::Gazetteer;

static GAZETTEER: LazyLock<Gazetteer> = LazyLock::new(sitrep::fuzzing::gazetteer);

fuzz_target!(|data: &[u8]| sitrep::fuzzing::analyze(&GAZETTEER, data));
