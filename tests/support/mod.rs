#![allow(dead_code)]
//! Helpers shared by the integration tests. The shared test binary (`tests/api/main.rs`)
//! compiles this module once for all its tests, and each test binary kept apart compiles it
//! on its own; each uses only part of it.

// `both_backends!` and `both_backends_with!` reach every module declared after `support`.
#[macro_use]
pub mod app;
pub mod durable_postgres;
pub mod openapi;
pub mod postgres;
pub mod process;
pub mod story;
