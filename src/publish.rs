//! The files a published site needs besides its pages: Atom feeds (site, per group, per
//! place), the sitemap, robots.txt and the search index. All deterministic: dates come from
//! the content, never from the clock.

use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

use chrono::NaiveDate;

use crate::derive::{Briefing, Incident};
use crate::gazetteer::Gazetteer;
use crate::load::Config;
use crate::render::{Page, date_label};

/// Escape text for XML element content and attribute values.
pub fn xml_escape(s: &str) -> String {
    crate::text::replace_chars(s, |c| match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '"' => Some("&quot;"),
        '\'' => Some("&apos;"),
        // Characters XML 1.0 forbids are dropped rather than emitted.
        c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => Some(""),
        _ => None,
    })
}

/// The base URL with exactly one trailing slash, or "" for relative links only.
pub fn base(config: &Config) -> String {
    let b = config.base_url.trim();
    if b.is_empty() {
        String::new()
    } else {
        format!("{}/", b.trim_end_matches('/'))
    }
}

/// A site path as a URL: absolute under the base URL when one is set, else relative to the
/// site root.
pub fn url(config: &Config, path: &str) -> String {
    let b = base(config);
    if b.is_empty() && path.is_empty() {
        "./".into()
    } else {
        format!("{b}{path}")
    }
}

/// Incident id → the newest publication date of its sources, computed once for all feeds.
type LatestSource<'a> = HashMap<&'a str, Option<NaiveDate>>;

/// The date a feed or entry was last updated: the newest publication date of its sources,
/// else the newest incident date.
fn updated(incidents: &[&Incident], latest: &LatestSource<'_>) -> Option<NaiveDate> {
    incidents
        .iter()
        .filter_map(|i| latest.get(i.id.as_str()).copied().flatten())
        .max()
        .or_else(|| incidents.iter().filter_map(|i| i.date).max())
}

fn rfc3339(d: Option<NaiveDate>) -> String {
    d.map_or_else(
        || "1970-01-01T00:00:00Z".into(),
        |d| format!("{}T00:00:00Z", d.format("%Y-%m-%d")),
    )
}

/// One Atom feed of incidents, newest first, from their entries.
fn feed(
    config: &Config,
    published: &LatestSource<'_>,
    path: &str,
    title: &str,
    incidents: &[&Incident],
    entries: &[&str],
) -> Page {
    let mut x = String::with_capacity(1024 + entries.iter().map(|e| e.len()).sum::<usize>());
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    x.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n",
        xml_escape(&config.language)
    ));
    x.push_str(&format!("<title>{}</title>\n", xml_escape(title)));
    x.push_str(&format!("<id>{}</id>\n", xml_escape(&feed_id(config, path))));
    x.push_str(&format!(
        "<link rel=\"self\" href=\"{}\"/>\n",
        xml_escape(&url(config, path))
    ));
    let home = path.strip_suffix("atom.xml").unwrap_or("");
    x.push_str(&format!(
        "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        xml_escape(&url(config, home))
    ));
    x.push_str(&format!(
        "<updated>{}</updated>\n",
        rfc3339(updated(incidents, published))
    ));
    x.push_str("<author><name>sitrep</name></author>\n");
    for e in entries {
        x.push_str(e);
    }
    x.push_str("</feed>\n");
    Page {
        path: path.to_string(),
        bytes: x.into_bytes(),
    }
}

/// An incident's `<entry>`: the same in every feed that lists it.
fn entry(config: &Config, published: &LatestSource<'_>, g: &Gazetteer, i: &Incident) -> String {
    let mut x = String::new();
    let link = url(config, &format!("incidents/{}/", i.id));
    let place = g.place_name(&i.place);
    let claimants: Vec<&str> = i.claimed_by.iter().map(|c| g.group_name(c)).collect();
    let mut summary = format!(
        "{}, {}. Weapons: {}. Status: {}.",
        date_label(i.date, i.date_precision),
        place,
        i.weapons.join(", "),
        i.status
    );
    if !claimants.is_empty() {
        summary.push_str(&format!(" Claimed by {}.", claimants.join(", ")));
    }
    summary.push_str(&format!(" {} source(s).", i.sources.len()));
    x.push_str("<entry>\n");
    x.push_str(&format!(
        "<title>{}</title>\n",
        xml_escape(&format!("{} ({})", i.title, date_label(i.date, i.date_precision)))
    ));
    x.push_str(&format!(
        "<id>{}</id>\n",
        xml_escape(&feed_id(config, &format!("incidents/{}/", i.id)))
    ));
    x.push_str(&format!("<link href=\"{}\"/>\n", xml_escape(&link)));
    x.push_str(&format!("<updated>{}</updated>\n", rfc3339(updated(&[i], published))));
    x.push_str(&format!("<summary>{}</summary>\n", xml_escape(&summary)));
    x.push_str("</entry>\n");
    x
}

/// A stable Atom id: the absolute URL when there is a base URL, else a `tag:` URI.
fn feed_id(config: &Config, path: &str) -> String {
    if base(config).is_empty() {
        format!("tag:sitrep,2023:{path}")
    } else {
        url(config, path)
    }
}

/// What every Atom feed is made from, computed once: the dated incidents, newest first, and
/// each incident's newest source date.
pub struct Feeds<'a> {
    latest: LatestSource<'a>,
    dated: Vec<&'a Incident>,
    /// Each dated incident's `<entry>`, made the first time a feed lists it: the site's feed
    /// and its groups' and places' feeds repeat the same entries.
    entries: Vec<OnceLock<String>>,
}

