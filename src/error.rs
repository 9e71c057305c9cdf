//! One error type for the whole engine. Every variant carries where the problem is
//! (file, line, rule id) and what the user can do about it, because the person reading
//! it is a provincial data officer at night, not the author of the code.

use std::path::{Path, PathBuf};

/// Result alias used across the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can stop a run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be opened, read or written.
    #[error("{path}: {action} failed: {source}")]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// What was being done ("reading", "creating the output directory", …).
        action: &'static str,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },

    /// An input file is structurally unusable (encoding, header, columns).
    #[error("{path}: {message}")]
    Input {
        /// The input file.
        path: PathBuf,
        /// What is wrong and how to fix it.
        message: String,
    },

    /// The run configuration (flags or run file) is wrong.
    #[error("configuration: {0}")]
    Config(String),

    /// A rule file is invalid.
    #[error("{path}: rule {rule}: {message}")]
    Rule {
        /// The rule file.
        path: PathBuf,
        /// The rule id, or `?` when the id itself could not be read.
        rule: String,
        /// What is wrong, with the line when known.
        message: String,
    },

    /// A Parquet or Arrow operation failed.
    #[error("{path}: parquet: {message}")]
    Parquet {
        /// The file involved.
        path: PathBuf,
        /// The library's message.
        message: String,
    },

    /// Writing an XLSX worklist failed.
    #[error("{path}: xlsx: {message}")]
    Xlsx {
        /// The workbook involved.
        path: PathBuf,
        /// The library's message.
        message: String,
    },

    /// A returned worklist (feedback) is invalid; nothing was imported.
    #[error("{path}: {message}")]
    Feedback {
        /// The feedback file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },

    /// The synthetic data generator failed.
    #[error("gen: {0}")]
    Gen(#[from] crate::gen::GenError),
}

impl Error {
    /// An I/O error on `path` while doing `action`.
    pub fn io(path: &Path, action: &'static str, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            action,
            source,
        }
    }

    /// A structural problem with the input file at `path`.
    pub fn input(path: &Path, message: impl Into<String>) -> Self {
        Error::Input {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }

    /// A problem with rule `rule` in the rule file `path`.
    pub fn rule(path: &Path, rule: &str, message: impl Into<String>) -> Self {
        Error::Rule {
            path: path.to_path_buf(),
            rule: rule.to_string(),
            message: message.into(),
        }
    }
}
