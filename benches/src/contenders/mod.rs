//! The contenders: the raw drivers, oxalchemy Core and ORM, and the peers.

pub mod diesel_peer;
pub mod ox_core;
pub mod ox_orm;
pub mod raw_mysql;
pub mod raw_postgres;
pub mod raw_sqlite;
pub mod sea_peer;
pub mod sqlx_peer;
