//! `sitrep init`: a new briefing project with an example article, a small gazetteer and the
//! built-in theme ready to customise.

use std::fs;
use std::path::Path;

use crate::render::{BUILTIN_STATIC, BUILTIN_TEMPLATES};

const SITE_TOML: &str = r#"# sitrep briefing settings
title = "New briefing"
description = "Attacks reported in the sources collected here."
# Absolute URL of the published site, for feeds and sitemaps. Leave empty for relative links.
base_url = ""
language = "en"
output_dir = "public"

[extraction]
# How many days before publication an undated mention may reach back to join an incident.
attach_window_days = 7
# How many sentences an attack's date carries to following sentences that give none.
carry_sentences = 8
"#;

const EXAMPLE_ARTICLE: &str = r#"+++
title = "Drone attack reported at Example Base"
date = 2024-01-15
publisher = "Example Wire"
url = "https://example.org/news/drone-attack"
+++
The Example Front said on Monday that it targeted Example Base with two drones on Sunday night.

Officials confirmed the attack and said no injuries were reported.
"#;

const EXAMPLE_GROUP: &str = r#"+++
name = "Example Front"
aliases = ["the Example Front", "Jabhat al-Mithal"]
kind = "armed-group"
member_of = []
country = "Nowhere"
+++
A made-up armed group for the example article. Replace this file with real groups.
"#;

const EXAMPLE_PLACE: &str = r#"+++
name = "Example Base"
aliases = ["Example Air Base"]
kind = "base"
country = "Nowhere"
lat = 33.5
lon = 38.6
+++
A made-up base for the example article.
"#;

/// Create the project at `dir`, which must not exist or be empty.
pub fn init(dir: &Path) -> Result<(), String> {
    if dir.exists()
        && fs::read_dir(dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .next()
            .is_some()
    {
        return Err(format!("{} is not empty; choose a new folder", dir.display()));
    }
    let files: Vec<(String, &str)> = [
        ("site.toml".to_string(), SITE_TOML),
        ("content/articles/example.md".to_string(), EXAMPLE_ARTICLE),
        ("content/groups/example-front.md".to_string(), EXAMPLE_GROUP),
        ("content/places/example-base.md".to_string(), EXAMPLE_PLACE),
    ]
    .into_iter()
    .chain(BUILTIN_TEMPLATES.iter().map(|(n, t)| (format!("templates/{n}"), *t)))
    .chain(BUILTIN_STATIC.iter().map(|(n, t)| (format!("static/{n}"), *t)))
    .collect();
    for (rel, body) in files {
        let path = dir.join(&rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        fs::write(&path, body).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    fs::create_dir_all(dir.join("content/incidents")).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(())
}
