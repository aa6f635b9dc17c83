//! Shared helpers of the codegen tests.
#![allow(dead_code)]

pub mod golden;
pub mod same_tables;
pub mod test_schema;
