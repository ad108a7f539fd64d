//! pinconv: turn e-commerce order exports into Pinterest Conversions API events and send them.
//!
//! The pipeline stages, each a module: [`input`] reads records, [`map`] turns them into
//! orders, [`normalize`] cleans and hashes identity fields, [`event`] builds and validates
//! CAPI events, [`batch`] groups them into request bodies, [`send`] delivers them, [`ledger`]
//! remembers what was accepted and [`report`] accounts for every order. [`pipeline`] runs the
//! offline stages in parallel; [`commands`] holds one module per subcommand.

pub mod batch;
pub mod capi;
pub mod cli;
pub mod commands;
pub mod config;
pub mod event;
pub mod exit;
pub mod input;
pub mod ledger;
pub mod map;
pub mod money;
pub mod normalize;
pub mod output;
pub mod pipeline;
pub mod printer;
pub mod report;
pub mod seen;
pub mod send;
pub mod tag;
pub mod template;
pub mod time;

use clap::Parser;

/// Parses the command line and runs it.
#[must_use]
pub fn main() -> exit::Exit {
    let cli = match cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                exit::Exit::Usage
            } else {
                exit::Exit::Ok
            };
        }
    };
    commands::run(cli.with_stdout_dash())
}
