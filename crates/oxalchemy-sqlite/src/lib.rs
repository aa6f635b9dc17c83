//! oxalchemy sqlite (under construction).
