//! Tests of the PostgreSQL driver against a live server
//! (`OXALCHEMY_TEST_POSTGRES_URL`, default `postgresql://postgres@127.0.0.1:5432/test`).
//! An unreachable server fails the tests with instructions; nothing is skipped.

mod support;

mod cache;
mod disconnect;
mod dml;
mod errors;
mod roundtrip;
mod schema;
mod tls;
mod typed_params;
