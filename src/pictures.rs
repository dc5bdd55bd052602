//! Pictures: the timeline, the map and the group network as inline SVG, drawn at build time.
//!
//! Every function here is pure: plain data in, an SVG string out. No JavaScript, no external
//! requests, and the same input in any order gives the same bytes (inputs are sorted, numbers
//! are written with at most one decimal, ids derive from the caller's `prefix`). Each mark,
//! place, node or edge is one line, so a one-incident change is a small diff.
//!
//! Colours come from CSS classes styled in `static/pictures.css` (exported as [`CSS`]), with
//! `currentColor` as the fallback, so the pictures follow the page's light, dark and print
//! themes. Text sizes and widths are estimated with [`text_width`], conservatively, to keep
//! labels from colliding.
//!
//! Each picture is an `<svg role="group">` labelled by its `<title>` and described by its
//! `<desc>`: `role="img"` would hide the links inside it from assistive technology, while
//! every mark here is a link with its own accessible name.
//!
//! A function returns an empty string when it has nothing to draw (no incidents, no places
//! with coordinates, no nodes), so a template can simply skip it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::sync::OnceLock;

use chrono::{Datelike, Duration, NaiveDate};

use crate::dates::Precision;
use crate::render::{date_label, escape};

/// The stylesheet the pictures need (also shipped as `static/pictures.css`).
pub const CSS: &str = include_str!("../static/pictures.css");

/// Natural Earth 1:110m admin-0 countries, converted by `scripts/countries-110m.py`.
const COUNTRIES: &str = include_str!("../assets/countries-110m.txt");

const FONT: f64 = 11.0;
const WIDTH: f64 = 800.0;

// ---------------------------------------------------------------------------------------------
// Input types.

/// A group that claimed an incident.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Claimant {
    /// Group id (used for colour assignment).
    pub id: String,
    /// Display name.
    pub name: String,
}

/// One incident on the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    /// Incident id (a tie-break for sorting).
    pub id: String,
    /// `None` puts the incident in the "undated" row.
    pub date: Option<NaiveDate>,
    /// Day marks are cells; week, month and year marks are drawn as spans from `date`.
    pub precision: Precision,
    /// The incident title.
    pub label: String,
    /// Link target, relative to the page the picture is on.
    pub href: String,
    /// Who claimed it; empty when unclaimed. The colour follows the first in id order.
    pub claimants: Vec<Claimant>,
}

/// One place on the map. Places without coordinates are simply not passed in.
#[derive(Debug, Clone, PartialEq)]
pub struct MapPlace {
    pub id: String,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    /// Number of incidents: the circle's area is proportional to it (0 draws a small ring).
    pub incidents: usize,
    pub href: String,
    /// Emphasised (the place whose page this is).
    pub highlight: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeKind {
    Group,
    Place,
}

/// A node of the group network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub id: String,
    pub label: String,
    pub kind: NodeKind,
    pub href: String,
    pub highlight: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EdgeKind {
    /// `from` (a group) is a member of `to` (its umbrella group).
    MemberOf,
    /// `from` (a group) claimed an attack on `to` (a place).
    Claimed,
}

/// An edge of the group network, between node ids.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub kind: EdgeKind,
}

// ---------------------------------------------------------------------------------------------
// Shared helpers.

/// A number with at most one decimal, no trailing ".0", never "-0".
fn n(v: f64) -> String {
    if !v.is_finite() {
        return "0".into();
    }
    let t = (v * 10.0).round() as i64;
    let (sign, a) = if t < 0 { ("-", -t) } else { ("", t) };
    if a % 10 == 0 {
        format!("{sign}{}", a / 10)
    } else {
        format!("{sign}{}.{}", a / 10, a % 10)
    }
}

/// A conservative estimate of the width of `s` set in a sans-serif font of `size` units.
pub fn text_width(s: &str, size: f64) -> f64 {
    let em: f64 = s
        .chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | '.' | ',' | '\'' | '\u{2019}' | ':' | ';' | '|' | '!' | 'I' => 0.32,
            'f' | 't' | 'r' | ' ' | '-' | '(' | ')' | '[' | ']' => 0.4,
            'm' | 'w' | 'M' | 'W' | '\u{2014}' => 0.92,
            c if c.is_ascii_digit() => 0.6,
            c if c.is_uppercase() => 0.74,
            c if c.is_ascii() => 0.6,
            _ => 0.8,
        })
        .sum();
    em * size
}

/// `s` shortened with an ellipsis to fit `max` units.
fn fit(s: &str, size: f64, max: f64) -> String {
    if text_width(s, size) <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().collect();
    while !out.is_empty() {
        out.pop();
        let t = format!("{}\u{2026}", out.trim_end());
        if text_width(&t, size) <= max {
            return t;
        }
    }
    "\u{2026}".into()
}

/// An id prefix safe in XML ids and CSS selectors.
fn id_prefix(p: &str) -> String {
    let mut s: String = p
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if !s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        s.insert_str(0, "pic-");
    }
    s
}

/// An axis-aligned box (x0, y0) to (x1, y1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct BBox {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

impl BBox {
    fn overlaps(&self, o: &BBox) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }
    fn inside(&self, o: &BBox) -> bool {
        self.x0 >= o.x0 && self.x1 <= o.x1 && self.y0 >= o.y0 && self.y1 <= o.y1
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    fn attr(self) -> &'static str {
        match self {
            Anchor::Start => "",
            Anchor::Middle => " text-anchor=\"middle\"",
            Anchor::End => " text-anchor=\"end\"",
        }
    }
}

/// The box of a text line whose baseline starts (or centres, or ends) at (x, y).
fn text_box(x: f64, y: f64, w: f64, anchor: Anchor, size: f64) -> BBox {
    let x0 = match anchor {
        Anchor::Start => x,
        Anchor::Middle => x - w / 2.0,
        Anchor::End => x - w,
    };
    BBox {
        x0,
        y0: y - size * 0.82,
        x1: x0 + w,
        y1: y + size * 0.26,
    }
}

/// An SVG being written, one element per line.
struct Svg {
    body: String,
}

impl Svg {
    fn new() -> Self {
        Svg { body: String::new() }
    }

    fn line(&mut self, s: &str) {
        self.body.push_str(s);
        self.body.push('\n');
    }

    /// A label, escaped.
    fn text(&mut self, x: f64, y: f64, anchor: Anchor, class: &str, size: f64, s: &str) {
        let size_attr = if size == FONT {
            String::new()
        } else {
            format!(" font-size=\"{}\"", n(size))
        };
        self.line(&format!(
            "<text x=\"{}\" y=\"{}\" class=\"{class}\"{}{size_attr}>{}</text>",
            n(x),
            n(y),
            anchor.attr(),
            escape(s)
        ));
    }

    fn finish(self, prefix: &str, kind: &str, w: f64, h: f64, title: &str, desc: &str) -> String {
        let p = id_prefix(prefix);
        let mut out = String::with_capacity(self.body.len() + 512);
        let _ = writeln!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"pic pic-{kind}\" viewBox=\"0 0 {} {}\" width=\"100%\" \
             role=\"group\" aria-labelledby=\"{p}-title\" aria-describedby=\"{p}-desc\" \
             font-family=\"system-ui, sans-serif\" font-size=\"{}\" fill=\"currentColor\">",
            n(w),
            n(h),
            n(FONT)
        );
        let _ = writeln!(out, "<title id=\"{p}-title\">{}</title>", escape(title));
        let _ = writeln!(out, "<desc id=\"{p}-desc\">{}</desc>", escape(desc));
        out.push_str(&self.body);
        out.push_str("</svg>\n");
        out
    }
}

fn plural(k: usize, one: &str, many: &str) -> String {
    format!("{k} {}", if k == 1 { one } else { many })
}

// ---------------------------------------------------------------------------------------------
// Timeline.

/// Distinct claimant colours (`c0`…`c6`); the rest share `c7` ("other claimants").
const PALETTE: usize = 7;
const PANEL_GAP_DAYS: i64 = 45;
const MAX_PANELS: usize = 6;
const STACK_MAX_H: f64 = 60.0;
const CELL_H: f64 = 10.0;
const CELL_MAX_W: f64 = 14.0;
const LANES_MAX_H: f64 = 28.0;
const MARGIN: f64 = 8.0;

