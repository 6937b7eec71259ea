//! What the API answers, shown from domain types: one module per resource, and the page type
//! every list answers with. Handlers parse requests and call the store; these show the
//! outcomes.

pub mod approvals;
pub mod distributions;
pub mod events;
pub mod exits;
pub mod investments;
pub mod ledger;
pub mod meetings;
pub mod members;
pub mod page;
pub mod remittances;
pub mod transfers;

pub use approvals::*;
pub use distributions::*;
pub use exits::*;
pub use investments::*;
pub use ledger::*;
pub use meetings::*;
pub use members::*;
pub use page::ListView;
pub use remittances::*;
pub use transfers::*;
