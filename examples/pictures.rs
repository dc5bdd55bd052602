//! Draw the pictures of a briefing into one HTML file, to look at them in a browser.
//!
//! ```sh
//! cargo run --example pictures -- [ROOT] [OUT.html] [GROUP_ID] [PLACE_ID]
//! ```
//!
//! It also shows how the pages can build the pictures' input from a `Briefing`: the
//! index page (everything), a group page and a place page.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use sitrep::build::{BuildOptions, build_site};
use sitrep::derive::Briefing;
use sitrep::pictures::{
    CSS, Claimant, Edge, EdgeKind, MapPlace, Mark, Node, NodeKind, map_svg, network_svg, timeline_svg,
};

fn marks(b: &Briefing, root: &str, keep: impl Fn(&sitrep::derive::Incident) -> bool) -> Vec<Mark> {
    let names: BTreeMap<&str, &str> = b.groups.iter().map(|g| (g.id.as_str(), g.name.as_str())).collect();
    b.incidents
        .iter()
        .filter(|i| keep(i))
        .map(|i| Mark {
            id: i.id.clone(),
            date: i.date,
            precision: i.date_precision,
            label: i.title.clone(),
            href: format!("{root}incidents/{}/", i.id),
            claimants: i
                .claimed_by
                .iter()
                .map(|g| Claimant {
                    id: g.clone(),
                    name: names.get(g.as_str()).copied().unwrap_or(g).to_string(),
                })
                .collect(),
        })
        .collect()
}

/// Claimants by number of claimed incidents, then id: the same colours on every page.
fn colour_order(b: &Briefing) -> Vec<&str> {
    let mut gs: Vec<_> = b.groups.iter().filter(|g| !g.incidents.is_empty()).collect();
    gs.sort_by(|a, c| c.incidents.len().cmp(&a.incidents.len()).then(a.id.cmp(&c.id)));
    gs.iter().map(|g| g.id.as_str()).collect()
}

fn places(b: &Briefing, root: &str, ids: &BTreeSet<&str>, highlight: &str) -> Vec<MapPlace> {
    b.places
        .iter()
        .filter(|p| ids.contains(p.id.as_str()))
        .filter_map(|p| {
            Some(MapPlace {
                id: p.id.clone(),
                name: p.name.clone(),
                lat: p.lat?,
                lon: p.lon?,
                incidents: p.incidents.len(),
                href: format!("{root}places/{}/", p.id),
                highlight: p.id == highlight,
            })
        })
        .collect()
}

