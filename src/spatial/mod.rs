//! spatial (in progress)
