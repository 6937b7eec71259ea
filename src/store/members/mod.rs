//! Members and their contributions and withdrawals, written once for both backends over
//! `Backend`, a file per use case.

mod events;
mod registry;
mod rows;
mod store;
