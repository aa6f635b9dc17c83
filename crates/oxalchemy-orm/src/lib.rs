//! oxalchemy orm (under construction).
