//! Where the SQLite store lives by default: the user's data folder, not the cache, because share
//! links must outlive a cache clean-up.

use std::ffi::OsString;
use std::path::PathBuf;

use crate::error::{Result, StoreError};

/// The default SQLite file's name.
const FILE_NAME: &str = "shares.sqlite3";

/// The default SQLite file: `$LIKELY_DATA_HOME/shares.sqlite3`, else
/// `$XDG_DATA_HOME/likely/shares.sqlite3`, else `$HOME/.local/share/likely/shares.sqlite3`.
/// Empty or relative `XDG_DATA_HOME` is ignored, as the XDG specification says.
pub fn default_sqlite_path() -> Result<PathBuf> {
    default_sqlite_path_from(|name| std::env::var_os(name))
}

/// `default_sqlite_path` with the environment given by `var`.
fn default_sqlite_path_from(var: impl Fn(&str) -> Option<OsString>) -> Result<PathBuf> {
    let set = |name: &str| {
        var(name)
            .filter(|value| !value.is_empty())
            .map(PathBuf::from)
    };
    if let Some(dir) = set("LIKELY_DATA_HOME") {
        return Ok(dir.join(FILE_NAME));
    }
    if let Some(dir) = set("XDG_DATA_HOME").filter(|dir| dir.is_absolute()) {
        return Ok(dir.join("likely").join(FILE_NAME));
    }
    let home = set("HOME").ok_or(StoreError::NoDataDir)?;
    Ok(home.join(".local/share/likely").join(FILE_NAME))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path_with(vars: &[(&str, &str)]) -> Option<PathBuf> {
        default_sqlite_path_from(|name| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| OsString::from(value))
        })
        .ok()
    }

    #[test]
    fn likely_data_home_wins_then_xdg_then_home() {
        let all = [
            ("LIKELY_DATA_HOME", "/srv/likely"),
            ("XDG_DATA_HOME", "/x"),
            ("HOME", "/home/u"),
        ];
        assert_eq!(
            path_with(&all),
            Some(PathBuf::from("/srv/likely/shares.sqlite3"))
        );
        assert_eq!(
            path_with(&all[1..]),
            Some(PathBuf::from("/x/likely/shares.sqlite3"))
        );
        assert_eq!(
            path_with(&all[2..]),
            Some(PathBuf::from("/home/u/.local/share/likely/shares.sqlite3"))
        );
    }

    #[test]
    fn relative_or_empty_xdg_is_ignored_and_no_home_is_an_error() {
        let relative = [("XDG_DATA_HOME", "data"), ("HOME", "/home/u")];
        assert_eq!(
            path_with(&relative),
            Some(PathBuf::from("/home/u/.local/share/likely/shares.sqlite3"))
        );
        assert_eq!(
            path_with(&[("LIKELY_DATA_HOME", ""), ("XDG_DATA_HOME", "")]),
            None
        );
    }
}
