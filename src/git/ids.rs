//! The ids git gives objects, as assure's own types: a [`CommitId`] names a commit, a
//! [`BlobId`] the object a tree entry points at. Both are `Copy` newtypes over git2's id
//! (free to pass around), show as full lowercase hex, serialise as that hex string, and
//! order and hash as the id's bytes. Only `src/git/` makes them from, or turns them back
//! into, git2 ids: that is what keeps git2 out of the rest of the crate.

use std::fmt;

use git2::Oid;

/// How many hex digits a short id has (`git log --oneline`'s default in a small
/// repository; assure's output has always used seven).
const SHORT: usize = 7;

/// A commit.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CommitId(pub(super) Oid);

/// The object a tree entry points at: a file's blob, a symbolic link's blob (its target's
/// text), or, for a submodule, the commit it pins. In the work tree: the id git would give
/// the file's bytes.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BlobId(pub(super) Oid);

impl CommitId {
    /// The first seven hex digits, as history shows a commit.
    pub fn short(&self) -> String {
        short(self.0)
    }

    /// The all-zero id, which names no commit (for tests that need a value).
    #[cfg(test)]
    pub(crate) fn zero() -> CommitId {
        CommitId(Oid::zero())
    }
}

impl BlobId {
    /// The first seven hex digits.
    pub fn short(&self) -> String {
        short(self.0)
    }
}

fn short(id: Oid) -> String {
    let mut hex = id.to_string();
    hex.truncate(SHORT);
    hex
}

// Display, Debug and Serialize all give the full hex (as git2's own id does), so output
// that showed an id before shows the same bytes now.
macro_rules! hex_id {
    ($t:ty) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(&self.0)
            }
        }
    };
}

hex_id!(CommitId);
hex_id!(BlobId);
