//! The path both chat routes share: the route's steps up to a converted body ([`route`]: parse
//! errors, validation, transcript, each API stating only what differs through [`ChatRoute`]), then
//! resolve the model, build the upstream prompt, dispatch, and relay the dispatcher's events to the
//! client as a stream ([`relay::stream`]) or as one body ([`relay::aggregate`]), applying stop
//! sequences and output limits on the way. The API-specific parts (encoders, aggregators) come in
//! through [`wire`].

mod estimates;
mod pipeline;
mod relay;
mod route;
mod wire;

pub(crate) use route::{ChatRoute, Validated, handle};
pub(crate) use wire::Wire;
