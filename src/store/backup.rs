//! Online backup: a consistent copy while other sessions keep working.

use super::Store;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

/// Copies the database to `dest` (a new file, mode 0660) page by page,
/// yielding to writers between steps.
pub fn to(store: &Store, dest: &Path) -> rusqlite::Result<()> {
    let mut out = rusqlite::Connection::open(dest)?;
    let _ = std::fs::set_permissions(dest, std::fs::Permissions::from_mode(0o660));
    let b = rusqlite::backup::Backup::new(store.conn(), &mut out)?;
    b.run_to_completion(256, Duration::from_millis(10), None)?;
    Ok(())
}
