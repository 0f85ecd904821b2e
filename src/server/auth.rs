//! The node's side of login (PROTOCOL section 2): accounts, HS256 tokens, verification.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::client::Credentials;

/// Lifetime of the tokens the node issues.
pub const TOKEN_TTL_SECS: u64 = 3600;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub iat: u64,
    pub exp: u64,
    pub iss: String,
}

pub const ISSUER: &str = "polycache-serve";

/// Signs and verifies tokens; knows the accounts. The secret never leaves this struct.
pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    accounts: Vec<Credentials>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys")
            .field("secret", &"••••")
            .field("accounts", &self.accounts)
            .finish()
    }
}

impl Keys {
    pub fn new(secret: &[u8], accounts: Vec<Credentials>) -> Keys {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        Keys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            accounts,
        }
    }

    pub fn accounts(&self) -> &[Credentials] {
        &self.accounts
    }

    /// Checks an email and password against every account in constant time per
    /// comparison; returns the account's email.
    pub fn check(&self, email: &str, password: &str) -> Option<&str> {
        let mut found = None;
        for a in &self.accounts {
            let ok = ct_eq(a.email.as_bytes(), email.as_bytes())
                & ct_eq(a.expose_password().as_bytes(), password.as_bytes());
            if ok && found.is_none() {
                found = Some(a.email.as_str());
            }
        }
        found
    }

    /// A token for `email`, valid for [`TOKEN_TTL_SECS`].
    pub fn issue(&self, email: &str) -> Result<String, jsonwebtoken::errors::Error> {
        let now = crate::client::auth::now_secs();
        let claims = Claims {
            sub: email.to_string(),
            iat: now,
            exp: now + TOKEN_TTL_SECS,
            iss: ISSUER.to_string(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }

    /// Verifies signature and expiry; the error says why in words safe to return.
    pub fn verify(&self, token: &str) -> Result<Claims, &'static str> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|d| d.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => "token expired",
                jsonwebtoken::errors::ErrorKind::InvalidSignature => "invalid token signature",
                _ => "invalid token",
            })
    }
}

/// Constant-time equality of two byte strings (length is not hidden).
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

/// A random hex string from the OS-seeded thread RNG (dev secrets and passwords).
pub fn random_hex(bytes: usize) -> String {
    (0..bytes).map(|_| format!("{:02x}", rand::random::<u8>())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_tokens_verify_and_others_do_not() {
        let keys = Keys::new(b"secret-a", vec![Credentials::new("a@x", "pw")]);
        assert_eq!(keys.check("a@x", "pw"), Some("a@x"));
        assert_eq!(keys.check("a@x", "pW"), None);
        assert_eq!(keys.check("b@x", "pw"), None);
        let t = keys.issue("a@x").unwrap();
        assert_eq!(keys.verify(&t).unwrap().sub, "a@x");
        let other = Keys::new(b"secret-b", vec![]);
        assert_eq!(other.verify(&t).unwrap_err(), "invalid token signature");
        assert_eq!(keys.verify("garbage").unwrap_err(), "invalid token");
        let expired = Claims {
            sub: "a@x".into(),
            iat: 1,
            exp: 2,
            iss: ISSUER.into(),
        };
        let t = jsonwebtoken::encode(&Header::default(), &expired, &EncodingKey::from_secret(b"secret-a")).unwrap();
        assert_eq!(keys.verify(&t).unwrap_err(), "token expired");
        assert!(!format!("{keys:?}").contains("pw\""));
    }
}
