//! Real HS256 JWTs with the claims the site issues (`userId`, `sign`, `role`, `exp`, `nbf`, `iat`).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The fixed JOSE header the site uses.
const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

/// Claims of a Taiji token, in the site's key order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    #[serde(rename = "userId")]
    pub user_id: u64,
    pub sign: String,
    pub role: String,
    pub exp: i64,
    pub nbf: i64,
    pub iat: i64,
}

/// Why a token was refused; every variant ends up as the same "登录已过期" envelope.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum JwtError {
    #[error("token is not a well-formed JWT")]
    Malformed,
    #[error("token signature does not match")]
    BadSignature,
    #[error("token has expired")]
    Expired,
    #[error("token is not valid yet")]
    NotYetValid,
}

/// The signing key of one simulator instance; random so tokens never carry over between instances.
pub struct JwtKeys {
    // HMAC-SHA256 keys are one block (64 bytes); a key of exactly that size makes `Mac::new` infallible.
    secret: [u8; 64],
}

impl JwtKeys {
    pub fn random() -> Self {
        Self {
            secret: rand::random(),
        }
    }

    fn mac(&self) -> HmacSha256 {
        HmacSha256::new(&self.secret.into())
    }

    pub fn encode(&self, claims: &Claims) -> String {
        // Serialising a struct of integers and strings cannot fail.
        let payload = serde_json::to_vec(claims).unwrap_or_default();
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(HEADER),
            URL_SAFE_NO_PAD.encode(payload)
        );
        let mut mac = self.mac();
        mac.update(signing_input.as_bytes());
        let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{signing_input}.{signature}")
    }

    /// Checks signature, `nbf` and `exp` against `now` (Unix seconds).
    pub fn decode(&self, token: &str, now: i64) -> Result<Claims, JwtError> {
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JwtError::Malformed);
        };
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| JwtError::Malformed)?;
        let mut mac = self.mac();
        mac.update(header.as_bytes());
        mac.update(b".");
        mac.update(payload.as_bytes());
        mac.verify_slice(&signature).map_err(|_| JwtError::BadSignature)?;
        let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| JwtError::Malformed)?;
        let claims: Claims = serde_json::from_slice(&payload).map_err(|_| JwtError::Malformed)?;
        if now < claims.nbf {
            return Err(JwtError::NotYetValid);
        }
        if now >= claims.exp {
            return Err(JwtError::Expired);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> Claims {
        Claims {
            user_id: 7,
            sign: "0123456789abcdef0123456789abcdef".into(),
            role: "user".into(),
            exp,
            nbf: 100,
            iat: 100,
        }
    }

    #[test]
    fn round_trip_and_expiry() {
        let keys = JwtKeys::random();
        let token = keys.encode(&claims(200));
        assert_eq!(keys.decode(&token, 150), Ok(claims(200)));
        assert_eq!(keys.decode(&token, 200), Err(JwtError::Expired));
        assert_eq!(keys.decode(&token, 99), Err(JwtError::NotYetValid));
    }

    #[test]
    fn foreign_or_mangled_tokens_are_refused() {
        let token = JwtKeys::random().encode(&claims(200));
        assert_eq!(JwtKeys::random().decode(&token, 150), Err(JwtError::BadSignature));
        let keys = JwtKeys::random();
        let token = keys.encode(&claims(200));
        assert_eq!(
            keys.decode(&format!("Bearer {token}"), 150),
            Err(JwtError::BadSignature)
        );
        assert_eq!(keys.decode("a.b", 150), Err(JwtError::Malformed));
    }
}
