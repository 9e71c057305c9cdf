//! The output folder is written under a temporary name beside the target and renamed
//! into place only when everything is written, so a failed run never leaves a
//! half-written output (and never destroys the previous good one).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Refuse an output folder that a run must not replace: one that holds files doisoat
/// did not write, or that holds the run's own inputs, rules or feedback state. A run
/// replaces the whole folder, so `--out` pointed at the data folder would delete the
/// data. Checked before anything is read, so the mistake costs seconds, not a night.
pub fn check_target(config: &crate::config::RunConfig) -> Result<()> {
    let out = &config.out;
    if let Some(out_resolved) = resolved(out) {
        let mut kept: Vec<(&str, &Path)> = vec![("the register", &config.population.path)];
        kept.extend(
            config
                .datasets
                .values()
                .map(|source| ("a dataset", source.path.as_path())),
        );
        if let Some(units) = &config.admin_units {
            kept.push(("the administrative units", &units.path));
        }
        kept.extend(
            config
                .rules
                .iter()
                .map(|dir| ("a rules folder", dir.as_path())),
        );
        if let Some(state) = &config.state_dir {
            kept.push(("the feedback state folder", state));
        }
        for (what, path) in kept {
            if resolved(path).is_some_and(|path| path.starts_with(&out_resolved)) {
                return Err(Error::Config(format!(
                    "--out {}: {what} ({}) is inside it, and every run replaces the whole \
                     output folder; write the results to another folder",
                    out.display(),
                    path.display()
                )));
            }
        }
    }
    if !out.exists() {
        return Ok(());
    }
    if !out.is_dir() {
        return Err(Error::Config(format!(
            "--out {}: exists and is not a folder; give a new folder for the results",
            out.display()
        )));
    }
    let entries = std::fs::read_dir(out).map_err(|e| Error::io(out, "listing", e))?;
    let names: Vec<String> = entries
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    if !names.is_empty() && !names.iter().any(|name| name == "summary.json") {
        let mut shown = names;
        shown.sort();
        shown.truncate(3);
        return Err(Error::Config(format!(
            "--out {}: the folder holds files doisoat did not write ({}), and a run \
             replaces the whole folder; give a new or empty folder, or an earlier \
             doisoat output",
            out.display(),
            shown.join(", ")
        )));
    }
    Ok(())
}

/// `path` made absolute with symbolic links and `..` resolved, for a path that need
/// not exist yet: its nearest existing ancestor is resolved and the rest kept.
fn resolved(path: &Path) -> Option<PathBuf> {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(path)
    };
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        rest.push(existing.file_name()?.to_os_string());
        existing = existing.parent()?;
    }
    let mut out = existing.canonicalize().ok()?;
    for name in rest.iter().rev() {
        out.push(name);
    }
    Some(out)
}

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
