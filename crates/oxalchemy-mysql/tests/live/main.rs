//! Tests against a live MySQL / MariaDB server (see `support`).

mod support;

mod connection;
mod errors;
mod roundtrip;
mod schema;
mod server;
mod tls;
mod transactions;
mod url;
mod values;
