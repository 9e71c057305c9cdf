//! The output folder is written under a temporary name beside the target and renamed
//! into place only when everything is written, so a failed run never leaves a
//! half-written output (and never destroys the previous good one).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A staging folder that becomes the output folder on [`Staging::commit`].
pub struct Staging {
    /// Where files are written now.
    pub dir: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl Staging {
    /// Create the staging folder for `target`.
    pub fn create(target: &Path) -> Result<Staging> {
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent)
            .map_err(|e| Error::io(&parent, "creating the output's parent folder", e))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| "out".to_string());
        let dir = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir)
                .map_err(|e| Error::io(&dir, "clearing an old staging folder", e))?;
        }
        std::fs::create_dir_all(&dir)
            .map_err(|e| Error::io(&dir, "creating the staging folder", e))?;
        Ok(Staging {
            dir,
            target: target.to_path_buf(),
            committed: false,
        })
    }

    /// Move the finished output into place (replacing an earlier output).
    pub fn commit(mut self) -> Result<PathBuf> {
        if self.target.exists() {
            let old = self.dir.with_extension("old");
            std::fs::rename(&self.target, &old)
                .map_err(|e| Error::io(&self.target, "moving the previous output aside", e))?;
            std::fs::rename(&self.dir, &self.target)
                .map_err(|e| Error::io(&self.target, "moving the new output into place", e))?;
            std::fs::remove_dir_all(&old)
                .map_err(|e| Error::io(&old, "removing the previous output", e))?;
        } else {
            std::fs::rename(&self.dir, &self.target)
                .map_err(|e| Error::io(&self.target, "moving the new output into place", e))?;
        }
        self.committed = true;
        Ok(self.target.clone())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            // A failed run: leave nothing half-written behind.
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}
