//! The pictures (timeline, map, group network): SVG pinned for a small fixture, and the
//! properties every picture must keep: bounded, inside its viewBox, escaped, deterministic.

use chrono::{Duration, NaiveDate};
use sitrep::dates::Precision;
use sitrep::pictures::{Claimant, Edge, EdgeKind, MapPlace, Mark, Node, NodeKind, map_svg, network_svg, timeline_svg};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("fixture date")
}

fn claimant(id: &str, name: &str) -> Vec<Claimant> {
    vec![Claimant {
        id: id.into(),
        name: name.into(),
    }]
}

fn mark(id: &str, date: Option<&str>, precision: Precision, claimants: Vec<Claimant>) -> Mark {
    Mark {
        id: id.into(),
        date: date.map(d),
        precision,
        label: format!("Drone attack {id}"),
        href: format!("../incidents/{id}/"),
        claimants,
    }
}

/// The seed briefing in miniature: two episodes a year apart, a week-dated and an undated one.
fn fixture_marks() -> Vec<Mark> {
    vec![
        mark(
            "2023-10-18-ain-al-asad",
            Some("2023-10-18"),
            Precision::Day,
            claimant("kataib-hezbollah", "Kataib Hezbollah"),
        ),
        mark("2023-10-18-harir", Some("2023-10-18"), Precision::Day, vec![]),
        mark(
            "2023-10-19-al-tanf",
            Some("2023-10-19"),
            Precision::Day,
            claimant("islamic-resistance-in-iraq", "Islamic Resistance in Iraq"),
        ),
        mark(
            "2023-10-16-conoco",
            Some("2023-10-16"),
            Precision::Week,
            claimant("islamic-resistance-in-iraq", "Islamic Resistance in Iraq"),
        ),
        mark(
            "2024-10-27-al-tanf",
            Some("2024-10-27"),
            Precision::Day,
            claimant("the-revolutionaries", "The Revolutionaries"),
        ),
        mark("undated-tower-22", None, Precision::Unknown, vec![]),
    ]
}

fn place(id: &str, name: &str, lat: f64, lon: f64, incidents: usize) -> MapPlace {
    MapPlace {
        id: id.into(),
        name: name.into(),
        lat,
        lon,
        incidents,
        href: format!("../places/{id}/"),
        highlight: false,
    }
}

fn fixture_places() -> Vec<MapPlace> {
    vec![
        place("al-tanf", "al-Tanf", 33.5058, 38.6178, 3),
        place("ain-al-asad", "Ain al-Asad", 33.7856, 42.4411, 1),
        MapPlace {
            highlight: true,
            ..place("al-malikiyah", "al-Malikiyah", 37.17, 42.14, 1)
        },
    ]
}

fn node(id: &str, label: &str, kind: NodeKind) -> Node {
    Node {
        id: id.into(),
        label: label.into(),
        kind,
        href: format!("../{id}/"),
        highlight: false,
    }
}

fn edge(from: &str, to: &str, kind: EdgeKind) -> Edge {
    Edge {
        from: from.into(),
        to: to.into(),
        kind,
    }
}

fn fixture_network() -> (Vec<Node>, Vec<Edge>) {
    let nodes = vec![
        node("axis-of-resistance", "Axis of Resistance", NodeKind::Group),
        Node {
            highlight: true,
            ..node(
                "islamic-resistance-in-iraq",
                "Islamic Resistance in Iraq",
                NodeKind::Group,
            )
        },
        node("kataib-hezbollah", "Kataib Hezbollah", NodeKind::Group),
        node("al-tanf", "al-Tanf", NodeKind::Place),
        node("ain-al-asad", "Ain al-Asad", NodeKind::Place),
    ];
    let edges = vec![
        edge("islamic-resistance-in-iraq", "axis-of-resistance", EdgeKind::MemberOf),
        edge("kataib-hezbollah", "islamic-resistance-in-iraq", EdgeKind::MemberOf),
        edge("islamic-resistance-in-iraq", "al-tanf", EdgeKind::Claimed),
        edge("kataib-hezbollah", "ain-al-asad", EdgeKind::Claimed),
    ];
    (nodes, edges)
}

/// The viewBox width and height.
fn view_box(svg: &str) -> (f64, f64) {
    let i = svg.find("viewBox=\"0 0 ").expect("viewBox") + 13;
    let mut it = svg[i..].split('"').next().unwrap_or("").split(' ');
    let w = it.next().and_then(|v| v.parse().ok()).expect("width");
    let h = it.next().and_then(|v| v.parse().ok()).expect("height");
    (w, h)
}

/// Every x/cx/y/cy attribute value in the picture.
fn coordinates(svg: &str, names: &[&str]) -> Vec<f64> {
    let mut out = Vec::new();
    for name in names {
        let key = format!(" {name}=\"");
        for part in svg.split(&key).skip(1) {
            if let Some(v) = part.split('"').next().and_then(|v| v.parse().ok()) {
                out.push(v);
            }
        }
    }
    out
}

