//! Stage 4, render: the briefing and the templates in, pages (path and bytes) out.
//!
//! Templates get view types made for them (names resolved, dates formatted), never the
//! internal structures. Links are relative, so the site works under any base path.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use tera::{Context, Tera, Value};

use crate::analyze::Analysis;
use crate::dates::Precision;
use crate::derive::{Briefing, Incident, SourceProfile};
use crate::diagnostics::Diagnostic;
use crate::gazetteer::{EntityRef, Gazetteer};
use crate::load::{Article, BlockKind, Corpus};
use crate::publish;

/// A file of the output site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// Relative path with '/' separators, e.g. `incidents/2023-10-19-al-tanf/index.html`.
    pub path: String,
    pub bytes: Vec<u8>,
}

/// The default theme, compiled into the binary so `sitrep init` and projects without a
/// `templates/` folder work anywhere.
pub const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("index.html", include_str!("../templates/index.html")),
    ("incident_card.html", include_str!("../templates/incident_card.html")),
    ("figures.html", include_str!("../templates/figures.html")),
    ("incidents.html", include_str!("../templates/incidents.html")),
    ("incident.html", include_str!("../templates/incident.html")),
    ("groups.html", include_str!("../templates/groups.html")),
    ("group.html", include_str!("../templates/group.html")),
    ("places.html", include_str!("../templates/places.html")),
    ("place.html", include_str!("../templates/place.html")),
    ("sources.html", include_str!("../templates/sources.html")),
    ("source.html", include_str!("../templates/source.html")),
    ("404.html", include_str!("../templates/404.html")),
    ("review.html", include_str!("../templates/review.html")),
];

pub const BUILTIN_STATIC: &[(&str, &str)] = &[
    ("pictures.css", include_str!("../static/pictures.css")),
    ("sitrep.js", include_str!("../static/sitrep.js")),
    ("style.css", include_str!("../static/style.css")),
];

// ---------------------------------------------------------------------------------------------
// View types.

#[derive(Serialize)]
struct Site<'a> {
    title: &'a str,
    description: &'a str,
    language: &'a str,
}

#[derive(Serialize)]
struct Link<'a> {
    id: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
struct Quote<'a> {
    n: usize,
    text: &'a str,
}

#[derive(Serialize)]
struct SourceRef<'a> {
    id: Value,
    title: Value,
    byline: Value,
    indirect: bool,
    date_phrases: &'a [String],
    quotes: Vec<Quote<'a>>,
}

#[derive(Serialize)]
struct FactView<'a> {
    kind: &'a str,
    value: &'a str,
    subject: &'a str,
    source: Value,
    source_title: Value,
    sentence: usize,
}

#[derive(Serialize)]
struct IncidentView<'a> {
    id: &'a str,
    title: &'a str,
    date_iso: String,
    date_label: String,
    precision: &'static str,
    place: &'a str,
    place_name: &'a str,
    regions: Vec<Link<'a>>,
    weapons: &'a [String],
    claimants: Vec<Link<'a>>,
    status: &'a str,
    status_reasons: &'a [String],
    sources: Vec<SourceRef<'a>>,
    facts: Vec<FactView<'a>>,
    contradictions: &'a [String],
    assessment_html: String,
}

/// A source as lists show it.
#[derive(Serialize)]
struct SourceListItem<'a> {
    id: &'a Value,
    title: &'a Value,
    byline: &'a Value,
    date_label: String,
    publisher: &'a str,
    incidents: &'a [String],
}

/// What pages show of a source, made into Tera values once, when a page first needs them:
/// cloning a Tera value shares its text, so the pages citing or listing a source do not each
/// copy (and hash) its id, title and byline again.
struct SourceValues {
    id: Value,
    title: Value,
    byline: Value,
    /// The source as lists show it ([`SourceListItem`]).
    item: Value,
}

#[derive(Serialize)]
struct Month<'a> {
    label: String,
    incidents: Vec<&'a Value>,
}

/// An incident as lists show it: enough for a card or a table row, nothing more, so list
/// pages stay small however many sources an incident has.
#[derive(Serialize)]
struct Card<'a> {
    id: &'a str,
    title: &'a str,
    date_iso: String,
    date_label: String,
    place: &'a str,
    place_name: &'a str,
    weapons: &'a [String],
    claimants: Vec<Link<'a>>,
    status: &'a str,
    source_count: usize,
}

/// How many sources a group or place page lists (the newest).
const SOURCES_LISTED: usize = 100;

/// A group in a list: what the lists show, without its (long) list of sources.
#[derive(Serialize)]
struct GroupRow<'a> {
    id: &'a str,
    name: &'a str,
    incidents: &'a [String],
    source_count: usize,
}

fn group_row(gp: &crate::derive::GroupProfile) -> GroupRow<'_> {
    GroupRow {
        id: &gp.id,
        name: &gp.name,
        incidents: &gp.incidents,
        source_count: gp.sources.len(),
    }
}

/// A kind of group, with its groups, on the groups page.
#[derive(Serialize)]
struct GroupKind<'a> {
    id: &'a str,
    label: &'a str,
    groups: Vec<GroupRow<'a>>,
}

#[derive(Serialize)]
struct GroupView<'a> {
    id: &'a str,
    name: &'a str,
    kind: &'a str,
    country: &'a str,
    aliases: &'a [String],
    parents: Vec<Link<'a>>,
    members: Vec<Link<'a>>,
    description_html: String,
    incidents: Vec<&'a Value>,
    sources: Vec<&'a Value>,
    source_total: usize,
}

/// A membership stated in the sources, on the group pages of both groups.
#[derive(Serialize)]
struct Stated<'a> {
    member: Link<'a>,
    umbrella: Link<'a>,
    evidence: Vec<EvidenceView<'a>>,
}

#[derive(Serialize)]
struct EvidenceView<'a> {
    source: &'a str,
    title: &'a str,
    sentence: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    phrase: Option<&'a str>,
}

/// A name to review.
#[derive(Serialize)]
struct Candidate<'a> {
    name: &'a str,
    kind: &'a str,
    evidence: Vec<EvidenceView<'a>>,
}

/// A place in the places table.
#[derive(Serialize)]
struct PlaceRow<'a> {
    id: &'a str,
    name: &'a str,
    kind: &'a str,
    country: &'a str,
    incidents: usize,
    sources: usize,
}

/// A place and how many incidents happened there, on the home page.
#[derive(Serialize)]
struct PlaceCount<'a> {
    id: &'a str,
    name: &'a str,
    count: usize,
}

#[derive(Serialize)]
struct PlaceView<'a> {
    id: &'a str,
    name: &'a str,
    kind: &'a str,
    aliases: &'a [String],
    coordinates: String,
    regions: Vec<Link<'a>>,
    description_html: String,
    incidents: Vec<&'a Value>,
    sources: Vec<&'a Value>,
    source_total: usize,
}

#[derive(Serialize)]
struct SourceView<'a> {
    id: &'a Value,
    title: &'a Value,
    byline: &'a Value,
    url: &'a str,
    incidents: Vec<&'a Value>,
    body_html: String,
}

/// Source id → sentence number → incidents citing it.
type Cited<'a> = BTreeMap<&'a str, BTreeMap<usize, Vec<&'a str>>>;

/// The citations of the sources `wanted` keeps.
fn citations<'a>(briefing: &'a Briefing, wanted: impl Fn(&str) -> bool) -> Cited<'a> {
    let mut cited: Cited<'a> = BTreeMap::new();
    for i in &briefing.incidents {
        for s in i.sources.iter().filter(|s| wanted(&s.source)) {
            let by_sentence = cited.entry(s.source.as_str()).or_default();
            for &n in &s.sentences {
                by_sentence.entry(n).or_default().push(i.id.as_str());
            }
        }
    }
    cited
}

/// Sources and facts above which an incident page is made while no other such page is: at
/// 100,000 articles the largest are 10 MB of HTML and take several times that to make, and
/// two made at once set the build's peak memory.
const BIG_INCIDENT: usize = 5_000;

