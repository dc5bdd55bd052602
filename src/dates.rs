//! Date expressions in a sentence ("on Monday", "Sunday night", "on 23 October",
//! "Oct. 22, 2018", "In February", "last week") resolved against the publication date.
//!
//! Relative expressions look backwards: news reports what happened, so "on Monday" in a
//! Monday article is that day, and "on Wednesday" in it is five days earlier. Without a
//! publication date, relative expressions are found but left unresolved.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::Serialize;

use crate::text::{Token, WordShapes, ascii_lower, first_words, words};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    Day,
    Week,
    Month,
    Year,
    Unknown,
}

impl Precision {
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::Day => "day",
            Precision::Week => "week",
            Precision::Month => "month",
            Precision::Year => "year",
            Precision::Unknown => "unknown",
        }
    }

    /// How many days the period spans (for "does this date fall in that period").
    pub fn span_days(self) -> i64 {
        match self {
            Precision::Day => 1,
            Precision::Week => 7,
            Precision::Month => 31,
            Precision::Year => 366,
            Precision::Unknown => 0,
        }
    }
}

/// A date expression found in a sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DateExpr {
    /// The words as written, e.g. "on Sunday night".
    pub phrase: String,
    /// Byte range of the phrase in the sentence.
    pub start: usize,
    pub end: usize,
    /// The resolved date (the first day of a week, month or year); `None` when the
    /// expression is relative and the article has no publication date.
    pub date: Option<NaiveDate>,
    pub precision: Precision,
}

const WEEKDAYS: [(&str, Weekday); 7] = [
    ("monday", Weekday::Mon),
    ("tuesday", Weekday::Tue),
    ("wednesday", Weekday::Wed),
    ("thursday", Weekday::Thu),
    ("friday", Weekday::Fri),
    ("saturday", Weekday::Sat),
    ("sunday", Weekday::Sun),
];

/// The months' names as written in dates ("7 October 2023").
pub const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn weekday(word: &str) -> Option<Weekday> {
    WEEKDAYS
        .iter()
        .find(|(n, _)| word.eq_ignore_ascii_case(n))
        .map(|(_, d)| *d)
}

/// Month number for a full or abbreviated month name ("Oct", "Sept"); `abbreviated` says
/// which it was, since "Mar"/"May" need more context than "March".
fn month(word: &str) -> Option<(u32, bool)> {
    // Asked only of words that passed `may_start_date` (or follow a day number): the shape
    // test there already turns away nearly every word that is no month.
    if let Some(i) = MONTH_NAMES.iter().position(|m| word.eq_ignore_ascii_case(m)) {
        return Some((i as u32 + 1, false));
    }
    MONTH_ABBREVIATIONS
        .iter()
        .find(|(a, _)| word.eq_ignore_ascii_case(a))
        .map(|&(_, m)| (m, true))
}

