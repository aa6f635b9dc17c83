//! oxalchemy mysql (under construction).
