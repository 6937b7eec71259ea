//! The ledger: groups, accounts, postings and their hash chain, reversals, statements,
//! verification, written once for both backends over `Backend`, a file per use case.

mod accounts;
mod groups;
mod idempotency;
mod postings;
mod rows;
mod script;
mod statements;
mod store;
mod verify;

pub(super) use idempotency::{Remembered, StoredByKey, replay};
pub(super) use script::WriteScript;

use super::shared::{TxError, internal};
use crate::domain::money::Currency;

pub(super) fn currency_of(text: &str) -> Result<Currency, TxError> {
    Currency::parse(text).map_err(|_| internal(format!("stored currency {text:?} is not valid")))
}
