//! Placeholder; the simulator arrives with the foundation issue.