/// One page to render from a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    Index,
    Incidents,
    Incident(usize),
    Groups,
    Group(usize),
    Places,
    Place(usize),
    Sources,
    Source(usize),
    Review,
    NotFound,
    Feed(Feed),
}

/// An Atom feed of incidents: the whole site's, or one group's or place's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feed {
    Site,
    Group(usize),
    Place(usize),
}

thread_local! {
    /// A page as the template renders it, before [`tidy`]: kept from page to page, so a
    /// 100 KB page is not grown from nothing every time.
    static RENDERED: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Everything needed to render any page, prepared once; pages are then rendered
/// independently (in parallel) and can be written as they come.
pub struct Plan<'a> {
    tera: Tera,
    corpus: &'a Corpus,
    briefing: &'a Briefing,
    analyses: BTreeMap<&'a str, &'a Analysis>,
    articles: BTreeMap<&'a str, &'a Article>,
    /// Incident id → position in the briefing.
    incident_pos: HashMap<&'a str, usize>,
    /// Each incident's card as a Tera value, by position; made on first use and then shared
    /// by every page listing the incident.
    cards: Vec<OnceLock<Value>>,
    /// Source id → position in the briefing.
    source_pos: HashMap<&'a str, usize>,
    /// Each source's [`SourceValues`], by position; made on first use by the short lists that
    /// show sources (home, group and place pages). Incident, source and sources-index pages
    /// make their own: kept for every source, they would hold a large briefing's peak.
    source_values: Vec<OnceLock<SourceValues>>,
    /// The `site` every page is given.
    site: Value,
    /// Source id → sentence number → incidents citing it.
    cited: OnceLock<Cited<'a>>,
    /// Each group's and place's mention link up to its text (`<a … title="…">`), made with the
    /// first source page: an article names dozens of them.
    mention_links: OnceLock<HashMap<EntityRef, String>>,
    /// What the Atom feeds are made from; made with the first feed.
    feeds: OnceLock<publish::Feeds<'a>>,
    /// See [`Plan::render_one_at_a_time`].
    one_at_a_time: bool,
    /// Held while a very large incident page is made (see [`BIG_INCIDENT`]).
    big_pages: std::sync::Mutex<()>,
    /// The pages and feeds to render.
    pub jobs: Vec<Job>,
    /// Files made whole in advance: static files, redirects, robots.txt.
    pub files: Vec<Page>,
    /// The briefing as data (`data/*.json`), made on demand: at scale they are the largest
    /// files of the site, and `serve` only makes them when asked.
    pub data: Vec<DataFile>,
}

/// A file made from the whole briefing, that grows with it: `data/*.json`, the search index,
/// the sitemap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataFile {
    Incidents,
    Groups,
    Places,
    Sources,
    SearchIndex,
    Sitemap,
}

impl DataFile {
    pub const ALL: [DataFile; 6] = [
        DataFile::Incidents,
        DataFile::Groups,
        DataFile::Places,
        DataFile::Sources,
        DataFile::SearchIndex,
        DataFile::Sitemap,
    ];

    pub fn path(self) -> &'static str {
        match self {
            DataFile::Incidents => "data/incidents.json",
            DataFile::Groups => "data/groups.json",
            DataFile::Places => "data/places.json",
            DataFile::Sources => "data/sources.json",
            DataFile::SearchIndex => "search-index.js",
            DataFile::Sitemap => "sitemap.xml",
        }
    }
}

