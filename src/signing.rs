//! The service's Ed25519 signing key, and signed documents: receipts and checkpoints that a
//! member or auditor keeps and anyone checks later without the service (docs/RECEIPTS.md).
//!
//! A signed document is canonical JSON (`domain::canonical`, the rules of the hash chain); its
//! signature covers exactly that text's UTF-8 bytes. Ed25519 signatures are deterministic, so
//! the same document signed by the same key is the same answer every time: receipts are made
//! again from the stored journal whenever they are shown, and need no storage of their own.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Utc};
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _, EncodePublicKey as _};
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

/// The only signature algorithm, as answers and the key list name it.
pub const ALGORITHM: &str = "Ed25519";

/// A key as the database keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredKey {
    pub key_id: String,
    /// The raw 32-byte public key, base64.
    pub public_key: String,
    /// PKCS#8 PEM; `None` for a key kept in a file by the operator.
    pub private_key_pem: Option<String>,
    pub began_at: DateTime<Utc>,
    pub retired_at: Option<DateTime<Utc>>,
}

/// The key id: the first 16 hex digits of SHA-256 of the raw public key.
pub fn key_id(public: &VerifyingKey) -> String {
    let digest = Sha256::digest(public.as_bytes());
    hex::encode(&digest[..8])
}

/// The public key as SubjectPublicKeyInfo PEM, what `openssl pkeyutl -pubin` reads.
pub fn public_key_pem(public: &VerifyingKey) -> anyhow::Result<String> {
    public
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| anyhow::anyhow!("cannot encode a public key: {e}"))
}

/// A raw base64 public key as stored, decoded.
pub fn decode_public_key(base64: &str) -> anyhow::Result<VerifyingKey> {
    let bytes: [u8; 32] = BASE64
        .decode(base64)?
        .try_into()
        .map_err(|_| anyhow::anyhow!("a stored public key is not 32 bytes"))?;
    Ok(VerifyingKey::from_bytes(&bytes)?)
}

/// The key that signs this process's documents.
#[derive(Clone)]
pub struct Signer {
    key: SigningKey,
    key_id: String,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the private key.
        f.debug_struct("Signer")
            .field("key_id", &self.key_id)
            .finish()
    }
}

impl Signer {
    /// A new key from the operating system's random numbers.
    pub fn generate() -> Signer {
        use argon2::password_hash::rand_core::{OsRng, RngCore as _};
        let mut seed = [0u8; 32];
        OsRng.fill_bytes(&mut seed);
        Signer::from_key(SigningKey::from_bytes(&seed))
    }

    fn from_key(key: SigningKey) -> Signer {
        let key_id = key_id(&key.verifying_key());
        Signer { key, key_id }
    }

    /// The key in a PKCS#8 PEM text (`-----BEGIN PRIVATE KEY-----`, as `openssl genpkey
    /// -algorithm ed25519` writes it).
    pub fn from_pkcs8_pem(pem: &str) -> anyhow::Result<Signer> {
        let key = SigningKey::from_pkcs8_pem(pem)
            .map_err(|e| anyhow::anyhow!("not an Ed25519 private key in PKCS#8 PEM: {e}"))?;
        Ok(Signer::from_key(key))
    }

    pub fn to_pkcs8_pem(&self) -> anyhow::Result<String> {
        Ok(self
            .key
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| anyhow::anyhow!("cannot encode the signing key: {e}"))?
            .to_string())
    }

    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    /// The key as the database keeps it, beginning at `at`; with its private half unless the
    /// operator keeps that in a file.
    pub fn stored(&self, at: DateTime<Utc>, keep_private: bool) -> anyhow::Result<StoredKey> {
        Ok(StoredKey {
            key_id: self.key_id.clone(),
            public_key: BASE64.encode(self.key.verifying_key().as_bytes()),
            private_key_pem: if keep_private {
                Some(self.to_pkcs8_pem()?)
            } else {
                None
            },
            began_at: at,
            retired_at: None,
        })
    }

    /// Signs `document` (an object with its `type`): the key id is added to it, so the text
    /// says which key signed it, and the signature covers its canonical text.
    pub fn sign(&self, mut document: Value) -> Signed {
        if let Value::Object(map) = &mut document {
            map.insert("key_id".into(), Value::String(self.key_id.clone()));
        }
        let payload = crate::domain::canonical::to_canonical_string(&document);
        let signature = self.key.sign(payload.as_bytes());
        Signed {
            payload,
            signature: BASE64.encode(signature.to_bytes()),
            key_id: self.key_id.clone(),
            algorithm: ALGORITHM,
        }
    }
}

/// A signed document as answers carry it: the exact text signed, and its signature.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Signed {
    /// The canonical JSON text that was signed (its UTF-8 bytes).
    pub payload: String,
    /// The 64-byte Ed25519 signature, base64.
    pub signature: String,
    pub key_id: String,
    pub algorithm: &'static str,
}

/// Whether `signature` (base64) is `public`'s signature of `payload`.
pub fn verify(public: &VerifyingKey, payload: &str, signature: &str) -> bool {
    let Ok(bytes) = BASE64.decode(signature) else {
        return false;
    };
    let Ok(signature) = ed25519_dalek::Signature::from_slice(&bytes) else {
        return false;
    };
    public.verify_strict(payload.as_bytes(), &signature).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_signed_document_verifies_and_a_changed_byte_does_not() {
        let signer = Signer::generate();
        let signed = signer.sign(json!({"type": "msai-ledger/receipt/v1", "b": "1", "a": "2"}));
        assert!(signed.payload.starts_with(r#"{"a":"2","b":"1","key_id":""#));
        assert!(verify(
            &signer.verifying_key(),
            &signed.payload,
            &signed.signature
        ));
        let changed = signed.payload.replace(r#""a":"2""#, r#""a":"3""#);
        assert!(!verify(
            &signer.verifying_key(),
            &changed,
            &signed.signature
        ));
    }

    #[test]
    fn signing_is_deterministic_and_the_key_survives_pem() {
        let signer = Signer::generate();
        let again = Signer::from_pkcs8_pem(&signer.to_pkcs8_pem().unwrap()).unwrap();
        assert_eq!(again.key_id(), signer.key_id());
        assert_eq!(again.key_id().len(), 16);
        let document = json!({"type": "t", "n": "1"});
        assert_eq!(signer.sign(document.clone()), again.sign(document));
        let stored = signer.stored(Utc::now(), false).unwrap();
        assert_eq!(stored.private_key_pem, None);
        assert_eq!(
            decode_public_key(&stored.public_key).unwrap(),
            signer.verifying_key()
        );
        assert!(
            public_key_pem(&signer.verifying_key())
                .unwrap()
                .starts_with("-----BEGIN PUBLIC KEY-----\n")
        );
    }
}
