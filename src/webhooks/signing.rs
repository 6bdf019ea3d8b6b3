//! Standard Webhooks signatures: secrets (`whsec_` + base64 of random bytes), message ids
//! (`msg_...`) and the `webhook-signature` header, `v1,` + base64 of HMAC-SHA256 over
//! `{id}.{timestamp}.{body}` keyed with the secret's decoded bytes.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use rand::RngCore as _;
use sha2::Sha256;

/// The prefix Standard Webhooks gives secrets, so they are recognisable where they end up.
const SECRET_PREFIX: &str = "whsec_";
/// Random bytes in a new secret (the convention asks for 24 to 64).
const SECRET_BYTES: usize = 32;

/// A fresh signing secret, as the admin copies it to the receiver.
pub fn new_secret() -> String {
    let mut bytes = [0u8; SECRET_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes))
}

/// A fresh message id: the `webhook-id` of every attempt of one delivery.
pub fn new_message_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("msg_{hex}")
}

/// The stored secret is not one we made: it cannot sign.
#[derive(Debug, thiserror::Error)]
#[error("the endpoint's secret is not `whsec_` followed by base64")]
pub struct BadSecret;

/// The `webhook-signature` header value for one attempt.
pub fn signature(secret: &str, message_id: &str, timestamp: i64, body: &[u8]) -> Result<String, BadSecret> {
    let encoded = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
    let key = STANDARD.decode(encoded).map_err(|_| BadSecret)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).map_err(|_| BadSecret)?;
    mac.update(message_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example in the Standard Webhooks specification's own test vectors.
    #[test]
    fn signs_the_specifications_example() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = br#"{"test": 2432232314}"#;
        let signed = signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1_614_265_330, body).unwrap();
        assert_eq!(signed, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn secrets_and_ids_have_their_prefixes_and_sign() {
        let secret = new_secret();
        assert!(secret.starts_with("whsec_") && secret.len() > 40, "{secret}");
        assert!(new_message_id().starts_with("msg_"));
        assert!(signature(&secret, "msg_1", 1, b"{}").is_ok());
        assert!(signature("whsec_not base64!", "msg_1", 1, b"{}").is_err());
    }
}
