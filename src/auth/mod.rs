//! Access control: passwords, tokens, who the caller is and what each route lets them do.

pub mod caller;
pub mod callers;
pub mod client;
pub mod password;
pub mod ratelimit;
pub mod session;
pub mod token;
