//! The pictures of each page built from the briefing: which incidents, places and groups the
//! index, a group page and a place page draw (the drawing itself is in `pictures`).

use std::collections::{BTreeMap, BTreeSet};

use crate::derive::Briefing;
use crate::pictures::{Claimant, Edge, EdgeKind, MapPlace, Mark, Node, NodeKind, map_svg, network_svg, timeline_svg};

/// The three pictures of a page, as inline SVG ("" where there is nothing to draw).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Figures {
    pub timeline: String,
    pub map: String,
    pub network: String,
}

fn marks(b: &Briefing, root: &str, keep: impl Fn(&crate::derive::Incident) -> bool) -> Vec<Mark> {
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

/// The index: every incident, every attacked place, the claimants and their umbrellas.
pub fn index_figures(b: &Briefing) -> Figures {
    let order = colour_order(b);
    let attacked: BTreeSet<&str> = b.incidents.iter().map(|i| i.place.as_str()).collect();
    let claimants: BTreeSet<&str> = b
        .incidents
        .iter()
        .flat_map(|i| i.claimed_by.iter().map(String::as_str))
        .collect();
    let claimants: Vec<&str> = claimants.into_iter().collect();
    let (nodes, edges) = network(b, "./", &claimants, false, "");
    Figures {
        timeline: timeline_svg("index-timeline", &marks(b, "./", |_| true), &order),
        map: map_svg("index-map", &places(b, "./", &attacked, "")),
        network: network_svg("index-network", &nodes, &edges),
    }
}

/// A group page: the incidents it claimed and their places, its umbrellas and members.
pub fn group_figures(b: &Briefing, group: &str) -> Figures {
    let order = colour_order(b);
    let claimed = |i: &crate::derive::Incident| i.claimed_by.iter().any(|c| c == group);
    let at: BTreeSet<&str> = b
        .incidents
        .iter()
        .filter(|i| claimed(i))
        .map(|i| i.place.as_str())
        .collect();
    let (nodes, edges) = network(b, "../../", &[group], true, group);
    Figures {
        timeline: timeline_svg(&format!("{group}-timeline"), &marks(b, "../../", claimed), &order),
        map: map_svg(&format!("{group}-map"), &places(b, "../../", &at, "")),
        network: if edges.is_empty() {
            String::new()
        } else {
            network_svg(&format!("{group}-network"), &nodes, &edges)
        },
    }
}

/// A place page: its incidents, itself highlighted among the attacked places, and the groups
/// that claimed attacks on it.
pub fn place_figures(b: &Briefing, place: &str) -> Figures {
    let order = colour_order(b);
    let here: Vec<Mark> = marks(b, "../../", |i| i.place == place);
    let claimants: BTreeSet<&str> = b
        .incidents
        .iter()
        .filter(|i| i.place == place)
        .flat_map(|i| i.claimed_by.iter().map(String::as_str))
        .collect();
    let claimants: Vec<&str> = claimants.into_iter().collect();
    let (nodes, mut edges) = network(b, "../../", &claimants, false, place);
    edges.retain(|e| e.kind == EdgeKind::MemberOf || e.to == place);
    let nodes: Vec<Node> = nodes
        .into_iter()
        .filter(|n| n.kind == NodeKind::Group || n.id == place)
        .collect();
    let mut near: BTreeSet<&str> = b.incidents.iter().map(|i| i.place.as_str()).collect();
    near.insert(place);
    let has_coordinates = b
        .places
        .iter()
        .any(|p| p.id == place && p.lat.is_some() && p.lon.is_some());
    Figures {
        timeline: if here.is_empty() {
            String::new()
        } else {
            timeline_svg(&format!("{place}-timeline"), &here, &order)
        },
        map: if has_coordinates {
            map_svg(&format!("{place}-map"), &places(b, "../../", &near, place))
        } else {
            String::new()
        },
        network: if claimants.is_empty() {
            String::new()
        } else {
            network_svg(&format!("{place}-network"), &nodes, &edges)
        },
    }
}
