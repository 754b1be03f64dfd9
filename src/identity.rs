//! Who is at the keyboard: the OS account, never `$USER`, which anyone can set.

use anyhow::{Result, bail};
use std::ffi::CStr;

/// True when the process runs with privileges its user does not have (setgid or
/// setuid). Overrides for tests and demos are then refused, so a user cannot act
/// as somebody else through a privileged binary.
pub fn is_privileged() -> bool {
    // SAFETY: getauxval has no preconditions; AT_SECURE is set by the kernel
    // for setuid/setgid executions (and some security modules).
    unsafe { libc::getauxval(libc::AT_SECURE) != 0 }
}

/// The name of the real user id's account, from the password database.
pub fn os_account() -> Result<String> {
    // SAFETY: getuid cannot fail. getpwuid_r writes into our buffer and `pwd`,
    // and `result` points at `pwd` or is null.
    unsafe {
        let uid = libc::getuid();
        let mut pwd: libc::passwd = std::mem::zeroed();
        let mut buf = vec![0 as libc::c_char; 4096];
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        let rc = libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut result);
        if rc != 0 || result.is_null() {
            bail!("cannot find the account name of user id {uid}");
        }
        Ok(CStr::from_ptr(pwd.pw_name).to_string_lossy().into_owned())
    }
}

/// The account name to look up in `staff`: `DUTYDESK_USER` when set (tests and
/// demos only, refused under setgid), otherwise the OS account.
pub fn current_user() -> Result<String> {
    match std::env::var("DUTYDESK_USER") {
        Ok(v) if !v.is_empty() => {
            if is_privileged() {
                bail!("DUTYDESK_USER is not allowed when dutydesk runs setgid or setuid");
            }
            Ok(v)
        }
        _ => os_account(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_an_account_and_is_not_privileged() {
        assert!(!os_account().unwrap().is_empty());
        assert!(!is_privileged());
    }
}
