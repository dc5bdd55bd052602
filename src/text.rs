//! Text primitives shared by every stage: folding for matching, slugs, sentence splitting and
//! word tokens. Pure functions over strings; no I/O.

use unicode_segmentation::UnicodeSegmentation;

/// Text folded for matching, with a map from each folded byte back to the original text.
///
/// Folding lowercases, strips diacritics (via transliteration), drops apostrophes and turns
/// every run of other non-alphanumeric characters into one space, so "Kata'ib", "Al-Tanf" and
/// "al  Tanf" compare equal to "kataib", "al tanf".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Folded {
    pub text: String,
    /// Where the folded bytes came from, as runs: see [`Origin`].
    origin: Origin,
}

/// A map from each folded byte back to the original text, kept as runs rather than one entry
/// per byte: the analyser folds every sentence, and most of a sentence is ASCII words copied
/// byte for byte. Offsets are `u32` (see [`offset32`] for longer texts).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Origin(Vec<OriginRun>);

/// Folded bytes from `at` up to the next run's `at` came from the original text at `from`:
/// byte for byte when `char_end` is `None`, else every one from the single char
/// `from..char_end` (a transliterated letter, or the gap a space stands for).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct OriginRun {
    at: u32,
    from: u32,
    char_end: Option<u32>,
}

impl Origin {
    /// Folded byte `at` came from original bytes `span`.
    fn note(&mut self, at: usize, span: (u32, u32)) {
        let at = offset32(at);
        let char_end = (span.1 != span.0.saturating_add(1)).then_some(span.1);
        if let Some(last) = self.0.last() {
            let continues = match (last.char_end, char_end) {
                // The next byte of the same copied run.
                (None, None) => last.from.checked_add(at - last.at) == Some(span.0),
                // Another folded byte of the same char.
                (Some(end), Some(_)) => last.from == span.0 && end == span.1,
                _ => false,
            };
            if continues {
                return;
            }
        }
        self.0.push(OriginRun {
            at,
            from: span.0,
            char_end,
        });
    }

    /// Folded bytes `at..` are original bytes `from..`, one for one.
    fn note_copy(&mut self, at: usize, from: usize) {
        // As `note` with a one-byte span, asked twice per word: a copied run continues while
        // the folded and original offsets keep the same distance.
        let (at, from) = (offset32(at), offset32(from));
        if let Some(last) = self.0.last()
            && last.char_end.is_none()
            && last.from.wrapping_sub(last.at) == from.wrapping_sub(at)
            && from != u32::MAX
        {
            return;
        }
        self.note(at as usize, (from, from.saturating_add(1)));
    }

    /// Original byte range of the char behind folded byte `i`.
    fn span_of(&self, i: usize) -> Option<(usize, usize)> {
        let k = self.0.partition_point(|r| r.at as usize <= i).checked_sub(1)?;
        let run = self.0.get(k)?;
        let from = run.from as usize;
        Some(match run.char_end {
            None => {
                let b = from + (i - run.at as usize);
                (b, b + 1)
            }
            Some(end) => (from, end as usize),
        })
    }
}

impl Folded {
    /// Byte range in the original text for a non-empty folded byte range.
    pub fn original_range(&self, start: usize, end: usize) -> (usize, usize) {
        let first = self.origin.span_of(start).map_or(0, |o| o.0);
        let last = end
            .checked_sub(1)
            .and_then(|e| self.origin.span_of(e))
            .map_or(first, |o| o.1);
        (first, last.max(first))
    }

    /// Fold `input` into this value, reusing its buffers (the analyser folds every sentence).
    pub fn refold(&mut self, input: &str) {
        self.text.clear();
        self.origin.0.clear();
        fold_into(input, &mut self.text, Some(&mut self.origin));
    }

