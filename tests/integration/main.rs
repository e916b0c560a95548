//! Workspace integration tests, compiled as one binary to keep link times down.
//! Each module drives the public API of `taiji-core` against a `taiji-sim` started on loopback.

mod smoke;