fn assert_inside(svg: &str) {
    let (w, h) = view_box(svg);
    for x in coordinates(svg, &["x", "cx", "x1", "x2"]) {
        assert!((0.0..=w).contains(&x), "x {x} outside 0..{w}");
    }
    for y in coordinates(svg, &["y", "cy", "y1", "y2"]) {
        assert!((0.0..=h).contains(&y), "y {y} outside 0..{h}");
    }
}

/// Well-formed enough: every line is one element (or an open/close tag of a group).
fn assert_one_element_per_line(svg: &str) {
    for line in svg.lines() {
        assert!(line.starts_with('<') && line.ends_with('>'), "{line}");
    }
    assert_eq!(svg.matches("<a ").count(), svg.matches("</a>").count());
    assert_eq!(svg.matches("<g").count(), svg.matches("</g>").count());
}

#[test]
fn timeline_snapshot() {
    let svg = timeline_svg("tl", &fixture_marks(), &["islamic-resistance-in-iraq"]);
    assert_one_element_per_line(&svg);
    assert_inside(&svg);
    insta::assert_snapshot!(svg);
}

#[test]
fn map_snapshot() {
    let svg = map_svg("map", &fixture_places());
    assert_one_element_per_line(&svg);
    insta::assert_snapshot!(svg);
}

#[test]
fn network_snapshot() {
    let (nodes, edges) = fixture_network();
    let svg = network_svg("net", &nodes, &edges);
    assert_one_element_per_line(&svg);
    assert_inside(&svg);
    insta::assert_snapshot!(svg);
}

#[test]
fn svg_header_is_accessible_and_width_independent() {
    let (nodes, edges) = fixture_network();
    for (svg, p) in [
        (timeline_svg("tl", &fixture_marks(), &[]), "tl"),
        (map_svg("map", &fixture_places()), "map"),
        (network_svg("net", &nodes, &edges), "net"),
    ] {
        let head = svg.lines().next().unwrap_or_default();
        assert!(head.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""), "{head}");
        assert!(head.contains(" width=\"100%\""));
        assert!(!head.contains(" height="));
        assert!(head.contains(&format!("aria-labelledby=\"{p}-title\"")));
        assert!(svg.contains(&format!("<title id=\"{p}-title\">")));
        assert!(svg.contains(&format!("<desc id=\"{p}-desc\">")));
        assert!(!svg.contains("<script"));
        assert!(
            !svg.contains("http://") || svg.matches("http://").count() == 1,
            "no external references"
        );
    }
}

#[test]
fn nothing_to_draw_is_empty() {
    assert_eq!(timeline_svg("t", &[], &[]), "");
    assert_eq!(map_svg("m", &[]), "");
    assert_eq!(network_svg("n", &[], &[]), "");
}

#[test]
fn places_lacking_coordinates_are_not_drawn() {
    let mut places = fixture_places();
    places.push(place("nowhere", "Nowhere", f64::NAN, 40.0, 2));
    places.push(place("off-the-map", "Off the map", 95.0, 400.0, 2));
    let svg = map_svg("m", &places);
    assert!(!svg.contains("Nowhere"));
    assert!(!svg.contains("Off the map"));
    assert_eq!(svg.matches("<circle ").count(), 3);
    assert_eq!(map_svg("m", &places[3..]), "");
}

#[test]
fn a_single_incident() {
    let marks = [mark(
        "2023-10-19-al-tanf",
        Some("2023-10-19"),
        Precision::Day,
        claimant("iri", "IRI"),
    )];
    let svg = timeline_svg("t", &marks, &[]);
    assert_inside(&svg);
    assert_eq!(svg.matches("<a ").count(), 1);
    assert!(svg.contains("<title>19 October 2023: Drone attack 2023-10-19-al-tanf (claimed by IRI)</title>"));
    assert!(svg.contains(">19 October 2023 \u{b7} 1 incident</text>"));
    let map = map_svg("m", &fixture_places()[..1]);
    assert_eq!(map.matches("<circle ").count(), 1);
    assert!(map.contains(">SYRIA</text>"));
}

fn thousand() -> Vec<Mark> {
    let start = d("2022-03-01");
    (0..1000)
        .map(|i: usize| {
            let date = (!i.is_multiple_of(101)).then(|| start + Duration::days((i * 7919 % 900) as i64));
            let precision = match i % 40 {
                0 => Precision::Week,
                1 => Precision::Month,
                _ => Precision::Day,
            };
            let claimants = if i.is_multiple_of(3) {
                vec![]
            } else {
                claimant(&format!("group-{}", i % 11), &format!("Group {}", i % 11))
            };
            Mark {
                id: format!("incident-{i:04}"),
                date,
                precision,
                label: format!("Attack {i}"),
                href: format!("incidents/incident-{i:04}/"),
                claimants,
            }
        })
        .collect()
}

