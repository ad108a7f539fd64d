//! Where a ledger lives by default: one file per ad account in the per-user state directory.

use std::ffi::OsString;
use std::path::PathBuf;

use super::LedgerError;

/// The default ledger file for `ad_account`, `<state dir>/pinconv/ledger-<ad_account>.sqlite`.
///
/// The state directory is, by platform:
/// - Linux and other Unix: `$XDG_STATE_HOME` if set to an absolute path, else
///   `$HOME/.local/state` (XDG Base Directory specification);
/// - macOS: `$HOME/Library/Application Support`;
/// - Windows: `%LOCALAPPDATA%`.
///
/// Nothing is created here; [`Ledger::open`](super::Ledger::open) creates missing directories.
///
/// # Errors
/// [`LedgerError::BadAccount`] if `ad_account` could escape the directory or is empty, and
/// [`LedgerError::NoStateDir`] if the environment names no usable directory.
pub fn default_path(ad_account: &str) -> Result<PathBuf, LedgerError> {
    check_account(ad_account)?;
    let env = |name: &str| std::env::var_os(name);
    let dir = platform_state_dir(&env).ok_or(LedgerError::NoStateDir {
        vars: STATE_DIR_VARS,
    })?;
    Ok(dir.join("pinconv").join(file_name(ad_account)))
}

/// The file name of the ledger for `ad_account` (already checked).
fn file_name(ad_account: &str) -> String {
    format!("ledger-{ad_account}.sqlite")
}

/// Rejects ad accounts that are empty, very long, or contain anything but letters, digits,
/// `-` and `_`, so that the value can name a file and never a path.
pub(super) fn check_account(ad_account: &str) -> Result<(), LedgerError> {
    let ok = !ad_account.is_empty()
        && ad_account.len() <= 64
        && ad_account
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(LedgerError::BadAccount {
            ad_account: ad_account.to_owned(),
        })
    }
}

/// Reads a variable, treating an empty value as unset.
fn non_empty(env: &dyn Fn(&str) -> Option<OsString>, name: &str) -> Option<PathBuf> {
    env(name).filter(|v| !v.is_empty()).map(PathBuf::from)
}

/// The XDG state directory: `$XDG_STATE_HOME` when absolute (the specification says to ignore
/// a relative value), else `$HOME/.local/state`.
#[cfg_attr(any(windows, target_os = "macos"), allow(dead_code))]
fn xdg_state_dir(env: &dyn Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    non_empty(env, "XDG_STATE_HOME")
        .filter(|p| p.is_absolute())
        .or_else(|| non_empty(env, "HOME").map(|home| home.join(".local").join("state")))
}

#[cfg(all(unix, not(target_os = "macos")))]
const STATE_DIR_VARS: &str = "HOME";
#[cfg(all(unix, not(target_os = "macos")))]
fn platform_state_dir(env: &dyn Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    xdg_state_dir(env)
}

#[cfg(target_os = "macos")]
const STATE_DIR_VARS: &str = "HOME";
#[cfg(target_os = "macos")]
fn platform_state_dir(env: &dyn Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    non_empty(env, "HOME").map(|home| home.join("Library").join("Application Support"))
}

#[cfg(windows)]
const STATE_DIR_VARS: &str = "LOCALAPPDATA";
#[cfg(windows)]
fn platform_state_dir(env: &dyn Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    non_empty(env, "LOCALAPPDATA")
}

#[cfg(not(any(unix, windows)))]
const STATE_DIR_VARS: &str = "HOME";
#[cfg(not(any(unix, windows)))]
fn platform_state_dir(_env: &dyn Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<OsString> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn xdg_state_home_wins_over_home() {
        let env = env_of(&[("XDG_STATE_HOME", "/xdg/state"), ("HOME", "/home/ana")]);
        assert_eq!(xdg_state_dir(&env), Some(PathBuf::from("/xdg/state")));
    }

    #[test]
    fn relative_or_empty_xdg_state_home_falls_back_to_home() {
        let env = env_of(&[("XDG_STATE_HOME", "rel/state"), ("HOME", "/home/ana")]);
        assert_eq!(
            xdg_state_dir(&env),
            Some(PathBuf::from("/home/ana/.local/state"))
        );
        let env = env_of(&[("XDG_STATE_HOME", ""), ("HOME", "/home/ana")]);
        assert_eq!(
            xdg_state_dir(&env),
            Some(PathBuf::from("/home/ana/.local/state"))
        );
    }

    #[test]
    fn nothing_set_gives_none() {
        let env = env_of(&[("HOME", "")]);
        assert_eq!(xdg_state_dir(&env), None);
    }

    #[test]
    fn default_path_follows_the_process_environment() {
        let env = |name: &str| std::env::var_os(name);
        match platform_state_dir(&env) {
            Some(dir) => assert_eq!(
                default_path("549755885175").unwrap(),
                dir.join("pinconv").join("ledger-549755885175.sqlite")
            ),
            None => assert!(matches!(
                default_path("549755885175"),
                Err(LedgerError::NoStateDir { .. })
            )),
        }
    }

    #[test]
    fn accounts_that_could_escape_are_rejected() {
        for bad in ["", "../etc", "a/b", "a\\b", "a b", ".", &"9".repeat(65)] {
            assert!(
                matches!(check_account(bad), Err(LedgerError::BadAccount { .. })),
                "{bad:?} accepted"
            );
            assert!(default_path(bad).is_err());
        }
        for good in ["549755885175", "acct_1", "test-account"] {
            assert!(check_account(good).is_ok(), "{good:?} rejected");
        }
    }
}
