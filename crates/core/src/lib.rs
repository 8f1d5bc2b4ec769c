//! roster-core (work in progress).
