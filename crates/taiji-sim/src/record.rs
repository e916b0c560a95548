//! The final record of a turn (§4.2/§4.3): the `object` frame payload, also served by `/api/chat/record`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Field order follows the captured frame; serde keeps declaration order in the JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FinalRecord {
    pub id: u64,
    pub created: String,
    pub updated: String,
    pub session_id: u64,
    pub user_text: String,
    pub ai_text: String,
    pub uid: u64,
    pub ip: String,
    pub task_id: String,
    /// The model's label (display name), not its value.
    pub model: String,
    pub deduct_count: i64,
    pub refund_count: i64,
    pub append_deduct_count: i64,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub context_tokens: u64,
    pub use_tokens: u64,
    pub use_images: Option<Vec<String>>,
    pub use_files: Option<Vec<Value>>,
    pub use_app_id: i64,
    pub user_stop: bool,
}
