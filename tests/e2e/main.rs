//! End-to-end tests, all linked into one binary (one link, not one per file, on 2 cores).

mod authorization;
mod cli;
mod convergence;
mod copy;
mod docpp;
mod durability;
mod foundation;
mod instances;
mod live;
mod matrix;
mod openapi;
mod pages;
mod privacy;
mod security;
mod synthesis;
mod voting;
