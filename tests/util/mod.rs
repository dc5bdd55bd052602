//! Helpers for tests that run the `sitrep` binary on fixture projects in temporary folders.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// A fixture project copied into a fresh temporary folder.
pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    /// Copy `tests/fixtures/<name>` (or the repository itself for "seeds").
    pub fn fixture(name: &str) -> Self {
        let src = if name == "seeds" {
            repo()
        } else {
            repo().join("tests/fixtures").join(name)
        };
        let dir = tempfile::tempdir().expect("temp dir");
        for sub in ["site.toml", "content", "templates", "static"] {
            let from = src.join(sub);
            if from.exists() {
                copy(&from, &dir.path().join(sub), false);
            }
        }
        Project { dir }
    }

    /// An empty project folder.
    pub fn empty() -> Self {
        Project {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, rel: &str, body: &str) {
        let p = self.path().join(rel);
        fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        fs::write(p, body).expect("write");
    }

    /// `sitrep <args> --root <project>` ready to run.
    pub fn sitrep(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("sitrep").expect("binary");
        cmd.args(args).arg("--root").arg(self.path()).env("NO_COLOR", "1");
        cmd
    }
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copy a tree; with `reverse`, create entries in reverse name order (a different on-disk
/// order for the same content).
pub fn copy(from: &Path, to: &Path, reverse: bool) {
    if from.is_file() {
        fs::copy(from, to).expect("copy");
        return;
    }
    fs::create_dir_all(to).expect("mkdir");
    let mut entries: Vec<_> = fs::read_dir(from)
        .expect("read dir")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    if reverse {
        entries.reverse();
    }
    for e in entries {
        copy(&e, &to.join(e.file_name().expect("name")), reverse);
    }
}

/// Every file under `dir` (relative path → bytes).
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.expect("walk");
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(dir)
                .expect("prefix")
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(rel, fs::read(entry.path()).expect("read"));
        }
    }
    out
}

/// OWASP filter-evasion patterns, in every field an article has.
pub const PAYLOADS: &[&str] = &[
    "<script>alert(1)</script>",
    "\"><script>alert(2)</script>",
    "<img src=x onerror=alert(3)>",
    "<svg onload=alert(4)>",
    "<IMG SRC=JaVaScRiPt:alert(5)>",
    "<a href=\"jAvAsCrIpT:alert(6)\">x</a>",
    "<iframe src=\"javascript:alert(7)\"></iframe>",
    "<body onload=alert(8)>",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(9)>",
    "';alert(10);//",
    "<scr<script>ipt>alert(11)</scr</script>ipt>",
    "<div style=\"background:url(javascript:alert(12))\">",
    "[click](javascript:alert(13))",
    "<math><mi xlink:href=\"data:x,<script>alert(14)</script>\">",
    "</textarea><script>alert(15)</script>",
    "<details open ontoggle=alert(16)>",
];

pub fn hostile_project() -> Project {
    let p = Project::fixture("mini");
    for (i, payload) in PAYLOADS.iter().enumerate() {
        let quoted = payload.replace('\\', "\\\\").replace('"', "\\\"");
        p.write(
            &format!("content/articles/hostile-{i:02}.md"),
            &format!(
                "+++\ntitle = \"{quoted} title\"\ndate = 2024-03-12\npublisher = \"{quoted}\"\nauthor = \"{quoted}\"\nurl = \"javascript:alert({i})\"\ntags = [\"{quoted}\"]\n+++\n{payload}\n\nSaraya al-Mithal said it fired two rockets at Camp Example on Monday {payload}.\n\n<script>alert('raw')</script>\n"
            ),
        );
    }
    p.write(
        "content/groups/wire-example.md",
        "+++\nname = \"Example Wire <b onmouseover=alert(17)>\"\nkind = \"media\"\n+++\n[link](javascript:alert(18)) <script>alert(19)</script> <a href=\"http://ok.example/\">ok</a>\n",
    );
    p
}