/// Prepare the site: templates compiled, lookups built, the list of pages fixed.
pub fn plan<'a>(
    corpus: &'a Corpus,
    briefing: &'a Briefing,
    analyses: &'a [Analysis],
) -> Result<Plan<'a>, Vec<Diagnostic>> {
    let tera = templates(corpus)?;
    let cfg = &corpus.config;
    let mut jobs = vec![
        Job::Index,
        Job::Incidents,
        Job::Groups,
        Job::Places,
        Job::Sources,
        Job::Review,
        Job::NotFound,
    ];
    jobs.extend((0..briefing.incidents.len()).map(Job::Incident));
    jobs.extend((0..briefing.groups.len()).map(Job::Group));
    jobs.extend((0..briefing.places.len()).map(Job::Place));
    jobs.extend((0..briefing.sources.len()).map(Job::Source));
    jobs.push(Job::Feed(Feed::Site));
    jobs.extend((0..briefing.groups.len()).map(|i| Job::Feed(Feed::Group(i))));
    jobs.extend((0..briefing.places.len()).map(|i| Job::Feed(Feed::Place(i))));

    let mut plan = Plan {
        tera,
        corpus,
        briefing,
        analyses: analyses.iter().map(|a| (a.article.as_str(), a)).collect(),
        articles: corpus.articles.iter().map(|a| (a.id.as_str(), a)).collect(),
        incident_pos: briefing
            .incidents
            .iter()
            .enumerate()
            .map(|(i, x)| (x.id.as_str(), i))
            .collect(),
        cards: briefing.incidents.iter().map(|_| OnceLock::new()).collect(),
        source_pos: briefing
            .sources
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect(),
        source_values: briefing.sources.iter().map(|_| OnceLock::new()).collect(),
        site: Value::from_serializable(&Site {
            title: &cfg.title,
            description: &cfg.description,
            language: &cfg.language,
        }),
        cited: OnceLock::new(),
        mention_links: OnceLock::new(),
        feeds: OnceLock::new(),
        one_at_a_time: false,
        big_pages: std::sync::Mutex::new(()),
        jobs,
        files: Vec::new(),
        data: DataFile::ALL.to_vec(),
    };

    let mut files = vec![redirects_file(&briefing.redirects)];
    files.push(publish::robots(cfg));
    // Redirects left by merges, so published links keep working.
    for (old, new) in &briefing.redirects {
        let html = redirect_html(&format!("../{new}/"), &cfg.language);
        files.push(Page {
            path: format!("incidents/{old}/index.html"),
            bytes: html.into_bytes(),
        });
    }
    for (name, body) in BUILTIN_STATIC {
        if !corpus.static_files.contains_key(*name) {
            files.push(Page {
                path: (*name).to_string(),
                bytes: body.as_bytes().to_vec(),
            });
        }
    }
    for (name, bytes) in &corpus.static_files {
        files.push(Page {
            path: name.clone(),
            bytes: bytes.clone(),
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.dedup_by(|a, b| a.path == b.path);
    plan.files = files;
    Ok(plan)
}

/// Render every page of the site into memory. Template errors become diagnostics.
pub fn render(corpus: &Corpus, briefing: &Briefing, analyses: &[Analysis]) -> Result<Vec<Page>, Vec<Diagnostic>> {
    use rayon::prelude::*;
    let plan = plan(corpus, briefing, analyses)?;
    let rendered: Vec<Result<Page, Diagnostic>> = plan.jobs.par_iter().map(|j| plan.render(*j)).collect();
    let mut pages = Vec::with_capacity(rendered.len() + plan.files.len());
    let mut errors = Vec::new();
    for r in rendered {
        match r {
            Ok(p) => pages.push(p),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        errors.sort();
        errors.dedup();
        return Err(errors);
    }
    pages.extend(plan.data.par_iter().map(|d| plan.data_page(*d)).collect::<Vec<_>>());
    let Plan { files, .. } = plan;
    pages.extend(files);
    pages.sort_by(|a, b| a.path.cmp(&b.path));
    pages.dedup_by(|a, b| a.path == b.path);
    Ok(pages)
}

const GROUP_KINDS: [(&str, &str); 7] = [
    ("armed-group", "Armed groups"),
    ("alliance", "Alliances"),
    ("state-force", "State forces"),
    ("coalition", "Coalitions"),
    ("government", "Governments"),
    ("monitor", "Monitors"),
    ("media", "Media"),
];

impl Plan<'_> {
    /// Where a page goes.
    pub fn path(&self, job: Job) -> String {
        let b = self.briefing;
        match job {
            Job::Index => "index.html".into(),
            Job::Incidents => "incidents/index.html".into(),
            Job::Incident(i) => format!("incidents/{}/index.html", b.incidents[i].id),
            Job::Groups => "groups/index.html".into(),
            Job::Group(i) => format!("groups/{}/index.html", b.groups[i].id),
            Job::Places => "places/index.html".into(),
            Job::Place(i) => format!("places/{}/index.html", b.places[i].id),
            Job::Sources => "sources/index.html".into(),
            Job::Source(i) => format!("sources/{}/index.html", b.sources[i].id),
            Job::Review => "review/index.html".into(),
            Job::NotFound => "404.html".into(),
            Job::Feed(Feed::Site) => "atom.xml".into(),
            Job::Feed(Feed::Group(i)) => format!("groups/{}/atom.xml", b.groups[i].id),
            Job::Feed(Feed::Place(i)) => format!("places/{}/atom.xml", b.places[i].id),
        }
    }

    /// The page or feed at a path (the inverse of [`Plan::path`]), so `serve` can find what
    /// a request asks for without listing every path of the site.
    pub fn job_at(&self, path: &str) -> Option<Job> {
        let b = self.briefing;
        let fixed = match path {
            "index.html" => Some(Job::Index),
            "incidents/index.html" => Some(Job::Incidents),
            "groups/index.html" => Some(Job::Groups),
            "places/index.html" => Some(Job::Places),
            "sources/index.html" => Some(Job::Sources),
            "review/index.html" => Some(Job::Review),
            "404.html" => Some(Job::NotFound),
            "atom.xml" => Some(Job::Feed(Feed::Site)),
            _ => None,
        };
        if fixed.is_some() {
            return fixed;
        }
        let (section, rest) = path.split_once('/')?;
        let (id, file) = rest.split_once('/')?;
        let group = || b.groups.iter().position(|x| x.id == id);
        let place = || b.places.iter().position(|x| x.id == id);
        Some(match (section, file) {
            ("incidents", "index.html") => Job::Incident(b.incidents.iter().position(|x| x.id == id)?),
            ("groups", "index.html") => Job::Group(group()?),
            ("groups", "atom.xml") => Job::Feed(Feed::Group(group()?)),
            ("places", "index.html") => Job::Place(place()?),
            ("places", "atom.xml") => Job::Feed(Feed::Place(place()?)),
            ("sources", "index.html") => Job::Source(*self.source_pos.get(id)?),
            _ => return None,
        })
    }

    /// An Atom feed of dated incidents, newest first.
    fn feed(&self, feed: Feed) -> Page {
        let (b, cfg) = (self.briefing, &self.corpus.config);
        let feeds = self.feeds.get_or_init(|| publish::Feeds::new(b));
        let (title, only) = match feed {
            Feed::Site => (cfg.title.clone(), None),
            Feed::Group(i) => (
                format!("{}: incidents claimed by {}", cfg.title, b.groups[i].name),
                Some(b.groups[i].incidents.as_slice()),
            ),
            Feed::Place(i) => (
                format!("{}: incidents at {}", cfg.title, b.places[i].name),
                Some(b.places[i].incidents.as_slice()),
            ),
        };
        feeds.page(cfg, &self.corpus.gazetteer, &self.path(Job::Feed(feed)), &title, only)
    }

    /// The Tera values of the source at `pos` (made on first use).
    fn source_values(&self, pos: usize) -> &SourceValues {
        self.source_values[pos].get_or_init(|| source_values(&self.briefing.sources[pos]))
    }

    /// The card of the incident at `pos` (made on first use).
    fn card(&self, pos: usize) -> &Value {
        self.cards[pos]
            .get_or_init(|| Value::from_serializable(&card(&self.briefing.incidents[pos], &self.corpus.gazetteer)))
    }

    /// The card of the incident with this id, if there is one.
    fn card_of(&self, id: &str) -> Option<&Value> {
        self.incident_pos.get(id).map(|&pos| self.card(pos))
    }

    /// Sentence number → the incidents citing it, for one source.
    fn cited_in(&self, source: &str) -> BTreeMap<usize, Vec<&str>> {
        citations(self.briefing, |s| s == source)
            .remove(source)
            .unwrap_or_default()
    }

    /// Pages will be rendered one at a time, on request (`serve`): lookups that pay off only
    /// over the whole site are not built.
    pub fn render_one_at_a_time(&mut self) {
        self.one_at_a_time = true;
    }

    /// Source id → sentence number → the incidents citing it.
    fn cited(&self) -> &Cited<'_> {
        self.cited.get_or_init(|| citations(self.briefing, |_| true))
    }

    fn cards_for(&self, ids: &[String]) -> Vec<&Value> {
        ids.iter().filter_map(|id| self.card_of(id)).collect()
    }

    /// Every incident's card in the briefing's order, with the incident it shows.
    fn incident_cards(&self) -> Vec<(&Incident, &Value)> {
        let b = self.briefing;
        b.incidents
            .iter()
            .filter_map(|i| self.incident_pos.get(i.id.as_str()))
            .map(|&pos| (&b.incidents[pos], self.card(pos)))
            .collect()
    }

    /// A statement's evidence as pages list it, with the phrase when it is wanted.
    fn evidence<'e>(&'e self, e: &'e crate::derive::Evidence, phrase: Option<&'e str>) -> EvidenceView<'e> {
        EvidenceView {
            source: &e.source,
            title: self
                .source_pos
                .get(e.source.as_str())
                .map_or(&e.source, |&pos| &self.briefing.sources[pos].title),
            sentence: e.sentence,
            phrase,
        }
    }

    /// The newest of these sources, at most [`SOURCES_LISTED`]: a page listing the tens of
    /// thousands of articles that mention a group at scale would be megabytes no one reads
    /// (`data/*.json` lists them all).
    fn newest_sources(&self, positions: &[u32]) -> Vec<&Value> {
        let sources = &self.briefing.sources;
        let mut list: Vec<(Option<chrono::NaiveDate>, &str, usize, usize)> = positions
            .iter()
            .filter_map(|&i| sources.get(i as usize).map(|s| (s.date, s.id.as_str(), i as usize)))
            .enumerate()
            .map(|(k, (date, id, i))| (date, id, i, k))
            .collect();
        // Newest first, undated last, then by id, then as listed. Only the first few are
        // kept, so they are picked out before they are sorted (a group's sources run to
        // thousands).
        let order = |a: &(Option<chrono::NaiveDate>, &str, usize, usize),
                     b: &(Option<chrono::NaiveDate>, &str, usize, usize)| {
            b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)).then(a.3.cmp(&b.3))
        };
        if list.len() > SOURCES_LISTED {
            list.select_nth_unstable_by(SOURCES_LISTED - 1, order);
            list.truncate(SOURCES_LISTED);
        }
        list.sort_unstable_by(order);
        list.into_iter()
            .map(|(_, _, i, _)| &self.source_values(i).item)
            .collect()
    }

    /// Render one page.
    pub fn render(&self, job: Job) -> Result<Page, Diagnostic> {
        let (g, b, cfg) = (&self.corpus.gazetteer, self.briefing, &self.corpus.config);
        let _one_big_page_at_a_time = match job {
            Job::Incident(i) if b.incidents[i].sources.len() + b.incidents[i].facts.len() > BIG_INCIDENT => {
                Some(self.big_pages.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
            }
            _ => None,
        };
        let path = self.path(job);
        let mut ctx = Context::new();
        let (template, section) = match job {
            Job::Index => {
                let cards = self.incident_cards();
                ctx.insert("latest", &cards.iter().take(6).map(|c| c.1).collect::<Vec<_>>());
                ctx.insert("timeline", &timeline(&cards));
                ctx.insert("figures", &crate::figures::index_figures(b));
                let armed: Vec<_> = b
                    .groups
                    .iter()
                    .filter(|gp| gp.kind == "armed-group" && !gp.sources.is_empty())
                    .map(group_row)
                    .collect();
                ctx.insert("armed_groups", &armed);
                let mut attacked: BTreeMap<&str, usize> = BTreeMap::new();
                for i in &b.incidents {
                    *attacked.entry(i.place.as_str()).or_default() += 1;
                }
                let attacked: Vec<_> = attacked
                    .iter()
                    .map(|(id, &count)| PlaceCount {
                        id,
                        name: g.place_name(id),
                        count,
                    })
                    .collect();
                ctx.insert("attacked_places", &attacked);
                // The newest sources; the sources page lists them all.
                let mut newest: Vec<(String, &str, usize)> = b
                    .sources
                    .iter()
                    .enumerate()
                    .map(|(pos, s)| (source_date_label(s), s.id.as_str(), pos))
                    .collect();
                newest.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
                newest.truncate(12);
                let newest: Vec<&Value> = newest.iter().map(|s| &self.source_values(s.2).item).collect();
                ctx.insert("sources", &newest);
                ctx.insert("source_total", &b.sources.len());
                ("index.html", "home")
            }
            Job::Incidents => {
                let cards: Vec<&Value> = self.incident_cards().into_iter().map(|c| c.1).collect();
                ctx.insert("incidents", &cards);
                ("incidents.html", "incidents")
            }
            Job::Incident(i) => {
                ctx.insert("i", &self.incident_view(&b.incidents[i]));
                ("incident.html", "incidents")
            }
            Job::Groups => {
                let mut kinds = Vec::new();
                for (k, label) in GROUP_KINDS {
                    let groups: Vec<_> = b.groups.iter().filter(|gp| gp.kind == k).map(group_row).collect();
                    if !groups.is_empty() {
                        kinds.push(GroupKind { id: k, label, groups });
                    }
                }
                let other: Vec<_> = b
                    .groups
                    .iter()
                    .filter(|gp| !GROUP_KINDS.iter().any(|(k, _)| *k == gp.kind))
                    .map(group_row)
                    .collect();
                if !other.is_empty() {
                    kinds.push(GroupKind {
                        id: "other",
                        label: "Other",
                        groups: other,
                    });
                }
                ctx.insert("kinds", &kinds);
                ("groups.html", "groups")
            }
            Job::Group(i) => {
                let gp = &b.groups[i];
                let desc = g.groups.get(&gp.id).map_or("", |x| x.description.as_str());
                ctx.insert(
                    "g",
                    &GroupView {
                        id: &gp.id,
                        name: &gp.name,
                        kind: &gp.kind,
                        country: gp.country.as_deref().unwrap_or_default(),
                        aliases: &gp.aliases,
                        parents: gp.member_of.iter().map(|id| group_link(g, id)).collect(),
                        members: gp.members.iter().map(|id| group_link(g, id)).collect(),
                        description_html: markdown_html(desc),
                        incidents: self.cards_for(&gp.incidents),
                        sources: self.newest_sources(&gp.sources),
                        source_total: gp.sources.len(),
                    },
                );
                let stated: Vec<_> = b
                    .memberships
                    .iter()
                    .filter(|m| m.member == gp.id || m.umbrella == gp.id)
                    .map(|m| Stated {
                        member: group_link(g, &m.member),
                        umbrella: group_link(g, &m.umbrella),
                        evidence: m.evidence.iter().map(|e| self.evidence(e, None)).collect(),
                    })
                    .collect();
                ctx.insert("stated", &stated);
                ctx.insert("figures", &crate::figures::group_figures(b, &gp.id));
                ("group.html", "groups")
            }
            Job::Places => {
                let rows: Vec<_> = b
                    .places
                    .iter()
                    .map(|p| PlaceRow {
                        id: &p.id,
                        name: &p.name,
                        kind: &p.kind,
                        country: p.country.as_deref().unwrap_or_default(),
                        incidents: p.incidents.len(),
                        sources: p.sources.len(),
                    })
                    .collect();
                ctx.insert("places", &rows);
                ("places.html", "places")
            }
            Job::Place(i) => {
                let p = &b.places[i];
                let desc = g.places.get(&p.id).map_or("", |x| x.description.as_str());
                let coordinates = match (p.lat, p.lon) {
                    (Some(lat), Some(lon)) => format!("{lat:.4}, {lon:.4}"),
                    _ => String::new(),
                };
                ctx.insert(
                    "p",
                    &PlaceView {
                        id: &p.id,
                        name: &p.name,
                        kind: &p.kind,
                        aliases: &p.aliases,
                        coordinates,
                        regions: regions(g, &p.id),
                        description_html: markdown_html(desc),
                        incidents: self.cards_for(&p.incidents),
                        sources: self.newest_sources(&p.sources),
                        source_total: p.sources.len(),
                    },
                );
                ctx.insert("figures", &crate::figures::place_figures(b, &p.id));
                ("place.html", "places")
            }
            Job::Sources => {
                // Every source, made for this page alone (see `source_values`).
                let items: Vec<Value> = b.sources.iter().map(|s| source_values(s).item).collect();
                ctx.insert("sources", &items);
                ("sources.html", "sources")
            }
            Job::Source(i) => {
                let s = &b.sources[i];
                // Rendering pages one at a time (`serve`), look up this source's citations
                // alone rather than index every source's.
                let own;
                let cited = if self.one_at_a_time && self.cited.get().is_none() {
                    own = self.cited_in(s.id.as_str());
                    &own
                } else {
                    own = BTreeMap::new();
                    self.cited().get(s.id.as_str()).unwrap_or(&own)
                };
                let body = match (self.articles.get(s.id.as_str()), self.analyses.get(s.id.as_str())) {
                    (Some(article), Some(analysis)) => {
                        let links = self.mention_links.get_or_init(|| mention_links(g));
                        source_body_html(article, analysis, g, links, cited)
                    }
                    _ => String::new(),
                };
                // Made for this page alone: caching them for every source would hold them all.
                let (id, title, byline) = (
                    Value::from(s.id.as_str()),
                    Value::from(s.title.as_str()),
                    Value::from(byline(s)),
                );
                ctx.insert(
                    "s",
                    &SourceView {
                        id: &id,
                        title: &title,
                        byline: &byline,
                        url: s.url.as_deref().unwrap_or_default(),
                        incidents: self.cards_for(&s.incidents),
                        body_html: body,
                    },
                );
                ("source.html", "sources")
            }
            Job::Review => {
                let rows: Vec<_> = b
                    .candidates
                    .iter()
                    .map(|c| Candidate {
                        name: &c.name,
                        kind: &c.kind,
                        evidence: c.evidence.iter().map(|e| self.evidence(e, Some(&e.phrase))).collect(),
                    })
                    .collect();
                ctx.insert("candidates", &rows);
                ("review.html", "none")
            }
            Job::NotFound => ("404.html", "none"),
            Job::Feed(feed) => return Ok(self.feed(feed)),
        };
        let depth = path.matches('/').count();
        // The 404 page is served at any depth: with a base URL its links are absolute.
        let root = if job == Job::NotFound && !publish::base(cfg).is_empty() {
            publish::base(cfg)
        } else if depth == 0 {
            "./".to_string()
        } else {
            "../".repeat(depth)
        };
        let canonical = if publish::base(cfg).is_empty() || job == Job::NotFound {
            String::new()
        } else {
            publish::url(cfg, path.strip_suffix("index.html").unwrap_or(&path))
        };
        ctx.insert_value("site", self.site.clone());
        ctx.insert("root", &root);
        ctx.insert("canonical", &canonical);
        ctx.insert("section", section);
        RENDERED.with_borrow_mut(|html| {
            html.clear();
            match self.tera.render_to(template, &ctx, &mut *html) {
                Ok(()) => Ok(Page {
                    path,
                    bytes: tidy(html),
                }),
                Err(e) => Err(template_error(template, &e)),
            }
        })
    }
}

