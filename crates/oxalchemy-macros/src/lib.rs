//! oxalchemy's proc macros (under construction).
