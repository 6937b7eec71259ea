//! msai-ledger: exact double-entry ledgers for migrant workers' savings associations.

pub mod admin;
pub mod app;
pub mod auth;
pub mod backup;
pub mod closings;
pub mod config;
pub mod domain;
pub mod http;
pub mod metrics;
pub mod signing;
pub mod store;
pub mod telemetry;
pub mod webhooks;