fn card<'a>(i: &'a Incident, g: &'a Gazetteer) -> Card<'a> {
    Card {
        id: &i.id,
        title: &i.title,
        date_iso: date_iso(i),
        date_label: date_label(i.date, i.date_precision),
        place: &i.place,
        place_name: g.place_name(&i.place),
        weapons: &i.weapons,
        claimants: i.claimed_by.iter().map(|c| group_link(g, c)).collect(),
        status: &i.status,
        source_count: i.sources.len(),
    }
}

fn group_link<'a>(g: &'a Gazetteer, id: &'a str) -> Link<'a> {
    Link {
        id,
        name: g.group_name(id),
    }
}

fn date_iso(i: &Incident) -> String {
    i.date.map_or_else(String::new, |d| match i.date_precision {
        Precision::Month => d.format("%Y-%m").to_string(),
        Precision::Year => d.format("%Y").to_string(),
        _ => d.format("%Y-%m-%d").to_string(),
    })
}

/// The built-in templates with the project's overrides laid over them.
/// Whether the project's templates compile, with every error when they do not.
pub fn check_templates(corpus: &Corpus) -> Result<(), Vec<Diagnostic>> {
    templates(corpus).map(|_| ())
}

fn templates(corpus: &Corpus) -> Result<Tera, Vec<Diagnostic>> {
    let mut all: BTreeMap<String, String> = BUILTIN_TEMPLATES
        .iter()
        .map(|(n, t)| ((*n).to_string(), (*t).to_string()))
        .collect();
    for (name, text) in &corpus.templates {
        all.insert(name.clone(), text.clone());
    }
    let mut tera = Tera::new();
    tera.set_escape_fn(tera_escape);
    tera.add_raw_templates(all.iter().map(|(n, t)| (n.as_str(), t.as_str())))
        .map_err(|e| vec![template_error("templates", &e)])?;
    Ok(tera)
}