/// Groups `seed` plus their umbrellas (transitively) plus, when `members`, their members;
/// the places they claimed; the edges among them.
fn network(b: &Briefing, root: &str, seed: &[&str], members: bool, highlight: &str) -> (Vec<Node>, Vec<Edge>) {
    let by_id: BTreeMap<&str, _> = b.groups.iter().map(|g| (g.id.as_str(), g)).collect();
    let mut groups: BTreeSet<&str> = BTreeSet::new();
    let mut todo: Vec<&str> = seed.to_vec();
    while let Some(id) = todo.pop() {
        if let Some(g) = by_id.get(id)
            && groups.insert(g.id.as_str())
        {
            todo.extend(g.member_of.iter().map(String::as_str));
        }
    }
    if members {
        for id in seed {
            if let Some(g) = by_id.get(id) {
                groups.extend(g.members.iter().map(String::as_str));
            }
        }
    }
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    let mut attacked = BTreeSet::new();
    for id in &groups {
        let Some(g) = by_id.get(id) else { continue };
        nodes.push(Node {
            id: g.id.clone(),
            label: g.name.clone(),
            kind: NodeKind::Group,
            href: format!("{root}groups/{}/", g.id),
            highlight: g.id == highlight,
        });
        for u in g.member_of.iter().filter(|u| groups.contains(u.as_str())) {
            edges.push(Edge {
                from: g.id.clone(),
                to: u.clone(),
                kind: EdgeKind::MemberOf,
            });
        }
        for i in b.incidents.iter().filter(|i| i.claimed_by.contains(&g.id)) {
            attacked.insert(i.place.as_str());
            edges.push(Edge {
                from: g.id.clone(),
                to: i.place.clone(),
                kind: EdgeKind::Claimed,
            });
        }
    }
    for p in b.places.iter().filter(|p| attacked.contains(p.id.as_str())) {
        nodes.push(Node {
            id: p.id.clone(),
            label: p.name.clone(),
            kind: NodeKind::Place,
            href: format!("{root}places/{}/", p.id),
            highlight: p.id == highlight,
        });
    }
    (nodes, edges)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = args
        .first()
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    let out = args.get(1).map_or("/tmp/x.html", String::as_str);
    let group = args.get(2).map_or("islamic-resistance-in-iraq", String::as_str);
    let place = args.get(3).map_or("al-tanf", String::as_str);
    let site = match build_site(&root, &BuildOptions::default()) {
        Ok(s) => s,
        Err(diags) => {
            eprintln!("{diags:#?}");
            std::process::exit(1);
        }
    };
    let b = &site.briefing;
    let order = colour_order(b);
    let mut html = format!(
        "<!doctype html><meta charset=utf-8><title>pictures</title><style>{}\n{CSS}</style><main>\n",
        include_str!("../static/style.css")
    );

    // Index page: every incident, every attacked place, claimants and their umbrellas.
    let attacked: BTreeSet<&str> = b.incidents.iter().map(|i| i.place.as_str()).collect();
    let claimants: BTreeSet<&str> = b
        .incidents
        .iter()
        .flat_map(|i| i.claimed_by.iter().map(String::as_str))
        .collect();
    let claimants: Vec<&str> = claimants.into_iter().collect();
    let (nodes, edges) = network(b, "", &claimants, false, "");
    html.push_str("<h2>Index</h2>\n");
    html.push_str(&timeline_svg("index-timeline", &marks(b, "", |_| true), &order));
    html.push_str(&map_svg("index-map", &places(b, "", &attacked, "")));
    html.push_str(&network_svg("index-network", &nodes, &edges));

    // A group page: its incidents and places, its umbrellas and members.
    let (nodes, edges) = network(b, "../../", &[group], true, group);
    let g_places: BTreeSet<&str> = b
        .incidents
        .iter()
        .filter(|i| i.claimed_by.iter().any(|c| c == group))
        .map(|i| i.place.as_str())
        .collect();
    html.push_str(&format!("<h2>Group {group}</h2>\n"));
    html.push_str(&timeline_svg(
        "group-timeline",
        &marks(b, "../../", |i| i.claimed_by.iter().any(|c| c == group)),
        &order,
    ));
    html.push_str(&map_svg("group-map", &places(b, "../../", &g_places, "")));
    html.push_str(&network_svg("group-network", &nodes, &edges));

    // A place page: its incidents, itself highlighted among the other attacked places, and
    // the groups that claimed attacks on it.
    let p_claimants: BTreeSet<&str> = b
        .incidents
        .iter()
        .filter(|i| i.place == place)
        .flat_map(|i| i.claimed_by.iter().map(String::as_str))
        .collect();
    let p_claimants: Vec<&str> = p_claimants.into_iter().collect();
    let (nodes, mut edges) = network(b, "../../", &p_claimants, false, place);
    edges.retain(|e| e.kind == EdgeKind::MemberOf || e.to == place);
    let nodes: Vec<Node> = nodes
        .into_iter()
        .filter(|n| n.kind == NodeKind::Group || n.id == place)
        .collect();
    let mut near = attacked.clone();
    near.insert(place);
    html.push_str(&format!("<h2>Place {place}</h2>\n"));
    html.push_str(&timeline_svg(
        "place-timeline",
        &marks(b, "../../", |i| i.place == place),
        &order,
    ));
    html.push_str(&map_svg("place-map", &places(b, "../../", &near, place)));
    html.push_str(&network_svg("place-network", &nodes, &edges));

    // Every armed group with its umbrellas, for legibility at ~50 nodes.
    let all: Vec<&str> = b
        .groups
        .iter()
        .filter(|g| g.kind == "armed-group")
        .map(|g| g.id.as_str())
        .collect();
    let (nodes, edges) = network(b, "", &all, false, "");
    html.push_str(&format!("<h2>All armed groups ({} nodes)</h2>\n", nodes.len()));
    html.push_str(&network_svg("all-network", &nodes, &edges));

    // A stress picture: 1,000 incidents over three years, some week- or month-dated.
    let start = chrono::NaiveDate::from_ymd_opt(2022, 3, 1).unwrap_or_default();
    let many: Vec<Mark> = (0..1000usize)
        .map(|i| Mark {
            id: format!("i{i:04}"),
            date: (!i.is_multiple_of(101)).then(|| start + chrono::Duration::days((i * 7919 % 1000) as i64)),
            precision: match i % 40 {
                0 => sitrep::dates::Precision::Week,
                1 => sitrep::dates::Precision::Month,
                _ => sitrep::dates::Precision::Day,
            },
            label: format!("Attack {i}"),
            href: format!("#i{i}"),
            claimants: if i.is_multiple_of(3) {
                vec![]
            } else {
                vec![Claimant {
                    id: format!("g{}", i % 11),
                    name: format!("Group {}", i % 11),
                }]
            },
        })
        .collect();
    html.push_str("<h2>1,000 incidents</h2>\n");
    html.push_str(&timeline_svg("many-timeline", &many, &[]));
    html.push_str("</main>\n");
    if let Err(e) = std::fs::write(out, html) {
        eprintln!("{out}: {e}");
        std::process::exit(1);
    }
    eprintln!("wrote {out}");
}
