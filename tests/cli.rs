//! The command line end to end: fixture projects built into temporary folders.

mod util;

use predicates::prelude::*;
use util::{Project, copy, tree};

#[test]
fn build_writes_the_site_and_summarises() {
    let p = Project::fixture("mini");
    let out = p.path().join("public");
    p.sitrep(&["build"])
        .assert()
        .success()
        .stderr(predicate::str::contains("2 incidents, 3 groups, 2 places, 2 sources"));
    for page in [
        "index.html",
        "incidents/index.html",
        "incidents/2024-03-11-camp-example/index.html",
        "groups/saraya-example/index.html",
        "places/camp-example/index.html",
        "sources/a-wire/index.html",
        "data/incidents.json",
        "style.css",
    ] {
        assert!(out.join(page).is_file(), "missing {page}");
    }
}

#[test]
fn output_flag_and_base_url_flag_are_honoured() {
    let p = Project::fixture("mini");
    let out = p.path().join("elsewhere");
    let out_arg = out.to_string_lossy().to_string();
    p.sitrep(&["build", "--output", &out_arg, "--base-url", "https://example.org/b/"])
        .assert()
        .success();
    assert!(out.join("index.html").is_file());
    assert!(!p.path().join("public").exists());
}

#[test]
fn builds_are_byte_identical_across_runs_and_input_order() {
    let a = Project::fixture("seeds");
    let b = Project::empty();
    // Same content, created on disk in the opposite order.
    for sub in ["site.toml", "content", "templates", "static"] {
        if a.path().join(sub).exists() {
            copy(&a.path().join(sub), &b.path().join(sub), true);
        }
    }
    a.sitrep(&["build"]).assert().success();
    let first = tree(&a.path().join("public"));
    a.sitrep(&["build"]).assert().success();
    let second = tree(&a.path().join("public"));
    b.sitrep(&["build"]).assert().success();
    let third = tree(&b.path().join("public"));
    assert!(first.len() > 100);
    assert_eq!(first, second, "two builds differ");
    assert_eq!(first.keys().collect::<Vec<_>>(), third.keys().collect::<Vec<_>>());
    for (path, bytes) in &first {
        assert!(third[path] == *bytes, "{path} differs when input order differs");
    }
}

#[test]
fn every_content_error_is_reported_with_its_place_and_old_output_survives() {
    let p = Project::fixture("mini");
    p.sitrep(&["build"]).assert().success();
    let before = tree(&p.path().join("public"));
    p.write(
        "content/articles/bad-date.md",
        "+++\ntitle = \"x\"\ndate = 2023-13-45\n+++\nText.\n",
    );
    p.write(
        "content/articles/unclosed.md",
        "+++\ntitle = \"x\"\nText without a closing fence.\n",
    );
    p.write(
        "content/articles/typo.md",
        "+++\ntitle = \"x\"\ndate = 2023-10-01\npubisher = \"AP\"\n+++\nText.\n",
    );
    p.write(
        "content/groups/orphan.md",
        "+++\nname = \"Orphan Brigade\"\nmember_of = [\"nobody\"]\n+++\n",
    );
    let assert = p.sitrep(&["build"]).assert().code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(stderr.contains("content/articles/bad-date.md:3:1: error:"), "{stderr}");
    assert!(
        stderr.contains("month 13 is not a month; expected YYYY-MM-DD"),
        "{stderr}"
    );
    assert!(
        stderr.contains("content/articles/unclosed.md:1:1: error: front matter opened with `+++` is never closed"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "content/articles/typo.md:4:1: warning: unknown front matter key `pubisher`: did you mean `publisher`?"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("content/groups/orphan.md: error: `member_of` names `nobody`"),
        "{stderr}"
    );
    assert!(stderr.contains("the previous output is untouched"), "{stderr}");
    assert_eq!(
        tree(&p.path().join("public")),
        before,
        "a failed build changed the output"
    );
}

#[test]
fn invalid_toml_and_yaml_point_at_the_line() {
    let p = Project::fixture("mini");
    p.write(
        "content/articles/toml.md",
        "+++\ntitle = \"x\"\ndate = = 3\n+++\nText.\n",
    );
    p.write("content/articles/yaml.md", "---\ntitle: x\n  bad: [\n---\nText.\n");
    let assert = p.sitrep(&["check"]).assert().code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(stderr.contains("content/articles/toml.md:3:"), "{stderr}");
    assert!(stderr.contains("invalid TOML front matter"), "{stderr}");
    assert!(stderr.contains("content/articles/yaml.md:"), "{stderr}");
    assert!(stderr.contains("invalid YAML front matter"), "{stderr}");
}

#[test]
fn invalid_utf8_names_the_byte() {
    let p = Project::fixture("mini");
    std::fs::write(p.path().join("content/articles/latin1.txt"), b"Caf\xe9 attack\n").expect("write");
    p.sitrep(&["build"]).assert().code(1).stderr(predicate::str::contains(
        "content/articles/latin1.txt: error: not valid UTF-8 at byte 3",
    ));
}

#[test]
fn colliding_article_ids_name_both_files() {
    let p = Project::fixture("mini");
    p.write("content/articles/Same Name.md", "+++\ndate = 2024-01-01\n+++\nText.\n");
    p.write("content/articles/same-name.txt", "Text.\n");
    p.sitrep(&["build"]).assert().code(1).stderr(predicate::str::contains(
        "article id `same-name` is also the id of content/articles/Same Name.md",
    ));
}

#[test]
fn refuses_to_replace_folders_it_did_not_write() {
    let p = Project::fixture("mini");
    p.write("mine/notes.txt", "precious");
    let mine = p.path().join("mine").to_string_lossy().to_string();
    p.sitrep(&["build", "--output", &mine])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("was not written by sitrep"));
    assert_eq!(
        std::fs::read_to_string(p.path().join("mine/notes.txt")).expect("kept"),
        "precious"
    );
    let root = p.path().to_string_lossy().to_string();
    p.sitrep(&["build", "--output", &root])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("it contains the project"));
    let inside = p.path().join("content/out").to_string_lossy().to_string();
    p.sitrep(&["build", "--output", &inside])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("inside the project's content/ folder"));
}

