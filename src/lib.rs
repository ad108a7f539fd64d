//! pinconv: turn e-commerce order exports into Pinterest Conversions API events and send them.
//!
//! The pipeline stages, each a module: [`input`] reads records, [`map`] turns them into
//! orders, [`normalize`] cleans and hashes identity fields, [`event`] builds and validates
//! CAPI events, [`batch`] groups them into request bodies, [`send`] delivers them and
//! [`report`] accounts for every order.

pub mod ledger;
pub mod normalize;
pub mod send;
