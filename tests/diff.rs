//! `sitrep diff` end to end: the bundled seed briefing built without and with one article.

mod util;

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use util::Project;

const ARTICLE: &str = "003-drone-attacks-on-us-bases-in-syria";
/// The incidents that only article 003 reports.
const NEW_INCIDENTS: [&str; 3] = ["2023-10-23-al-rukban", "2023-10-23-conoco", "2023-10-23-al-malikiyah"];

/// The seed project built without article 003 into `old/` and with it into `new/`.
struct Builds {
    project: Project,
    dir: tempfile::TempDir,
}

impl Builds {
    fn old_dir(&self) -> PathBuf {
        self.dir.path().join("old")
    }
    fn new_dir(&self) -> PathBuf {
        self.dir.path().join("new")
    }
}

fn build(project: &Project, out: &Path) {
    project
        .sitrep(&["build", "--output", &out.to_string_lossy()])
        .assert()
        .success();
}

fn seed_builds() -> Builds {
    let project = Project::fixture("seeds");
    let dir = tempfile::tempdir().expect("temp dir");
    let article = project.path().join(format!("content/articles/{ARTICLE}.md"));
    let text = fs::read(&article).expect("seed article 003");
    fs::remove_file(&article).expect("remove article");
    build(&project, &dir.path().join("old"));
    fs::write(&article, text).expect("restore article");
    build(&project, &dir.path().join("new"));
    Builds { project, dir }
}

fn diff(old: &Path, new: &Path, extra: &[&str]) -> Command {
    let mut cmd = Command::cargo_bin("sitrep").expect("binary");
    cmd.arg("diff").arg(old).arg(new).args(extra).env("NO_COLOR", "1");
    cmd
}

fn stdout(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run sitrep diff");
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn markdown_names_the_incidents_facts_and_source_an_article_adds() {
    let b = seed_builds();
    let md = stdout(&mut diff(&b.old_dir(), &b.new_dir(), &[]));
    let first = md.lines().next().unwrap_or_default();
    assert!(first.starts_with("2 incidents changed, 4 added;"), "summary: {first}");
    assert!(
        first.contains("1 added; ") && first.contains(" pages changed, 5 added"),
        "summary: {first}"
    );
    for id in NEW_INCIDENTS {
        assert!(md.contains(&format!("- **{id}** ")), "{id} missing from\n{md}");
    }
    // The source added to an existing incident, and the facts it brings.
    let ain_al_asad = md
        .lines()
        .skip_while(|l| !l.starts_with("- **2023-10-18-ain-al-asad**"))
        .take(4)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        ain_al_asad.contains("claimed by added: kataib-hezbollah"),
        "{ain_al_asad}"
    );
    assert!(
        ain_al_asad.contains("new source *The Islamic Resistance in Iraq claimed"),
        "{ain_al_asad}"
    );
    assert!(
        ain_al_asad.contains(&format!(
            "  - new fact: claim: kataib-hezbollah (`{ARTICLE}` sentence 16)"
        )),
        "{ain_al_asad}"
    );
    assert!(
        md.contains(&format!("  - count (missile): 2 missiles (`{ARTICLE}` sentence 10)")),
        "{md}"
    );
    assert!(
        md.contains(&format!("- **{ARTICLE}** ")) && md.contains("(added)"),
        "{md}"
    );
    assert!(
        md.contains(&format!("- page added: `sources/{ARTICLE}/index.html`")),
        "{md}"
    );
}

#[test]
fn json_names_the_incidents_facts_and_source_an_article_adds() {
    let b = seed_builds();
    let json = stdout(&mut diff(&b.old_dir(), &b.new_dir(), &["--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON report");
    let added: Vec<&str> = v["incidents"]["added"]
        .as_array()
        .expect("added incidents")
        .iter()
        .filter_map(|i| i["id"].as_str())
        .collect();
    for id in NEW_INCIDENTS {
        assert!(added.contains(&id), "{id} not in {added:?}");
    }
    let conoco = v["incidents"]["added"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["id"] == "2023-10-23-conoco"))
        .expect("conoco");
    assert_eq!(conoco["sources"][0]["id"], ARTICLE);
    assert!(
        conoco["facts"]
            .as_array()
            .expect("facts")
            .iter()
            .any(|f| f["kind"] == "count"
                && f["value"] == "2 missiles"
                && f["source"] == ARTICLE
                && f["sentence"] == 10),
        "{conoco}"
    );
    let ain = v["incidents"]["changed"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["id"] == "2023-10-18-ain-al-asad"))
        .expect("ain al-asad changed");
    let changes = ain["changes"].as_array().expect("changes");
    assert!(
        changes
            .iter()
            .any(|c| c["change"] == "sources" && c["added"][0]["id"] == ARTICLE)
    );
    assert!(changes.iter().any(|c| c["change"] == "facts"
        && c["added"].as_array().is_some_and(|a| {
            a.iter()
                .any(|f| f["kind"] == "claim" && f["value"] == "kataib-hezbollah")
        })));
    assert_eq!(v["sources"]["added"][0]["id"], ARTICLE);
    // Stable field order.
    let keys: Vec<&str> = v.as_object().expect("object").keys().map(String::as_str).collect();
    assert_eq!(keys.len(), 5);
    assert!(json.find("\"incidents\"") < json.find("\"groups\"") && json.find("\"sources\"") < json.find("\"files\""));
}

#[test]
fn exit_code_is_1_when_changed_and_0_when_identical() {
    let b = seed_builds();
    diff(&b.new_dir(), &b.new_dir(), &["--exit-code"])
        .assert()
        .code(0)
        .stdout("No changes.\n");
    diff(&b.old_dir(), &b.new_dir(), &["--exit-code"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("2023-10-23-al-rukban"));
    // Without --exit-code a difference is a success.
    diff(&b.old_dir(), &b.new_dir(), &[]).assert().code(0);
}

#[test]
fn a_folder_that_is_not_a_build_output_fails_with_its_path() {
    let b = seed_builds();
    let project = b.project.path();
    diff(project, &b.new_dir(), &[])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(format!(
            "error: OLD: {} has no data/incidents.json — is it a sitrep build output?",
            project.display()
        )));
    diff(&b.new_dir(), &b.dir.path().join("nowhere"), &[])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("NEW: ").and(predicate::str::contains("nowhere does not exist")));
    diff(&b.new_dir(), &b.new_dir(), &["--format", "xml"]).assert().code(2);
}

#[test]
fn base_url_links_ids_to_the_new_site() {
    let b = seed_builds();
    let md = stdout(&mut diff(
        &b.old_dir(),
        &b.new_dir(),
        &["--base-url", "https://example.org/brief/"],
    ));
    assert!(md.contains("- **[2023-10-23-conoco](https://example.org/brief/incidents/2023-10-23-conoco/)** "));
    assert!(md.contains(&format!("(https://example.org/brief/sources/{ARTICLE}/#s10)")));
    assert!(md.contains("- **[kataib-hezbollah](https://example.org/brief/groups/kataib-hezbollah/)** "));
    assert!(md.contains("- **[al-rukban](https://example.org/brief/places/al-rukban/)** "));
}

#[test]
fn seed_article_003_markdown_snapshot() {
    let b = seed_builds();
    let md = stdout(&mut diff(&b.old_dir(), &b.new_dir(), &[]));
    insta::assert_snapshot!(md);
}