#[test]
fn a_thousand_incidents_stay_bounded_and_inside() {
    let marks = thousand();
    let svg = timeline_svg("t", &marks, &[]);
    assert_inside(&svg);
    assert_one_element_per_line(&svg);
    assert_eq!(svg.matches("<a ").count(), 1000, "one mark per incident");
    let (w, h) = view_box(&svg);
    assert_eq!(w, 800.0);
    assert!(h < 800.0, "height {h}");
    assert!(svg.len() < 400_000, "{} bytes", svg.len());
    // All on one day: one stack, capped in height.
    let same_day: Vec<Mark> = marks
        .iter()
        .cloned()
        .map(|mut m| {
            m.date = Some(d("2023-10-23"));
            m.precision = Precision::Day;
            m
        })
        .collect();
    let svg = timeline_svg("t", &same_day, &[]);
    assert_inside(&svg);
    assert!(view_box(&svg).1 < 300.0);
}

#[test]
fn a_large_network_stays_legible() {
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for u in 0..5 {
        nodes.push(node(
            &format!("umbrella-{u}"),
            &format!("Umbrella {u}"),
            NodeKind::Group,
        ));
    }
    for g in 0..30 {
        let id = format!("group-{g:02}");
        nodes.push(node(
            &id,
            &format!("A rather long group name number {g}"),
            NodeKind::Group,
        ));
        edges.push(edge(&id, &format!("umbrella-{}", g % 5), EdgeKind::MemberOf));
        edges.push(edge(&id, &format!("place-{}", g % 15), EdgeKind::Claimed));
    }
    for p in 0..15 {
        nodes.push(node(&format!("place-{p}"), &format!("Place {p}"), NodeKind::Place));
    }
    let svg = network_svg("n", &nodes, &edges);
    assert_inside(&svg);
    assert_eq!(svg.matches("class=\"node ").count(), 50);
    assert_eq!(svg.matches("<path class=\"edge ").count(), 60 + 2, "edges plus legend");
    assert!(svg.contains("\u{2026}</text>"), "long labels are shortened");
    assert!(view_box(&svg).1 < 30.0 * 28.0 + 100.0);
}

#[test]
fn hostile_names_are_escaped() {
    let evil = "<script>alert('x')</script> & \"quotes\"";
    let marks = [Mark {
        label: evil.into(),
        href: "\"><script>".into(),
        claimants: claimant("<b>", evil),
        ..mark("x", Some("2023-10-19"), Precision::Day, vec![])
    }];
    let places = [MapPlace {
        name: evil.into(),
        href: "javascript:\"<x>".into(),
        ..place("x", "x", 33.0, 40.0, 1)
    }];
    let nodes = [
        node("g", evil, NodeKind::Group),
        Node {
            href: "\"><script>".into(),
            ..node("p", evil, NodeKind::Place)
        },
    ];
    let edges = [edge("g", "p", EdgeKind::Claimed)];
    for svg in [
        timeline_svg("<script>", &marks, &[]),
        map_svg("\"x\"", &places),
        network_svg("n", &nodes, &edges),
    ] {
        assert!(!svg.contains("<script"), "{svg}");
        assert!(!svg.contains("<b>"));
        assert!(!svg.contains("\"quotes\""));
        assert!(!svg.contains("'x'"));
        assert!(svg.contains("&lt;script&gt;"));
    }
}

/// A deterministic shuffle (no randomness in tests either).
fn shuffled<T: Clone>(v: &[T]) -> Vec<T> {
    let mut out: Vec<T> = v.to_vec();
    let n = out.len();
    for i in 0..n {
        out.swap(i, (i * 7 + 3) % n);
    }
    out.reverse();
    out
}

#[test]
fn same_input_in_any_order_gives_the_same_bytes() {
    let marks = thousand();
    let a = timeline_svg("t", &marks, &[]);
    assert_eq!(a, timeline_svg("t", &marks, &[]));
    assert_eq!(a, timeline_svg("t", &shuffled(&marks), &[]));

    let places: Vec<MapPlace> = (0..60)
        .map(|i| {
            place(
                &format!("p{i}"),
                &format!("Place {i}"),
                32.0 + (i % 7) as f64 * 0.7,
                38.0 + (i / 7) as f64 * 0.8,
                i % 4,
            )
        })
        .collect();
    let a = map_svg("m", &places);
    assert_eq!(a, map_svg("m", &places));
    assert_eq!(a, map_svg("m", &shuffled(&places)));

    let (nodes, edges) = fixture_network();
    let a = network_svg("n", &nodes, &edges);
    assert_eq!(a, network_svg("n", &shuffled(&nodes), &shuffled(&edges)));
}
