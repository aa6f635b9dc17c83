//! The URL parsers of all three backends and the masking function: any
//! string is parsed or refused with an error, never a panic, and no error
//! or `Debug` shows a password the parser accepted.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oxalchemy_core::redact_url;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let masked = redact_url(input);
    // Masking never lengthens a string by more than the masks it adds.
    assert!(masked.len() <= input.len() + 3 * (input.matches(['@', '=', ':']).count() + 1));

    // Try the input as it is and under each backend's scheme.
    let rest = input.split_once("://").map_or(input, |(_, r)| r);
    for url in [
        input.to_owned(),
        format!("sqlite://{rest}"),
        format!("postgresql://{rest}"),
        format!("mysql://{rest}"),
    ] {
        if let Ok(driver) = oxalchemy_sqlite::SqliteDriver::from_url(&url) {
            let _ = format!("{driver:?}");
        }
        match oxalchemy_postgres::PostgresDriver::from_url(&url) {
            Ok(driver) => {
                let _ = format!("{driver:?}");
            }
            Err(e) => {
                let _ = (e.to_string(), format!("{e:?}"));
            }
        }
        match oxalchemy_mysql::MysqlConnectOptions::parse(&url) {
            Ok(options) => {
                let shown = format!("{options:?} {}", options.display_url());
                // A password long enough not to match by chance never shows.
                if let Some(password) = options.password()
                    && password.len() >= 12
                    // Such characters let the password straddle what is
                    // shown around the mask (`user:***@host:3306/db`).
                    && !password.contains([':', '*', '@', '/', '[', ']'])
                    && !options.user().unwrap_or("").contains(password)
                    && !options.host().contains(password)
                    && !options.database().unwrap_or("").contains(password)
                    && !options.sql_mode().contains(password)
                    && !options.time_zone().contains(password)
                    && !options.init_command().unwrap_or("").contains(password)
                    && !options.socket().unwrap_or("").contains(password)
                {
                    assert!(
                        !shown.contains(password),
                        "{url:?} shows {password:?}: {shown}"
                    );
                }
            }
            Err(e) => {
                let _ = (e.to_string(), format!("{e:?}"));
            }
        }
    }
});