    /// [`Folded::refold`] of a sentence whose words ([`words_into`]) are already known: for
    /// ASCII text the folded form is those words lowercased, so it is built from them word by
    /// word instead of byte by byte; any other text is folded char by char.
    pub fn refold_words(&mut self, input: &str, words: &[Token<'_>]) {
        if !input.is_ascii() {
            return self.refold(input);
        }
        self.text.clear();
        self.origin.0.clear();
        let bytes = input.as_bytes();
        let mut out = std::mem::take(&mut self.text).into_bytes();
        // Words with one space between them are copied as they stand, a run at a time; a run
        // ends at any other gap, which stands for one space, at the first of its bytes that
        // separates words (an apostrophe inside a word does not, "'s" does).
        let mut run: Option<usize> = None;
        let mut gap_start = 0;
        for t in words {
            match run {
                None => {
                    self.origin.note_copy(0, t.start);
                    run = Some(t.start);
                }
                Some(_) if t.start == gap_start + 1 && bytes.get(gap_start) == Some(&b' ') => {}
                Some(from) => {
                    out.extend_from_slice(bytes.get(from..gap_start).unwrap_or_default());
                    if let Some(sp) = (gap_start..t.start).find(|&i| separates_words(bytes, i)) {
                        self.origin.note_copy(out.len(), sp);
                        out.push(b' ');
                    }
                    self.origin.note_copy(out.len(), t.start);
                    run = Some(t.start);
                }
            }
            gap_start = t.end;
        }
        if let Some(from) = run {
            out.extend_from_slice(bytes.get(from..gap_start).unwrap_or_default());
        }
        // Words are letters and digits, so folding what was copied is lowercasing it.
        out.make_ascii_lowercase();
        // Only ASCII was written, so this never fails; were it to, the text would be kept, lossily.
        self.text = String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    }
}

/// Whether the non-word byte `i` of ASCII text ends the word before it when folded: any byte
/// but an apostrophe does, and an apostrophe does only as a possessive "'s".
fn separates_words(bytes: &[u8], i: usize) -> bool {
    match bytes.get(i) {
        Some(b'\'' | b'`') => {
            matches!(bytes.get(i + 1), Some(b's' | b'S')) && !bytes.get(i + 2).is_some_and(u8::is_ascii_alphanumeric)
        }
        Some(_) => true,
        None => false,
    }
}

/// A byte offset as stored in [`Folded`]. Past 4 GiB (no sentence, no file sitrep reads) it
/// saturates: the ranges of such a text are wrong, never a panic.
fn offset32(at: usize) -> u32 {
    u32::try_from(at).unwrap_or(u32::MAX)
}

fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{02BB}' | '\u{02BF}' | '\u{02BE}' | '`' | '\u{00B4}'
    )
}

/// Fold text for alias matching. See [`Folded`].
pub fn fold(input: &str) -> Folded {
    let mut folded = Folded {
        text: String::with_capacity(input.len()),
        origin: Origin::default(),
    };
    fold_into(input, &mut folded.text, Some(&mut folded.origin));
    folded
}

/// Append the folded form of `input` to `text`, and where each folded byte came from to
/// `origin` when it is wanted.
fn fold_into(input: &str, text: &mut String, mut origin: Option<&mut Origin>) {
    if input.is_ascii() {
        return fold_ascii_into(input, text, origin);
    }
    /// A folded letter or digit, after the space a gap before it left, if any.
    fn push_alnum(
        text: &mut String,
        origin: &mut Option<&mut Origin>,
        pending_space: &mut Option<(u32, u32)>,
        c: char,
        span: (u32, u32),
    ) {
        if let Some(sp) = pending_space.take()
            && !text.is_empty()
        {
            if let Some(o) = origin.as_deref_mut() {
                o.note(text.len(), sp);
            }
            text.push(' ');
        }
        if let Some(o) = origin.as_deref_mut() {
            o.note(text.len(), span);
        }
        text.push(c.to_ascii_lowercase());
    }
    let mut pending_space: Option<(u32, u32)> = None;
    for (pos, c) in input.char_indices() {
        let span = (offset32(pos), offset32(pos + c.len_utf8()));
        if c.is_ascii_alphanumeric() {
            // The common case first, without going through a transliteration string.
            push_alnum(text, &mut origin, &mut pending_space, c, span);
            continue;
        }
        if is_apostrophe(c) {
            // A possessive "'s" ends the word ("Hezbollah's" → "hezbollah s"), so the name
            // before it still matches; any other apostrophe is dropped ("Kata'ib" → "kataib").
            let mut ahead = input[pos + c.len_utf8()..].chars();
            let possessive =
                matches!(ahead.next(), Some('s' | 'S')) && !ahead.next().is_some_and(char::is_alphanumeric);
            if possessive && pending_space.is_none() {
                pending_space = Some(span);
            }
            continue;
        }
        if c.is_ascii() {
            if pending_space.is_none() {
                pending_space = Some(span);
            }
        } else if c.is_alphanumeric()
            && let Some(t) = deunicode::deunicode_char(c)
        {
            for fc in t.chars() {
                if fc.is_ascii_alphanumeric() {
                    push_alnum(text, &mut origin, &mut pending_space, fc, span);
                } else if fc != '\'' && pending_space.is_none() {
                    pending_space = Some(span);
                }
            }
        } else if pending_space.is_none() {
            pending_space = Some(span);
        }
    }
}

/// The folded form alone, for keys and comparisons.
pub fn fold_key(input: &str) -> String {
    let mut text = String::with_capacity(input.len());
    fold_into(input, &mut text, None);
    text
}

/// [`fold_into`] for ASCII text (every paragraph is folded at load to find repeats, every
/// sentence for names and cues): the same rules, with no char decoding, each byte
/// classified and lowercased by one table read.
fn fold_ascii_into(input: &str, text: &mut String, mut origin: Option<&mut Origin>) {
    let bytes = input.as_bytes();
    // Written byte by byte into room made once: per-word copies and per-byte pushes each
    // cost more than the byte itself. Folding never lengthens ASCII text.
    let mut out = std::mem::take(text).into_bytes();
    let mut w = out.len();
    out.resize(w + bytes.len(), 0);
    // The byte that stands for the space before the next word, if one is due.
    let mut pending_space: Option<usize> = None;
    let mut in_word = false;
    for (i, &b) in bytes.iter().enumerate() {
        let folded = FOLDED_BYTES[usize::from(b)];
        if folded != 0 {
            if !in_word {
                in_word = true;
                if let Some(sp) = pending_space.take()
                    && w > 0
                {
                    if let Some(o) = origin.as_deref_mut() {
                        o.note_copy(w, sp);
                    }
                    if let Some(slot) = out.get_mut(w) {
                        *slot = b' ';
                    }
                    w += 1;
                }
                if let Some(o) = origin.as_deref_mut() {
                    o.note_copy(w, i);
                }
            }
            if let Some(slot) = out.get_mut(w) {
                *slot = folded;
            }
            w += 1;
            continue;
        }
        in_word = false;
        // As in `fold_into`: a possessive "'s" ends the word, other apostrophes vanish.
        if pending_space.is_none() && separates_words(bytes, i) {
            pending_space = Some(i);
        }
    }
    out.truncate(w);
    // Only ASCII was written, so this never fails; were it to, the text would be kept, lossily.
    *text = String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
}

/// Each ASCII letter or digit lowercased, and 0 for every other byte: one table read both
/// classifies and folds a byte.
static FOLDED_BYTES: [u8; 256] = {
    let mut table = [0; 256];
    let mut b = 0;
    while b < 256 {
        if (b as u8).is_ascii_alphanumeric() {
            table[b] = (b as u8).to_ascii_lowercase();
        }
        b += 1;
    }
    table
};

/// ASCII letters and digits, read from the folding table: asked for every byte the analyser
/// reads.
fn is_word_byte(b: u8) -> bool {
    FOLDED_BYTES[usize::from(b)] != 0
}

/// A URL- and file-safe slug: lowercase ASCII words joined by '-'. Never empty, never a path
/// component with special meaning, and bounded in length so no file name gets too long.
pub fn slugify(input: &str) -> String {
    let folded = fold_key(input);
    let mut slug: String = folded
        .split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if slug.len() > 80 {
        let cut = slug[..80].rfind('-').unwrap_or(80);
        slug.truncate(cut);
    }
    if slug.is_empty() {
        return "untitled".to_string();
    }
    // Names Windows reserves for devices cannot be folders there: publish them under "-x".
    const RESERVED: &[&str] = &[
        "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8", "com9", "lpt1",
        "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
    ];
    if RESERVED.contains(&slug.as_str()) {
        slug.push_str("-x");
    }
    slug
}

/// One sentence of an article: its text and where it sits.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SentenceSpan {
    pub start: usize,
    pub end: usize,
}

/// Abbreviations after which a full stop does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "u.s.", "u.k.", "u.n.", "e.u.", "gen.", "brig.", "maj.", "lt.", "col.", "capt.", "sgt.", "cpl.", "pvt.", "adm.",
    "cmdr.", "gov.", "sen.", "rep.", "pres.", "mr.", "mrs.", "ms.", "dr.", "prof.", "st.", "mt.", "ft.", "no.", "vs.",
    "jan.", "feb.", "mar.", "apr.", "jun.", "jul.", "aug.", "sep.", "sept.", "oct.", "nov.", "dec.", "a.m.", "p.m.",
    "approx.", "est.", "inc.", "corp.", "co.", "jr.", "sr.", "etc.", "i.e.", "e.g.", "fig.", "dept.", "div.",
];

fn ends_with_abbreviation(segment: &str) -> bool {
    let trimmed = segment.trim_end();
    let last_word = trimmed.rsplit(char::is_whitespace).next().unwrap_or("");
    let word = last_word.trim_start_matches(['(', '"', '\u{201C}', '\'', '\u{2018}']);
    // Lowercase a short ASCII word on the stack: this runs for every sentence break.
    let mut buf = [0u8; 16];
    let lw: std::borrow::Cow<'_, str> = if word.is_ascii() && word.len() <= buf.len() {
        ascii_lower(word, &mut buf).into()
    } else {
        word.to_lowercase().into()
    };
    if ABBREVIATIONS.contains(&lw.as_ref()) {
        return true;
    }
    // A single capital initial such as "J." in "J. Smith".
    let mut chars = lw.chars();
    matches!((chars.next(), chars.next(), chars.next()), (Some(c), Some('.'), None) if c.is_alphabetic())
}

/// Split a paragraph into sentences, merging the breaks that Unicode's rules put after
/// abbreviations ("U.S.", "Brig. Gen.", "Oct. 22") or before a lowercase continuation.
pub fn split_sentences(paragraph: &str) -> Vec<SentenceSpan> {
    if paragraph.is_ascii() {
        merge_sentence_bounds(paragraph, ascii_sentence_bounds(paragraph))
    } else {
        merge_sentence_bounds(paragraph, paragraph.split_sentence_bounds())
    }
}

fn merge_sentence_bounds<'a>(paragraph: &'a str, segments: impl Iterator<Item = &'a str>) -> Vec<SentenceSpan> {
    let mut spans: Vec<SentenceSpan> = Vec::new();
    let mut offset = 0;
    for seg in segments {
        let start = offset;
        offset += seg.len();
        if seg.trim().is_empty() {
            if let Some(last) = spans.last_mut() {
                last.end = offset;
            }
            continue;
        }
        let merge = spans.last().is_some_and(|prev| {
            let prev_text = &paragraph[prev.start..prev.end];
            let next_first = seg.trim_start().chars().next().unwrap_or(' ');
            ends_with_abbreviation(prev_text)
                || next_first.is_lowercase()
                || next_first.is_ascii_digit()
                || !prev_text
                    .trim_end()
                    .ends_with(['.', '!', '?', '"', '\u{201D}', '\u{2019}', '\'', ')'])
        });
        if merge {
            if let Some(last) = spans.last_mut() {
                last.end = offset;
            }
        } else {
            spans.push(SentenceSpan { start, end: offset });
        }
    }
    // Trim trailing whitespace from each span so anchors wrap text only.
    for s in &mut spans {
        let text = &paragraph[s.start..s.end];
        s.end = s.start + text.trim_end().len();
        let lead = text.len() - text.trim_start().len();
        s.start += lead.min(s.end - s.start);
    }
    spans.retain(|s| s.end > s.start);
    split_long(paragraph, spans)
}

/// Unicode sentence boundaries (UAX #29) of an ASCII paragraph, exactly as
/// `unicode_segmentation`'s `split_sentence_bounds` finds them: the same rules, in the same
/// order, but with each byte's category read from a match instead of a binary search of the
/// Unicode tables (that search was most of the cost of splitting). Nearly every paragraph is
/// ASCII; any other goes to the crate.
fn ascii_sentence_bounds(s: &str) -> impl Iterator<Item = &str> {
    use ascii_sentences::{Cat, Part, State};
    let bytes = s.as_bytes();
    let mut breaks: Vec<usize> = Vec::new();
    let mut state = State::START;
    let mut pos = 0;
    while let Some(&b) = bytes.get(pos) {
        let cat = Cat::of(b);
        // Inside words and the spaces between them (most bytes) no rule can break, and the
        // state stays "in words": skip the whole run, and take the state from its end.
        if state.in_words() && cat.is_word_or_space() {
            let run = &bytes[pos..];
            let len = run
                .iter()
                .position(|&b| !Cat::of(b).is_word_or_space())
                .unwrap_or(run.len());
            state = state.after_words(&run[..len]);
            pos += len;
            continue;
        }
        let before = state;
        state = state.next(cat);
        let last = before.0[3];
        // The rules in the crate's order; the first that applies decides.
        let is_break = match cat {
            _ if last == Part::Sot => true,                                                // SB1
            Cat::LF if last == Part::CR => false,                                          // SB3
            _ if matches!(last, Part::CR | Part::LF) => true,                              // SB4
            Cat::Numeric if last == Part::ATerm => false,                                  // SB6
            Cat::Upper if before.0[2] == Part::UpperLower && last == Part::ATerm => false, // SB7
            _ if before.sb8(&bytes[pos..]) => false,                                       // SB8
            Cat::SContinue | Cat::STerm | Cat::ATerm if before.sb8a() => false,            // SB8a
            Cat::Close | Cat::Sp | Cat::CR | Cat::LF if before.sb9() => false,             // SB9
            Cat::Sp | Cat::CR | Cat::LF if before.sb8a() => false,                         // SB10
            _ => before.sb11(),                                                            // SB11, SB998
        };
        if is_break {
            breaks.push(pos);
        }
        pos += 1;
    }
    // SB2: the end of a non-empty text is a break.
    if !bytes.is_empty() {
        breaks.push(bytes.len());
    }
    (1..breaks.len()).map(move |k| &s[breaks[k - 1]..breaks[k]])
}

/// The state machine of `unicode_segmentation`'s sentence breaker, for ASCII only (no
/// OLetter, Sep, Extend or Format characters there).
mod ascii_sentences {
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Cat {
        Any,
        CR,
        LF,
        Sp,
        STerm,
        ATerm,
        Close,
        SContinue,
        Numeric,
        Upper,
        Lower,
    }

    impl Cat {
        /// Sentence_Break property of an ASCII byte, read from a table (asked for every byte).
        pub fn of(b: u8) -> Cat {
            CATS[usize::from(b)]
        }

        const fn classify(b: u8) -> Cat {
            match b {
                b'\t' | 0x0B | 0x0C | b' ' => Cat::Sp,
                b'\n' => Cat::LF,
                b'\r' => Cat::CR,
                b'!' | b'?' => Cat::STerm,
                b'.' => Cat::ATerm,
                b'"' | b'\'' | b'(' | b')' | b'[' | b']' | b'{' | b'}' => Cat::Close,
                b',' | b'-' | b':' | b';' => Cat::SContinue,
                b'0'..=b'9' => Cat::Numeric,
                b'A'..=b'Z' => Cat::Upper,
                b'a'..=b'z' => Cat::Lower,
                _ => Cat::Any,
            }
        }
    }

    /// [`Cat::classify`] of every byte value.
    static CATS: [Cat; 256] = {
        let mut table = [Cat::Any; 256];
        let mut b = 0;
        while b < 256 {
            table[b] = Cat::classify(b as u8);
            b += 1;
        }
        table
    };

    impl Cat {
        /// Letters, digits, other symbols and spaces: what words and the gaps between them
        /// are made of.
        pub fn is_word_or_space(self) -> bool {
            matches!(self, Cat::Upper | Cat::Lower | Cat::Numeric | Cat::Any | Cat::Sp)
        }
    }

    /// The last four parts seen, runs of Close and of Sp collapsed.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Part {
        Sot,
        Other,
        CR,
        LF,
        ATerm,
        UpperLower,
        ClosePlus,
        SpPlus,
        STerm,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct State(pub [Part; 4]);

    impl State {
        pub const START: State = State([Part::Sot; 4]);

        pub fn next(self, cat: Cat) -> State {
            let p = self.0;
            match (p[3], cat) {
                (Part::ClosePlus, Cat::Close) | (Part::SpPlus, Cat::Sp) => self,
                _ => State([
                    p[1],
                    p[2],
                    p[3],
                    match cat {
                        Cat::CR => Part::CR,
                        Cat::LF => Part::LF,
                        Cat::ATerm => Part::ATerm,
                        Cat::Upper | Cat::Lower => Part::UpperLower,
                        Cat::Close => Part::ClosePlus,
                        Cat::Sp => Part::SpPlus,
                        Cat::STerm => Part::STerm,
                        _ => Part::Other,
                    },
                ]),
            }
        }

        /// The state after `run`, a run of letters, digits, symbols and spaces. Only the
        /// last four parts count, so only the run's tail is read (a run of spaces is one part).
        pub fn after_words(self, run: &[u8]) -> State {
            let mut tail = [Cat::Any; 4];
            let mut n = 0;
            let mut i = run.len();
            while n < tail.len() && i > 0 {
                i -= 1;
                let cat = Cat::of(run[i]);
                if cat == Cat::Sp {
                    while i > 0 && Cat::of(run[i - 1]) == Cat::Sp {
                        i -= 1;
                    }
                }
                tail[n] = cat;
                n += 1;
            }
            // Four parts from the run replace all of the state; fewer join what it held.
            let mut state = if i == 0 { self } else { State::START };
            for &cat in tail[..n].iter().rev() {
                state = state.next(cat);
            }
            state
        }

        /// The last part is a word (or a space after one): no terminator, Close or line end
        /// is pending, so a letter, digit, symbol or space that follows breaks nothing (no
        /// rule from SB1 to SB11 applies) — checked against the crate by the tests below.
        pub fn in_words(&self) -> bool {
            let word = |p: Part| matches!(p, Part::UpperLower | Part::Other);
            word(self.0[3]) || (self.0[3] == Part::SpPlus && word(self.0[2]))
        }

        /// Index of the part before trailing Sp* and Close*.
        fn before_close_sp(&self) -> usize {
            let mut idx = if self.0[3] == Part::SpPlus { 2 } else { 3 };
            if self.0[idx] == Part::ClosePlus {
                idx -= 1;
            }
            idx
        }

        fn is_saterm(part: Part) -> bool {
            matches!(part, Part::STerm | Part::ATerm)
        }

        /// SB8: ATerm Close* Sp* × ( ¬(OLetter | Upper | Lower | ParaSep | SATerm) )* Lower
        pub fn sb8(&self, ahead: &[u8]) -> bool {
            if self.0[self.before_close_sp()] != Part::ATerm {
                return false;
            }
            for &b in ahead {
                match Cat::of(b) {
                    Cat::Lower => return true,
                    Cat::Upper | Cat::CR | Cat::LF | Cat::STerm | Cat::ATerm => return false,
                    _ => continue,
                }
            }
            false
        }

        /// SB8a: SATerm Close* Sp* × (SContinue | SATerm)
        pub fn sb8a(&self) -> bool {
            Self::is_saterm(self.0[self.before_close_sp()])
        }

        /// SB9: SATerm Close* × (Close | Sp | ParaSep)
        pub fn sb9(&self) -> bool {
            let idx = if self.0[3] == Part::ClosePlus { 2 } else { 3 };
            Self::is_saterm(self.0[idx])
        }

        /// SB11: SATerm Close* Sp* ParaSep? ÷
        pub fn sb11(&self) -> bool {
            let mut idx = if matches!(self.0[3], Part::CR | Part::LF) { 2 } else { 3 };
            if self.0[idx] == Part::SpPlus {
                idx -= 1;
            }
            if self.0[idx] == Part::ClosePlus {
                idx -= 1;
            }
            Self::is_saterm(self.0[idx])
        }
    }
}

/// No sentence is longer than this many bytes: a run-on "sentence" of pasted text is cut at
/// spaces, which keeps every per-sentence step linear.
pub const MAX_SENTENCE_BYTES: usize = 2_000;

fn split_long(paragraph: &str, spans: Vec<SentenceSpan>) -> Vec<SentenceSpan> {
    let mut out = Vec::with_capacity(spans.len());
    for s in spans {
        let mut start = s.start;
        while s.end - start > MAX_SENTENCE_BYTES {
            let mut cut = start + MAX_SENTENCE_BYTES;
            while !paragraph.is_char_boundary(cut) {
                cut -= 1;
            }
            let window = &paragraph[start..cut];
            let at = window.rfind(' ').filter(|&i| i > 0).map_or(cut, |i| start + i);
            out.push(SentenceSpan { start, end: at });
            start = at;
            while start < s.end && paragraph[start..].starts_with(' ') {
                start += 1;
            }
        }
        if s.end > start {
            out.push(SentenceSpan { start, end: s.end });
        }
    }
    out
}

/// A word token with its byte range. Words are runs of letters/digits; an inner apostrophe
/// or hyphen stays inside ("Monday's" gives "Monday" + possessive flag elsewhere).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    pub text: &'a str,
    pub start: usize,
    pub end: usize,
}

/// Words of a sentence: maximal runs of alphanumeric characters. Punctuation is dropped but
/// positions are kept, so callers can look at what lies between two tokens.
pub fn words(s: &str) -> Vec<Token<'_>> {
    // Room for words of about six bytes with their space: one allocation for most sentences.
    let mut out = Vec::with_capacity(s.len() / 6 + 1);
    words_into(s, &mut out);
    out
}

/// [`words`] into `out` (cleared first), so the analyser reuses one list for every sentence.
pub fn words_into<'a>(s: &'a str, out: &mut Vec<Token<'a>>) {
    out.clear();
    if s.is_ascii() {
        return ascii_words_into(s, out);
    }
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // ASCII (nearly all of the text) is classified from a table, a run at a time; any
        // other char is decoded and asked.
        let start = i;
        while let Some(&b) = bytes.get(i) {
            if b.is_ascii() {
                if !is_word_byte(b) {
                    break;
                }
                i += 1;
            } else {
                match s[i..].chars().next() {
                    Some(c) if c.is_alphanumeric() => i += c.len_utf8(),
                    _ => break,
                }
            }
        }
        if i > start {
            out.push(Token {
                text: &s[start..i],
                start,
                end: i,
            });
            continue;
        }
        // Not part of a word: step over the char.
        i += s[i..].chars().next().map_or(1, char::len_utf8);
    }
}

/// [`words_into`] for ASCII text (nearly every sentence). Which bytes are word bytes is
/// gathered into a bit mask, 64 bytes at a time, without a branch; the words are then read
/// off the mask's edges, so the branches taken are per word rather than per byte (a branch
/// per byte mispredicts at nearly every word's start and end).
fn ascii_words_into<'a>(s: &'a str, out: &mut Vec<Token<'a>>) {
    let bytes = s.as_bytes();
    let mut open: Option<usize> = None;
    let mut push = |start: usize, end: usize| {
        if let Some(text) = s.get(start..end) {
            out.push(Token { text, start, end });
        }
    };
    for (block, chunk) in bytes.chunks(64).enumerate() {
        let mut mask = 0u64;
        for (i, &b) in chunk.iter().enumerate() {
            mask |= u64::from(is_word_byte(b)) << i;
        }
        // A bit for each byte whose kind (word or not) differs from the byte before it.
        let before = (mask << 1) | u64::from(open.is_some());
        let mut edges = (mask ^ before) & (u64::MAX >> (64 - chunk.len()));
        while edges != 0 {
            let at = block * 64 + edges.trailing_zeros() as usize;
            edges &= edges - 1;
            match open.take() {
                Some(start) => push(start, at),
                None => open = Some(at),
            }
        }
    }
    if let Some(start) = open {
        push(start, bytes.len());
    }
}

/// A word of a sentence in lowercase, with the byte range of the word as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LowerWord<'a> {
    pub w: &'a str,
    pub start: usize,
    pub end: usize,
}

/// The words `tokens` of `sentence` (from [`words_into`]) lowercased (full Unicode lowercasing
/// of each word), written into `buf` so a sentence costs one buffer rather than one string per
/// word. `buf` is cleared first and can be reused from sentence to sentence.
pub fn lower_words<'b>(sentence: &str, tokens: &[Token<'b>], buf: &'b mut String) -> Vec<LowerWord<'b>> {
    buf.clear();
    if sentence.is_ascii() {
        // Lowercasing ASCII keeps every byte where it was: lowercase the sentence once and
        // read each word at its own range.
        buf.push_str(sentence);
        buf.make_ascii_lowercase();
        let buf: &'b String = buf;
        return tokens
            .iter()
            .map(|t| LowerWord {
                w: buf.get(t.start..t.end).unwrap_or(t.text),
                start: t.start,
                end: t.end,
            })
            .collect();
    }
    // Where each word's lowercase form is: the word itself when it has no capital (most
    // words: no copy), else a range of `buf`.
    let mut spans: Vec<(Option<(usize, usize)>, usize)> = Vec::with_capacity(tokens.len());
    for (k, t) in tokens.iter().enumerate() {
        let from = buf.len();
        if t.text.is_ascii() {
            if !t.text.bytes().any(|b| b.is_ascii_uppercase()) {
                spans.push((None, k));
                continue;
            }
            buf.push_str(t.text);
            buf[from..].make_ascii_lowercase();
        } else {
            buf.push_str(&t.text.to_lowercase());
        }
        spans.push((Some((from, buf.len())), k));
    }
    let buf: &'b String = buf;
    spans
        .into_iter()
        .filter_map(|(range, k)| {
            let t = tokens.get(k)?;
            let w = match range {
                Some((from, to)) => buf.get(from..to)?,
                None => t.text,
            };
            Some(LowerWord {
                w,
                start: t.start,
                end: t.end,
            })
        })
        .collect()
}

/// `word` with ASCII letters lowercased, to compare with short cue words without allocating:
/// the word itself when it has no capital, else a copy in `buf`; empty when the word is longer
/// than `buf` (longer than any cue word).
pub fn ascii_lower<'a, const N: usize>(word: &'a str, buf: &'a mut [u8; N]) -> &'a str {
    let bytes = word.as_bytes();
    let Some(out) = buf.get_mut(..bytes.len()) else {
        return "";
    };
    if !bytes.iter().any(u8::is_ascii_uppercase) {
        return word;
    }
    for (o, b) in out.iter_mut().zip(bytes) {
        *o = b.to_ascii_lowercase();
    }
    // Lowercasing ASCII bytes keeps UTF-8 valid, so this never fails.
    std::str::from_utf8(out).unwrap_or("")
}

/// Copy `s`, replacing each character `map` returns a replacement for (an empty one drops
/// it). The one loop behind every escaper: HTML, XML and inert JSON.
pub fn replace_chars(s: &str, map: impl Fn(char) -> Option<&'static str>) -> String {
    let mut out = String::with_capacity(s.len());
    replace_chars_into(&mut out, s, map);
    out
}

/// [`replace_chars`], appending to `out`. Unchanged runs are copied whole, not char by char.
pub fn replace_chars_into(out: &mut String, s: &str, map: impl Fn(char) -> Option<&'static str>) {
    let mut kept = 0;
    for (i, c) in s.char_indices() {
        if let Some(replacement) = map(c) {
            out.push_str(&s[kept..i]);
            out.push_str(replacement);
            kept = i + c.len_utf8();
        }
    }
    out.push_str(&s[kept..]);
}

/// Collapse runs of whitespace to single spaces (for comparing repeated paragraphs).
pub fn squash_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// [`squash_whitespace`] of an owned string, which is kept as it is when it has nothing to
/// squash (nearly every paragraph): no copy.
pub fn squash_whitespace_owned(s: String) -> String {
    if needs_squashing(&s) { squash_whitespace(&s) } else { s }
}

/// Whether [`squash_whitespace`] would change `s`: it has whitespace at either end, whitespace
/// other than a space, or two spaces in a row. One pass over the bytes; text
/// with non-ASCII characters (none of them a space) is kept as it is too.
fn needs_squashing(s: &str) -> bool {
    let bytes = s.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    // `char::is_whitespace` in ASCII: tab, line feed, vertical tab, form feed, return, space.
    let ascii_space = |b: u8| b == b' ' || b.wrapping_sub(b'\t') < 5;
    let mut non_ascii = last >= 0x80;
    // Every pair of neighbours, with no early exit, so the loop runs on vector registers.
    let mut bad = ascii_space(first) || ascii_space(last);
    for (&a, &b) in bytes.iter().zip(&bytes[1..]) {
        non_ascii |= a >= 0x80;
        bad |= (a.wrapping_sub(b'\t') < 5) | ((a == b' ') & (b == b' '));
    }
    bad || (non_ascii && s.chars().any(|c| !c.is_ascii() && c.is_whitespace()))
}

/// Sentences for property tests: up to `most` of `words`, each followed by one of
/// `separators`.
#[cfg(test)]
pub(crate) fn test_sentences(
    words: Vec<&'static str>,
    separators: Vec<&'static str>,
    most: usize,
) -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::strategy::Strategy;
    let word_and_separator = (proptest::sample::select(words), proptest::sample::select(separators));
    proptest::collection::vec(word_and_separator, 0..=most)
        .prop_map(|pairs| pairs.into_iter().flat_map(|(w, sep)| [w, sep]).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_maps_back_to_original() {
        let src = "the “Al-Tanf” base";
        let f = fold(src);
        assert_eq!(f.text, "the al tanf base");
        let at = f.text.find("al tanf").unwrap();
        let (s, e) = f.original_range(at, at + "al tanf".len());
        assert_eq!(&src[s..e], "Al-Tanf");
    }

    #[test]
    fn folding_diacritics_and_apostrophes() {
        assert_eq!(fold_key("Kata’ib Ḥizballāh"), "kataib hizballah");
        assert_eq!(fold_key("Deir ez-Zor"), "deir ez zor");
        assert_eq!(fold_key("  U.S.-led  coalition "), "u s led coalition");
    }

    #[test]
    fn slugs_are_safe() {
        assert_eq!(slugify("../../etc/passwd"), "etc-passwd");
        assert_eq!(slugify("Ain al-Asad"), "ain-al-asad");
        assert_eq!(slugify("!!!"), "untitled");
        assert_eq!(slugify("CON"), "con-x");
        assert_eq!(slugify("a\0b"), "a-b");
        assert!(slugify(&"word ".repeat(100)).len() <= 80);
    }

    /// The ASCII splitter must cut exactly where `unicode_segmentation` does.
    fn same_bounds_as_unicode_segmentation(s: &str) {
        let ours: Vec<&str> = ascii_sentence_bounds(s).collect();
        let theirs: Vec<&str> = s.split_sentence_bounds().collect();
        assert_eq!(ours, theirs, "{s:?}");
    }

    #[test]
    fn ascii_sentence_bounds_match_unicode_segmentation() {
        for s in [
            "",
            " ",
            "a",
            "Hello. World",
            "He said \"no.\" Then left.  Next one!  (Really?) Yes.",
            "U.S. forces hit it. e.g. this one... and 3.5 more.\r\nNew line\n\nPara",
            "Mr. Smith met Dr. Jones at 9 a.m. on Oct. 22, 2018. The end.\t\x0bX",
            "It ended.) [Done.] {Yes!} 'Quote.' - next; more: 'x'. ",
            "A.B.C. d. E? f! G.. h?! ... .a .A 1. 2.3",
        ] {
            same_bounds_as_unicode_segmentation(s);
        }
    }

    /// The byte ranges of the runs of alphanumeric chars of `s`, char by char.
    fn runs_of_alphanumeric_chars(s: &str) -> Vec<(usize, usize)> {
        let mut runs = Vec::new();
        let mut start = None;
        for (i, c) in s.char_indices() {
            match (c.is_alphanumeric(), start) {
                (true, None) => start = Some(i),
                (false, Some(st)) => {
                    runs.push((st, i));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(st) = start {
            runs.push((st, s.len()));
        }
        runs
    }

    proptest::proptest! {
        #[test]
        fn ascii_sentence_bounds_match_on_any_ascii(s in "[aZ7 .!?\"'()\\[\\],;:\\-\t\r\n\x0b\x0c#_x]{0,120}") {
            same_bounds_as_unicode_segmentation(&s);
        }

        #[test]
        fn ascii_folding_matches_folding_by_char(s in "[aZ7 .'`sS\\-\t\n#_x]{0,40}") {
            // A non-ASCII letter at the end sends the text through the char-by-char path; it
            // folds to its own word, so what comes before must fold the same both ways.
            let mut fast = Folded::default();
            fast.refold(&s);
            let slow = fold(&format!("{s} é"));
            let cut = slow.text.len().saturating_sub(2);
            proptest::prop_assert_eq!(&fast.text, &slow.text[..cut]);
            for i in 0..fast.text.len() {
                proptest::prop_assert_eq!(fast.origin.span_of(i), slow.origin.span_of(i));
            }
            proptest::prop_assert_eq!(fold_key(&s), fast.text);
        }

        #[test]
        fn folding_from_words_is_folding(s in "[aZ7 .'`sS\\-\t\n#_xé’]{0,40}") {
            let mut by_bytes = Folded::default();
            by_bytes.refold(&s);
            let mut by_words = Folded::default();
            by_words.refold_words("stale text", &words("stale text"));
            by_words.refold_words(&s, &words(&s));
            proptest::prop_assert_eq!(by_words, by_bytes);
        }

        #[test]
        fn lowercase_words_of_ascii_are_each_word_lowercased(s in "[aZ7 .'`sS\\-#_xÉ]{0,40}") {
            let tokens = words(&s);
            let mut buf = String::from("stale");
            let ws = lower_words(&s, &tokens, &mut buf);
            proptest::prop_assert_eq!(ws.len(), tokens.len());
            for (w, t) in ws.iter().zip(&tokens) {
                proptest::prop_assert_eq!(w.w, t.text.to_lowercase());
                proptest::prop_assert_eq!((w.start, w.end), (t.start, t.end));
            }
        }

        #[test]
        fn every_folded_byte_maps_back_to_the_char_it_came_from(s in "[aZ7 .'’“”sS\\-éÆḤ\u{a0}x]{0,30}") {
            let f = fold(&s);
            for (i, b) in f.text.bytes().enumerate() {
                let (start, end) = f.original_range(i, i + 1);
                let from = &s[start..end];
                if b == b' ' {
                    proptest::prop_assert!(!from.chars().any(char::is_alphanumeric), "{:?} byte {}", s, i);
                } else {
                    proptest::prop_assert!(fold_key(from).contains(char::from(b)), "{:?} byte {} from {:?}", s, i, from);
                }
            }
        }

        #[test]
        fn words_are_the_runs_of_alphanumeric_chars(s in "[aZ7 .'’é\u{a0}Ḥ_x-]{0,40}") {
            let ours: Vec<(usize, usize)> = words(&s).iter().map(|t| (t.start, t.end)).collect();
            proptest::prop_assert_eq!(ours, runs_of_alphanumeric_chars(&s));
        }

        #[test]
        fn ascii_words_are_the_runs_of_letters_and_digits(s in "[aZ7 .,'-]{0,300}") {
            let ours: Vec<(usize, usize)> = words(&s).iter().map(|t| (t.start, t.end)).collect();
            proptest::prop_assert_eq!(ours, runs_of_alphanumeric_chars(&s));
        }

        #[test]
        fn text_needs_squashing_when_squashing_changes_it(s in "[a \t\n\r\x0b\x0c\u{a0}\u{85}\u{3000}é—]{0,12}") {
            proptest::prop_assert_eq!(needs_squashing(&s), squash_whitespace(&s) != s);
        }

        #[test]
        fn squashing_an_owned_string_is_squashing(s in "[a \t\n\r\x0b\x0c\u{a0}é]{0,20}") {
            proptest::prop_assert_eq!(squash_whitespace_owned(s.clone()), squash_whitespace(&s));
        }
    }

    #[test]
    fn sentences_survive_abbreviations() {
        let p = "Pentagon Press Secretary Brig. Gen. Pat Ryder later confirmed the attack. \
                 The al-Tanf outpost is seen on Oct. 22, 2018. U.S. forces were there.";
        let spans = split_sentences(p);
        let texts: Vec<&str> = spans.iter().map(|s| &p[s.start..s.end]).collect();
        assert_eq!(
            texts,
            vec![
                "Pentagon Press Secretary Brig. Gen. Pat Ryder later confirmed the attack.",
                "The al-Tanf outpost is seen on Oct. 22, 2018.",
                "U.S. forces were there."
            ]
        );
    }
}