fn template_error(template: &str, e: &tera::Error) -> Diagnostic {
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    let file = if template.ends_with(".html") {
        format!("templates/{template}")
    } else {
        template.to_string()
    };
    Diagnostic::error(file, format!("template error: {msg}"))
}

/// Drop blank lines left by template tags, so each element sits on its own line and a
/// one-fact change is a one-line diff. Trailing whitespace goes too.
fn tidy(html: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(html.len());
    let mut rest = html;
    while !rest.is_empty() {
        let end = find_byte(rest, |w| has_byte(w, b'\n'), |b| b == b'\n').unwrap_or(rest.len());
        let kept = trim_end(&rest[..end]);
        if !kept.is_empty() {
            out.extend_from_slice(kept);
            out.push(b'\n');
        }
        rest = rest.get(end + 1..).unwrap_or_default();
    }
    out
}

/// `line` without trailing whitespace, Unicode's included (as `str::trim_end`). Nearly every
/// line ends in an ASCII character that is not a space, which is checked first.
fn trim_end(line: &[u8]) -> &[u8] {
    match line.last() {
        None => line,
        Some(b) if b.is_ascii() && !b.is_ascii_whitespace() && *b != 0x0b => line,
        // Rendering only joins text, so the page is UTF-8 (else the line is kept as it is).
        _ => std::str::from_utf8(line).map_or(line, |l| l.trim_end().as_bytes()),
    }
}

pub fn date_label(date: Option<NaiveDate>, p: Precision) -> String {
    let Some(d) = date else { return "date unknown".into() };
    match p {
        Precision::Day => day_month_year(d),
        Precision::Week => format!("week of {}", day_month_year(d)),
        Precision::Month => d.format("%B %Y").to_string(),
        Precision::Year => d.format("%Y").to_string(),
        Precision::Unknown => "date unknown".into(),
    }
}

/// "7 October 2023", as chrono's `%-d %B %Y` writes it, without parsing that format on every
/// call: every source's byline has one, and incident pages list their sources' bylines.
pub fn day_month_year(d: NaiveDate) -> String {
    match crate::dates::MONTH_NAMES.get(d.month0() as usize) {
        Some(month) if (0..=9999).contains(&d.year()) => format!("{} {month} {:04}", d.day(), d.year()),
        _ => d.format("%-d %B %Y").to_string(),
    }
}

fn byline(s: &SourceProfile) -> String {
    let mut parts = Vec::new();
    if let Some(p) = &s.publisher {
        parts.push(p.clone());
    }
    if let Some(a) = &s.author {
        parts.push(a.clone());
    }
    parts.push(match s.date {
        Some(d) => day_month_year(d),
        None => "undated".into(),
    });
    parts.join(" · ")
}

/// A source's publication date as the sources list shows it.
fn source_date_label(s: &SourceProfile) -> String {
    s.date
        .map_or_else(|| "undated".into(), |d| d.format("%Y-%m-%d").to_string())
}

fn source_values(s: &SourceProfile) -> SourceValues {
    let id = Value::from(s.id.as_str());
    let title = Value::from(s.title.as_str());
    let byline = Value::from(byline(s));
    let item = Value::from_serializable(&SourceListItem {
        id: &id,
        title: &title,
        byline: &byline,
        date_label: source_date_label(s),
        publisher: s.publisher.as_deref().unwrap_or("unknown"),
        incidents: &s.incidents,
    });
    SourceValues {
        id,
        title,
        byline,
        item,
    }
}

fn regions<'a>(g: &'a Gazetteer, place: &str) -> Vec<Link<'a>> {
    g.enclosing(place)
        .into_iter()
        .map(|id| Link {
            id,
            name: g.place_name(id),
        })
        .collect()
}

impl Plan<'_> {
    fn incident_view<'v>(&'v self, i: &'v Incident) -> IncidentView<'v> {
        let g = &self.corpus.gazetteer;
        let name_of = |id: &'v str| -> &'v str {
            g.groups
                .get(id)
                .map(|x| x.name.as_str())
                .or_else(|| g.places.get(id).map(|x| x.name.as_str()))
                .unwrap_or(id)
        };
        // A source's id, title and byline; for an unknown source, its id as its title. Made
        // here unless a list has already made them: nearly every source is cited by one
        // incident only, and keeping 100,000 sources' values for the whole build costs more
        // memory than making them costs time.
        let source = |id: &str| match self.source_pos.get(id).map(|&pos| (pos, self.source_values[pos].get())) {
            Some((_, Some(v))) => (v.id.clone(), v.title.clone(), v.byline.clone()),
            Some((pos, None)) => {
                let s = &self.briefing.sources[pos];
                (
                    Value::from(s.id.as_str()),
                    Value::from(s.title.as_str()),
                    Value::from(byline(s)),
                )
            }
            None => (Value::from(id), Value::from(id), Value::from("")),
        };
        IncidentView {
            id: &i.id,
            title: &i.title,
            date_iso: date_iso(i),
            date_label: date_label(i.date, i.date_precision),
            precision: i.date_precision.as_str(),
            place: &i.place,
            place_name: name_of(&i.place),
            regions: regions(g, &i.place),
            weapons: &i.weapons,
            claimants: i
                .claimed_by
                .iter()
                .map(|c| Link {
                    id: c,
                    name: name_of(c),
                })
                .collect(),
            status: &i.status,
            status_reasons: &i.status_reasons,
            sources: i
                .sources
                .iter()
                .map(|s| {
                    let (id, title, byline) = source(&s.source);
                    let analysis = self.analyses.get(s.source.as_str());
                    SourceRef {
                        id,
                        title,
                        byline,
                        indirect: s.indirect,
                        date_phrases: &s.date_phrases,
                        quotes: s
                            .sentences
                            .iter()
                            .map(|&n| Quote {
                                n,
                                text: analysis.and_then(|a| a.sentence_text(n)).unwrap_or_default(),
                            })
                            .collect(),
                    }
                })
                .collect(),
            facts: i
                .facts
                .iter()
                .map(|f| {
                    let (source, source_title, _) = source(&f.source);
                    FactView {
                        kind: f.kind,
                        value: if f.kind == "claim" || f.kind == "report" {
                            name_of(&f.value)
                        } else {
                            &f.value
                        },
                        subject: f
                            .subject
                            .as_deref()
                            .map(|s| if f.kind == "count" { s } else { name_of(s) })
                            .unwrap_or_default(),
                        source,
                        source_title,
                        sentence: f.sentence,
                    }
                })
                .collect(),
            contradictions: &i.contradictions,
            assessment_html: i.assessment.as_deref().map(markdown_html).unwrap_or_default(),
        }
    }
}