/// A dated mark as an interval of days [start, end).
struct Dated<'a> {
    mark: &'a Mark,
    start: NaiveDate,
    end: NaiveDate,
    span: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bin {
    Day,
    Week,
    Month,
    Year,
}

impl Bin {
    fn floor(self, d: NaiveDate) -> NaiveDate {
        match self {
            Bin::Day => d,
            Bin::Week => d - Duration::days(d.weekday().num_days_from_monday() as i64),
            Bin::Month => d.with_day(1).unwrap_or(d),
            Bin::Year => NaiveDate::from_ymd_opt(d.year(), 1, 1).unwrap_or(d),
        }
    }
    fn next(self, d: NaiveDate) -> NaiveDate {
        let f = self.floor(d);
        match self {
            Bin::Day => f + Duration::days(1),
            Bin::Week => f + Duration::days(7),
            Bin::Month => add_months(f, 1),
            Bin::Year => NaiveDate::from_ymd_opt(f.year() + 1, 1, 1).unwrap_or(f + Duration::days(366)),
        }
    }
    fn days(self) -> f64 {
        match self {
            Bin::Day => 1.0,
            Bin::Week => 7.0,
            Bin::Month => 30.4,
            Bin::Year => 365.25,
        }
    }
}

fn add_months(d: NaiveDate, k: u32) -> NaiveDate {
    let m0 = d.year() * 12 + d.month0() as i32 + k as i32;
    NaiveDate::from_ymd_opt(m0.div_euclid(12), m0.rem_euclid(12) as u32 + 1, 1).unwrap_or(d)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Days(i64),
    Weeks(i64),
    Months(u32),
    Years(i32),
}

const STEPS: [Step; 13] = [
    Step::Days(1),
    Step::Days(2),
    Step::Weeks(1),
    Step::Weeks(2),
    Step::Months(1),
    Step::Months(2),
    Step::Months(3),
    Step::Months(6),
    Step::Years(1),
    Step::Years(2),
    Step::Years(5),
    Step::Years(10),
    Step::Years(50),
];

impl Step {
    fn min_days(self) -> f64 {
        match self {
            Step::Days(k) => k as f64,
            Step::Weeks(k) => 7.0 * k as f64,
            Step::Months(k) => 28.0 * k as f64,
            Step::Years(k) => 365.0 * k as f64,
        }
    }

    /// Tick dates in [start, end].
    fn ticks(self, start: NaiveDate, end: NaiveDate) -> Vec<NaiveDate> {
        let mut out = Vec::new();
        match self {
            Step::Days(_) | Step::Weeks(_) => {
                let mut d = start;
                while d <= end {
                    let on = match self {
                        Step::Days(k) => d.num_days_from_ce() as i64 % k == 0,
                        Step::Weeks(k) => {
                            d.weekday().num_days_from_monday() == 0 && (d.num_days_from_ce() as i64 / 7) % k == 0
                        }
                        _ => false,
                    };
                    if on {
                        out.push(d);
                    }
                    d += Duration::days(1);
                }
            }
            Step::Months(k) => {
                let mut d = if start.day() == 1 { start } else { add_months(start, 1) };
                while d <= end {
                    if d.month0() % k == 0 {
                        out.push(d);
                    }
                    d = add_months(d, 1);
                }
            }
            Step::Years(k) => {
                let mut y = if start.ordinal() == 1 {
                    start.year()
                } else {
                    start.year() + 1
                };
                while let Some(d) = NaiveDate::from_ymd_opt(y, 1, 1).filter(|d| *d <= end) {
                    if y.rem_euclid(k) == 0 {
                        out.push(d);
                    }
                    y += 1;
                }
            }
        }
        out
    }

    fn label(self, d: NaiveDate) -> String {
        match self {
            Step::Days(_) | Step::Weeks(_) => d.format("%-d %b").to_string(),
            Step::Months(_) => d.format("%b %Y").to_string(),
            Step::Years(_) => d.format("%Y").to_string(),
        }
    }

    /// Day labels name the day (centred on it); month and year labels start at the boundary.
    fn centred(self) -> bool {
        matches!(self, Step::Days(_) | Step::Weeks(_))
    }
}

/// Claimant colour classes: `c0`…`c6` in `colour_order` (then by incident count and id),
/// `c7` for the rest, `cu` for unclaimed.
struct Colours {
    class: BTreeMap<String, usize>,
    legend: Vec<(usize, String, usize)>,
    other: usize,
    unclaimed: usize,
}

fn primary(m: &Mark) -> Option<&Claimant> {
    m.claimants
        .iter()
        .min_by(|a, b| a.id.cmp(&b.id).then(a.name.cmp(&b.name)))
}

fn colours(marks: &[&Mark], colour_order: &[&str]) -> Colours {
    let mut count: BTreeMap<&str, (&str, usize)> = BTreeMap::new();
    let mut unclaimed = 0;
    for m in marks {
        match primary(m) {
            Some(c) => count.entry(&c.id).or_insert((&c.name, 0)).1 += 1,
            None => unclaimed += 1,
        }
    }
    let mut order: Vec<&str> = Vec::new();
    for id in colour_order {
        if !order.contains(id) {
            order.push(id);
        }
    }
    let mut rest: Vec<(&str, usize)> = count
        .iter()
        .filter(|(id, _)| !order.contains(id))
        .map(|(id, (_, k))| (*id, *k))
        .collect();
    rest.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    order.extend(rest.iter().map(|(id, _)| *id));
    let mut class = BTreeMap::new();
    let mut legend = Vec::new();
    let mut other = 0;
    for (i, id) in order.iter().enumerate() {
        let Some((name, k)) = count.get(id) else { continue };
        let c = i.min(PALETTE);
        class.insert(id.to_string(), c);
        if c < PALETTE {
            legend.push((c, name.to_string(), *k));
        } else {
            other += k;
        }
    }
    Colours {
        class,
        legend,
        other,
        unclaimed,
    }
}

impl Colours {
    fn of(&self, m: &Mark) -> String {
        match primary(m).and_then(|c| self.class.get(&c.id)) {
            Some(i) => format!("c{i}"),
            None => "cu".into(),
        }
    }
    fn rank(&self, m: &Mark) -> usize {
        primary(m)
            .and_then(|c| self.class.get(&c.id))
            .copied()
            .unwrap_or(PALETTE + 1)
    }
}

fn mark_title(m: &Mark) -> String {
    let when = date_label(m.date, m.precision);
    let mut names: Vec<&str> = m.claimants.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let who = if names.is_empty() {
        "no claim recorded".to_string()
    } else {
        format!("claimed by {}", names.join(", "))
    };
    format!("{when}: {} ({who})", m.label)
}

fn mark_link(m: &Mark, class: &str, shape: &str) -> String {
    format!(
        "<a href=\"{}\"><title>{}</title><{shape} class=\"{class}\"/></a>",
        escape(&m.href),
        escape(&mark_title(m))
    )
}

fn range_label(a: NaiveDate, b: NaiveDate) -> String {
    if a == b {
        a.format("%-d %B %Y").to_string()
    } else if a.year() == b.year() && a.month() == b.month() {
        format!("{}\u{2013}{}", a.format("%-d"), b.format("%-d %B %Y"))
    } else if a.year() == b.year() {
        format!("{} \u{2013} {}", a.format("%-d %B"), b.format("%-d %B %Y"))
    } else {
        format!("{} \u{2013} {}", a.format("%-d %B %Y"), b.format("%-d %B %Y"))
    }
}

/// Split dated marks (sorted by start) into episodes separated by more than `gap` days.
fn episodes<'a, 'b>(dated: &'b [Dated<'a>], gap: i64) -> Vec<&'b [Dated<'a>]> {
    let mut out = Vec::new();
    let mut first = 0;
    let mut end: Option<NaiveDate> = None;
    for (i, d) in dated.iter().enumerate() {
        if let Some(e) = end
            && (d.start - e).num_days() > gap
        {
            out.push(&dated[first..i]);
            first = i;
        }
        end = Some(end.map_or(d.end, |e| e.max(d.end)));
    }
    if first < dated.len() {
        out.push(&dated[first..]);
    }
    out
}

