//! Hostile and broken input: article text from the web never becomes markup or script, ids
//! never leave the output folder, and sitrep refuses output folders it must not replace.

mod util;

use std::process::Stdio;
use std::time::{Duration, Instant};

use predicates::prelude::*;
use util::{Project, hostile_project, tree};

/// The attributes of a start tag (our output quotes every value with `"`).
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let rest = tag.trim_end_matches('/');
    let mut chars = rest.char_indices().peekable();
    // Skip the tag name.
    while chars.peek().is_some_and(|(_, c)| !c.is_whitespace()) {
        chars.next();
    }
    loop {
        while chars.peek().is_some_and(|(_, c)| c.is_whitespace()) {
            chars.next();
        }
        let Some(&(start, _)) = chars.peek() else { break };
        while chars.peek().is_some_and(|(_, c)| !c.is_whitespace() && *c != '=') {
            chars.next();
        }
        let end = chars.peek().map_or(rest.len(), |(i, _)| *i);
        let name = rest[start..end].to_ascii_lowercase();
        let mut value = String::new();
        if chars.peek().is_some_and(|(_, c)| *c == '=') {
            chars.next();
            if chars.peek().is_some_and(|(_, c)| *c == '"') {
                chars.next();
                for (_, c) in chars.by_ref() {
                    if c == '"' {
                        break;
                    }
                    value.push(c);
                }
            } else {
                while let Some((_, c)) = chars.peek().copied().filter(|(_, c)| !c.is_whitespace()) {
                    value.push(c);
                    chars.next();
                }
            }
        }
        if !name.is_empty() {
            out.push((name, value));
        }
    }
    out
}

/// Every start tag in the page, for checking attributes.
fn tags(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        if rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            let end = rest.find('>').unwrap_or(rest.len());
            out.push(&rest[..end]);
            rest = &rest[end..];
        }
    }
    out
}

#[test]
fn hostile_articles_build_into_pages_without_markup_or_script_from_content() {
    let p = hostile_project();
    let assert = p.sitrep(&["build"]).assert().success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(stderr.contains("raw HTML in the article is shown as text"), "{stderr}");
    assert!(stderr.contains("`url = javascript:alert(0)` is dropped"), "{stderr}");
    let files = tree(&p.path().join("public"));
    let mut checked = 0;
    for (path, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        if path.ends_with(".html") {
            checked += 1;
            for tag in tags(&text) {
                let lower = tag.to_ascii_lowercase();
                let name = lower.split([' ', '\n']).next().unwrap_or("");
                assert!(
                    !matches!(name, "iframe" | "img" | "math" | "details" | "object" | "embed" | "mi"),
                    "{path}: content became a <{name}> tag: <{tag}>"
                );
                if name == "script" {
                    assert!(lower.starts_with("script src=\""), "{path}: inline script <{tag}>");
                }
                for (attr, value) in attributes(tag) {
                    assert!(!attr.starts_with("on"), "{path}: event handler `{attr}` in <{tag}>");
                    if matches!(
                        attr.as_str(),
                        "href" | "src" | "action" | "formaction" | "xlink:href" | "cite"
                    ) {
                        let v = value.trim().to_ascii_lowercase();
                        assert!(
                            !v.starts_with("javascript:") && !v.starts_with("data:text"),
                            "{path}: unsafe URL in <{tag}>"
                        );
                    }
                }
            }
        }
        if path.ends_with(".xml") || path.ends_with(".json") {
            assert!(!text.contains("<script"), "{path}: unescaped script");
        }
        if path.ends_with(".js") {
            assert!(
                !text.contains("</script"),
                "{path}: a script file that could close a script tag"
            );
        }
    }
    assert!(checked > 20);
}

#[test]
fn ids_never_escape_the_output_folder() {
    let p = Project::fixture("mini");
    for name in ["..md", "...md", "CON.md", "a b c.md", "ünïcödé.md"] {
        p.write(
            &format!("content/articles/{name}"),
            "+++\ndate = 2024-03-12\n+++\nText.\n",
        );
    }
    p.write(
        &format!("content/articles/{}.md", "long".repeat(60)),
        "+++\ndate = 2024-03-12\n+++\nText.\n",
    );
    p.sitrep(&["build"]).assert().success();
    let out = p.path().join("public");
    for (path, _) in tree(&out) {
        assert!(!path.contains(".."), "{path}");
        assert!(path.split('/').all(|part| part.len() <= 100), "{path}");
    }
    assert!(out.join("sources/con-x/index.html").is_file());
    assert!(out.join("sources/unicode/index.html").is_file());
    // Nothing was written beside the output folder.
    let siblings: Vec<String> = std::fs::read_dir(p.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        siblings
            .iter()
            .all(|s| ["site.toml", "content", "public", "templates", "static"].contains(&s.as_str())),
        "{siblings:?}"
    );
}

