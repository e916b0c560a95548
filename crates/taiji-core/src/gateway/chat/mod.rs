//! The path both chat routes share once their body is converted: resolve the model, build the
//! upstream prompt, dispatch, and relay the dispatcher's events to the client as a stream
//! ([`relay::stream`]) or as one body ([`relay::aggregate`]), applying stop sequences and output
//! limits on the way. The API-specific parts (encoders, aggregators) come in through [`wire`].

mod pipeline;
mod relay;
mod wire;

pub(crate) use pipeline::{ChatCall, run};
pub(crate) use wire::Wire;
