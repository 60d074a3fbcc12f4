//! address (in progress)
