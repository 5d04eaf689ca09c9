//! What a plan means for traffic: the live bindings a file does not list and the
//! routing they change ([`Unlisted`]), and where the traffic of every address whose
//! routing changes goes after each step of the plan ([`Transition`]).
//!
//! Both follow the routing rule (the most specific binding containing an address
//! decides) with the crate's one longest-prefix matcher, over *pieces*: the address
//! space cut at the start and the end of every CIDR involved, so that routing is the
//! same for every address of a piece, whatever the state.
//!
//! The public types are in `types`, the pieces and the routing over them in
//! `pieces`, and what follows a plan's steps through them in `follow`.

mod follow;
mod pieces;
mod types;

pub(super) use follow::{number_over_the_plan, transitions, unlisted};
pub use types::{Pass, Reroute, Transition, Unlisted};
