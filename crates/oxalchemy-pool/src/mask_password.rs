//! `mask_password`: the pool's older name for [`oxalchemy_core::redact_url`].

/// `url` with its secrets (the password, `?password=` options) replaced by
/// `***`: the same function as [`oxalchemy_core::redact_url`], kept under
/// this name for existing callers.
///
/// ```
/// use oxalchemy_pool::mask_password;
/// assert_eq!(mask_password("postgresql://me:secret@db/app"), "postgresql://me:***@db/app");
/// assert_eq!(mask_password("mysql://root:pw@h:3306/db?x=1"), "mysql://root:***@h:3306/db?x=1");
/// assert_eq!(mask_password("sqlite:///x.db"), "sqlite:///x.db");
/// assert_eq!(mask_password("nonsense"), "nonsense");
/// ```
pub fn mask_password(url: &str) -> String {
    oxalchemy_core::redact_url(url)
}
