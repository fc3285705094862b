//! End-to-end tests, all linked into one binary (one link, not one per file, on 2 cores).

mod cli;
mod foundation;
mod live;
mod pages;
