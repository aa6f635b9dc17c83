//! Reading catalog rows whatever the driver decoded them as (catalog columns
//! come back as text, bytes or integers depending on the backend).

use crate::error::{Error, Result};
use crate::row::Row;
use crate::value::Value;

/// Column `i` as text; `None` for NULL. Bytes are read as UTF-8, numbers written out.
pub fn opt_text(row: &Row, i: usize) -> Result<Option<String>> {
    Ok(match row.get_value(i)? {
        Value::Null => None,
        Value::Text(s) => Some(s.clone()),
        Value::Bytes(b) => Some(String::from_utf8_lossy(b).into_owned()),
        Value::Int(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Decimal(d) => Some(d.to_string()),
        Value::Float(f) => Some(f.to_string()),
        other => {
            return Err(Error::invalid_request(format!(
                "reflection: catalog column {i} holds {other:?}, expected text"
            )));
        }
    })
}

/// Column `i` as text; NULL is an error naming the column.
pub fn text(row: &Row, i: usize) -> Result<String> {
    opt_text(row, i)?.ok_or_else(|| {
        Error::invalid_request(format!(
            "reflection: catalog column {i} ({:?}) is NULL",
            row.columns().get(i)
        ))
    })
}

/// Column `i` as an integer (text holding digits is parsed); NULL is 0.
pub fn int(row: &Row, i: usize) -> Result<i64> {
    Ok(match row.get_value(i)? {
        Value::Null => 0,
        Value::Int(n) => *n,
        Value::Bool(b) => i64::from(*b),
        Value::Decimal(d) => d.to_string().parse().unwrap_or(0),
        other => {
            let t = opt_text(row, i)?.unwrap_or_default();
            t.trim().parse().map_err(|_| {
                Error::invalid_request(format!(
                    "reflection: catalog column {i} holds {other:?}, expected an integer"
                ))
            })?
        }
    })
}
