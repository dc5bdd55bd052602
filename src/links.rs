//! Internal link check over rendered pages: every `href` to another page of the site must
//! name a page that exists and, with a `#fragment`, an element id on it.

use std::collections::{BTreeMap, BTreeSet};

use crate::render::Page;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct BrokenLink {
    pub page: String,
    pub href: String,
    pub reason: String,
}

/// Values of an attribute in an HTML page (our own output: double-quoted attributes).
fn attribute_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&needle) {
        rest = &rest[i + needle.len()..];
        if let Some(end) = rest.find('"') {
            out.push(&rest[..end]);
            rest = &rest[end..];
        }
    }
    out
}

/// Resolve `href` against the folder of `page`; `None` for external or non-page links.
pub fn resolve(page: &str, href: &str) -> Option<(String, Option<String>)> {
    if href.contains("://") || href.starts_with("mailto:") || href.starts_with("data:") || href.starts_with("//") {
        return None;
    }
    let (path, fragment) = match href.split_once('#') {
        Some((p, f)) => (p, Some(f.to_string())),
        None => (href, None),
    };
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    if path.is_empty() {
        return Some((page.to_string(), fragment));
    }
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let mut target = parts.join("/");
    if path.ends_with('/') || target.is_empty() {
        if !target.is_empty() {
            target.push('/');
        }
        target.push_str("index.html");
    }
    Some((target, fragment))
}

/// Every broken internal link in the site, sorted.
pub fn check_links(pages: &[Page]) -> Vec<BrokenLink> {
    let by_path: BTreeMap<&str, &Page> = pages.iter().map(|p| (p.path.as_str(), p)).collect();
    let mut ids: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for p in pages.iter().filter(|p| p.path.ends_with(".html")) {
        let html = std::str::from_utf8(&p.bytes).unwrap_or("");
        ids.insert(p.path.as_str(), attribute_values(html, "id").into_iter().collect());
    }
    let mut broken = BTreeSet::new();
    for p in pages.iter().filter(|p| p.path.ends_with(".html")) {
        let html = std::str::from_utf8(&p.bytes).unwrap_or("");
        for attr in ["href", "src"] {
            for href in attribute_values(html, attr) {
                let href = href.replace("&amp;", "&");
                let Some((target, fragment)) = resolve(&p.path, &href) else {
                    if href.starts_with("..") {
                        broken.insert(BrokenLink {
                            page: p.path.clone(),
                            href: href.clone(),
                            reason: "escapes the site".into(),
                        });
                    }
                    continue;
                };
                if !by_path.contains_key(target.as_str()) {
                    broken.insert(BrokenLink {
                        page: p.path.clone(),
                        href: href.clone(),
                        reason: format!("no page {target}"),
                    });
                } else if let Some(f) = fragment
                    && !f.is_empty()
                    && !ids.get(target.as_str()).is_some_and(|set| set.contains(f.as_str()))
                {
                    broken.insert(BrokenLink {
                        page: p.path.clone(),
                        href: href.clone(),
                        reason: format!("no element #{f} on {target}"),
                    });
                }
            }
        }
    }
    broken.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_relative_links() {
        assert_eq!(
            resolve("incidents/x/index.html", "../../sources/a/#s3"),
            Some(("sources/a/index.html".into(), Some("s3".into())))
        );
        assert_eq!(resolve("index.html", "./"), Some(("index.html".into(), None)));
        assert_eq!(resolve("index.html", "../x/"), None);
        assert_eq!(resolve("a/index.html", "https://example.org/"), None);
    }

    #[test]
    fn finds_missing_pages_and_anchors() {
        let pages = vec![
            Page {
                path: "index.html".into(),
                bytes: br#"<a href="a/">a</a> <a href="a/#s2">s2</a> <a href="b/">b</a>"#.to_vec(),
            },
            Page {
                path: "a/index.html".into(),
                bytes: br#"<span id="s1">x</span>"#.to_vec(),
            },
        ];
        let broken = check_links(&pages);
        assert_eq!(broken.len(), 2);
        assert_eq!(broken[0].href, "a/#s2");
        assert_eq!(broken[1].href, "b/");
    }
}
