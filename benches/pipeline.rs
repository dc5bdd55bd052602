//! Placeholder replaced by the benchmark work (issue: scale).
fn main() {}
