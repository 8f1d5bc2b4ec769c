//! Checkpoints of interrupted exports to a file, so that running the same command again
//! continues instead of starting over.
//!
//! When an export to `--output FILE` fails after some pages, the records written up to the last
//! page boundary are kept as `.roster-FILE.resume`, and `.roster-FILE.checkpoint` is written
//! beside it: which export it belongs to (command, vendor, query, format), how many records and
//! bytes the kept part holds, and the library's position after them
//! ([`roster_core::ExportPosition`]: the rest of the plan and the cursor). The same command run
//! again continues from there and says so; the library refuses a position saved with another
//! page size or query ([`roster_core::ErrorKind::CursorMismatch`]). A different export to the
//! same file discards both files, and says so. A finished export leaves neither.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use roster_core::ExportPosition;
use serde::{Deserialize, Serialize};

/// The checkpoint format; another version is discarded.
pub const VERSION: u32 = 1;

/// A saved place in an export (see the [module docs](self)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// [`VERSION`].
    pub version: u32,
    /// Which export this is: command, vendor, query and format, as one line.
    pub export: String,
    /// Records in the kept part.
    pub records: u64,
    /// Bytes of the kept part.
    pub bytes: u64,
    /// Where the library continues.
    pub position: ExportPosition,
}

/// What was found beside an export's target.
#[derive(Debug)]
pub enum Found {
    /// No checkpoint.
    Nothing,
    /// A checkpoint of this export, with its kept records.
    Resume(Checkpoint),
    /// A checkpoint that cannot be continued (another export, another version, unreadable, or
    /// its kept records gone): removed, for this reason.
    Discarded(String),
}

/// The checkpoint and kept-records files of one target.
#[derive(Debug, Clone)]
pub struct Files {
    /// `.roster-<name>.checkpoint`.
    pub checkpoint: PathBuf,
    /// `.roster-<name>.resume`.
    pub saved: PathBuf,
}

impl Files {
    /// The files beside `target`.
    pub fn beside(target: &Path) -> Self {
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name: String = target
            .file_name()
            .map(|n| n.to_string_lossy().chars().take(100).collect())
            .unwrap_or_default();
        Self {
            checkpoint: dir.join(format!(".roster-{name}.checkpoint")),
            saved: dir.join(format!(".roster-{name}.resume")),
        }
    }

    /// Looks for a checkpoint of `export`; anything else found is removed.
    pub fn find(&self, export: &str) -> Found {
        let text = match fs::read_to_string(&self.checkpoint) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Found::Nothing,
            Err(e) => return self.discard(format!("it cannot be read ({e})")),
        };
        let checkpoint: Checkpoint = match serde_json::from_str(&text) {
            Ok(c) => c,
            Err(_) => return self.discard("it is not a checkpoint roster can read".into()),
        };
        if checkpoint.version != VERSION {
            return self.discard(format!("it has version {}", checkpoint.version));
        }
        if checkpoint.export != export {
            return self.discard("it belongs to another export to this file".into());
        }
        let kept = fs::metadata(&self.saved).map(|m| m.len()).unwrap_or(0);
        if kept < checkpoint.bytes {
            return self.discard("the records it kept are gone".into());
        }
        Found::Resume(checkpoint)
    }

    /// Saves `checkpoint` (replacing any other atomically).
    pub fn save(&self, checkpoint: &Checkpoint) -> io::Result<()> {
        let dir = self.checkpoint.parent().unwrap_or(Path::new("."));
        let mut temp = tempfile::Builder::new()
            .prefix(".roster-checkpoint.")
            .tempfile_in(dir)?;
        serde_json::to_writer_pretty(&mut temp, checkpoint)?;
        temp.write_all(b"\n")?;
        temp.persist(&self.checkpoint).map_err(|e| e.error)?;
        Ok(())
    }

    /// Removes both files (a finished export, or one that cannot be continued).
    pub fn remove(&self) {
        for path in [&self.checkpoint, &self.saved] {
            let _ = fs::remove_file(path);
        }
    }

    fn discard(&self, why: String) -> Found {
        self.remove();
        Found::Discarded(why)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_core::Rest;

    fn checkpoint(export: &str, bytes: u64) -> Checkpoint {
        Checkpoint {
            version: VERSION,
            export: export.into(),
            records: 2,
            bytes,
            position: ExportPosition {
                rest: Rest::Windows {
                    windows: Vec::new(),
                },
                cursor: None,
                edge_keys: Vec::new(),
            },
        }
    }

    #[test]
    fn only_a_checkpoint_of_the_same_export_with_its_records_is_continued() {
        let dir = tempfile::tempdir().unwrap();
        let files = Files::beside(&dir.path().join("out.csv"));
        assert!(matches!(files.find("a"), Found::Nothing));

        fs::write(&files.saved, b"0123456789").unwrap();
        files.save(&checkpoint("a", 10)).unwrap();
        let Found::Resume(c) = files.find("a") else {
            panic!("the same export continues")
        };
        assert_eq!(c, checkpoint("a", 10));

        // Another export: both files go.
        assert!(matches!(files.find("b"), Found::Discarded(_)));
        assert!(!files.checkpoint.exists() && !files.saved.exists());

        // Kept records shorter than the checkpoint says: not continued.
        fs::write(&files.saved, b"01234").unwrap();
        files.save(&checkpoint("a", 10)).unwrap();
        assert!(matches!(files.find("a"), Found::Discarded(_)));

        // Garbage.
        fs::write(&files.checkpoint, b"{not json").unwrap();
        assert!(matches!(files.find("a"), Found::Discarded(_)));
        assert!(matches!(files.find("a"), Found::Nothing));
    }
}
