//! What this backend serves, registered with oxalchemy's driver registry when
//! the crate is linked (`oxalchemy_core::driver_registry`).

use crate::SqliteDriver;
use oxalchemy_core::{Driver, DriverRegistration, Result};
use std::sync::Arc;

/// The URL schemes this backend serves and how it builds its driver; linked
/// in, it is registered already. [`oxalchemy_core::install_driver`] takes it
/// to install it again at run time (to win over another registration of the
/// same scheme).
pub const REGISTRATION: DriverRegistration = DriverRegistration {
    name: "sqlite",
    schemes: &["sqlite"],
    connect,
};

fn connect(url: &str) -> Result<Arc<dyn Driver>> {
    Ok(Arc::new(SqliteDriver::from_url(url)?))
}

oxalchemy_core::register_driver!(REGISTRATION);
