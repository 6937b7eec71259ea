//! Pure types and rules: money, accounts, postings, hashing. No HTTP, no SQL.

pub mod access;
pub mod account;
pub mod allocation;
pub mod approval_request;
pub mod approvals;
pub mod audit_chain;
pub mod canonical;
pub mod dates;
pub mod error;
pub mod events;
pub mod export;
pub mod fx;
pub mod hash;
pub mod member;
pub mod member_event;
pub mod model;
pub mod money;
pub mod network;
pub mod operations;
pub mod performance;
pub mod position;
pub mod posting;
pub mod prepare;
pub mod receipts;
pub mod reports;
pub mod rules;
