//! Shared statements: the same quotation (a dozen words or more) in several articles — a
//! CENTCOM statement quoted by three outlets — ties those articles to the same incidents,
//! even where one of them names only "western Iraq".

use std::collections::{BTreeMap, BTreeSet};

use crate::analyze::Sentences;
use crate::text::fold_key;

/// How many words in a row two quotations must share to count as one statement.
pub const SHARED_WORDS: usize = 12;

/// Numbers of the sentences that lie, at least in part, inside a quotation of
/// [`SHARED_WORDS`] words or more. `blocks` are where each block lies in the sentences' text.
pub fn quoted_sentences(sentences: &Sentences, blocks: &[std::ops::Range<usize>]) -> Vec<usize> {
    let mut out = BTreeSet::new();
    for (bi, range) in blocks.iter().enumerate() {
        let block = sentences.whole_text().get(range.clone()).unwrap_or_default();
        // Only these marks open a quotation: most paragraphs have none.
        // Bytes, not chars: '"', or the lead byte every curly opening quote starts with.
        if !block.bytes().any(|b| b == b'"' || b == 0xE2) || !block.contains(['"', '\u{201C}', '\u{2018}']) {
            continue;
        }
        for (start, end) in quotations(block) {
            if block[start..end].split_whitespace().count() < SHARED_WORDS {
                continue;
            }
            // Sentences of this block overlapping the quotation.
            // Sentences run in block order: the block's own are one slice of them.
            let first = sentences.partition_point(|s| s.block < bi);
            let end_of_block = sentences.partition_point(|s| s.block <= bi);
            for s in sentences.get(first..end_of_block).unwrap_or_default() {
                let (at, s_end) = sentences.span(s);
                let (at, s_end) = (at.saturating_sub(range.start), s_end.saturating_sub(range.start));
                if at < end && s_end > start {
                    out.insert(s.n);
                }
            }
        }
    }
    out.into_iter().collect()
}

/// Byte ranges between matching quotation marks: “…”, "…" and ‘…’ (a ’ followed by a
/// letter is an apostrophe, not a closing mark).
fn quotations(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, char)> = None;
    let mut prev: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|x| x.1);
        match (open, c) {
            (None, '\u{201C}') | (None, '\u{2018}') => open = Some((i + c.len_utf8(), c)),
            (None, '"') if prev.is_none_or(|p| !p.is_alphanumeric()) => open = Some((i + 1, '"')),
            (Some((s, '\u{201C}')), '\u{201D}') | (Some((s, '"')), '"') => {
                out.push((s, i));
                open = None;
            }
            (Some((s, '\u{2018}')), '\u{2019}') if next.is_none_or(|n| !n.is_alphanumeric()) => {
                out.push((s, i));
                open = None;
            }
            _ => {}
        }
        prev = Some(c);
    }
    // A quotation left open at the end of a paragraph runs to its end (press style for
    // quotes that continue in the next paragraph).
    if let Some((s, _)) = open {
        out.push((s, text.len()));
    }
    out
}

/// Every run of [`SHARED_WORDS`] folded words in a sentence.
fn shingles(text: &str) -> Vec<String> {
    let folded = fold_key(text);
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    words.windows(SHARED_WORDS).map(|w| w.join(" ")).collect()
}

/// Quoted sentences that share a statement with quoted sentences of other articles:
/// (article, sentence) → the (article, sentence) pairs elsewhere that say the same.
/// `quoted` gives each quoted sentence as (article, sentence number, text).
pub fn shared_statements<'a>(
    quoted: impl Iterator<Item = (&'a str, usize, &'a str)>,
) -> BTreeMap<(String, usize), BTreeSet<(String, usize)>> {
    let mut by_shingle: BTreeMap<String, BTreeSet<(String, usize)>> = BTreeMap::new();
    for (article, n, text) in quoted {
        for sh in shingles(text) {
            by_shingle.entry(sh).or_default().insert((article.to_string(), n));
        }
    }
    let mut links: BTreeMap<(String, usize), BTreeSet<(String, usize)>> = BTreeMap::new();
    for places in by_shingle.values() {
        for a in places {
            for b in places.iter().filter(|b| b.0 != a.0) {
                links.entry(a.clone()).or_default().insert(b.clone());
            }
        }
    }
    links
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotations_of_every_style() {
        let t = "He said “one two” and ‘three four’ but it’s “open";
        let spans: Vec<&str> = quotations(t).into_iter().map(|(s, e)| &t[s..e]).collect();
        assert_eq!(spans, vec!["one two", "three four", "open"]);
    }

    #[test]
    fn the_same_statement_in_two_articles_is_linked() {
        let a = "In western Iraq, U.S. forces engaged two drones, destroying one and damaging the second.";
        let b = "In western Iraq, U.S. forces engaged two drones, destroying one and damaging the second, it said.";
        let c = "Something else entirely that is long enough to have twelve words in it.";
        let links = shared_statements([("a", 3, a), ("b", 9, b), ("c", 1, c)].into_iter());
        assert_eq!(links[&("a".to_string(), 3)], BTreeSet::from([("b".to_string(), 9)]));
        assert!(!links.contains_key(&("c".to_string(), 1)));
    }
}
