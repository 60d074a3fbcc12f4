//! citygen (in progress)