fn timeline<'v>(cards: &[(&Incident, &'v Value)]) -> Vec<Month<'v>> {
    let mut months: Vec<Month> = Vec::new();
    for &(i, card) in cards {
        let date_iso = date_iso(i);
        let label = if date_iso.len() >= 7 {
            let d = NaiveDate::parse_from_str(&format!("{}-01", &date_iso[..7]), "%Y-%m-%d").ok();
            d.map_or_else(|| "Undated".into(), |d| d.format("%B %Y").to_string())
        } else {
            "Undated".into()
        };
        match months.last_mut() {
            Some(m) if m.label == label => m.incidents.push(card),
            _ => months.push(Month {
                label,
                incidents: vec![card],
            }),
        }
    }
    months
}

/// The article text: one element per block, every sentence anchored `#s<N>`, every name
/// linked to its group or place page, cited sentences linked back to their incidents.
fn source_body_html(
    article: &Article,
    analysis: &Analysis,
    g: &Gazetteer,
    links: &HashMap<EntityRef, String>,
    cited: &BTreeMap<usize, Vec<&str>>,
) -> String {
    // The text and about as much again in markup.
    let mut html = String::with_capacity(2 * analysis.sentences.whole_text().len());
    let mut open_list = false;
    // Sentences by block and mentions by sentence, each in their stored order, found once
    // rather than by scanning the article for every block and every sentence.
    let mut sentences: Vec<&crate::analyze::Sentence> = analysis.sentences.iter().collect();
    sentences.sort_by_key(|s| s.block);
    let mut mentions: Vec<&crate::analyze::Mention> = analysis.mentions.iter().filter(|m| !m.inferred).collect();
    mentions.sort_by_key(|m| m.sentence());
    for (bi, block) in article.blocks.iter().enumerate() {
        let (open, close) = match block.kind {
            BlockKind::Paragraph => ("<p>", "</p>"),
            BlockKind::Heading => ("<h3>", "</h3>"),
            BlockKind::Quote => ("<blockquote><p>", "</p></blockquote>"),
            BlockKind::Item => ("<li>", "</li>"),
        };
        if block.kind == BlockKind::Item && !open_list {
            html.push_str("<ul>\n");
            open_list = true;
        } else if block.kind != BlockKind::Item && open_list {
            html.push_str("</ul>\n");
            open_list = false;
        }
        html.push_str(open);
        let first = sentences.partition_point(|s| s.block < bi);
        let end = sentences.partition_point(|s| s.block <= bi);
        for (k, s) in sentences[first..end].iter().enumerate() {
            let text = analysis.sentences.text(s);
            if k > 0 {
                html.push(' ');
            }
            let class = if cited.contains_key(&s.n) { "s cited" } else { "s" };
            // Written piece by piece: a `format!` per sentence and per name was a tenth of
            // making a source page.
            html.push_str("<span class=\"");
            html.push_str(class);
            html.push_str("\" id=\"s");
            push_number(&mut html, s.n);
            html.push_str("\">");
            let mut pos = 0;
            let named = mentions.partition_point(|m| m.sentence() < s.n);
            for m in mentions[named..].iter().take_while(|m| m.sentence() == s.n) {
                let name = m.range();
                if name.start < pos {
                    continue;
                }
                escape_into(&mut html, &text[pos..name.start]);
                match links.get(&m.entity) {
                    Some(link) => html.push_str(link),
                    None => push_mention_link(&mut html, g, &m.entity),
                }
                escape_into(&mut html, &text[name.clone()]);
                html.push_str("</a>");
                pos = name.end;
            }
            escape_into(&mut html, &text[pos..]);
            html.push_str("</span>");
            if let Some(ids) = cited.get(&s.n) {
                for id in ids {
                    html.push_str("<a class=\"backref\" href=\"../../incidents/");
                    html.push_str(id);
                    html.push_str("/\" aria-label=\"Cited in incident ");
                    html.push_str(id);
                    html.push_str("\">[");
                    html.push_str(id);
                    html.push_str("]</a>");
                }
            }
        }
        html.push_str(close);
        html.push('\n');
    }
    if open_list {
        html.push_str("</ul>\n");
    }
    html
}

/// Every group's and place's mention link, made once for all source pages.
fn mention_links(g: &Gazetteer) -> HashMap<EntityRef, String> {
    let groups = g.groups.keys().map(|id| EntityRef::Group(id.as_str().into()));
    let places = g.places.keys().map(|id| EntityRef::Place(id.as_str().into()));
    groups
        .chain(places)
        .map(|e| {
            let mut link = String::new();
            push_mention_link(&mut link, g, &e);
            (e, link)
        })
        .collect()
}

/// A link to the page of a group or place the text names, up to the name itself.
fn push_mention_link(html: &mut String, g: &Gazetteer, e: &EntityRef) {
    let (dir, id) = match e {
        EntityRef::Group(id) => ("groups", id),
        EntityRef::Place(id) => ("places", id),
    };
    html.push_str("<a class=\"mention\" href=\"../../");
    html.push_str(dir);
    html.push('/');
    html.push_str(id);
    html.push_str("/\" title=\"");
    escape_into(html, g.name_of(e));
    html.push_str("\">");
}

/// Append `n` in decimal.
fn push_number(out: &mut String, n: usize) {
    use std::fmt::Write as _;
    // Writing into a String cannot fail.
    let _ = write!(out, "{n}");
}

/// JSON that stays inert if someone pastes it into a page: `<`, `>` and `&` (which only occur
/// inside strings) become `\u` escapes, as Go's encoder does.
pub fn html_safe_json(json: &str) -> String {
    let mut out = Vec::with_capacity(json.len());
    // Writing into memory cannot fail.
    let _ = write_html_safe(json.as_bytes(), &mut out);
    // Only ASCII characters were replaced, by ASCII, so the text is still UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

/// Write JSON text into `out` with `<`, `>` and `&` escaped (see [`html_safe_json`]).
fn write_html_safe(json: &[u8], out: &mut impl std::io::Write) -> std::io::Result<()> {
    let mut kept = 0;
    while let Some(at) = find_byte(&json[kept..], has_json_special, |b| matches!(b, b'<' | b'>' | b'&')) {
        let at = kept + at;
        out.write_all(&json[kept..at])?;
        out.write_all(match json[at] {
            b'<' => b"\\u003c",
            b'>' => b"\\u003e",
            _ => b"\\u0026",
        })?;
        kept = at + 1;
    }
    out.write_all(&json[kept..])
}

// Finding the few bytes escaping replaces, eight bytes at a time: text is long and they are
// rare, and a byte-by-byte search was most of the cost of escaping.

/// A byte in every byte of a word.
const fn splat(b: u8) -> u64 {
    u64::from_le_bytes([b; 8])
}

/// Whether any byte of `w` is zero (a subtraction borrows into the top bit only of a byte
/// that was zero, or that follows one).
fn has_zero_byte(w: u64) -> bool {
    w.wrapping_sub(splat(1)) & !w & splat(0x80) != 0
}

/// Whether any byte of `w` is `b`.
fn has_byte(w: u64, b: u8) -> bool {
    has_zero_byte(w ^ splat(b))
}

/// Whether `w` holds `<`, `>` or `&` (`<` and `>` differ only in bit 1).
fn has_json_special(w: u64) -> bool {
    has_byte(w | splat(0x02), b'>') || has_byte(w, b'&')
}

/// Whether `w` holds `&`, `<`, `>`, `"` or `'` (`&` and `'` differ only in bit 0).
fn has_html_special(w: u64) -> bool {
    has_byte(w | splat(0x02), b'>') || has_byte(w | splat(0x01), b'\'') || has_byte(w, b'"')
}

/// The position of the first byte that `is` picks, checking eight bytes at once with
/// `word_has`, which says whether a word (read little-endian) holds one.
fn find_byte(bytes: &[u8], word_has: impl Fn(u64) -> bool, is: impl Fn(u8) -> bool) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(8);
    let mut start = 0;
    for chunk in &mut chunks {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        if word_has(u64::from_le_bytes(word))
            && let Some(i) = chunk.iter().position(|&b| is(b))
        {
            return Some(start + i);
        }
        start += 8;
    }
    chunks.remainder().iter().position(|&b| is(b)).map(|i| start + i)
}

