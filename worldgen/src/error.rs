//! Errors of a world build, each naming the source file and, when known, the line.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Why a world could not be built, written or checked.
#[derive(Debug)]
pub enum Error {
    /// A source file is malformed or inconsistent.
    Source {
        /// The source file, as the tool was given it (source folder joined with its name).
        file: PathBuf,
        /// 1-based line in that file, when the problem has one.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// A file could not be read or written.
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl Error {
    /// The file the error is about.
    #[must_use]
    pub fn file(&self) -> &Path {
        match self {
            Error::Source { file, .. } => file,
            Error::Io { path, .. } => path,
        }
    }

    /// The 1-based line the error is about, if it has one.
    #[must_use]
    pub fn line(&self) -> Option<usize> {
        match self {
            Error::Source { line, .. } => *line,
            Error::Io { .. } => None,
        }
    }

    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Source {
                file,
                line: Some(line),
                message,
            } => write!(f, "{}:{line}: {message}", file.display()),
            Error::Source {
                file,
                line: None,
                message,
            } => write!(f, "{}: {message}", file.display()),
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Source { .. } => None,
            Error::Io { source, .. } => Some(source),
        }
    }
}

/// A source file's text, kept to turn byte spans into line numbers.
pub(crate) struct SourceFile {
    pub path: PathBuf,
    pub text: String,
}

impl SourceFile {
    pub fn read(path: PathBuf) -> Result<Self, Error> {
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        Ok(SourceFile { path, text })
    }

    /// The 1-based line holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        1 + self.text.as_bytes()[..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
    }

    /// An error at the line where `span` starts.
    pub fn error_at(&self, span: Range<usize>, message: impl Into<String>) -> Error {
        self.error_line(Some(self.line_of(span.start)), message)
    }

    /// An error at a known line (or none).
    pub fn error_line(&self, line: Option<usize>, message: impl Into<String>) -> Error {
        Error::Source {
            file: self.path.clone(),
            line,
            message: message.into(),
        }
    }

    /// Parses the whole file as TOML into `T`.
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, Error> {
        toml::from_str(&self.text).map_err(|e| {
            let line = e.span().map(|span| self.line_of(span.start));
            self.error_line(line, e.message().trim().to_string())
        })
    }
}
