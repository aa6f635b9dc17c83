//! oxalchemy postgres (under construction).
