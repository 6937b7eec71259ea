//! The integration tests that can share one process, as one test binary: each file of this
//! directory is a module, so a test is named by its file (`members::...`, `openapi::...`), and
//! `cargo test --test api members::` runs one file's tests. The helpers of `tests/support` are
//! compiled once for all of them, and the PostgreSQL half of every test uses the one throwaway
//! cluster this process starts.
//!
//! The tests kept out of this binary are the top-level files of `tests/`; each says at its top
//! why it runs as a process of its own.

#[macro_use]
#[path = "../support/mod.rs"]
mod support;

mod access_edges;
mod allocation_properties;
mod approvals;
mod approvals_operations;
mod audit_chain;
mod audit_log;
mod auditor_script;
mod auth_login;
mod auth_matrix;
mod auth_tokens;
mod caller_cache;
mod chair;
mod closed_group;
mod closings;
mod dashboard;
mod edges;
mod errors;
mod events;
mod exports;
mod fuzz_inputs;
mod group_commit;
mod group_dates;
mod groups_accounts;
mod idempotency;
mod immutability;
mod meetings;
mod members;
mod metrics;
mod openapi;
mod operations;
mod performance;
mod planner_statistics;
mod postgres_harness;
mod properties;
mod receipts;
mod remittances_in_transit;
mod reports;
mod reports_network;
mod sessions;
mod smoke;
mod sqlite_checkpoints;
mod transactions;
