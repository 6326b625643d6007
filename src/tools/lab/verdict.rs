//! One check's verdict, as `watch` and `grade` show it, whoever made it (`ipclab check` for
//! the demo roles, [`super::clients`] for the client exercises).

/// One check's verdict.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub name: String,
    pub passed: bool,
    pub detail: String,
}
