//! What a journal is for: one LinkedIn account, through one API generation, for one invitation
//! type. A listing of another account settling this one's unknown withdrawals would lose them
//! (they are not in it, so they look gone), so a journal records its scope with its first use
//! and refuses any other, without writing a secret:
//!
//! - v2: the `account_id`, as a salted PBKDF2-HMAC-SHA256 digest (the salt random per journal,
//!   100,000 rounds with `ring`, already in rustls's tree): the id cannot be read back from it,
//!   nor guessed from a list of likely ids at any useful speed;
//! - v1: LinkedIn rotates the login token and v1 names no account otherwise, so a label the
//!   caller gives ([`WithdrawalJournal::account_label`](super::WithdrawalJournal::account_label)),
//!   kept as written; without one a v1 journal tells no account from another.

use std::fmt;
use std::num::NonZeroU32;

use serde::{Deserialize, Serialize};

use crate::config::Params;
use crate::ground::Generation;

/// PBKDF2's rounds: a guess at an account id costs as much.
const ROUNDS: u32 = 100_000;

/// A journal's scope, as recorded or as a call would record it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Scope {
    generation: Generation,
    account: Account,
    invitation_type: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Account {
    /// v1 without a label: any account.
    Unlabelled,
    /// v1, by the label the caller gave.
    Label(String),
    /// v2, by its id's digest.
    Digest { salt: [u8; 16], digest: [u8; 32] },
}

impl Scope {
    /// The scope a call with `params` (and the journal's `label`, for v1) has, for a journal
    /// that has none yet: a v2 account's digest under a fresh salt.
    pub(crate) fn of(params: &Params, label: Option<&str>) -> Scope {
        let account = match params.generation() {
            Generation::V1 => label.map_or(Account::Unlabelled, |l| Account::Label(l.into())),
            Generation::V2 => {
                let salt = fresh_salt();
                let digest = digest(&salt, params.credential());
                Account::Digest { salt, digest }
            }
        };
        Scope {
            generation: params.generation(),
            account,
            invitation_type: params.invitation_type.as_str().to_owned(),
        }
    }

    /// Whether a call with `params` (and `label`) is of this scope; if not, the scope it is
    /// of, digested under this one's salt so that the two can be told apart when shown.
    pub(crate) fn admits(&self, params: &Params, label: Option<&str>) -> Result<(), Scope> {
        let account = match (&self.account, params.generation()) {
            (Account::Digest { salt, .. }, Generation::V2) => Account::Digest {
                salt: *salt,
                digest: digest(salt, params.credential()),
            },
            (_, Generation::V2) => Scope::of(params, label).account,
            (_, Generation::V1) => label.map_or(Account::Unlabelled, |l| Account::Label(l.into())),
        };
        let used = Scope {
            generation: params.generation(),
            account,
            invitation_type: params.invitation_type.as_str().to_owned(),
        };
        if used == *self {
            Ok(())
        } else {
            Err(used)
        }
    }

    /// The scope as a journal line holds it.
    pub(crate) fn to_wire(&self) -> WireScope {
        let account = match &self.account {
            Account::Unlabelled => None,
            Account::Label(label) => Some(WireAccount {
                label: Some(label.clone()),
                salt: None,
                digest: None,
            }),
            Account::Digest { salt, digest } => Some(WireAccount {
                label: None,
                salt: Some(hex(salt)),
                digest: Some(hex(digest)),
            }),
        };
        WireScope {
            generation: match self.generation {
                Generation::V1 => "v1".into(),
                Generation::V2 => "v2".into(),
            },
            account,
            invitation_type: self.invitation_type.clone(),
        }
    }

    /// The scope a journal line holds, if it is one.
    pub(crate) fn from_wire(wire: &WireScope) -> Option<Scope> {
        let generation = match wire.generation.as_str() {
            "v1" => Generation::V1,
            "v2" => Generation::V2,
            _ => return None,
        };
        let account = match (&wire.account, generation) {
            (None, Generation::V1) => Account::Unlabelled,
            (Some(account), Generation::V1) => Account::Label(account.label.clone()?),
            (Some(account), Generation::V2) => Account::Digest {
                salt: unhex(account.salt.as_deref()?)?,
                digest: unhex(account.digest.as_deref()?)?,
            },
            (None, Generation::V2) => return None,
        };
        (!wire.invitation_type.is_empty()).then(|| Scope {
            generation,
            account,
            invitation_type: wire.invitation_type.clone(),
        })
    }
}