/// The timeline of incidents: a colour legend, one panel per episode (a new panel after a
/// gap of more than 45 days, with a marked break), a stacked cell per day-dated incident,
/// a bar per week/month/year-dated one, and a row of undated incidents.
///
/// `colour_order` lists claimant (group) ids in the order they get the seven distinct
/// colours; pass the same list on every page for consistent colours (e.g. all groups by
/// number of claimed incidents). Claimants not in it follow by their number of incidents
/// here, then id. Returns "" when `marks` is empty.
pub fn timeline_svg(prefix: &str, marks: &[Mark], colour_order: &[&str]) -> String {
    if marks.is_empty() {
        return String::new();
    }
    let p = id_prefix(prefix);
    let mut sorted: Vec<&Mark> = marks.iter().collect();
    sorted.sort_by(|a, b| {
        (a.date, a.precision, &a.id, &a.label, &a.href, &a.claimants).cmp(&(
            b.date,
            b.precision,
            &b.id,
            &b.label,
            &b.href,
            &b.claimants,
        ))
    });
    let colours = colours(&sorted, colour_order);
    let mut dated: Vec<Dated> = Vec::new();
    let mut undated: Vec<&Mark> = Vec::new();
    for m in &sorted {
        match m.date {
            Some(d) => {
                let span = matches!(m.precision, Precision::Week | Precision::Month | Precision::Year);
                let end = match m.precision {
                    Precision::Week => d + Duration::days(7),
                    Precision::Month => add_months(d, 1),
                    Precision::Year => NaiveDate::from_ymd_opt(d.year() + 1, d.month(), 1).unwrap_or(d),
                    _ => d + Duration::days(1),
                };
                dated.push(Dated {
                    mark: m,
                    start: d,
                    end: end.max(d + Duration::days(1)),
                    span,
                });
            }
            None => undated.push(m),
        }
    }
    dated.sort_by(|a, b| {
        a.start
            .cmp(&b.start)
            .then(a.end.cmp(&b.end))
            .then(a.mark.id.cmp(&b.mark.id))
    });

    let mut gap = PANEL_GAP_DAYS;
    let mut panels = episodes(&dated, gap);
    while panels.len() > MAX_PANELS {
        gap *= 2;
        panels = episodes(&dated, gap);
    }

    let mut svg = Svg::new();
    let x0 = MARGIN;
    let pw = WIDTH - 2.0 * MARGIN;
    let mut y = 4.0;

    // Legend.
    let mut entries: Vec<(String, String)> = colours
        .legend
        .iter()
        .map(|(c, name, k)| (format!("c{c}"), format!("{name} ({k})")))
        .collect();
    if colours.other > 0 {
        entries.push((format!("c{PALETTE}"), format!("other claimants ({})", colours.other)));
    }
    if colours.unclaimed > 0 {
        entries.push(("cu".into(), format!("no claim recorded ({})", colours.unclaimed)));
    }
    svg.line("<g class=\"legend\">");
    let mut lx = x0;
    y += 12.0;
    for (class, label) in &entries {
        let label = fit(label, FONT, pw - 16.0);
        let w = 14.0 + text_width(&label, FONT) + 14.0;
        if lx > x0 && lx + w > x0 + pw {
            lx = x0;
            y += 16.0;
        }
        svg.line(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" class=\"{class}\"/>",
            n(lx),
            n(y - 9.0)
        ));
        svg.text(lx + 14.0, y, Anchor::Start, "label", FONT, &label);
        lx += w;
    }
    svg.line("</g>");
    y += 10.0;

    let mut prev_end: Option<NaiveDate> = None;
    for (pi, panel) in panels.iter().enumerate() {
        let first = panel.iter().map(|d| d.start).min().unwrap_or_default();
        let last_end = panel.iter().map(|d| d.end).max().unwrap_or(first + Duration::days(1));
        let last_day = last_end - Duration::days(1);
        let raw_days = (last_end - first).num_days().max(1) as f64;
        let bin = [Bin::Day, Bin::Week, Bin::Month, Bin::Year]
            .into_iter()
            .find(|b| pw / (raw_days / b.days()).max(1.0) >= 4.0)
            .unwrap_or(Bin::Year);
        let mut start = bin.floor(first);
        let mut end = bin.next(last_day);
        let min_days = 7;
        let len = (end - start).num_days();
        if len < min_days {
            let extra = min_days - len;
            start -= Duration::days(extra / 2);
            end += Duration::days(extra - extra / 2);
        }
        let total = (end - start).num_days().max(1) as f64;
        let ppd = pw / total;
        let xd = |d: NaiveDate| x0 + (d - start).num_days() as f64 * ppd;

        // Break marker and heading.
        if let Some(pe) = prev_end {
            let days = (first - pe).num_days();
            y += 6.0;
            svg.line(&format!(
                "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"break\"/>",
                n(x0),
                n(y),
                n(x0 + pw),
                n(y)
            ));
            let text = format!(
                "\u{2248} {} without incidents \u{2248}",
                plural(days as usize, "day", "days")
            );
            let w = text_width(&text, FONT) + 12.0;
            svg.line(&format!(
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"14\" class=\"bg\"/>",
                n(x0 + pw / 2.0 - w / 2.0),
                n(y - 7.0),
                n(w)
            ));
            svg.text(x0 + pw / 2.0, y + 4.0, Anchor::Middle, "note", FONT, &text);
            y += 12.0;
        }
        prev_end = Some(last_end);
        y += 14.0;
        let heading = format!(
            "{} \u{00b7} {}",
            range_label(first, last_day),
            plural(panel.len(), "incident", "incidents")
        );
        svg.line(&format!("<g class=\"panel\" id=\"{p}-panel-{}\">", pi + 1));
        svg.text(x0, y, Anchor::Start, "heading", FONT, &fit(&heading, FONT, pw));

        // Stacked cells, one per day-dated incident.
        let mut bins: BTreeMap<NaiveDate, Vec<&Mark>> = BTreeMap::new();
        for d in panel.iter().filter(|d| !d.span) {
            bins.entry(bin.floor(d.start)).or_default().push(d.mark);
        }
        let max_stack = bins.values().map(Vec::len).max().unwrap_or(0);
        let ch = if max_stack == 0 {
            CELL_H
        } else {
            CELL_H.min(STACK_MAX_H / max_stack as f64)
        };
        let hist_h = (ch * max_stack as f64).max(CELL_H);
        let base = y + 8.0 + hist_h;
        for (b, ms) in &mut bins {
            ms.sort_by(|a, c| colours.rank(a).cmp(&colours.rank(c)).then(a.id.cmp(&c.id)));
            let bx = xd(*b);
            let bw = xd(bin.next(*b)) - bx;
            let gap_w = if bw >= 4.0 { 1.0 } else { 0.0 };
            let cw = (bw - gap_w).clamp(1.0, CELL_MAX_W);
            let cx = bx + (bw - cw) / 2.0;
            let gap_h = if ch >= 4.0 { 1.0 } else { 0.0 };
            for (k, m) in ms.iter().enumerate() {
                let cy = base - (k as f64 + 1.0) * ch;
                svg.line(&mark_link(
                    m,
                    &colours.of(m),
                    &format!(
                        "rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"",
                        n(cx),
                        n(cy + gap_h),
                        n(cw),
                        n((ch - gap_h).max(0.5))
                    ),
                ));
            }
        }
        svg.line(&format!(
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"axis\"/>",
            n(x0),
            n(base),
            n(x0 + pw),
            n(base)
        ));

        // Spans (week, month or year precision) in lanes under the axis.
        let spans: Vec<&Dated> = panel.iter().filter(|d| d.span).collect();
        let mut lane_end: Vec<NaiveDate> = Vec::new();
        let mut lane_of = Vec::new();
        for d in &spans {
            match lane_end.iter().position(|e| *e <= d.start) {
                Some(l) => {
                    lane_end[l] = d.end;
                    lane_of.push(l);
                }
                None => {
                    lane_end.push(d.end);
                    lane_of.push(lane_end.len() - 1);
                }
            }
        }
        let lanes = lane_end.len();
        let lh = if lanes == 0 {
            0.0
        } else {
            7.0_f64.min(LANES_MAX_H / lanes as f64)
        };
        for (d, l) in spans.iter().zip(&lane_of) {
            let sx = xd(d.start.max(start));
            let ex = xd(d.end.min(end));
            let gap_h = if lh >= 4.0 { 1.0 } else { 0.0 };
            svg.line(&mark_link(
                d.mark,
                &format!("span {}", colours.of(d.mark)),
                &format!(
                    "rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"{}\"",
                    n(sx),
                    n(base + 3.0 + *l as f64 * lh),
                    n((ex - sx).max(2.0)),
                    n((lh - gap_h).max(0.5)),
                    n(((lh - gap_h) / 2.0).clamp(0.0, 3.0))
                ),
            ));
        }
        let lanes_h = if lanes == 0 { 0.0 } else { lh * lanes as f64 + 3.0 };

        // Ticks and their labels.
        let step = STEPS
            .into_iter()
            .find(|s| {
                let ticks = s.ticks(start, end);
                let maxw = ticks.iter().map(|d| text_width(&s.label(*d), FONT)).fold(0.0, f64::max);
                s.min_days() * ppd >= maxw + 10.0
            })
            .unwrap_or(Step::Years(50));
        let ty = base + lanes_h + 14.0;
        let mut last_label: Option<BBox> = None;
        let bounds = BBox {
            x0: 0.0,
            y0: 0.0,
            x1: WIDTH,
            y1: f64::MAX,
        };
        for d in step.ticks(start, end) {
            let tx = xd(d);
            if d > start && d < end {
                svg.line(&format!(
                    "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"tick\"/>",
                    n(tx),
                    n(base),
                    n(tx),
                    n(base + lanes_h + 3.0)
                ));
            }
            if d >= end {
                continue;
            }
            let label = step.label(d);
            let (lx, anchor) = if step.centred() {
                (tx + ppd.min(bin.days() * ppd) / 2.0, Anchor::Middle)
            } else {
                (tx + 2.0, Anchor::Start)
            };
            let b = text_box(lx, ty, text_width(&label, FONT), anchor, FONT);
            if !b.inside(&bounds) || last_label.is_some_and(|l| l.overlaps(&b)) {
                continue;
            }
            last_label = Some(b);
            svg.text(lx, ty, anchor, "tick-label", FONT, &label);
        }
        svg.line("</g>");
        y = ty + 8.0;
    }

    // Undated incidents.
    if !undated.is_empty() {
        y += 18.0;
        svg.line(&format!("<g class=\"panel undated\" id=\"{p}-undated\">"));
        svg.text(
            x0,
            y,
            Anchor::Start,
            "heading",
            FONT,
            &format!("Undated \u{00b7} {}", plural(undated.len(), "incident", "incidents")),
        );
        y += 6.0;
        let per_row = ((pw + 2.0) / 12.0).floor().max(1.0) as usize;
        for (k, m) in undated.iter().enumerate() {
            let cx = x0 + (k % per_row) as f64 * 12.0;
            let cy = y + (k / per_row) as f64 * 12.0;
            svg.line(&mark_link(
                m,
                &colours.of(m),
                &format!("rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\"", n(cx), n(cy)),
            ));
        }
        y += undated.len().div_ceil(per_row) as f64 * 12.0;
        svg.line("</g>");
    }
    let h = (y + 6.0).ceil();

    let dated_desc = match (dated.first(), dated.iter().map(|d| d.end).max()) {
        (Some(f), Some(e)) => format!(
            "{} from {} to {}, in {}",
            plural(dated.len(), "dated incident", "dated incidents"),
            f.start.format("%-d %B %Y"),
            (e - Duration::days(1)).format("%-d %B %Y"),
            plural(panels.len(), "period", "periods")
        ),
        _ => "no dated incidents".into(),
    };
    let desc = format!(
        "{dated_desc}; {}. Each incident is a mark coloured by the group that claimed it.",
        plural(undated.len(), "undated incident", "undated incidents")
    );
    svg.finish(&p, "timeline", WIDTH, h, "Timeline of incidents", &desc)
}

