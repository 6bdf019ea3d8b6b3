//! Signed numbers: tokens of the form `N.` plus an HMAC-SHA256 of `N`, under a key derived from
//! the site secret for one purpose. They need no table, survive restarts and are the same on
//! every node. Unsubscribe links sign a user id with them; forms sign the time they were shown.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Signs and checks numbers for one purpose.
#[derive(Clone)]
pub struct NumberSigner([u8; 32]);

impl NumberSigner {
    /// Derives the key from the site's signing secret; `purpose` keeps each use's tokens apart.
    pub fn derive(secret: &[u8], purpose: &[u8]) -> Self {
        Self(mac(secret, purpose))
    }

    /// The token for `n`.
    pub fn token(&self, n: i64) -> String {
        format!("{n}.{}", URL_SAFE_NO_PAD.encode(mac(&self.0, n.to_string().as_bytes())))
    }

    /// The number a token was made for, if it is genuine (compared in constant time).
    pub fn verify(&self, token: &str) -> Option<i64> {
        let (number, signature) = token.split_once('.')?;
        let n: i64 = number.parse().ok()?;
        let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
        let mut check = HmacSha256::new_from_slice(&self.0).ok()?;
        check.update(n.to_string().as_bytes());
        check.verify_slice(&signature).ok()?;
        Some(n)
    }
}

fn mac(key: &[u8], message: &[u8]) -> [u8; 32] {
    // HMAC takes keys of any length, so this cannot fail; an empty MAC would only fail to verify.
    HmacSha256::new_from_slice(key)
        .map(|mut m| {
            m.update(message);
            m.finalize().into_bytes().into()
        })
        .unwrap_or([0; 32])
}

#[cfg(test)]
mod tests {
    use super::NumberSigner;

    #[test]
    fn tokens_verify_only_under_their_key_and_purpose() {
        let signer = NumberSigner::derive(&[7; 32], b"one");
        let token = signer.token(42);
        assert_eq!(signer.verify(&token), Some(42));
        assert_eq!(NumberSigner::derive(&[7; 32], b"two").verify(&token), None);
        assert_eq!(NumberSigner::derive(&[8; 32], b"one").verify(&token), None);
        assert_eq!(signer.verify(&token.replacen("42", "43", 1)), None);
        assert_eq!(signer.verify("nonsense"), None);
    }
}
