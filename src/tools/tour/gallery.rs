//! `ipclab tour --timeline DIR`: a picture of every step (`NN-APPLET.html`; a two-terminal
//! step's two sides on one page, on one time axis), and `index.html` linking them under the
//! steps' headings, so a class gets a gallery of the whole lecture. The processes of a step
//! (both terminals) record into one recording; the tour draws it when the step ends.

use crate::escape::html as esc;
use crate::tools::timeline::Session;
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};

/// The gallery being made.
pub struct Gallery {
    dir: PathBuf,
    /// (heading, this step's pages).
    steps: Vec<(String, Vec<String>)>,
}

impl Gallery {
    /// DIR, made if missing; an existing one must be a real directory (not a symlink) of
    /// yours: pages are never written where another user could have planted a link.
    pub fn new(dir: &Path) -> Result<Gallery> {
        use std::os::unix::fs::MetadataExt;
        match std::fs::symlink_metadata(dir) {
            Ok(md) if md.is_dir() && md.uid() == nix::unistd::getuid().as_raw() => {}
            Ok(md) if md.is_dir() => bail!(
                "--timeline {}: that directory is not yours (its owner could plant links in it): give a directory of your own, or a new name",
                dir.display()
            ),
            Ok(_) => bail!(
                "--timeline {}: not a directory (the tour writes one page per step into a directory)",
                dir.display()
            ),
            Err(_) => std::fs::create_dir(dir)
                .with_context(|| format!("--timeline: cannot create {}", dir.display()))?,
        }
        Ok(Gallery {
            dir: dir.to_path_buf(),
            steps: Vec::new(),
        })
    }

    /// The recording of step `n` (from 1), whose first command is `applet`.
    pub fn step(&mut self, n: usize, heading: &str, applet: &str) -> Result<Session> {
        let name = format!("{n:02}-{applet}.html");
        self.steps.push((heading.to_string(), vec![name.clone()]));
        Ok(Session::for_others(self.dir.join(name))?.titled(&format!("Step {n}: {heading}")))
    }

    /// Write `index.html`: every step's heading and its pages.
    pub fn finish(&self) -> Result<()> {
        let mut items = String::new();
        for (heading, pages) in &self.steps {
            let links: Vec<String> = pages
                .iter()
                .filter(|p| self.dir.join(p).exists())
                .map(|p| format!("<a href=\"{p}\">{p}</a>"))
                .collect();
            items.push_str(&format!(
                "<li><b>{}</b><br>{}</li>\n",
                esc(heading),
                links.join(" · ")
            ));
        }
        let page = format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>ipclab tour: the lecture's runs</title>\n<style>body{{font-family:sans-serif;font-size:18px;margin:16px}} li{{margin:0.6em 0}}</style></head><body>\n<h1>ipclab tour: every demo, as it ran</h1>\n<ol>\n{items}</ol>\n</body></html>\n"
        );
        let index = self.dir.join("index.html");
        crate::tools::timeline::write_new(&index, page.as_bytes())?;
        crate::out::note(format_args!(
            "timeline: {} ({} steps)",
            index.display(),
            self.steps.len()
        ));
        Ok(())
    }
}