// ---------------------------------------------------------------------------------------------
// Map.

/// A country outline: name, label point and rings, in degrees.
struct Country {
    name: String,
    label: (f64, f64),
    rings: Vec<Vec<(f64, f64)>>,
    bbox: (f64, f64, f64, f64),
}

fn countries() -> &'static [Country] {
    static PARSED: OnceLock<Vec<Country>> = OnceLock::new();
    PARSED.get_or_init(|| parse_countries(COUNTRIES))
}

fn parse_point(s: &str) -> Option<(f64, f64)> {
    let (a, b) = s.split_once(',')?;
    Some((
        a.parse::<i32>().ok()? as f64 / 10.0,
        b.parse::<i32>().ok()? as f64 / 10.0,
    ))
}

fn parse_countries(text: &str) -> Vec<Country> {
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let mut fields = line.split('\t');
        let (Some(name), Some(label)) = (fields.next(), fields.next().and_then(parse_point)) else {
            continue;
        };
        let rings: Vec<Vec<(f64, f64)>> = fields
            .map(|r| r.split(' ').filter_map(parse_point).collect::<Vec<_>>())
            .filter(|r| r.len() >= 3)
            .collect();
        let mut bbox = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for &(x, y) in rings.iter().flatten() {
            bbox = (bbox.0.min(x), bbox.1.min(y), bbox.2.max(x), bbox.3.max(y));
        }
        if !rings.is_empty() {
            out.push(Country {
                name: name.to_string(),
                label,
                rings,
                bbox,
            });
        }
    }
    out
}

/// Sutherland–Hodgman: a ring clipped to the rectangle (x0, y0)–(x1, y1).
fn clip_ring(ring: &[(f64, f64)], x0: f64, y0: f64, x1: f64, y1: f64) -> Vec<(f64, f64)> {
    type Inside = fn(&(f64, f64), f64) -> bool;
    let edges: [(Inside, f64, bool); 4] = [
        (|p, v| p.0 >= v, x0, true),
        (|p, v| p.0 <= v, x1, true),
        (|p, v| p.1 >= v, y0, false),
        (|p, v| p.1 <= v, y1, false),
    ];
    let mut pts: Vec<(f64, f64)> = ring.to_vec();
    for (inside, v, vertical) in edges {
        if pts.is_empty() {
            break;
        }
        let input = std::mem::take(&mut pts);
        let cross = |a: (f64, f64), b: (f64, f64)| {
            if vertical {
                let t = (v - a.0) / (b.0 - a.0);
                (v, a.1 + t * (b.1 - a.1))
            } else {
                let t = (v - a.1) / (b.1 - a.1);
                (a.0 + t * (b.0 - a.0), v)
            }
        };
        let mut prev = input[input.len() - 1];
        for &cur in &input {
            match (inside(&cur, v), inside(&prev, v)) {
                (true, true) => pts.push(cur),
                (true, false) => {
                    pts.push(cross(prev, cur));
                    pts.push(cur);
                }
                (false, true) => pts.push(cross(prev, cur)),
                (false, false) => {}
            }
            prev = cur;
        }
    }
    pts
}

/// Area and centroid of a polygon (shoelace); the first point when it has no area.
fn area_centroid(pts: &[(f64, f64)]) -> (f64, (f64, f64)) {
    let (mut a, mut cx, mut cy) = (0.0, 0.0, 0.0);
    for (i, &(x0, y0)) in pts.iter().enumerate() {
        let (x1, y1) = pts[(i + 1) % pts.len()];
        let c = x0 * y1 - x1 * y0;
        a += c;
        cx += (x0 + x1) * c;
        cy += (y0 + y1) * c;
    }
    if a.abs() < 1e-9 {
        return (0.0, pts.first().copied().unwrap_or((0.0, 0.0)));
    }
    (a.abs() / 2.0, (cx / (3.0 * a), cy / (3.0 * a)))
}

fn valid_place(p: &MapPlace) -> bool {
    p.lat.is_finite() && p.lon.is_finite() && (-85.0..=85.0).contains(&p.lat) && (-180.0..=180.0).contains(&p.lon)
}

