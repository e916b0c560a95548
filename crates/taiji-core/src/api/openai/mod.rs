//! The OpenAI Chat Completions wire format: the request types ([`request`]), their validation
//! ([`validate`]) and conversion into the neutral transcript ([`convert`]), the streaming encoder
//! ([`stream`]) and the non-stream body ([`response`]).

pub mod convert;
pub mod request;
pub mod response;
pub mod stream;
pub mod validate;

pub use convert::{to_transcript, tool_config};
pub use request::ChatCompletionRequest;
pub use response::{ChatCompletion, OpenAiAggregator, ResponseMeta};
pub use stream::OpenAiStreamEncoder;
pub use validate::{ChatOptions, validate_options};