#[test]
fn colliding_group_ids_name_both_files() {
    let p = Project::fixture("mini");
    p.write("content/groups/Saraya-Example.md", "+++\nname = \"Other\"\n+++\n");
    p.sitrep(&["build"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("group id `saraya-example` is also the id of"));
}

#[test]
fn refuses_output_folders_that_would_destroy_the_project_or_the_system() {
    let p = Project::fixture("mini");
    std::fs::create_dir_all(p.path().join("templates")).expect("mkdir");
    std::fs::create_dir_all(p.path().join("static")).expect("mkdir");
    let cases = [
        (p.path().join("templates/out"), "inside the project's templates/ folder"),
        (p.path().join("static"), "inside the project's static/ folder"),
        (
            p.path().parent().expect("parent").to_path_buf(),
            "it contains the project",
        ),
        (std::path::PathBuf::from("/"), "it is the file system root"),
    ];
    for (out, message) in cases {
        p.sitrep(&["build", "--output", &out.to_string_lossy()])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(message));
    }
    let home = tempfile::tempdir().expect("home");
    p.sitrep(&["build", "--output", &home.path().to_string_lossy()])
        .env("HOME", home.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("it is the home folder"));
}

#[test]
fn oversized_articles_are_refused_and_lossy_reads_bad_bytes() {
    let p = Project::fixture("mini");
    p.write("site.toml", "title = \"Mini\"\nmax_article_bytes = 2000\n");
    let huge = format!("+++\ndate = 2024-03-12\n+++\n{}\n", "word ".repeat(1000));
    p.write("content/articles/huge.md", &huge);
    p.sitrep(&["build"]).assert().code(1).stderr(predicate::str::contains(format!(
        "content/articles/huge.md: error: file is {} bytes, over the limit of 2000 bytes (site.toml `max_article_bytes`)",
        huge.len()
    )));
    std::fs::remove_file(p.path().join("content/articles/huge.md")).expect("rm");
    std::fs::write(
        p.path().join("content/articles/latin1.txt"),
        b"Caf\xe9 rockets hit Camp Example\n",
    )
    .expect("write");
    p.sitrep(&["build"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not valid UTF-8 at byte 3"));
    p.sitrep(&["build", "--lossy"])
        .assert()
        .success()
        .stderr(predicate::str::contains("read with replacement characters (--lossy)"));
}

#[test]
fn extreme_text_does_not_crash_or_stall() {
    let p = Project::fixture("mini");
    let long_line = "drones and rockets said al-Tanf on Monday ".repeat(2_500);
    let nested = format!("{}deep\n", "> ".repeat(5_000));
    p.write(
        "content/articles/long.md",
        &format!("+++\ndate = 2024-03-12\n+++\n{long_line}\n"),
    );
    p.write(
        "content/articles/nested.md",
        &format!("+++\ndate = 2024-03-12\n+++\n{nested}"),
    );
    let started = Instant::now();
    p.sitrep(&["build"])
        .timeout(Duration::from_secs(120))
        .assert()
        .success();
    eprintln!("extreme build took {:?}", started.elapsed());
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_reported_and_the_rest_builds() {
    let p = Project::fixture("mini");
    std::os::unix::fs::symlink(
        p.path().join("content/articles"),
        p.path().join("content/articles/loop"),
    )
    .expect("symlink");
    p.sitrep(&["build"])
        .assert()
        .success()
        .stderr(predicate::str::contains("skipped: symbolic link loop"));
    assert!(p.path().join("public/sources/a-wire/index.html").is_file());
}

/// A build killed while writing leaves the previous site as it was, and the next build
/// cleans up after it.
#[test]
fn a_build_killed_midway_leaves_the_previous_site_untouched() {
    let p = Project::fixture("mini");
    p.sitrep(&["build"]).assert().success();
    let before = tree(&p.path().join("public"));
    for i in 0..1500 {
        p.write(
            &format!("content/articles/bulk-{i:04}.md"),
            &format!("+++\ndate = 2024-03-12\n+++\nSaraya al-Mithal said it fired {} rockets at Camp Example on Monday night.\n", i % 9 + 2),
        );
    }
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("sitrep"))
        .args(["build", "--root"])
        .arg(p.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start build");
    let staging = p.path().join(".public.sitrep-new");
    let deadline = Instant::now() + Duration::from_secs(120);
    while !staging.exists() {
        assert!(Instant::now() < deadline, "the build never started writing");
        assert!(
            child.try_wait().expect("wait").is_none(),
            "the build finished before it could be killed"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().expect("kill");
    child.wait().expect("reap");
    assert_eq!(
        tree(&p.path().join("public")),
        before,
        "the killed build changed the published site"
    );
    p.sitrep(&["build"]).assert().success();
    assert!(!staging.exists(), "the next build removes the half-written folder");
    assert!(p.path().join("public/sources/bulk-0000/index.html").is_file());
}
