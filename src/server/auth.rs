//! The node's side of login (PROTOCOL section 2): accounts, HS256 tokens, verification.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::client::Credentials;

/// Lifetime of the tokens the node issues.
pub const TOKEN_TTL_SECS: u64 = 3600;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    #[serde(default)]
    pub iat: u64,
    pub exp: u64,
    /// Defaulted so that a token without one is refused by the validation, which says so.
    #[serde(default)]
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
        // HS256 through the project's own provider, once, before any token is signed or
        // checked (not on every request).
        crate::jwt::install();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        // A token signed with the right secret is still refused unless this node issued it
        // (`iss`), it is in force (`exp`, and `nbf` when present) and it names an account
        // the node knows (`sub`, checked in `verify`).
        validation.set_required_spec_claims(&["exp", "sub", "iss"]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_issuer(&[ISSUER]);
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
        let now = crate::client::token::now_secs();
        let claims = Claims {
            sub: email.to_string(),
            iat: now,
            exp: now + TOKEN_TTL_SECS,
            iss: ISSUER.to_string(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }

    /// Verifies the signature and the claims `exp`, `nbf`, `iss` (this node's issuer) and
    /// `sub` (a known account); the error says why in words safe to return.
    pub fn verify(&self, token: &str) -> Result<Claims, &'static str> {
        use jsonwebtoken::errors::ErrorKind;
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|d| d.claims)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => "token expired",
                ErrorKind::ImmatureSignature => "token not valid yet (its `nbf` is in the future)",
                ErrorKind::InvalidIssuer => "token issued by someone else (its `iss` is not this node)",
                ErrorKind::MissingRequiredClaim(c) if c == "iss" => "token without an issuer (`iss`)",
                ErrorKind::InvalidSignature => "invalid token signature",
                _ => "invalid token",
            })?;
        if !self.accounts.iter().any(|a| a.email == claims.sub) {
            return Err("token for an account this node does not know (`sub`)");
        }
        Ok(claims)
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
        crate::jwt::install();
        let t = jsonwebtoken::encode(&Header::default(), &expired, &EncodingKey::from_secret(b"secret-a")).unwrap();
        assert_eq!(keys.verify(&t).unwrap_err(), "token expired");
        assert!(!format!("{keys:?}").contains("pw\""));
    }

    fn mint(secret: &[u8], claims: serde_json::Value) -> String {
        crate::jwt::install();
        jsonwebtoken::encode(&Header::default(), &claims, &EncodingKey::from_secret(secret)).unwrap()
    }

    #[test]
    fn foreign_issuer_unknown_account_and_future_nbf_are_refused() {
        let keys = Keys::new(b"secret-a", vec![Credentials::new("a@x", "pw")]);
        let now = crate::client::token::now_secs();
        let ok = serde_json::json!({"sub": "a@x", "iat": now, "exp": now + 60, "iss": ISSUER});
        assert!(keys.verify(&mint(b"secret-a", ok.clone())).is_ok());
        let with = |k: &str, v: serde_json::Value| {
            let mut c = ok.clone();
            c[k] = v;
            mint(b"secret-a", c)
        };
        assert!(
            keys.verify(&with("iss", "someone-else".into()))
                .unwrap_err()
                .contains("`iss`")
        );
        assert!(keys.verify(&with("sub", "b@x".into())).unwrap_err().contains("`sub`"));
        assert!(
            keys.verify(&with("nbf", (now + 600).into()))
                .unwrap_err()
                .contains("`nbf`")
        );
        assert!(keys.verify(&with("nbf", (now - 5).into())).is_ok());
        let mut no_iss = ok.clone();
        no_iss.as_object_mut().unwrap().remove("iss");
        assert!(keys.verify(&mint(b"secret-a", no_iss)).is_err());
    }
}