/// "v2 account #3fa9c1e2, CONNECTION invitations": no secret, but enough to tell two apart.
impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.account, self.generation) {
            (Account::Digest { digest, .. }, _) => {
                write!(f, "v2 account #{}", &hex(digest)[..8])?;
            }
            (Account::Label(label), _) => write!(f, "v1 account {label:?}")?,
            (Account::Unlabelled, Generation::V1) => f.write_str("v1, no account label")?,
            (Account::Unlabelled, Generation::V2) => f.write_str("v2")?,
        }
        write!(f, ", {} invitations", self.invitation_type)
    }
}

/// The scope as a journal line holds it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct WireScope {
    generation: String,
    account: Option<WireAccount>,
    invitation_type: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct WireAccount {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    salt: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    digest: Option<String>,
}

fn digest(salt: &[u8; 16], account_id: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    let rounds = NonZeroU32::new(ROUNDS).unwrap_or(NonZeroU32::MIN);
    ring::pbkdf2::derive(
        ring::pbkdf2::PBKDF2_HMAC_SHA256,
        rounds,
        salt,
        account_id.as_bytes(),
        &mut out,
    );
    out
}

/// 16 random bytes: std seeds each `RandomState` from the operating system's randomness.
fn fresh_salt() -> [u8; 16] {
    use std::hash::{BuildHasher, Hasher};
    let mut salt = [0u8; 16];
    for half in salt.chunks_mut(8) {
        let bits = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        half.copy_from_slice(&bits.to_le_bytes());
    }
    salt
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex<const N: usize>(text: &str) -> Option<[u8; N]> {
    if text.len() != 2 * N || !text.is_ascii() {
        return None;
    }
    let mut out = [0u8; N];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::InvitationType;

    #[test]
    fn a_scope_admits_its_own_account_and_type_and_shows_no_secret() {
        let account = "acc_9f8e7d6c5b4a39281706";
        let scope = Scope::of(&Params::account(account), None);
        assert_eq!(scope.admits(&Params::account(account), None), Ok(()));
        let other = scope.admits(&Params::account("acc_other_account_id"), None);
        let other = other.unwrap_err();
        assert_ne!(other.to_string(), scope.to_string());
        let organization = Params::account(account).invitation_type(InvitationType::Organization);
        assert!(scope.admits(&organization, None).is_err());
        assert!(scope.admits(&Params::new("a-login-token"), None).is_err());
        // Read back as written, and nothing of the id in it.
        let wire = serde_json::to_string(&scope.to_wire()).unwrap();
        assert!(!wire.contains("acc_9f8e"), "{wire}");
        let read: WireScope = serde_json::from_str(&wire).unwrap();
        assert_eq!(Scope::from_wire(&read), Some(scope.clone()));
        assert!(scope.to_string().starts_with("v2 account #"), "{scope}");
        assert!(scope.to_string().ends_with(", CONNECTION invitations"));
    }

    #[test]
    fn a_v1_scope_is_its_label() {
        let token = Params::new("a-login-token");
        let alice = Scope::of(&token, Some("alice"));
        assert_eq!(
            alice.admits(&Params::new("a-rotated-token"), Some("alice")),
            Ok(())
        );
        assert!(alice.admits(&token, Some("bob")).is_err());
        assert!(alice.admits(&token, None).is_err());
        let unlabelled = Scope::of(&token, None);
        assert_eq!(unlabelled.admits(&Params::new("another"), None), Ok(()));
        assert_eq!(
            alice.to_string(),
            "v1 account \"alice\", CONNECTION invitations"
        );
        assert_eq!(
            unlabelled.to_string(),
            "v1, no account label, CONNECTION invitations"
        );
    }
}
