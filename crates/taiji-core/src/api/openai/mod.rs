//! The OpenAI Chat Completions wire format: the request types ([`request`]), their validation
//! ([`validate`]), the streaming encoder ([`stream`]) and the non-stream body ([`response`]).

pub mod request;
pub mod response;
pub mod stream;
pub mod validate;

pub use request::ChatCompletionRequest;
pub use response::{ChatCompletion, OpenAiAggregator, ResponseMeta};
pub use stream::OpenAiStreamEncoder;
pub use validate::{ChatOptions, validate_options};
