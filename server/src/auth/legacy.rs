//! Password hashes kept from another server (`eo-admin import`), checked in their own scheme
//! at the next login and then replaced by an argon2id hash of our own ([`upgrade`]).
//!
//! A kept hash is stored as a PHC-like string `$SCHEME$PARAMS$HASH`, so that it can never be
//! taken for an argon2 hash of ours, and carries what its check needs besides the password:
//!
//! | scheme | what the other server stored | the check |
//! | --- | --- | --- |
//! | `eoserv-sha256` | EOSERV: 64 hex digits | sha256(salt ‖ username ‖ password), lowercase hex |
//! | `etheos-bcrypt` | etheos (password_version 2): a bcrypt string | bcrypt of salt ‖ username ‖ password |
//! | `reoserv-argon2` | reoserv: an argon2 PHC string | argon2 of username ‖ password |
//!
//! PARAMS is `s=SALT,u=USERNAME` (`u=USERNAME` alone for reoserv), each the bytes in unpadded
//! standard base64: the salt is EOSERV's `PasswordSalt` setting (never in its database), the
//! username the account's name as that server hashed it (EOSERV lowercases it first). HASH is
//! the other server's string as it was, `$` signs included.
//!
//! The password enters EOSERV's and etheos's hash as the bytes the client sent (Windows-1252,
//! which our protocol layer decoded: it is encoded back), and reoserv's as UTF-8 (reoserv
//! decodes it the same way and hashes the Rust string).

use argon2::Argon2;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use bytes::BytesMut;
use sha2::{Digest as _, Sha256};
use tracing::{info, warn};

use super::{AuthError, PasswordHasher};
use crate::db::Db;

/// EOSERV's scheme (and etheos's password_version 1).
pub const EOSERV_SHA256: &str = "eoserv-sha256";
/// etheos's bcrypt (password_version 2).
pub const ETHEOS_BCRYPT: &str = "etheos-bcrypt";
/// reoserv's argon2 of the username and the password.
pub const REOSERV_ARGON2: &str = "reoserv-argon2";
/// Every scheme kept, as `eo-admin import` names them.
pub const SCHEMES: [&str; 3] = [EOSERV_SHA256, ETHEOS_BCRYPT, REOSERV_ARGON2];

/// A kept hash, taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyHash {
    pub scheme: &'static str,
    pub salt: Vec<u8>,
    pub username: Vec<u8>,
    /// The other server's hash string, as it stored it.
    pub hash: String,
}

impl LegacyHash {
    /// A hash of `scheme` with its salt and username, checked for the scheme's form.
    pub fn new(
        scheme: &str,
        salt: Vec<u8>,
        username: Vec<u8>,
        hash: String,
    ) -> Result<Self, AuthError> {
        let Some(scheme) = SCHEMES.into_iter().find(|s| *s == scheme) else {
            return Err(AuthError::InvalidHash(format!(
                "no password scheme {scheme:?}; the kept schemes are {}",
                SCHEMES.join(", ")
            )));
        };
        let hash = match scheme {
            EOSERV_SHA256 => {
                if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(AuthError::InvalidHash(
                        "an EOSERV hash is 64 hexadecimal digits".into(),
                    ));
                }
                hash.to_ascii_lowercase()
            }
            ETHEOS_BCRYPT => {
                if !hash.starts_with("$2") || hash.len() != 60 {
                    return Err(AuthError::InvalidHash(
                        "an etheos bcrypt hash is 60 characters starting with $2".into(),
                    ));
                }
                hash
            }
            _ => {
                if !salt.is_empty() {
                    return Err(AuthError::InvalidHash("reoserv hashes have no salt".into()));
                }
                argon2::PasswordHash::new(&hash)
                    .map_err(|e| AuthError::InvalidHash(format!("not an argon2 hash: {e}")))?;
                hash
            }
        };
        Ok(Self {
            scheme,
            salt,
            username,
            hash,
        })
    }

    /// The string stored in `accounts.password_hash`.
    pub fn to_stored(&self) -> String {
        let user = B64.encode(&self.username);
        if self.scheme == REOSERV_ARGON2 {
            format!("${}$u={user}${}", self.scheme, self.hash)
        } else {
            let salt = B64.encode(&self.salt);
            format!("${}$s={salt},u={user}${}", self.scheme, self.hash)
        }
    }

    /// Takes a stored string apart; `None` if it is not a kept hash.
    pub fn parse(stored: &str) -> Option<Result<Self, AuthError>> {
        let mut parts = stored.splitn(4, '$');
        let (Some(""), Some(scheme)) = (parts.next(), parts.next()) else {
            return None;
        };
        if !SCHEMES.contains(&scheme) {
            return None;
        }
        let broken = |why: &str| Some(Err(AuthError::InvalidHash(format!("{scheme}: {why}"))));
        let (Some(params), Some(hash)) = (parts.next(), parts.next()) else {
            return broken("no hash");
        };
        let (mut salt, mut username) = (None, None);
        for param in params.split(',') {
            let decoded = |value: &str| B64.decode(value).ok();
            match param.split_once('=') {
                Some(("s", value)) => salt = decoded(value),
                Some(("u", value)) => username = decoded(value),
                _ => return broken("unknown parameter"),
            }
        }
        let Some(username) = username else {
            return broken("no username");
        };
        let salt = match (scheme, salt) {
            (REOSERV_ARGON2, None) => Vec::new(),
            (REOSERV_ARGON2, Some(_)) | (_, None) => return broken("bad salt"),
            (_, Some(salt)) => salt,
        };
        Some(Self::new(scheme, salt, username, hash.to_owned()))
    }
}

