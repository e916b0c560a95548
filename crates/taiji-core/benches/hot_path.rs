//! Benchmarks of the per-frame hot path; filled in below.

fn main() {}
