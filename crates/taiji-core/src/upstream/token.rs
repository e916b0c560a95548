//! [`LoginToken`]: the JWT returned by login, with the claims the account needs decoded
//! (taiji-protocol.md §2.4). The signature is not (and cannot be) checked: the token is opaque to
//! us, its claims only tell when to log in again.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use time::OffsetDateTime;

use crate::secret::Secret;

/// A login token and what its claims say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginToken {
    /// The raw JWT, sent as `authorization` without any prefix.
    pub token: Secret,
    /// The `userId` claim.
    pub user_id: Option<u64>,
    /// The `iat` claim.
    pub issued_at: Option<OffsetDateTime>,
    /// The `exp` claim. `None` when the token is not a decodable JWT: then only a server-side
    /// expiry error tells us to log in again.
    pub expires_at: Option<OffsetDateTime>,
}

#[derive(Deserialize)]
struct Claims {
    #[serde(rename = "userId", default)]
    user_id: Option<serde_json::Value>,
    #[serde(default)]
    exp: Option<i64>,
    #[serde(default)]
    iat: Option<i64>,
}

impl LoginToken {
    /// Wraps a raw token and decodes its claims, tolerating tokens that are not JWTs.
    pub fn from_raw(token: Secret) -> Self {
        let claims = decode_claims(token.expose());
        let at = |secs: Option<i64>| secs.and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok());
        Self {
            user_id: claims
                .as_ref()
                .and_then(|c| c.user_id.as_ref())
                .and_then(|v| match v {
                    serde_json::Value::Number(n) => n.as_u64(),
                    serde_json::Value::String(s) => s.parse().ok(),
                    _ => None,
                }),
            issued_at: at(claims.as_ref().and_then(|c| c.iat)),
            expires_at: at(claims.as_ref().and_then(|c| c.exp)),
            token,
        }
    }

    /// Whether the token is past its `exp` at `now`.
    pub fn is_expired_at(&self, now: OffsetDateTime) -> bool {
        self.expires_at.is_some_and(|exp| now >= exp)
    }
}

fn decode_claims(jwt: &str) -> Option<Claims> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        format!("eyJhbGciOiJIUzI1NiJ9.{}.c2ln", URL_SAFE_NO_PAD.encode(payload))
    }

    #[test]
    fn decodes_taiji_claims() {
        let raw = jwt(
            r#"{"userId":12345,"sign":"ab","role":"user","exp":1773849600,"nbf":1772553600,"iat":1772553600}"#,
        );
        let token = LoginToken::from_raw(Secret::new(raw));
        assert_eq!(token.user_id, Some(12345));
        assert_eq!(token.expires_at.map(|t| t.unix_timestamp()), Some(1773849600));
        assert_eq!(token.issued_at.map(|t| t.unix_timestamp()), Some(1772553600));
        assert!(token.is_expired_at(OffsetDateTime::from_unix_timestamp(1773849600).expect("valid")));
        assert!(!token.is_expired_at(OffsetDateTime::from_unix_timestamp(1773849599).expect("valid")));
    }

    #[test]
    fn opaque_tokens_have_no_claims() {
        for raw in ["opaque", "a.!!!.c", &jwt("not json")] {
            let token = LoginToken::from_raw(Secret::new(raw));
            assert_eq!(token.expires_at, None);
            assert_eq!(token.user_id, None);
            assert!(!token.is_expired_at(OffsetDateTime::now_utc()));
        }
    }

    #[test]
    fn debug_redacts_the_token() {
        let raw = jwt(r#"{"userId":1,"exp":1}"#);
        let printed = format!("{:?}", LoginToken::from_raw(Secret::new(raw.clone())));
        assert!(!printed.contains(&raw));
    }
}