/// The map: country borders and names around the places passed in, each place a circle
/// whose area is proportional to its incidents, labelled where a label fits, each a link;
/// highlighted places emphasised. The view fits the places with padding and is at least
/// about 8° × 6°, so a single place still shows its country. Places with invalid
/// coordinates are skipped. Returns "" when no place can be drawn.
pub fn map_svg(prefix: &str, places: &[MapPlace]) -> String {
    let mut places: Vec<&MapPlace> = places.iter().filter(|p| valid_place(p)).collect();
    if places.is_empty() {
        return String::new();
    }
    places.sort_by(|a, b| {
        (&a.id, &a.name, &a.href, a.incidents, a.highlight)
            .cmp(&(&b.id, &b.name, &b.href, b.incidents, b.highlight))
            .then(a.lat.total_cmp(&b.lat))
            .then(a.lon.total_cmp(&b.lon))
    });
    let p = id_prefix(prefix);

    // The view, in degrees.
    let (mut lon0, mut lon1, mut lat0, mut lat1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for pl in &places {
        lon0 = lon0.min(pl.lon);
        lon1 = lon1.max(pl.lon);
        lat0 = lat0.min(pl.lat);
        lat1 = lat1.max(pl.lat);
    }
    let pad = 1.0;
    let (cx, cy) = ((lon0 + lon1) / 2.0, (lat0 + lat1) / 2.0);
    let mut dlon = (lon1 - lon0 + 2.0 * pad).max(8.0);
    let mut dlat = (lat1 - lat0 + 2.0 * pad).max(6.0);
    let k = cy.to_radians().cos().max(0.2);
    let aspect = dlat / (dlon * k);
    if aspect > 0.7 {
        dlon = dlat / (0.7 * k);
    } else if aspect < 0.5 {
        dlat = 0.5 * dlon * k;
    }
    let (lon0, lon1) = (cx - dlon / 2.0, cx + dlon / 2.0);
    let (lat0, lat1) = (cy - dlat / 2.0, cy + dlat / 2.0);
    let s = WIDTH / (dlon * k);
    let h = (dlat * s).round();
    let proj = |lon: f64, lat: f64| ((lon - lon0) * k * s, (lat1 - lat) * s);
    let view = BBox {
        x0: 0.0,
        y0: 0.0,
        x1: WIDTH,
        y1: h,
    };

    let mut svg = Svg::new();
    svg.line(&format!(
        "<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" class=\"sea\"/>",
        n(WIDTH),
        n(h)
    ));

    // Countries.
    let m = 1.0;
    let mut visible: Vec<(&Country, (f64, f64))> = Vec::new();
    svg.line("<g class=\"countries\" aria-hidden=\"true\">");
    for c in countries() {
        if c.bbox.2 < lon0 - m || c.bbox.0 > lon1 + m || c.bbox.3 < lat0 - m || c.bbox.1 > lat1 + m {
            continue;
        }
        let mut d = String::new();
        for ring in &c.rings {
            let clipped = clip_ring(ring, lon0 - m, lat0 - m, lon1 + m, lat1 + m);
            if clipped.len() < 3 {
                continue;
            }
            for (i, &(lon, lat)) in clipped.iter().enumerate() {
                let (x, y) = proj(lon, lat);
                let _ = write!(d, "{}{} {}", if i == 0 { "M" } else { "L" }, n(x), n(y));
            }
            d.push('Z');
        }
        if !d.is_empty() {
            svg.line(&format!("<path class=\"country\" d=\"{d}\"/>"));
            // The label point, or, when it is out of view, the centre of the largest part
            // in view if that part is big enough to be worth a name.
            let (x, y) = proj(c.label.0, c.label.1);
            let inside = (0.0..=WIDTH).contains(&x) && (0.0..=h).contains(&y);
            let at = if inside {
                Some((x, y))
            } else {
                c.rings
                    .iter()
                    .map(|r| {
                        let pts: Vec<(f64, f64)> = clip_ring(r, lon0, lat0, lon1, lat1)
                            .into_iter()
                            .map(|(lon, lat)| proj(lon, lat))
                            .collect();
                        area_centroid(&pts)
                    })
                    .filter(|(a, _)| *a > 0.04 * WIDTH * h)
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .map(|(_, p)| p)
            };
            if let Some(at) = at {
                visible.push((c, at));
            }
        }
    }
    svg.line("</g>");

    // Circles: area proportional to incidents.
    let max = places.iter().map(|p| p.incidents).max().unwrap_or(0).max(1) as f64;
    let r_unit = (24.0 / max.sqrt()).min(7.0);
    let radius = |pl: &MapPlace| {
        if pl.incidents == 0 {
            2.5
        } else {
            (r_unit * (pl.incidents as f64).sqrt()).max(2.0)
        }
    };
    let circles: Vec<(f64, f64, f64)> = places
        .iter()
        .map(|pl| {
            let (x, y) = proj(pl.lon, pl.lat);
            (x, y, radius(pl))
        })
        .collect();

    // Scale bar, bottom left (its box is reserved before labels).
    let km_px = s / 111.32;
    let km = [10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0]
        .into_iter()
        .filter(|km| km * km_px <= 140.0)
        .fold(10.0, f64::max);
    let bar = km * km_px;
    let (bx, by) = (10.0, h - 10.0);
    let mut taken: Vec<BBox> = vec![BBox {
        x0: bx - 2.0,
        y0: by - 16.0,
        x1: bx + bar.max(40.0) + 2.0,
        y1: by + 2.0,
    }];

    // Place labels, most important first; a label goes where it collides with nothing.
    let mut order: Vec<usize> = (0..places.len()).collect();
    order.sort_by(|&a, &b| {
        (
            !places[a].highlight,
            std::cmp::Reverse(places[a].incidents),
            &places[a].name,
            &places[a].id,
        )
            .cmp(&(
                !places[b].highlight,
                std::cmp::Reverse(places[b].incidents),
                &places[b].name,
                &places[b].id,
            ))
    });
    let circle_box = |&(x, y, r): &(f64, f64, f64)| BBox {
        x0: x - r,
        y0: y - r,
        x1: x + r,
        y1: y + r,
    };
    let mut labels: Vec<(usize, f64, f64, Anchor)> = Vec::new();
    for strict in [true, false] {
        for &i in &order {
            if labels.iter().any(|l| l.0 == i) {
                continue;
            }
            let (x, y, r) = circles[i];
            let name = &places[i].name;
            let w = text_width(name, FONT);
            let cands = [
                (x + r + 3.0, y + 4.0, Anchor::Start),
                (x - r - 3.0, y + 4.0, Anchor::End),
                (x, y - r - 4.0, Anchor::Middle),
                (x, y + r + 12.0, Anchor::Middle),
                (x + r + 2.0, y - r - 2.0, Anchor::Start),
                (x + r + 2.0, y + r + 10.0, Anchor::Start),
                (x - r - 2.0, y - r - 2.0, Anchor::End),
                (x - r - 2.0, y + r + 10.0, Anchor::End),
            ];
            for (lx, ly, a) in cands {
                let b = text_box(lx, ly, w, a, FONT);
                let b = BBox {
                    x0: b.x0 - 2.0,
                    x1: b.x1 + 2.0,
                    ..b
                };
                if !b.inside(&view) || taken.iter().any(|t| t.overlaps(&b)) {
                    continue;
                }
                if strict
                    && circles
                        .iter()
                        .enumerate()
                        .any(|(j, c)| j != i && circle_box(c).overlaps(&b))
                {
                    continue;
                }
                taken.push(b);
                labels.push((i, lx, ly, a));
                break;
            }
        }
    }
    labels.sort_by_key(|l| l.0);

    // Country names where they fit.
    svg.line("<g class=\"country-names\" aria-hidden=\"true\">");
    for (c, (x, y)) in &visible {
        let (x, y) = (*x, *y);
        let name = c.name.to_uppercase();
        let b = text_box(x, y, text_width(&name, 10.0) * 1.1, Anchor::Middle, 10.0);
        if !b.inside(&view) || taken.iter().any(|t| t.overlaps(&b)) {
            continue;
        }
        taken.push(b);
        svg.text(x, y, Anchor::Middle, "country-name", 10.0, &name);
    }
    svg.line("</g>");

    // Circles, big under small.
    let mut draw: Vec<usize> = (0..places.len()).collect();
    draw.sort_by(|&a, &b| circles[b].2.total_cmp(&circles[a].2).then(a.cmp(&b)));
    svg.line("<g class=\"places\">");
    for i in draw {
        let pl = places[i];
        let (x, y, r) = circles[i];
        let class = match (pl.highlight, pl.incidents) {
            (true, 0) => "place empty hl",
            (true, _) => "place hl",
            (false, 0) => "place empty",
            (false, _) => "place",
        };
        let title = format!("{}: {}", pl.name, plural(pl.incidents, "incident", "incidents"));
        svg.line(&format!(
            "<a href=\"{}\"><title>{}</title><circle cx=\"{}\" cy=\"{}\" r=\"{}\" class=\"{class}\"/></a>",
            escape(&pl.href),
            escape(&title),
            n(x),
            n(y),
            n(r)
        ));
    }
    svg.line("</g>");
    svg.line("<g class=\"place-names\" aria-hidden=\"true\">");
    for (i, lx, ly, a) in labels {
        let class = if places[i].highlight {
            "place-name hl"
        } else {
            "place-name"
        };
        svg.text(lx, ly, a, class, FONT, &places[i].name);
    }
    svg.line("</g>");

    // Scale bar.
    let label = format!("{} km", n(km));
    svg.line(&format!(
        "<path class=\"scale\" d=\"M{} {}V{}H{}V{}\"/>",
        n(bx),
        n(by - 4.0),
        n(by),
        n(bx + bar),
        n(by - 4.0)
    ));
    svg.text(bx, by - 7.0, Anchor::Start, "label", 10.0, &label);
    let frame = format!(
        "<rect x=\"0.5\" y=\"0.5\" width=\"{}\" height=\"{}\" class=\"frame\"/>",
        n(WIDTH - 1.0),
        n(h - 1.0)
    );
    svg.line(&frame);

    let total: usize = places.iter().map(|p| p.incidents).sum();
    let desc = format!(
        "{} with {}; each circle's area is proportional to its number of incidents. \
         Borders: Natural Earth (public domain).",
        plural(places.len(), "place", "places"),
        plural(total, "incident", "incidents")
    );
    svg.finish(&p, "map", WIDTH, h, "Map of places attacked", &desc)
}

// ---------------------------------------------------------------------------------------------
// Group network.

const BOX_W: f64 = 176.0;
const BOX_H: f64 = 20.0;
const ROW: f64 = 28.0;
const GUTTER: f64 = 80.0;

/// The group network, layered left to right: groups that are members of no group shown,
/// then their members (one column per level), then the places attacked. Each node is a
/// link; solid curves join an umbrella to its members, dashed curves a group to a place
/// it claimed an attack on. Highlighted nodes and their edges are emphasised. Edges whose
/// ends are not nodes, or whose kinds do not fit (a place as a member), are left out.
/// Returns "" when `nodes` is empty.
pub fn network_svg(prefix: &str, nodes: &[Node], edges: &[Edge]) -> String {
    if nodes.is_empty() {
        return String::new();
    }
    let p = id_prefix(prefix);
    let mut by_id: BTreeMap<&str, &Node> = BTreeMap::new();
    let mut sorted: Vec<&Node> = nodes.iter().collect();
    sorted.sort_by(|a, b| {
        (&a.id, a.kind, &a.label, &a.href, a.highlight).cmp(&(&b.id, b.kind, &b.label, &b.href, b.highlight))
    });
    for nd in sorted {
        by_id.entry(&nd.id).or_insert(nd);
    }
    let kind_of = |id: &str| by_id.get(id).map(|nd| nd.kind);
    let edges: BTreeSet<&Edge> = edges
        .iter()
        .filter(|e| {
            e.from != e.to
                && kind_of(&e.from) == Some(NodeKind::Group)
                && kind_of(&e.to)
                    == Some(match e.kind {
                        EdgeKind::MemberOf => NodeKind::Group,
                        EdgeKind::Claimed => NodeKind::Place,
                    })
        })
        .collect();
    let mut umbrellas: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for e in edges.iter().filter(|e| e.kind == EdgeKind::MemberOf) {
        umbrellas.entry(&e.from).or_default().push(&e.to);
    }

    // Levels: a group is one column right of its deepest umbrella (cycles cut).
    fn depth<'a>(
        id: &'a str,
        up: &BTreeMap<&'a str, Vec<&'a str>>,
        memo: &mut BTreeMap<&'a str, usize>,
        path: &mut Vec<&'a str>,
    ) -> usize {
        if let Some(d) = memo.get(id) {
            return *d;
        }
        if path.contains(&id) {
            return 0;
        }
        path.push(id);
        let d = up
            .get(id)
            .map(|us| us.iter().map(|u| depth(u, up, memo, path) + 1).max().unwrap_or(0))
            .unwrap_or(0);
        path.pop();
        memo.insert(id, d);
        d
    }
    let mut memo = BTreeMap::new();
    let mut columns: Vec<Vec<&Node>> = Vec::new();
    for nd in by_id.values().filter(|nd| nd.kind == NodeKind::Group) {
        let d = depth(&nd.id, &umbrellas, &mut memo, &mut Vec::new());
        if columns.len() <= d {
            columns.resize(d + 1, Vec::new());
        }
        columns[d].push(nd);
    }
    columns.retain(|c| !c.is_empty());
    let group_cols = columns.len();
    let places: Vec<&Node> = by_id
        .values()
        .filter(|nd| nd.kind == NodeKind::Place)
        .copied()
        .collect();
    if !places.is_empty() {
        columns.push(places);
    }
    let rows = columns.iter().map(Vec::len).max().unwrap_or(0);
    let top = 52.0;
    let h = top + rows as f64 * ROW + 6.0;
    let ncols = columns.len();
    let w = (ncols as f64 * BOX_W + (ncols.saturating_sub(1)) as f64 * GUTTER).max(WIDTH);
    let col_gap = if ncols > 1 {
        (w - ncols as f64 * BOX_W) / (ncols - 1) as f64
    } else {
        0.0
    };

    // Order each column by the mean row of its neighbours to the left, then by label.
    let mut pos: BTreeMap<&str, (usize, f64)> = BTreeMap::new();
    let key = |nd: &Node| (nd.label.to_lowercase(), nd.id.clone());
    for (ci, col) in columns.iter_mut().enumerate() {
        let mut bary: BTreeMap<&str, f64> = BTreeMap::new();
        for nd in col.iter() {
            let ys: Vec<f64> = edges
                .iter()
                .filter_map(|e| {
                    let other = match e.kind {
                        EdgeKind::MemberOf if e.from == nd.id => &e.to,
                        EdgeKind::Claimed if e.to == nd.id => &e.from,
                        _ => return None,
                    };
                    pos.get(other.as_str()).map(|p| p.1)
                })
                .collect();
            let b = if ys.is_empty() {
                f64::MAX
            } else {
                ys.iter().sum::<f64>() / ys.len() as f64
            };
            bary.insert(&nd.id, b);
        }
        col.sort_by(|a, b| {
            bary[a.id.as_str()]
                .total_cmp(&bary[b.id.as_str()])
                .then_with(|| key(a).cmp(&key(b)))
        });
        let offset = (rows - col.len()) as f64 * ROW / 2.0;
        for (ri, nd) in col.iter().enumerate() {
            pos.insert(&nd.id, (ci, top + offset + ri as f64 * ROW));
        }
    }
    let col_x = |ci: usize| ci as f64 * (BOX_W + col_gap);
    // The y of the gaps between (and around) the boxes of each column, for edges crossing it.
    let gaps: Vec<Vec<f64>> = columns
        .iter()
        .map(|col| {
            let mut ys: Vec<f64> = col
                .iter()
                .filter_map(|nd| pos.get(nd.id.as_str()).map(|p| p.1 + BOX_H + (ROW - BOX_H) / 2.0))
                .collect();
            if let Some(first) = col.first().and_then(|nd| pos.get(nd.id.as_str())) {
                ys.push(first.1 - (ROW - BOX_H) / 2.0);
            }
            ys.sort_by(f64::total_cmp);
            ys
        })
        .collect();

    let mut svg = Svg::new();
    // Legend and column headings.
    svg.line("<g class=\"legend\">");
    svg.line("<path class=\"edge member\" d=\"M0 10H28\"/>");
    svg.text(
        34.0,
        14.0,
        Anchor::Start,
        "label",
        FONT,
        "umbrella group \u{2013} member",
    );
    let lx = 34.0 + text_width("umbrella group \u{2013} member", FONT) + 24.0;
    svg.line(&format!(
        "<path class=\"edge claim\" d=\"M{} 10H{}\"/>",
        n(lx),
        n(lx + 28.0)
    ));
    svg.text(
        lx + 34.0,
        14.0,
        Anchor::Start,
        "label",
        FONT,
        "group \u{2013} place it claimed an attack on",
    );
    for ci in 0..ncols {
        let heading = match ci {
            _ if ci >= group_cols => "Places attacked",
            0 => "Groups",
            1 => "Members",
            _ => "Members of members",
        };
        svg.text(col_x(ci), 38.0, Anchor::Start, "heading", FONT, heading);
    }
    svg.line("</g>");

    // Edges, drawn left to right under the nodes.
    svg.line("<g class=\"edges\">");
    for e in &edges {
        let (Some(&(fc, fy)), Some(&(tc, ty))) = (pos.get(e.from.as_str()), pos.get(e.to.as_str())) else {
            continue;
        };
        let hl = by_id.get(e.from.as_str()).is_some_and(|nd| nd.highlight)
            || by_id.get(e.to.as_str()).is_some_and(|nd| nd.highlight);
        let (class, verb) = match e.kind {
            EdgeKind::MemberOf => ("edge member", "is a member of"),
            EdgeKind::Claimed => ("edge claim", "claimed an attack on"),
        };
        let ((ac, ay), (bc, by)) = if fc <= tc {
            ((fc, fy), (tc, ty))
        } else {
            ((tc, ty), (fc, fy))
        };
        let (ay, by) = (ay + BOX_H / 2.0, by + BOX_H / 2.0);
        let d = if ac == bc {
            let x = col_x(ac) + BOX_W;
            format!(
                "M{} {}C{} {} {} {} {} {}",
                n(x),
                n(ay),
                n(x + 30.0),
                n(ay),
                n(x + 30.0),
                n(by),
                n(x),
                n(by)
            )
        } else {
            // Waypoints: out of the left box, through the gap between two boxes of every
            // column it crosses (nearest to the straight line), into the right box.
            let mut pts = vec![(col_x(ac) + BOX_W, ay)];
            for (c, col_gaps) in gaps.iter().enumerate().take(bc).skip(ac + 1) {
                let t = (c - ac) as f64 / (bc - ac) as f64;
                let ideal = ay + t * (by - ay);
                let gy = col_gaps
                    .iter()
                    .copied()
                    .min_by(|g1, g2| (g1 - ideal).abs().total_cmp(&(g2 - ideal).abs()))
                    .unwrap_or(ideal);
                pts.push((col_x(c), gy));
                pts.push((col_x(c) + BOX_W, gy));
            }
            pts.push((col_x(bc), by));
            let mut d = format!("M{} {}", n(pts[0].0), n(pts[0].1));
            for (i, pair) in pts.windows(2).enumerate() {
                let ((x1, y1), (x2, y2)) = (pair[0], pair[1]);
                if i % 2 == 1 {
                    let _ = write!(d, "H{}", n(x2));
                } else {
                    let dx = (x2 - x1) / 2.0;
                    let _ = write!(
                        d,
                        "C{} {} {} {} {} {}",
                        n(x1 + dx),
                        n(y1),
                        n(x2 - dx),
                        n(y2),
                        n(x2),
                        n(y2)
                    );
                }
            }
            d
        };
        let title = format!(
            "{} {verb} {}",
            by_id
                .get(e.from.as_str())
                .map_or(e.from.as_str(), |nd| nd.label.as_str()),
            by_id.get(e.to.as_str()).map_or(e.to.as_str(), |nd| nd.label.as_str())
        );
        svg.line(&format!(
            "<path class=\"{class}{}\" d=\"{d}\"><title>{}</title></path>",
            if hl { " hl" } else { "" },
            escape(&title)
        ));
    }
    svg.line("</g>");

    // Nodes.
    svg.line("<g class=\"nodes\">");
    for (ci, col) in columns.iter().enumerate() {
        for nd in col {
            let Some(&(_, y)) = pos.get(nd.id.as_str()) else {
                continue;
            };
            let x = col_x(ci);
            let kind = match nd.kind {
                NodeKind::Group => "group",
                NodeKind::Place => "place",
            };
            let class = if nd.highlight {
                format!("node {kind} hl")
            } else {
                format!("node {kind}")
            };
            let text = fit(&nd.label, FONT, BOX_W - 12.0);
            svg.line(&format!(
                "<a href=\"{}\" class=\"{class}\"><title>{}</title><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\"/><text x=\"{}\" y=\"{}\">{}</text></a>",
                escape(&nd.href),
                escape(&nd.label),
                n(x),
                n(y),
                n(BOX_W),
                n(BOX_H),
                n(x + 6.0),
                n(y + 14.0),
                escape(&text)
            ));
        }
    }
    svg.line("</g>");

    let groups = by_id.values().filter(|nd| nd.kind == NodeKind::Group).count();
    let member = edges.iter().filter(|e| e.kind == EdgeKind::MemberOf).count();
    let claims = edges.len() - member;
    let desc = format!(
        "{} and {}; {} and {}.",
        plural(groups, "group", "groups"),
        plural(by_id.len() - groups, "place", "places"),
        plural(member, "membership", "memberships"),
        plural(claims, "claimed attack on a place", "claimed attacks on places")
    );
    svg.finish(
        &p,
        "network",
        w,
        h,
        "Armed groups, their umbrellas and the places they claimed attacks on",
        &desc,
    )
}

// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    fn mark(id: &str, date: Option<&str>, p: Precision, claimant: Option<&str>) -> Mark {
        Mark {
            id: id.into(),
            date: date.map(d),
            precision: p,
            label: format!("Attack {id}"),
            href: format!("incidents/{id}/"),
            claimants: claimant
                .map(|c| {
                    vec![Claimant {
                        id: c.into(),
                        name: c.to_uppercase(),
                    }]
                })
                .unwrap_or_default(),
        }
    }

    /// Label boxes of a picture, laid out again (the same code path as the SVG).
    fn labels_of_timeline(marks: &[Mark]) -> Vec<BBox> {
        // Re-run the layout and collect the boxes the writer recorded.
        let svg = timeline_svg("t", marks, &[]);
        assert!(!svg.is_empty());
        parse_text_boxes(&svg)
    }

    /// Boxes of every `<text>` element, from its x, y, anchor, size and content.
    fn parse_text_boxes(svg: &str) -> Vec<BBox> {
        let attr = |line: &str, name: &str| -> Option<String> {
            let key = format!(" {name}=\"");
            let i = line.find(&key)? + key.len();
            let j = line[i..].find('"')? + i;
            Some(line[i..j].to_string())
        };
        let mut out = Vec::new();
        for line in svg.lines() {
            let Some(start) = line.find("<text ") else { continue };
            let line = &line[start..];
            let x: f64 = attr(line, "x").and_then(|v| v.parse().ok()).unwrap_or(0.0);
            let y: f64 = attr(line, "y").and_then(|v| v.parse().ok()).unwrap_or(0.0);
            let size: f64 = attr(line, "font-size").and_then(|v| v.parse().ok()).unwrap_or(FONT);
            let anchor = match attr(line, "text-anchor").as_deref() {
                Some("middle") => Anchor::Middle,
                Some("end") => Anchor::End,
                _ => Anchor::Start,
            };
            let gt = line.find('>').map_or(0, |i| i + 1);
            let end = line.find("</text>").unwrap_or(line.len());
            let text = line[gt..end]
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&amp;", "&");
            out.push(text_box(x, y, text_width(&text, size), anchor, size));
        }
        out
    }

    fn assert_no_overlap(boxes: &[BBox]) {
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[i + 1..] {
                assert!(!a.overlaps(b), "labels overlap: {a:?} {b:?}");
            }
        }
    }

    #[test]
    fn numbers_have_one_decimal_and_no_negative_zero() {
        assert_eq!(n(1.0), "1");
        assert_eq!(n(1.25), "1.3");
        assert_eq!(n(-0.04), "0");
        assert_eq!(n(-2.5), "-2.5");
        assert_eq!(n(f64::NAN), "0");
    }

    #[test]
    fn fit_shortens_with_an_ellipsis() {
        let s = fit("Harakat Hezbollah al-Nujaba and friends", FONT, 80.0);
        assert!(s.ends_with('\u{2026}'));
        assert!(text_width(&s, FONT) <= 80.0);
        assert_eq!(fit("KH", FONT, 80.0), "KH");
    }

    #[test]
    fn ids_prefixes_are_safe() {
        assert_eq!(id_prefix("map"), "map");
        assert_eq!(id_prefix("1 \"x\""), "pic-1--x-");
    }

    #[test]
    fn episodes_split_at_long_gaps() {
        let marks = [
            mark("a", Some("2023-10-18"), Precision::Day, None),
            mark("b", Some("2023-10-23"), Precision::Day, None),
            mark("c", Some("2024-10-27"), Precision::Day, None),
        ];
        let dated: Vec<Dated> = marks
            .iter()
            .map(|m| {
                let s = m.date.unwrap_or_default();
                Dated {
                    mark: m,
                    start: s,
                    end: s + Duration::days(1),
                    span: false,
                }
            })
            .collect();
        let eps = episodes(&dated, PANEL_GAP_DAYS);
        assert_eq!(eps.iter().map(|e| e.len()).collect::<Vec<_>>(), vec![2, 1]);
        let svg = timeline_svg("t", &marks, &[]);
        assert!(svg.contains("369 days without incidents"), "{svg}");
        assert!(svg.contains("18\u{2013}23 October 2023 \u{00b7} 2 incidents"));
    }

    #[test]
    fn week_and_month_precision_are_spans() {
        let marks = [
            mark("a", Some("2023-10-16"), Precision::Week, Some("kh")),
            mark("b", Some("2023-10-01"), Precision::Month, None),
            mark("c", Some("2023-10-18"), Precision::Day, Some("kh")),
        ];
        let svg = timeline_svg("t", &marks, &[]);
        assert_eq!(svg.matches("class=\"span ").count(), 2, "{svg}");
        assert!(svg.contains("week of 16 October 2023: Attack a (claimed by KH)"));
    }

    #[test]
    fn colours_follow_the_given_order_then_counts() {
        let marks = [
            mark("a", Some("2023-10-16"), Precision::Day, Some("zz")),
            mark("b", Some("2023-10-17"), Precision::Day, Some("aa")),
            mark("c", Some("2023-10-18"), Precision::Day, Some("aa")),
            mark("d", Some("2023-10-18"), Precision::Day, None),
        ];
        let refs: Vec<&Mark> = marks.iter().collect();
        let c = colours(&refs, &["zz"]);
        assert_eq!(c.of(&marks[0]), "c0");
        assert_eq!(c.of(&marks[1]), "c1");
        assert_eq!(c.of(&marks[3]), "cu");
        let c = colours(&refs, &[]);
        assert_eq!(c.of(&marks[1]), "c0");
    }

    #[test]
    fn many_claimants_share_the_other_colour() {
        let marks: Vec<Mark> = (0..12)
            .map(|i| {
                mark(
                    &format!("m{i:02}"),
                    Some("2023-10-18"),
                    Precision::Day,
                    Some(&format!("g{i:02}")),
                )
            })
            .collect();
        let svg = timeline_svg("t", &marks, &[]);
        assert!(svg.contains("other claimants (5)"), "{svg}");
        assert_eq!(svg.matches("class=\"c7\"/></a>").count(), 5);
    }

    #[test]
    fn thousand_incidents_labels_do_not_overlap() {
        let start = d("2022-01-01");
        let marks: Vec<Mark> = (0..1000)
            .map(|i| {
                let day = (i * 7919 % 1100) as i64;
                let p = match i % 50 {
                    0 => Precision::Week,
                    1 => Precision::Month,
                    _ => Precision::Day,
                };
                let mut m = mark(
                    &format!("i{i:04}"),
                    if i % 97 == 0 { None } else { Some("2000-01-01") },
                    p,
                    Some(&format!("g{}", i % 9)).filter(|_| i % 4 != 0).map(String::as_str),
                );
                if m.date.is_some() {
                    m.date = Some(start + Duration::days(day));
                }
                m
            })
            .collect();
        assert_no_overlap(&labels_of_timeline(&marks));
    }

    #[test]
    fn one_incident_labels_do_not_overlap() {
        let marks = [mark("a", Some("2023-10-18"), Precision::Day, Some("kh"))];
        assert_no_overlap(&labels_of_timeline(&marks));
    }

    #[test]
    fn dense_days_have_day_ticks_that_do_not_collide() {
        let marks: Vec<Mark> = (0..40)
            .map(|i| {
                let mut m = mark(&format!("i{i}"), Some("2023-10-01"), Precision::Day, None);
                m.date = Some(d("2023-10-01") + Duration::days(i));
                m
            })
            .collect();
        assert_no_overlap(&labels_of_timeline(&marks));
    }

    #[test]
    fn clipping_keeps_the_inside() {
        let square = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)];
        let c = clip_ring(&square, 5.0, -1.0, 20.0, 20.0);
        assert!(c.iter().all(|p| p.0 >= 5.0));
        assert_eq!(c.len(), 4);
        assert!(clip_ring(&square, 20.0, 20.0, 30.0, 30.0).is_empty());
    }

    #[test]
    fn countries_parse_and_include_the_region() {
        let cs = countries();
        assert!(cs.len() > 150);
        for name in ["Iraq", "Syria", "Jordan", "Turkey", "Iran", "Saudi Arabia"] {
            assert!(cs.iter().any(|c| c.name == name), "{name}");
        }
    }

    fn place(id: &str, lat: f64, lon: f64, k: usize) -> MapPlace {
        MapPlace {
            id: id.into(),
            name: id.replace('-', " "),
            lat,
            lon,
            incidents: k,
            href: format!("places/{id}/"),
            highlight: false,
        }
    }

    #[test]
    fn map_labels_do_not_overlap_even_when_crowded() {
        let places: Vec<MapPlace> = (0..200)
            .map(|i| {
                place(
                    &format!("place-{i}"),
                    33.0 + (i % 20) as f64 * 0.2,
                    40.0 + (i / 20) as f64 * 0.3,
                    i % 5,
                )
            })
            .collect();
        let svg = map_svg("m", &places);
        assert_no_overlap(&parse_text_boxes(&svg));
        assert_eq!(svg.matches("<circle ").count(), 200);
    }

    #[test]
    fn single_place_shows_its_country() {
        let svg = map_svg("m", &[place("al-tanf", 33.5058, 38.6178, 3)]);
        assert!(svg.contains(">SYRIA</text>"), "{svg}");
        assert!(svg.contains("<path class=\"country\""));
        assert!(svg.contains(">al tanf</text>"));
    }

    #[test]
    fn circle_area_is_proportional_to_incidents() {
        let svg = map_svg("m", &[place("a", 33.0, 40.0, 1), place("b", 34.0, 42.0, 4)]);
        let radii: Vec<f64> = svg
            .lines()
            .filter_map(|l| l.split(" r=\"").nth(1))
            .filter_map(|r| r.split('"').next())
            .filter_map(|r| r.parse().ok())
            .collect();
        assert_eq!(radii.len(), 2);
        assert!((radii[0] / radii[1] - 2.0).abs() < 0.05, "{radii:?}");
    }

    #[test]
    fn network_layers_umbrellas_before_members_before_places() {
        let node = |id: &str, kind| Node {
            id: id.into(),
            label: id.into(),
            kind,
            href: format!("{id}/"),
            highlight: false,
        };
        let nodes = [
            node("axis", NodeKind::Group),
            node("iri", NodeKind::Group),
            node("kh", NodeKind::Group),
            node("tanf", NodeKind::Place),
        ];
        let edges = [
            Edge {
                from: "kh".into(),
                to: "iri".into(),
                kind: EdgeKind::MemberOf,
            },
            Edge {
                from: "iri".into(),
                to: "axis".into(),
                kind: EdgeKind::MemberOf,
            },
            Edge {
                from: "iri".into(),
                to: "tanf".into(),
                kind: EdgeKind::Claimed,
            },
            Edge {
                from: "tanf".into(),
                to: "kh".into(),
                kind: EdgeKind::MemberOf,
            },
        ];
        let svg = network_svg("n", &nodes, &edges);
        let x_of = |id: &str| -> f64 {
            let line = svg
                .lines()
                .find(|l| l.contains(&format!("href=\"{id}/\"")))
                .expect("node line");
            let i = line.find("<rect x=\"").expect("rect") + 9;
            line[i..].split('"').next().and_then(|v| v.parse().ok()).expect("x")
        };
        assert!(x_of("axis") < x_of("iri"));
        assert!(x_of("iri") < x_of("kh"));
        assert!(x_of("kh") < x_of("tanf"));
        assert_eq!(svg.matches("class=\"edge ").count(), 3 + 2, "{svg}");
    }

    #[test]
    fn member_cycles_do_not_hang() {
        let node = |id: &str| Node {
            id: id.into(),
            label: id.into(),
            kind: NodeKind::Group,
            href: String::new(),
            highlight: false,
        };
        let e = |a: &str, b: &str| Edge {
            from: a.into(),
            to: b.into(),
            kind: EdgeKind::MemberOf,
        };
        let svg = network_svg("n", &[node("a"), node("b")], &[e("a", "b"), e("b", "a")]);
        assert!(svg.contains("<title>a is a member of b</title>"));
    }
}
