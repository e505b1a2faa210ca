//! Commit signatures (DESIGN.md §3): whether a commit carries an SSH signature (git's
//! `gpg.format=ssh`, the SSHSIG format) made by one of its author's `signing_keys`.
//!
//! Verified in-process with the `ssh-key` crate, never by running `ssh-keygen` or `git`:
//! the check must not depend on what a CI machine has installed, nor on a
//! `gpg.ssh.allowedSignersFile` the change itself could edit. The keys come from the
//! caller — `validate --base` takes them from `assure.yaml` as it stood at the base.

use serde::Serialize;

use crate::git::{CommitId, Git, GitError};
use crate::model::Config;

/// What a commit's signature proves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Signature {
    /// Signed by one of the author's keys; the key's SHA-256 fingerprint.
    Verified {
        key: String,
    },
    Unsigned,
    /// A signature, but not an SSH one (GPG, X.509).
    NotSsh,
    /// An SSH signature by a key that is not one of the author's.
    OtherKey {
        key: String,
    },
    /// An SSH signature that does not verify (the commit was changed after signing, or
    /// the signature is malformed).
    Invalid {
        why: String,
    },
}

impl Signature {
    pub fn is_verified(&self) -> bool {
        matches!(self, Signature::Verified { .. })
    }

    /// "unsigned", "signed by SHA256:… which is not one of their signing_keys", …
    pub fn describe(&self) -> String {
        match self {
            Signature::Verified { key } => format!("signed with their key {key}"),
            Signature::Unsigned => "not signed".to_owned(),
            Signature::NotSsh => "signed, but not with an SSH key (gpg.format=ssh)".to_owned(),
            Signature::OtherKey { key } => {
                format!("signed with {key}, which is not one of their signing_keys")
            }
            Signature::Invalid { why } => {
                format!("signed, but the signature does not verify ({why})")
            }
        }
    }
}

/// The signing keys `config` lists for the person with e-mail `email` (none for a guest).
pub fn keys_of<'c>(config: &'c Config, email: &str) -> Vec<&'c str> {
    config
        .people
        .iter()
        .find(|p| p.email.eq_ignore_ascii_case(email.trim()))
        .map(|p| p.signing_keys.iter().map(String::as_str).collect())
        .unwrap_or_default()
}

/// Checks commit `id`'s signature against `keys` (OpenSSH public key lines). A key line
/// that does not parse is skipped (`validate` reports it in assure.yaml).
pub fn verify(git: &Git, id: CommitId, keys: &[&str]) -> Result<Signature, GitError> {
    let Some((armored, signed)) = git.commit_signature(id)? else {
        return Ok(Signature::Unsigned);
    };
    if !armored
        .trim_start()
        .starts_with("-----BEGIN SSH SIGNATURE-----")
    {
        return Ok(Signature::NotSsh);
    }
    Ok(verify_sshsig(armored.trim(), &signed, keys))
}

/// Verifies an armored SSHSIG over `message` in git's namespace against `keys`.
pub fn verify_sshsig(armored: &str, message: &[u8], keys: &[&str]) -> Signature {
    let sig = match ssh_key::SshSig::from_pem(armored) {
        Ok(s) => s,
        Err(e) => {
            return Signature::Invalid { why: e.to_string() };
        }
    };
    let fingerprint = ssh_key::PublicKey::from(sig.public_key().clone())
        .fingerprint(ssh_key::HashAlg::Sha256)
        .to_string();
    let Some(key) = keys
        .iter()
        .filter_map(|k| ssh_key::PublicKey::from_openssh(k).ok())
        .find(|k| k.key_data() == sig.public_key())
    else {
        return Signature::OtherKey { key: fingerprint };
    };
    match key.verify("git", message, &sig) {
        Ok(()) => Signature::Verified { key: fingerprint },
        Err(e) => Signature::Invalid { why: e.to_string() },
    }
}

/// Whether `line` is an OpenSSH public key this check can verify signatures of.
pub fn parse_key(line: &str) -> Result<(), String> {
    ssh_key::PublicKey::from_openssh(line)
        .map(|_| ())
        .map_err(|e| e.to_string())
}
