//! oxalchemy pool (under construction).