/// The shapes of a vocabulary's words: for each pair of first two letters (case aside), the
/// lengths its words have. A word of another shape is in no vocabulary entry, which a reader
/// learns in two table reads for nearly every word of a sentence, before comparing any strings.
pub struct WordShapes([u32; 26 * 26]);

impl WordShapes {
    pub const EMPTY: WordShapes = WordShapes([0; 26 * 26]);

    /// Admit the shape of `word` (two or more ASCII letters in front) at its own length and up
    /// to `longer` bytes longer (for plural endings).
    pub const fn admit(&mut self, word: &str, longer: usize) {
        let b = word.as_bytes();
        let at = (b[0].to_ascii_lowercase() - b'a') as usize * 26 + (b[1].to_ascii_lowercase() - b'a') as usize;
        // Words of 31 bytes and more share the last length.
        let mut len = b.len();
        while len <= b.len() + longer {
            self.0[at] |= 1 << if len < 31 { len } else { 31 };
            len += 1;
        }
    }

    /// [`WordShapes::admit`] each of `words`.
    pub const fn admit_all(&mut self, words: &[&str], longer: usize) {
        let mut k = 0;
        while k < words.len() {
            self.admit(words[k], longer);
            k += 1;
        }
    }

    /// Whether `word` has the shape of some admitted word.
    pub fn admits(&self, word: &str) -> bool {
        let letter = |b: u8| b.to_ascii_lowercase().checked_sub(b'a').filter(|&l| l < 26);
        match *word.as_bytes() {
            [first, second, ..] => match (letter(first), letter(second)) {
                (Some(a), Some(b)) => self.0[usize::from(a) * 26 + usize::from(b)] & (1 << word.len().min(31)) != 0,
                _ => false,
            },
            _ => false,
        }
    }
}

/// The words of a table of words and what they mean.
pub const fn first_words<T, const N: usize>(table: &[(&'static str, T); N]) -> [&'static str; N] {
    let mut words = [""; N];
    let mut k = 0;
    while k < N {
        words[k] = table[k].0;
        k += 1;
    }
    words
}

/// A hash map with FNV-1a hashing: for the small keys (words, ids) looked up in hot loops,
/// where SipHash's resistance to chosen keys costs more than it buys.
pub type FastMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<Fnv1a>>;

/// FNV-1a.
#[derive(Debug)]
pub struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv1a {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = self.0;
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}
