//! The cf-bindings wrapper against the emulator, two independent implementations
//! of the wire format face to face: faults after a commit (`faults`), provisioning
//! waited for (`wait`), and `desired::apply` making a plan's steps (`apply`). The
//! wrapper's behaviour against a scripted server is tested in its own crate
//! (`crates/cf-bindings/tests/it`).

mod apply;
mod faults;
mod wait;