#[test]
fn usage_errors_exit_2() {
    let mut cmd = assert_cmd::Command::cargo_bin("sitrep").expect("binary");
    cmd.arg("frobnicate").assert().code(2);
}

#[test]
fn check_passes_on_the_bundled_briefing() {
    let p = Project::fixture("seeds");
    p.sitrep(&["check"])
        .assert()
        .success()
        .stderr(predicate::str::contains("0 broken links"));
}

#[test]
fn extract_prints_the_analysis_as_json() {
    let p = Project::fixture("mini");
    let file = p.path().join("content/articles/a-wire.md");
    let out = p
        .sitrep(&["extract"])
        .arg(&file)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).expect("JSON");
    let a = &v["analysis"];
    assert_eq!(a["sentences"][0]["n"], 1);
    let dates: Vec<&str> = a["dates"]
        .as_array()
        .expect("dates")
        .iter()
        .filter_map(|d| d["phrase"].as_str())
        .collect();
    assert_eq!(dates, ["on Tuesday", "on Monday night"]);
    assert_eq!(a["dates"][1]["date"], "2024-03-11");
    assert_eq!(a["dates"][0]["role"], "report");
    let e = &a["events"][0];
    assert_eq!(e["place"], "camp-example");
    assert_eq!(e["date"], "2024-03-11");
    assert_eq!(e["claimants"][0], "saraya-example");
}

#[test]
fn init_scaffolds_a_project_that_builds() {
    let tmp = tempfile::tempdir().expect("temp");
    let dir = tmp.path().join("brief");
    assert_cmd::Command::cargo_bin("sitrep")
        .expect("binary")
        .arg("init")
        .arg(&dir)
        .assert()
        .success();
    for f in [
        "site.toml",
        "content/articles/example.md",
        "templates/base.html",
        "static/style.css",
    ] {
        assert!(dir.join(f).is_file(), "init did not write {f}");
    }
    assert_cmd::Command::cargo_bin("sitrep")
        .expect("binary")
        .args(["build", "--root"])
        .arg(&dir)
        .assert()
        .success()
        .stderr(predicate::str::contains("1 incidents"));
    assert!(
        dir.join("public/incidents/2024-01-14-example-base/index.html")
            .is_file()
    );
    assert_cmd::Command::cargo_bin("sitrep")
        .expect("binary")
        .arg("init")
        .arg(&dir)
        .assert()
        .code(1);
}

#[test]
fn template_override_and_template_errors() {
    let p = Project::fixture("mini");
    p.write(
        "templates/sources.html",
        "{% extends \"base.html\" %}{% block main %}<h1>My sources</h1>{% endblock main %}",
    );
    p.sitrep(&["build"]).assert().success();
    let html = std::fs::read_to_string(p.path().join("public/sources/index.html")).expect("page");
    assert!(html.contains("<h1>My sources</h1>"));
    p.write(
        "templates/sources.html",
        "{% extends \"base.html\" %}{% block main %}{{ nope( }}{% endblock main %}",
    );
    p.sitrep(&["build"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("template error"));
}
