//! Writing history, for the commands that make a repository (`assure demo`, and the
//! hidden `assure generate`): a new repository, commits of the whole work tree with given
//! authors and times, branches. Apart from `notify`'s notes (`notes.rs`), nothing else
//! writes to git.

use std::path::Path;

use git2::Repository;

use super::{CommitId, Git, GitError};

impl Git {
    /// Creates a repository in `dir` whose default branch is `main`.
    pub fn init(dir: &Path) -> Result<Git, GitError> {
        let mut opts = git2::RepositoryInitOptions::new();
        opts.initial_head("main");
        let repo = Repository::init_opts(dir, &opts)?;
        Ok(Git {
            repo,
            prefix: String::new(),
        })
    }

    /// Commits the whole work tree (new, changed and deleted files) on HEAD.
    pub fn commit_all(
        &self,
        name: &str,
        email: &str,
        time: chrono::DateTime<chrono::Utc>,
        message: &str,
    ) -> Result<CommitId, GitError> {
        let mut index = self.repo.index()?;
        index.add_all(["*"], git2::IndexAddOption::DEFAULT, None)?;
        index.update_all(["*"], None)?;
        index.write()?;
        let tree = self.repo.find_tree(index.write_tree()?)?;
        let sig = git2::Signature::new(name, email, &git2::Time::new(time.timestamp(), 0))?;
        let parent = self.repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        Ok(CommitId(self.repo.commit(
            Some("HEAD"),
            &sig,
            &sig,
            message,
            &tree,
            &parents,
        )?))
    }

    /// Creates branch `name` at `at` and checks it out (work tree included).
    pub fn switch_new(&self, name: &str, at: CommitId) -> Result<(), GitError> {
        self.repo
            .branch(name, &self.repo.find_commit(at.0)?, true)?;
        self.switch(name)
    }

    /// Checks out branch `name`, replacing the work tree.
    pub fn switch(&self, name: &str) -> Result<(), GitError> {
        let refname = format!("refs/heads/{name}");
        let tree = self.repo.find_reference(&refname)?.peel_to_tree()?;
        self.repo.checkout_tree(
            tree.as_object(),
            Some(
                git2::build::CheckoutBuilder::new()
                    .force()
                    .remove_untracked(true),
            ),
        )?;
        self.repo.set_head(&refname)?;
        Ok(())
    }
}
