#![allow(dead_code)]
//! Helpers shared by the integration tests. Each test binary compiles this module on its own
//! and uses only part of it.

pub mod app;
pub mod durable_postgres;
pub mod openapi;
pub mod postgres;
pub mod process;
pub mod story;
