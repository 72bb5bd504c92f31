//! The dashboard's files, embedded at build time from
//! `crates/airlock-server/ui/`. Listed by hand (a handful of files) rather
//! than through an embedding crate, so what ships is exactly what is named
//! here; a test checks every file of the directory is listed.
//!
//! For working on the dashboard, `AIRLOCK_UI_DIR=<dir>` serves the files
//! from that directory instead, read on every request (development only).

use std::borrow::Cow;

macro_rules! embedded {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/ui/", $path)))),*]
    };
}

static FILES: &[(&str, &[u8])] = embedded![
    "index.html",
    "app.css",
    "js/app.js",
    "js/api.js",
    "js/dom.js",
    "js/format.js",
    "js/charts.js",
    "js/pages/sign_in.js",
    "js/pages/reviews.js",
    "js/pages/review.js",
    "js/pages/runs.js",
    "js/pages/run.js",
    "js/pages/workflows.js",
    "js/pages/workflow.js",
    "js/pages/audit.js",
    "vendor/uplot/uPlot.iife.min.js",
    "vendor/uplot/uPlot.min.css",
];

/// The bytes of the file at `path` (relative to `ui/`).
pub fn get(path: &str) -> Option<Cow<'static, [u8]>> {
    if let Some(dir) = development_dir() {
        if path.split('/').any(|part| part == ".." || part.is_empty()) {
            return None;
        }
        return std::fs::read(dir.join(path)).ok().map(Cow::Owned);
    }
    FILES
        .iter()
        .find(|(name, _)| *name == path)
        .map(|(_, bytes)| Cow::Borrowed(*bytes))
}

/// `AIRLOCK_UI_DIR`, read once (not on every request).
fn development_dir() -> Option<&'static std::path::Path> {
    static DIR: std::sync::OnceLock<Option<std::path::PathBuf>> = std::sync::OnceLock::new();
    DIR.get_or_init(|| std::env::var_os("AIRLOCK_UI_DIR").map(Into::into))
        .as_deref()
}

/// Every embedded path.
#[cfg(test)]
pub fn paths() -> impl Iterator<Item = &'static str> {
    FILES.iter().map(|(name, _)| *name)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    fn files_under(dir: &Path, prefix: &str, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("read ui dir") {
            let entry = entry.expect("entry");
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            if entry.path().is_dir() {
                files_under(&entry.path(), &format!("{name}/"), out);
            } else if name.ends_with(".js") || name.ends_with(".css") || name.ends_with(".html") {
                out.push(name);
            }
        }
    }

    #[test]
    fn every_file_of_the_ui_directory_is_embedded() {
        let mut on_disk = Vec::new();
        files_under(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("ui"),
            "",
            &mut on_disk,
        );
        let embedded: Vec<&str> = super::paths().collect();
        for file in &on_disk {
            assert!(embedded.contains(&file.as_str()), "{file} is not embedded");
        }
    }
}