impl<'a> Feeds<'a> {
    pub fn new(b: &'a Briefing) -> Self {
        let published: HashMap<&str, NaiveDate> = b
            .sources
            .iter()
            .filter_map(|s| Some((s.id.as_str(), s.date?)))
            .collect();
        let latest = b
            .incidents
            .iter()
            .map(|i| {
                let newest = i
                    .sources
                    .iter()
                    .filter_map(|s| published.get(s.source.as_str()).copied())
                    .max();
                (i.id.as_str(), newest)
            })
            .collect();
        let dated: Vec<&Incident> = b.incidents.iter().filter(|i| i.date.is_some()).collect();
        let entries = dated.iter().map(|_| OnceLock::new()).collect();
        Feeds { latest, dated, entries }
    }

    /// The feed at `path`: every dated incident, or only those among `only`.
    pub fn page(&self, config: &Config, g: &Gazetteer, path: &str, title: &str, only: Option<&[String]>) -> Page {
        let wanted: Option<BTreeSet<&str>> = only.map(|ids| ids.iter().map(String::as_str).collect());
        let listed: Vec<usize> = (0..self.dated.len())
            .filter(|&k| wanted.as_ref().is_none_or(|w| w.contains(self.dated[k].id.as_str())))
            .collect();
        let incidents: Vec<&Incident> = listed.iter().map(|&k| self.dated[k]).collect();
        let entries: Vec<&str> = listed
            .iter()
            .map(|&k| {
                self.entries[k]
                    .get_or_init(|| entry(config, &self.latest, g, self.dated[k]))
                    .as_str()
            })
            .collect();
        feed(config, &self.latest, path, title, &incidents, &entries)
    }
}

/// `sitemap.xml` of every HTML page (absolute URLs need `base_url`; without one the entries
/// are relative, which crawlers ignore but link checkers accept).
pub fn sitemap(config: &Config, pages: &[String]) -> Page {
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut paths: Vec<&str> = pages
        .iter()
        .map(String::as_str)
        .filter(|p| p.ends_with("index.html"))
        .collect();
    paths.sort();
    for p in paths {
        let dir = p.strip_suffix("index.html").unwrap_or(p);
        x.push_str(&format!("<url><loc>{}</loc></url>\n", xml_escape(&url(config, dir))));
    }
    x.push_str("</urlset>\n");
    Page {
        path: "sitemap.xml".into(),
        bytes: x.into_bytes(),
    }
}

pub fn robots(config: &Config) -> Page {
    let mut t = String::from("User-agent: *\nAllow: /\n");
    if !base(config).is_empty() {
        t.push_str(&format!("Sitemap: {}\n", url(config, "sitemap.xml")));
    }
    Page {
        path: "robots.txt".into(),
        bytes: t.into_bytes(),
    }
}

/// The search index as a script that sets a global, so search works from `file://` too
/// (where a page may not fetch a JSON file). Paths are relative to the site root. Written an
/// entry at a time: at scale it lists a hundred thousand sources.
pub fn write_search_index<W: std::io::Write>(b: &Briefing, g: &Gazetteer, out: &mut W) -> std::io::Result<()> {
    use std::io::Write as _;
    /// One entry; the fields are in alphabetical order, as the index has always listed them.
    #[derive(serde::Serialize)]
    struct Entry<'a> {
        d: &'a str,
        k: &'a str,
        t: &'a str,
        u: String,
        x: String,
    }
    out.write_all(b"// Generated by sitrep: the search index of this briefing.\nwindow.SITREP_SEARCH = [\n")?;
    // JSON is valid JavaScript; "<" is escaped so the file can never close a script tag.
    let mut safe = crate::render::HtmlSafe::new(&mut *out);
    let out = &mut safe;
    let line = |out: &mut crate::render::HtmlSafe<&mut W>, e: Entry<'_>| -> std::io::Result<()> {
        serde_json::to_writer(&mut *out, &e)?;
        out.write_all(b",\n")
    };
    for i in &b.incidents {
        let place = g.place_name(&i.place);
        let claimants: Vec<&str> = i.claimed_by.iter().map(|c| g.group_name(c)).collect();
        let d = date_label(i.date, i.date_precision);
        let x = format!("{} {} {} {}", place, claimants.join(" "), i.weapons.join(" "), i.status);
        line(
            out,
            Entry {
                d: &d,
                k: "incident",
                t: &i.title,
                u: format!("incidents/{}/", i.id),
                x,
            },
        )?;
    }
    for gp in &b.groups {
        let u = format!("groups/{}/", gp.id);
        line(
            out,
            Entry {
                d: &gp.kind,
                k: "group",
                t: &gp.name,
                u,
                x: gp.aliases.join(" "),
            },
        )?;
    }
    for p in &b.places {
        let u = format!("places/{}/", p.id);
        line(
            out,
            Entry {
                d: &p.kind,
                k: "place",
                t: &p.name,
                u,
                x: p.aliases.join(" "),
            },
        )?;
    }
    for s in &b.sources {
        let d = s.date.map_or_else(String::new, |d| d.format("%Y-%m-%d").to_string());
        let (u, x) = (format!("sources/{}/", s.id), s.publisher.clone().unwrap_or_default());
        line(
            out,
            Entry {
                d: &d,
                k: "source",
                t: &s.title,
                u,
                x,
            },
        )?;
    }
    out.write_all(b"];\n")?;
    safe.finish()
}