/// Whether `stored` is a kept hash (checked in its own scheme, then replaced at login).
pub fn is_legacy(stored: &str) -> bool {
    SCHEMES.iter().any(|scheme| {
        stored
            .strip_prefix('$')
            .and_then(|rest| rest.strip_prefix(scheme))
            .is_some_and(|rest| rest.starts_with('$'))
    })
}

/// Checks `password` against the kept hash `stored` (on a hashing thread: bcrypt and argon2
/// are slow on purpose).
pub(super) fn verify(
    argon2: &Argon2<'static>,
    scratch: &mut super::Scratch,
    password: &str,
    stored: &str,
) -> Result<bool, AuthError> {
    let kept = LegacyHash::parse(stored)
        .unwrap_or_else(|| Err(AuthError::InvalidHash("not a kept hash".into())))?;
    match kept.scheme {
        EOSERV_SHA256 => {
            let mut input = Sha256::new();
            input.update(&kept.salt);
            input.update(&kept.username);
            input.update(windows_1252(password));
            let digest = input.finalize();
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            Ok(same(hex.as_bytes(), kept.hash.as_bytes()))
        }
        ETHEOS_BCRYPT => {
            let mut input = kept.salt;
            input.extend_from_slice(&kept.username);
            input.extend_from_slice(&windows_1252(password));
            // etheos's bcrypt library reads the input as a C string of at most 72 bytes, as
            // bcrypt always has; the crate's `verify` does the same.
            bcrypt::verify(&input, &kept.hash).map_err(|e| AuthError::InvalidHash(e.to_string()))
        }
        _ => {
            let mut input = kept.username;
            input.extend_from_slice(password.as_bytes());
            super::verify_password(argon2, scratch, &input, &kept.hash)
        }
    }
}

/// The password as the client sent it on the wire.
fn windows_1252(password: &str) -> BytesMut {
    let mut bytes = BytesMut::with_capacity(password.len());
    eo_protocol::string::encode_windows_1252(password, &mut bytes);
    bytes
}

