//! Who is at the keyboard: the OS account, never `$USER`, which anyone can set.
//!
//! Two variables may stand in for the OS account and the clock, so that tests
//! and demos can play several people at a chosen time: `DUTYDESK_USER` and
//! `DUTYDESK_NOW`. Every audit row is attributed from them, so they are honoured
//! only on a demo database (settings key `demo` = 1, set by `dutydesk demo`),
//! and never when the binary runs setgid or setuid (issue 14, point 4).

use anyhow::{Result, bail};
use std::ffi::CStr;

/// The variables that override who acts and when: tests and demos only.
pub const OVERRIDES: [&str; 2] = ["DUTYDESK_USER", "DUTYDESK_NOW"];

/// True when the process runs with privileges its user does not have (setgid or
/// setuid). Overrides for tests and demos are then refused, so a user cannot act
/// as somebody else through a privileged binary, and no environment variable
/// chooses a file.
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

/// Whether the password database knows an account of this name (for the
/// system file's `[backup] account` and `[notify] account`: a name nobody
/// can run as is a setting that silently does nothing).
pub fn account_exists(name: &str) -> bool {
    let Ok(c) = std::ffi::CString::new(name) else {
        return false;
    };
    // SAFETY: getpwnam_r writes into our buffer and `pwd`; `result` points
    // at `pwd` or is null. A buffer too small (ERANGE) is retried larger.
    unsafe {
        let mut size = 4096;
        loop {
            let mut pwd: libc::passwd = std::mem::zeroed();
            let mut buf = vec![0 as libc::c_char; size];
            let mut result: *mut libc::passwd = std::ptr::null_mut();
            let rc = libc::getpwnam_r(
                c.as_ptr(),
                &mut pwd,
                buf.as_mut_ptr(),
                buf.len(),
                &mut result,
            );
            if rc == libc::ERANGE && size < 1 << 20 {
                size *= 4;
                continue;
            }
            return rc == 0 && !result.is_null();
        }
    }
}

/// A variable's value when it is set and not empty.
fn set(var: &str) -> Option<String> {
    std::env::var(var).ok().filter(|v| !v.is_empty())
}

/// Refuses `DUTYDESK_USER` and `DUTYDESK_NOW` where they must not count: under
/// setgid or setuid always, and on any database but a demo one (`demo` says
/// which this is). The message names the variable and says to unset it; the
/// variable's value is never echoed.
pub fn check_overrides(demo: bool) -> Result<(), String> {
    let Some(var) = OVERRIDES.into_iter().find(|v| set(v).is_some()) else {
        return Ok(());
    };
    let instead = if var == "DUTYDESK_USER" {
        "you act as your own OS account"
    } else {
        "the desk uses the system clock"
    };
    if is_privileged() {
        return Err(format!(
            "{var} is refused when dutydesk runs setgid or setuid: unset it (`unset {var}`); {instead}"
        ));
    }
    if !demo {
        return Err(format!(
            "{var} is honoured only on a demo database (made by `dutydesk demo`), and this one holds real records: unset it (`unset {var}`); {instead}"
        ));
    }
    Ok(())
}

/// The account name to look up in `staff`: `DUTYDESK_USER` on a demo database
/// when not privileged (see [`check_overrides`], whose refusal this returns),
/// otherwise the OS account.
pub fn current_user(demo: bool) -> Result<String> {
    check_overrides(demo).map_err(anyhow::Error::msg)?;
    match set("DUTYDESK_USER") {
        Some(v) => Ok(v),
        None => os_account(),
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
