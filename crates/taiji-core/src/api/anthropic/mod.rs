//! The Anthropic Messages wire format: the request types ([`request`]), their validation
//! ([`validate`]) and conversion into the neutral transcript ([`convert`]), the token estimate of
//! `count_tokens` ([`count_tokens`]), the streaming encoder ([`stream`]) and the non-stream body
//! ([`response`]).

pub mod convert;
pub mod count_tokens;
pub mod request;
pub mod response;
pub mod stream;
pub mod validate;

pub use convert::{to_transcript, tool_config};
pub use count_tokens::{CountTokensResponse, count_anthropic_tokens};
pub use request::MessagesRequest;
pub use response::{AnthropicAggregator, MessageMeta, MessageResponse};
pub use stream::AnthropicStreamEncoder;
pub use validate::{MessagesOptions, validate_options};