/// Abbreviated month names and their numbers ("May" and "June" are never abbreviated).
const MONTH_ABBREVIATIONS: [(&str, u32); 10] = [
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("aug", 8),
    ("sep", 9),
    ("sept", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
];

/// The words other than numbers a date expression can begin with (see [`match_at`]).
const RELATIVE_DAY_WORDS: [&str; 6] = ["today", "tonight", "yesterday", "this", "last", "earlier"];

/// The shapes of [`RELATIVE_DAY_WORDS`], [`WEEKDAYS`], [`MONTH_NAMES`] and [`MONTH_ABBREVIATIONS`]:
/// a word of another shape begins no date.
static DATE_WORD_SHAPES: WordShapes = {
    let mut shapes = WordShapes::EMPTY;
    shapes.admit_all(&RELATIVE_DAY_WORDS, 0);
    shapes.admit_all(&first_words(&WEEKDAYS), 0);
    shapes.admit_all(&MONTH_NAMES, 0);
    shapes.admit_all(&first_words(&MONTH_ABBREVIATIONS), 0);
    shapes
};

/// A day of the month: "7", "23", "7th", "1st".
fn day_number(word: &str) -> Option<u32> {
    let digits = &word[..word.bytes().take_while(u8::is_ascii_digit).count()];
    let rest = &word[digits.len()..];
    if digits.is_empty() || digits.len() > 2 || !(rest.is_empty() || ["st", "nd", "rd", "th"].contains(&rest)) {
        return None;
    }
    digits.parse().ok().filter(|d| (1..=31).contains(d))
}

fn year_number(word: &str) -> Option<i32> {
    if word.len() == 4 && word.chars().all(|c| c.is_ascii_digit()) {
        word.parse().ok().filter(|y| (1900..=2100).contains(y))
    } else {
        None
    }
}

fn is(tok: Option<&Token<'_>>, word: &str) -> bool {
    tok.is_some_and(|t| t.text.eq_ignore_ascii_case(word))
}

/// Most recent `day` on or before `anchor` (strictly before when `strict`).
fn previous_weekday(anchor: NaiveDate, day: Weekday, strict: bool) -> NaiveDate {
    let mut back = (7 + anchor.weekday().num_days_from_monday() as i64 - day.num_days_from_monday() as i64) % 7;
    if strict && back == 0 {
        back = 7;
    }
    anchor - Duration::days(back)
}

fn week_start(d: NaiveDate) -> NaiveDate {
    d - Duration::days(d.weekday().num_days_from_monday() as i64)
}

fn first_of_month(y: i32, m: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, 1)
}

/// A day and month with no year: the publication year, unless that is more than a week after
/// publication (then the year before: reporting looks back).
fn day_month(pub_date: NaiveDate, m: u32, d: u32) -> Option<NaiveDate> {
    let this_year = NaiveDate::from_ymd_opt(pub_date.year(), m, d);
    match this_year {
        Some(x) if x <= pub_date + Duration::days(7) => Some(x),
        _ => NaiveDate::from_ymd_opt(pub_date.year() - 1, m, d),
    }
}

/// Find and resolve every date expression in `sentence`.
pub fn find_dates(sentence: &str, pub_date: Option<NaiveDate>) -> Vec<DateExpr> {
    find_dates_in(sentence, &words(sentence), pub_date)
}

/// [`find_dates`] with the sentence's words already split (the analyser splits each sentence
/// once for every reader).
pub fn find_dates_in(sentence: &str, toks: &[Token<'_>], pub_date: Option<NaiveDate>) -> Vec<DateExpr> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if !may_start_date(toks[i].text) {
            i += 1;
            continue;
        }
        match match_at(sentence, toks, i, pub_date) {
            Some((first, last, date, precision)) => {
                let (start, end) = (toks[first].start, toks[last].end);
                out.push(DateExpr {
                    phrase: sentence[start..end].to_string(),
                    start,
                    end,
                    date,
                    precision,
                });
                i = last + 1;
            }
            None => i += 1,
        }
    }
    out
}

/// Whether `word` could begin a date expression at all: a number, or a word with the first
/// two letters and the length of a relative day word, a weekday or a month. Asked for every
/// word before [`match_at`], which rules out the same words more slowly.
fn may_start_date(word: &str) -> bool {
    word.as_bytes().first().is_some_and(u8::is_ascii_digit) || DATE_WORD_SHAPES.admits(word)
}