/// Escape text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s);
    out
}

/// [`escape`], appending to `out`.
fn escape_into(out: &mut String, s: &str) {
    let pushed: Result<(), std::convert::Infallible> = escaped_pieces(s, |piece| {
        out.push_str(piece);
        Ok(())
    });
    let Ok(()) = pushed;
}

/// Hand `emit` the escaped form of `s` piece by piece: the runs with nothing to escape, whole,
/// and the replacement of each character between them.
fn escaped_pieces<E>(s: &str, mut emit: impl FnMut(&str) -> Result<(), E>) -> Result<(), E> {
    let mut kept = 0;
    while let Some((at, replacement)) = next_html_special(s, kept) {
        emit(&s[kept..at])?;
        emit(replacement)?;
        kept = at + 1;
    }
    emit(&s[kept..])
}

/// The first character at or after byte `from` that HTML escaping replaces, and its
/// replacement. All five are ASCII, so a byte scan finds them and the runs between them are
/// copied whole.
fn next_html_special(s: &str, from: usize) -> Option<(usize, &'static str)> {
    let bytes = s.as_bytes().get(from..)?;
    let at = find_byte(bytes, has_html_special, |b| {
        matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'')
    })?;
    let replacement = match bytes[at] {
        b'&' => "&amp;",
        b'<' => "&lt;",
        b'>' => "&gt;",
        b'"' => "&quot;",
        _ => "&#39;",
    };
    Some((from + at, replacement))
}

/// Tera's escape function, with the same replacements as its default: the default writes
/// byte by byte through a `dyn Write`, which made escaping a fifth of rendering.
fn tera_escape(s: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    escaped_pieces(s, |piece| out.write_all(piece.as_bytes()))
}

/// Markdown from gazetteer descriptions and analysts' notes, with raw HTML escaped and the
/// result sanitised, since content is edited by many hands.
pub fn markdown_html(md: &str) -> String {
    use pulldown_cmark::{Event, Parser, html};
    let events = Parser::new(md).map(|e| match e {
        Event::Html(t) | Event::InlineHtml(t) => Event::Text(t),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    ammonia::Builder::default()
        .link_rel(Some("nofollow noopener noreferrer"))
        .url_schemes(["http", "https", "mailto"].into())
        .clean(&out)
        .to_string()
}

pub fn redirect_html(target: &str, lang: &str) -> String {
    let t = escape(target);
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta http-equiv=\"refresh\" content=\"0; url={t}\">\n<link rel=\"canonical\" href=\"{t}\">\n<title>Moved</title>\n</head>\n<body>\n<p>This incident was merged. <a href=\"{t}\">Go to the incident</a>.</p>\n</body>\n</html>\n",
        escape(lang)
    )
}

/// Pretty-printed JSON safe to inline in HTML, one value per line, ending in a newline.
fn json_bytes<T: Serialize>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing into memory cannot fail, and the briefing's structs always serialise.
    let _ = write_json(value, &mut out);
    out
}

/// Stream pretty-printed, HTML-safe JSON and a final newline into `out`. Serialised straight
/// from the briefing's structs and escaped as it goes: neither a JSON tree nor the whole text
/// is ever held in memory (at 100,000 articles `data/incidents.json` is hundreds of MB).
pub fn write_json<T: Serialize>(value: &T, out: &mut impl std::io::Write) -> std::io::Result<()> {
    let mut safe = HtmlSafe::new(out);
    serde_json::to_writer_pretty(&mut safe, value)?;
    std::io::Write::write_all(&mut safe, b"\n")?;
    safe.finish()
}

/// A writer that turns `<`, `>` and `&` into `\u` escapes on the way through (see
/// [`html_safe_json`]; in JSON those characters only occur inside strings). The serialiser
/// writes a few bytes at a time; they are gathered and escaped a block at a time.
pub(crate) struct HtmlSafe<W: std::io::Write> {
    out: W,
    pending: Vec<u8>,
}

/// How much [`HtmlSafe`] gathers before escaping it into its writer.
const HTML_SAFE_BLOCK: usize = 1 << 16;

impl<W: std::io::Write> HtmlSafe<W> {
    pub(crate) fn new(out: W) -> Self {
        HtmlSafe {
            out,
            pending: Vec::with_capacity(HTML_SAFE_BLOCK),
        }
    }

    /// Escape what is gathered into the writer.
    fn drain(&mut self) -> std::io::Result<()> {
        write_html_safe(&self.pending, &mut self.out)?;
        self.pending.clear();
        Ok(())
    }

    /// Write out what is left (without flushing the writer, which its owner does).
    pub(crate) fn finish(mut self) -> std::io::Result<()> {
        self.drain()
    }
}

impl<W: std::io::Write> std::io::Write for HtmlSafe<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.pending.extend_from_slice(buf);
        if self.pending.len() >= HTML_SAFE_BLOCK {
            self.drain()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.drain()?;
        self.out.flush()
    }
}

/// `data/redirects.json`: old incident id → new id, from merge notes (stable links add the
/// ids previous builds published).
fn redirects_file(redirects: &BTreeMap<String, String>) -> Page {
    #[derive(Serialize)]
    struct Redirects<'a> {
        redirects: &'a BTreeMap<String, String>,
    }
    Page {
        path: "data/redirects.json".into(),
        bytes: json_bytes(&Redirects { redirects }),
    }
}

/// The text of sentence `n` (from 1) of an article, as an incident quotes it.
fn quoted<'a>(analyses: &BTreeMap<&str, &'a Analysis>, article: &str, n: usize) -> &'a str {
    analyses
        .get(article)
        .and_then(|a| a.sentence_text(n))
        .unwrap_or_default()
}

/// An incident as `data/incidents.json` lists it: with the text of every sentence cited.
#[derive(Serialize)]
struct IncidentData<'a> {
    id: &'a str,
    title: &'a str,
    date: Option<chrono::NaiveDate>,
    date_precision: Precision,
    place: &'a str,
    weapons: &'a [String],
    claimed_by: &'a [String],
    status: &'a str,
    status_reasons: &'a [String],
    sources: Vec<IncidentSourceData<'a>>,
    facts: &'a [crate::derive::IncidentFact],
    contradictions: &'a [String],
    assessment: &'a Option<String>,
    merged: &'a [String],
}

#[derive(Serialize)]
struct IncidentSourceData<'a> {
    source: &'a str,
    sentences: &'a [usize],
    quotes: Vec<&'a str>,
    indirect: bool,
    date_phrases: &'a [String],
}

impl<'a> IncidentData<'a> {
    fn of(i: &'a Incident, analyses: &BTreeMap<&str, &'a Analysis>) -> Self {
        IncidentData {
            id: &i.id,
            title: &i.title,
            date: i.date,
            date_precision: i.date_precision,
            place: &i.place,
            weapons: &i.weapons,
            claimed_by: &i.claimed_by,
            status: &i.status,
            status_reasons: &i.status_reasons,
            sources: i
                .sources
                .iter()
                .map(|s| IncidentSourceData {
                    source: &s.source,
                    sentences: &s.sentences,
                    quotes: s.sentences.iter().map(|&n| quoted(analyses, &s.source, n)).collect(),
                    indirect: s.indirect,
                    date_phrases: &s.date_phrases,
                })
                .collect(),
            facts: &i.facts,
            contradictions: &i.contradictions,
            assessment: &i.assessment,
            merged: &i.merged,
        }
    }
}

/// A list written as the items a function makes of each element, one at a time.
struct Each<'a, T, F>(&'a [T], F);

/// The elements of `items` as `make` makes them, for writing (the bound fixes the closure's
/// lifetimes, so it may return views borrowing from the elements).
fn each<'a, T, V: Serialize, F: Fn(&'a T) -> V>(items: &'a [T], make: F) -> Each<'a, T, F> {
    Each(items, make)
}

impl<'a, T, V: Serialize, F: Fn(&'a T) -> V> Serialize for Each<'a, T, F> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(&self.1))
    }
}