/// Compares in time that does not depend on where the first difference is.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// After a successful login with a kept hash: hashes `password` with argon2id and stores it in
/// place of the kept one. A failure is logged and the kept hash stays, to be replaced at a
/// later login.
pub async fn upgrade(
    hasher: &PasswordHasher,
    db: &Db,
    account_id: i64,
    username: &str,
    password: String,
) {
    let hash = match hasher.hash(password).await {
        Ok(hash) => hash,
        Err(error) => {
            warn!(account = %username, %error, "the imported password hash could not be replaced yet");
            return;
        }
    };
    match db.set_password(account_id, hash).await {
        Ok(()) => info!(account = %username, "the imported password hash is replaced by argon2id"),
        Err(error) => {
            warn!(account = %username, %error, "the imported password hash could not be replaced yet");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`verify`] as a hashing thread runs it, at the default cost.
    fn check(password: &str, stored: &str) -> Result<bool, AuthError> {
        let argon2 = Argon2::default();
        let mut scratch = super::super::Scratch::for_cost(argon2.params());
        verify(&argon2, &mut scratch, password, stored)
    }

    fn eoserv(salt: &str, user: &str, password: &[u8]) -> String {
        let mut input = Vec::from(salt.as_bytes());
        input.extend_from_slice(user.as_bytes());
        input.extend_from_slice(password);
        Sha256::digest(&input)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    #[test]
    fn eoserv_hashes_check_the_salt_the_name_and_the_password() {
        let kept = LegacyHash::new(
            EOSERV_SHA256,
            b"ChangeMe".to_vec(),
            b"alice".to_vec(),
            eoserv("ChangeMe", "alice", b"secret1").to_ascii_uppercase(),
        )
        .unwrap();
        let stored = kept.to_stored();
        assert!(
            stored.starts_with("$eoserv-sha256$s=Q2hhbmdlTWU,u=YWxpY2U$"),
            "{stored}"
        );
        assert!(is_legacy(&stored));
        assert_eq!(LegacyHash::parse(&stored), Some(Ok(kept)));
        assert_eq!(check("secret1", &stored), Ok(true));
        assert_eq!(check("secret2", &stored), Ok(false));
        assert_eq!(check("Secret1", &stored), Ok(false));
    }

    #[test]
    fn eoserv_passwords_are_hashed_as_windows_1252_bytes() {
        // "é" is one byte, 0xE9, on the wire and in EOSERV's hash.
        let hash = eoserv("", "bob", b"caf\xe9s!");
        let stored = LegacyHash::new(EOSERV_SHA256, Vec::new(), b"bob".to_vec(), hash)
            .unwrap()
            .to_stored();
        assert_eq!(check("cafés!", &stored), Ok(true));
    }

    #[test]
    fn etheos_bcrypt_hashes() {
        let bcrypt = bcrypt::hash("saltcarolpassword", 4).unwrap();
        let stored = LegacyHash::new(ETHEOS_BCRYPT, b"salt".to_vec(), b"carol".to_vec(), bcrypt)
            .unwrap()
            .to_stored();
        assert!(is_legacy(&stored));
        assert_eq!(check("password", &stored), Ok(true));
        assert_eq!(check("passwore", &stored), Ok(false));
    }

    #[test]
    fn reoserv_argon2_hashes_take_the_name_first() {
        use argon2::password_hash::{PasswordHasher as _, SaltString};
        let params = argon2::Params::new(8, 1, 1, None).unwrap();
        let hasher = Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let phc = hasher
            .hash_password(b"Davepassword", &salt)
            .unwrap()
            .to_string();
        let stored = LegacyHash::new(REOSERV_ARGON2, Vec::new(), b"Dave".to_vec(), phc.clone())
            .unwrap()
            .to_stored();
        assert_eq!(stored, format!("$reoserv-argon2$u=RGF2ZQ${phc}"));
        assert_eq!(check("password", &stored), Ok(true));
        assert_eq!(check("Password", &stored), Ok(false));
    }

    #[test]
    fn malformed_kept_hashes_are_refused() {
        for (scheme, salt, hash) in [
            (EOSERV_SHA256, "s", "abc"),
            (EOSERV_SHA256, "s", &"g".repeat(64)),
            (ETHEOS_BCRYPT, "s", "$2a$12$short"),
            (REOSERV_ARGON2, "", "not argon2"),
            (
                REOSERV_ARGON2,
                "s",
                "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
            ),
            ("md5", "", "x"),
        ] {
            let made = LegacyHash::new(scheme, salt.into(), b"u".to_vec(), hash.into());
            assert!(
                matches!(made, Err(AuthError::InvalidHash(_))),
                "{scheme} {hash}"
            );
        }
        for stored in [
            "$eoserv-sha256$",
            "$eoserv-sha256$s=AA$abc",
            "$eoserv-sha256$u=AA$0000000000000000000000000000000000000000000000000000000000000000",
            "$eoserv-sha256$s=!!,u=AA$0000000000000000000000000000000000000000000000000000000000000000",
            "$reoserv-argon2$x=1$abc",
        ] {
            assert!(is_legacy(stored), "{stored}");
            assert!(
                matches!(LegacyHash::parse(stored), Some(Err(_))),
                "{stored}"
            );
            assert!(matches!(
                check("pw", stored),
                Err(AuthError::InvalidHash(_))
            ));
        }
        for other in [
            "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA",
            "$eoserv-sha256x$a$b",
            "",
        ] {
            assert!(!is_legacy(other), "{other}");
            assert_eq!(LegacyHash::parse(other), None);
        }
    }
}