/// The text between two tokens (punctuation and spaces).
fn gap<'a>(s: &'a str, toks: &[Token<'_>], a: usize) -> &'a str {
    match toks.get(a + 1) {
        Some(next) => &s[toks[a].end..next.start],
        None => &s[toks[a].end..],
    }
}

fn is_possessive(s: &str, toks: &[Token<'_>], i: usize) -> bool {
    is(toks.get(i + 1), "s") && matches!(gap(s, toks, i), "'" | "\u{2019}")
}

type Found = (usize, usize, Option<NaiveDate>, Precision);

fn match_at(s: &str, toks: &[Token<'_>], i: usize, pub_date: Option<NaiveDate>) -> Option<Found> {
    let t = toks[i].text;
    // Every word compared with `lower` is short: a longer word comes out empty and matches none.
    let mut lower_buf = [0u8; 16];
    let lower = ascii_lower(t, &mut lower_buf);
    let prev = |k: usize| if i >= k { toks.get(i - k) } else { None };

    // Words that only start an expression: "last week", "this morning", "earlier this month".
    match lower {
        "today" | "tonight" => return Some((i, i, pub_date, Precision::Day)),
        "yesterday" => {
            let first = if is(prev(1), "before") && is(prev(2), "day") && is(prev(3), "the") {
                i - 3
            } else {
                i
            };
            let back = if first == i { 1 } else { 2 };
            return Some((first, i, pub_date.map(|d| d - Duration::days(back)), Precision::Day));
        }
        "this" | "last" | "earlier" => {
            let (earlier, k) = if lower == "earlier" && is(toks.get(i + 1), "this") {
                (true, i + 2)
            } else {
                (false, i + 1)
            };
            let this = lower == "this" || earlier;
            let mut next_buf = [0u8; 16];
            let next = toks.get(k).map(|t| ascii_lower(t.text, &mut next_buf));
            match (this, next) {
                (true, Some("morning" | "afternoon" | "evening")) if !earlier => {
                    return Some((i, k, pub_date, Precision::Day));
                }
                (false, Some("night")) if lower == "last" => {
                    return Some((i, k, pub_date.map(|d| d - Duration::days(1)), Precision::Day));
                }
                (_, Some("week")) => {
                    let d = pub_date.map(|d| {
                        if this {
                            week_start(d)
                        } else {
                            week_start(d) - Duration::days(7)
                        }
                    });
                    return Some((i, k, d, Precision::Week));
                }
                (_, Some("month")) => {
                    let d = pub_date.and_then(|d| {
                        if this {
                            first_of_month(d.year(), d.month())
                        } else if d.month() == 1 {
                            first_of_month(d.year() - 1, 12)
                        } else {
                            first_of_month(d.year(), d.month() - 1)
                        }
                    });
                    return Some((i, k, d, Precision::Month));
                }
                (_, Some("year")) => {
                    let d = pub_date
                        .and_then(|d| NaiveDate::from_ymd_opt(if this { d.year() } else { d.year() - 1 }, 1, 1));
                    return Some((i, k, d, Precision::Year));
                }
                _ => {}
            }
        }
        _ => {}
    }

    // ISO date: 2023-10-18.
    if let Some(y) = year_number(t)
        && toks.len() > i + 2
        && gap(s, toks, i) == "-"
        && gap(s, toks, i + 1) == "-"
        && toks[i + 1].text.len() == 2
        && toks[i + 2].text.len() == 2
        && let (Ok(m), Ok(d)) = (toks[i + 1].text.parse::<u32>(), toks[i + 2].text.parse::<u32>())
        && let Some(date) = NaiveDate::from_ymd_opt(y, m, d)
    {
        return Some((with_on(toks, i), i + 2, Some(date), Precision::Day));
    }

    // A weekday, with its lead-in ("on", "earlier on", "late", "last") and time of day.
    if let Some(day) = weekday(t) {
        let mut first = i;
        let mut strict = false;
        if is(prev(1), "on") {
            first = i - 1;
            if is(prev(2), "earlier") || is(prev(2), "early") || is(prev(2), "late") {
                first = i - 2;
            }
        } else if is(prev(1), "last") {
            first = i - 1;
            strict = true;
        } else if is(prev(1), "late") || is(prev(1), "early") || is(prev(1), "earlier") {
            first = i - 1;
        }
        let mut last = i;
        if !is_possessive(s, toks, i)
            && let Some(next) = toks.get(i + 1)
            && ["morning", "afternoon", "evening", "night"]
                .iter()
                .any(|w| next.text.eq_ignore_ascii_case(w))
            && gap(s, toks, i).trim().is_empty()
        {
            last = i + 1;
        }
        let date = pub_date.map(|d| previous_weekday(d, day, strict));
        return Some((first, last, date, Precision::Day));
    }

    // A day number before a month: "23 October", "7th of October", "22 October 2018".
    if let Some(d) = day_number(t) {
        let mut k = i + 1;
        if is(toks.get(k), "of") {
            k += 1;
        }
        if let Some(mt) = toks.get(k)
            && let Some((m, _)) = month(mt.text)
        {
            let (last, year) = trailing_year(s, toks, k);
            let date = match year {
                Some(y) => NaiveDate::from_ymd_opt(y, m, d),
                None => pub_date.and_then(|p| day_month(p, m, d)),
            };
            if year.is_some() || pub_date.is_none() || date.is_some() {
                return Some((with_on(toks, i), last, date, Precision::Day));
            }
        }
        return None;
    }

    // A month: "October 23", "Oct. 22, 2018", "in February", "February 2024".
    if let Some((m, abbreviated)) = month(t) {
        // "Mar" and "May" are words too; a bare abbreviation needs its full stop and a day.
        let next = toks.get(i + 1);
        if let Some(nt) = next
            && let Some(d) = day_number(nt.text)
            && gap(s, toks, i).trim_start_matches('.').trim().is_empty()
            && !(abbreviated && lower == "mar" && !gap(s, toks, i).starts_with('.'))
            && toks
                .get(i + 2)
                .is_none_or(|after| !after.text.eq_ignore_ascii_case("percent"))
        {
            let (last, year) = trailing_year(s, toks, i + 1);
            let date = match year {
                Some(y) => NaiveDate::from_ymd_opt(y, m, d),
                None => pub_date.and_then(|p| day_month(p, m, d)),
            };
            return Some((with_on(toks, i), last, date, Precision::Day));
        }
        if abbreviated {
            return None;
        }
        // Month with a year and no day: "February 2024", "in February 2024".
        if let Some(nt) = next
            && let Some(y) = year_number(nt.text)
            && gap(s, toks, i).trim().is_empty()
        {
            let first = month_lead_in(toks, i).unwrap_or(i);
            return Some((first, i + 1, first_of_month(y, m), Precision::Month));
        }
        // Month alone needs a lead-in ("in", "last", "in early"), or "may"/"march" would be dates.
        if let Some(first) = month_lead_in(toks, i) {
            let strict = is(toks.get(first), "last");
            let date = pub_date.and_then(|p| {
                let y = if m < p.month() || (m == p.month() && !strict) {
                    p.year()
                } else {
                    p.year() - 1
                };
                first_of_month(y, m)
            });
            // A lowercase "may"/"march" after "in" is still prose ("in march formation").
            if t.chars().next().is_some_and(char::is_uppercase) {
                return Some((first, i, date, Precision::Month));
            }
        }
        return None;
    }

    // A bare year after "in" or "since": "in 2016", "since 2017".
    if let Some(y) = year_number(t) {
        let first = if is(prev(1), "in") {
            Some(i - 1)
        } else if is(prev(1), "since") {
            Some(i)
        } else {
            None
        };
        if let Some(first) = first {
            let is_part_of_number = gap(s, toks, i).starts_with(['-', ','])
                && toks
                    .get(i + 1)
                    .is_some_and(|n| n.text.chars().all(|c| c.is_ascii_digit()));
            if !is_part_of_number {
                return Some((first, i, NaiveDate::from_ymd_opt(y, 1, 1), Precision::Year));
            }
        }
    }
    None
}

/// Include a directly preceding "on" in the phrase.
fn with_on(toks: &[Token<'_>], i: usize) -> usize {
    if i > 0 && is(toks.get(i - 1), "on") { i - 1 } else { i }
}

/// "in", "last", "in early", "in late", "in mid", "early", "late" before a month name.
fn month_lead_in(toks: &[Token<'_>], i: usize) -> Option<usize> {
    let at = |k: usize| if i >= k { toks.get(i - k) } else { None };
    if is(at(1), "early") || is(at(1), "late") || is(at(1), "mid") {
        if is(at(2), "in") {
            return Some(i - 2);
        }
        return Some(i - 1);
    }
    if is(at(1), "in") || is(at(1), "last") || is(at(1), "since") || is(at(1), "during") {
        return Some(i - 1);
    }
    None
}

/// A year right after a day/month ("Oct. 22, 2018", "22 October 2018"): (last token, year).
fn trailing_year(s: &str, toks: &[Token<'_>], k: usize) -> (usize, Option<i32>) {
    if let Some(nt) = toks.get(k + 1)
        && let Some(y) = year_number(nt.text)
        && matches!(gap(s, toks, k).trim(), "" | ",")
    {
        return (k + 1, Some(y));
    }
    (k, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn relative_dates_without_publication_date_stay_unresolved() {
        let found = find_dates("It happened on Monday, not on Oct. 22, 2018.", None);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].date, None);
        assert_eq!(found[1].date, Some(d("2018-10-22")));
    }

    #[test]
    fn possessive_weekday_is_just_the_day() {
        let found = find_dates(
            "Monday’s attack comes after a string of attacks.",
            Some(d("2023-10-23")),
        );
        assert_eq!(found[0].phrase, "Monday");
        assert_eq!(found[0].date, Some(d("2023-10-23")));
    }

    /// Every word a date can begin with gets past the quick test, in any case: each starts a
    /// date expression found in a sentence.
    #[test]
    fn every_date_word_begins_a_date() {
        let relative = [
            "today",
            "tonight",
            "yesterday",
            "this week",
            "last night",
            "earlier this month",
        ];
        let weekdays = WEEKDAYS.iter().map(|(w, _)| w.to_string());
        let months = MONTH_NAMES.iter().map(|m| format!("{m} 23"));
        let abbreviations = MONTH_ABBREVIATIONS.iter().map(|(a, _)| format!("{a}. 23"));
        let phrases: Vec<String> = relative
            .iter()
            .map(|r| r.to_string())
            .chain(weekdays)
            .chain(months)
            .chain(abbreviations)
            .collect();
        assert_eq!(
            phrases.len(),
            RELATIVE_DAY_WORDS.len() + WEEKDAYS.len() + MONTH_NAMES.len() + MONTH_ABBREVIATIONS.len()
        );
        for phrase in phrases {
            for written in [phrase.clone(), phrase.to_uppercase(), capitalised(&phrase)] {
                let sentence = format!("{written} the base was hit.");
                let found = find_dates(&sentence, Some(d("2023-10-23")));
                assert!(
                    found.first().is_some_and(|e| e.start == 0 && e.date.is_some()),
                    "{sentence:?}: {found:?}"
                );
            }
        }
    }

    fn capitalised(s: &str) -> String {
        let mut chars = s.chars();
        chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_default()
    }

    proptest::proptest! {
        /// The quick test before each word never turns away a word a date starts with.
        #[test]
        fn no_date_starts_at_a_word_the_quick_test_refuses(
            s in crate::text::test_sentences(
                vec![
                    "today", "Tonight", "yesterday", "the", "day", "before", "this", "Last", "earlier",
                    "Tuesday", "WEDNESDAY", "thursday", "Friday", "saturday", "Sunday", "January", "feb",
                    "Feb", "february", "March", "April", "apr", "June", "july", "Aug", "august", "sep",
                    "September", "nov", "November", "Dec", "December", "jan", "thi", "mo", "todays",
                    "morning", "night", "week", "month", "year", "on", "early", "late", "Monday",
                    "sunday", "Oct", "October", "mar", "May", "Sept", "in", "since", "mid", "of",
                    "22", "7th", "2018", "2023", "10", "18", "percent", "attack", "a", "x9",
                ],
                vec![" ", ", ", ". ", "-", "’"],
                12,
            ),
        ) {
            let toks = crate::text::words(&s);
            for i in 0..toks.len() {
                if match_at(&s, &toks, i, Some(d("2023-10-23"))).is_some() {
                    proptest::prop_assert!(may_start_date(toks[i].text), "{:?} at {}", s, i);
                }
            }
        }
    }
}
