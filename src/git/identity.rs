//! The person's configured identity (`user.name`, `user.email`): the repository's
//! config, falling back to the global one.

use std::path::Path;

use super::Git;

impl Git {
    /// The configured `user.email` of this repository (falling back to the global one).
    pub fn user_email(&self) -> Option<String> {
        self.repo.config().ok()?.get_string("user.email").ok()
    }

    pub fn user_name(&self) -> Option<String> {
        self.repo.config().ok()?.get_string("user.name").ok()
    }
}

/// `user.email` from the repository enclosing `root`, or from the global git config.
pub fn user_email(root: &Path) -> Option<String> {
    match Git::open(root) {
        Ok(Some(g)) => g.user_email(),
        _ => git2::Config::open_default()
            .ok()?
            .get_string("user.email")
            .ok(),
    }
}

/// `user.name` likewise.
pub fn user_name(root: &Path) -> Option<String> {
    match Git::open(root) {
        Ok(Some(g)) => g.user_name(),
        _ => git2::Config::open_default()
            .ok()?
            .get_string("user.name")
            .ok(),
    }
}
