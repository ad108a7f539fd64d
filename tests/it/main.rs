//! End-to-end tests: the real `pinconv` binary against fixtures, the API contract and a mock
//! Pinterest server on 127.0.0.1. One test binary; each module is one area.

mod mock_server;
mod support;

mod completions;
mod golden;
mod hash;
mod hostile;
mod init;
mod ledger;
mod mapping;
mod newuser;
mod offline;
mod other;
mod outputs;
mod real;
mod report;
mod schema;
mod send;
mod shopify_real;
mod sources;
mod tag;