/// Sources by their positions in the briefing, written as their ids.
struct SourceIds<'a>(&'a [u32], &'a [SourceProfile]);

impl Serialize for SourceIds<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().filter_map(|&i| self.1.get(i as usize)).map(|s| &s.id))
    }
}

/// A source as `data/sources.json` lists it: its profile, and the groups and places it names
/// (read from its analysis as the file is written rather than kept for every source).
#[derive(Serialize)]
struct SourceData<'a> {
    id: &'a str,
    title: &'a str,
    date: Option<chrono::NaiveDate>,
    publisher: &'a Option<String>,
    url: &'a Option<String>,
    author: &'a Option<String>,
    path: &'a str,
    incidents: &'a [String],
    groups: Vec<&'a str>,
    places: Vec<&'a str>,
    sentences: usize,
}

impl<'a> SourceData<'a> {
    fn of(s: &'a SourceProfile, analysis: Option<&'a Analysis>) -> Self {
        let (mut groups, mut places) = (Vec::new(), Vec::new());
        for e in analysis.into_iter().flat_map(|a| a.named()) {
            match e {
                EntityRef::Group(id) => groups.push(&**id),
                EntityRef::Place(id) => places.push(&**id),
            }
        }
        SourceData {
            id: &s.id,
            title: &s.title,
            date: s.date,
            publisher: &s.publisher,
            url: &s.url,
            author: &s.author,
            path: &s.path,
            incidents: &s.incidents,
            groups,
            places,
            sentences: s.sentences,
        }
    }
}

impl Plan<'_> {
    /// One of the files made from the whole briefing, in memory.
    pub fn data_page(&self, file: DataFile) -> Page {
        let mut bytes = Vec::new();
        // Writing into memory cannot fail.
        let _ = self.write_data(file, &mut bytes);
        Page {
            path: file.path().to_string(),
            bytes,
        }
    }

    /// Stream one of the files made from the whole briefing into `out`.
    pub fn write_data(&self, file: DataFile, out: &mut impl std::io::Write) -> std::io::Result<()> {
        // Each list is written an item at a time, every item made as it is written: at scale
        // the lists run to a hundred thousand sources.
        #[derive(Serialize)]
        struct Incidents<I> {
            incidents: I,
        }
        #[derive(Serialize)]
        struct Groups<'a, G> {
            groups: G,
            memberships: &'a [crate::derive::StatedMembership],
            candidates: &'a [crate::derive::CandidateName],
        }
        #[derive(Serialize)]
        struct Places<P> {
            places: P,
        }
        /// A group's or place's profile with the ids of the sources naming it.
        #[derive(Serialize)]
        struct Profile<'a, P> {
            #[serde(flatten)]
            profile: &'a P,
            sources: SourceIds<'a>,
        }
        #[derive(Serialize)]
        struct Sources<S> {
            sources: S,
        }
        let b = self.briefing;
        match file {
            DataFile::Incidents => {
                let mut incidents: Vec<&Incident> = b.incidents.iter().collect();
                incidents.sort_by(|a, b| a.id.cmp(&b.id));
                let incidents = each(&incidents, |i| IncidentData::of(i, &self.analyses));
                write_json(&Incidents { incidents }, out)
            }
            DataFile::Groups => write_json(
                &Groups {
                    groups: each(&b.groups, |profile| Profile {
                        profile,
                        sources: SourceIds(&profile.sources, &b.sources),
                    }),
                    memberships: &b.memberships,
                    candidates: &b.candidates,
                },
                out,
            ),
            DataFile::Places => write_json(
                &Places {
                    places: each(&b.places, |profile| Profile {
                        profile,
                        sources: SourceIds(&profile.sources, &b.sources),
                    }),
                },
                out,
            ),
            DataFile::Sources => {
                let sources = each(&b.sources, |s| {
                    SourceData::of(s, self.analyses.get(s.id.as_str()).copied())
                });
                write_json(&Sources { sources }, out)
            }
            DataFile::SearchIndex => publish::write_search_index(b, &self.corpus.gazetteer, out),
            DataFile::Sitemap => {
                let paths: Vec<String> = self.jobs.iter().map(|j| self.path(*j)).collect();
                out.write_all(&publish::sitemap(&self.corpus.config, &paths).bytes)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Texts with the characters escaping changes, at every offset around a word's edges.
    fn samples() -> Vec<String> {
        let mut out = vec![String::new(), "plain text, no specials at all here".into()];
        for special in [
            "&", "<", ">", "\"", "'", "é", "\u{a0}", "\u{3000}", " ", "\t", "\x0b", "\r",
        ] {
            for at in 0..18 {
                let mut s: String = "abcdefghijklmnopq".chars().take(at).collect();
                s.push_str(special);
                s.push_str("xyz&<tail>");
                out.push(s.clone());
                out.push(format!("{s}{special}"));
            }
        }
        out
    }

    #[test]
    fn escape_replaces_exactly_the_five_characters() {
        for s in samples() {
            let expected = crate::text::replace_chars(&s, |c| match c {
                '&' => Some("&amp;"),
                '<' => Some("&lt;"),
                '>' => Some("&gt;"),
                '"' => Some("&quot;"),
                '\'' => Some("&#39;"),
                _ => None,
            });
            assert_eq!(escape(&s), expected, "{s:?}");
            let mut via_tera = Vec::new();
            tera_escape(&s, &mut via_tera).unwrap();
            assert_eq!(String::from_utf8(via_tera).unwrap(), expected, "{s:?}");
        }
    }

    #[test]
    fn html_safe_json_escapes_angle_brackets_and_ampersands() {
        for s in samples() {
            let expected = crate::text::replace_chars(&s, |c| match c {
                '<' => Some("\\u003c"),
                '>' => Some("\\u003e"),
                '&' => Some("\\u0026"),
                _ => None,
            });
            assert_eq!(html_safe_json(&s), expected, "{s:?}");
        }
    }

    #[test]
    fn html_safe_writer_gives_the_same_bytes_however_it_is_written() {
        let text: String = samples().concat().repeat(200);
        let mut out = Vec::new();
        let mut safe = HtmlSafe::new(&mut out);
        for piece in text.as_bytes().chunks(7) {
            std::io::Write::write_all(&mut safe, piece).unwrap();
        }
        safe.finish().unwrap();
        assert!(text.len() > HTML_SAFE_BLOCK);
        assert_eq!(String::from_utf8(out).unwrap(), html_safe_json(&text));
    }

    #[test]
    fn day_month_year_is_chronos_format() {
        let mut d = NaiveDate::from_ymd_opt(-3, 12, 25).expect("date");
        let last = NaiveDate::from_ymd_opt(10_002, 3, 1).expect("date");
        while d <= last {
            assert_eq!(day_month_year(d), d.format("%-d %B %Y").to_string());
            d += chrono::Duration::days(37);
        }
        for (y, m, day) in [(2024, 2, 29), (999, 1, 1), (0, 3, 9), (9999, 12, 31), (10_000, 1, 1)] {
            let d = NaiveDate::from_ymd_opt(y, m, day).expect("date");
            assert_eq!(day_month_year(d), d.format("%-d %B %Y").to_string());
        }
    }

    #[test]
    fn tidy_drops_blank_lines_and_trailing_whitespace_as_str_methods_do() {
        let old = |html: &str| {
            let mut out = String::new();
            for line in html.lines() {
                if !line.trim().is_empty() {
                    out.push_str(line.trim_end());
                    out.push('\n');
                }
            }
            out
        };
        let mut pages = samples();
        pages.push("<p>a</p>\n\n  \n\t\n<p>b</p>  \r\n\u{a0}\n\u{3000}x\u{3000}\n\x0b\n<p>c</p>".into());
        pages.push("no newline at the end \u{2003}".into());
        pages.push("\n\n\n".into());
        pages.push(samples().join("\n"));
        for page in pages {
            assert_eq!(
                String::from_utf8(tidy(page.as_bytes())).unwrap(),
                old(&page),
                "{page:?}"
            );
        }
    }
}
