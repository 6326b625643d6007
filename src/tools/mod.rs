//! The tools around the demos: what is there ([`ls`]), what a crashed run left ([`clean`]),
//! the kernel's limits ([`limits`]), two-terminal demos side by side ([`split`]) and the
//! whole lecture in one run ([`tour`]).

pub mod check;
pub mod clean;
pub mod lab;
pub mod limits;
pub mod ls;
pub mod split;
pub mod timeline;
pub mod tour;
