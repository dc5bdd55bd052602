//! Front matter: TOML between `+++` lines or YAML between `---` lines, read into one plain map
//! so that every kind of file checks its fields the same way, with file:line:column errors.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use serde_json::Value;

use crate::diagnostics::{Diagnostic, line_col, suggest};

/// A file split into its front matter and body.
pub struct Split<'a> {
    /// The front matter text, without fences; empty when there is none.
    pub matter: &'a str,
    /// 1-based line of the front matter's first line in the file.
    pub matter_line: usize,
    pub format: Format,
    pub body: &'a str,
    /// 1-based line of the body's first line in the file.
    pub body_line: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    None,
    Toml,
    Yaml,
}

/// Split off front matter. An opening fence without a closing one is an error.
pub fn split<'a>(text: &'a str, file: &Path) -> Result<Split<'a>, Diagnostic> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let (fence, format) = if text.starts_with("+++") {
        ("+++", Format::Toml)
    } else if text.starts_with("---") {
        ("---", Format::Yaml)
    } else {
        return Ok(Split {
            matter: "",
            matter_line: 1,
            format: Format::None,
            body: text,
            body_line: 1,
        });
    };
    let first_nl = match text.find('\n') {
        Some(i) if text[..i].trim_end() == fence => i,
        _ => {
            // "---" followed by text on the same line is a Markdown rule or prose, not a fence.
            return Ok(Split {
                matter: "",
                matter_line: 1,
                format: Format::None,
                body: text,
                body_line: 1,
            });
        }
    };
    let rest = &text[first_nl + 1..];
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == fence {
            let matter = &rest[..offset];
            let body = &rest[offset + line.len()..];
            let body_line = 2 + matter.matches('\n').count() + 1;
            return Ok(Split {
                matter,
                matter_line: 2,
                format,
                body,
                body_line,
            });
        }
        offset += line.len();
    }
    Err(Diagnostic::error(
        file,
        format!("front matter opened with `{fence}` is never closed; expected a line with only `{fence}`"),
    )
    .at(1, 1))
}

/// Parsed front matter fields with the text they came from, for locating errors.
pub struct Fields<'a> {
    map: BTreeMap<String, Value>,
    matter: &'a str,
    matter_line: usize,
    file: &'a Path,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> Fields<'a> {
    /// Parse front matter into fields; syntax errors become diagnostics and leave no fields.
    pub fn parse(split: &Split<'a>, file: &'a Path) -> Self {
        let mut fields = Fields {
            map: BTreeMap::new(),
            matter: split.matter,
            matter_line: split.matter_line,
            file,
            diagnostics: Vec::new(),
        };
        match split.format {
            Format::None => {}
            Format::Toml => match simple_toml(split.matter) {
                Some(map) => fields.map = map,
                None => match parse_toml_lenient(split.matter) {
                    Ok(table) => {
                        for (k, v) in table {
                            fields.map.insert(k, toml_to_json(v));
                        }
                    }
                    Err(e) => {
                        let (line, col) = e.span().map_or((1, 1), |s| line_col(split.matter, s.start));
                        let msg = e.message().trim().to_string();
                        fields.push_error_at(line, col, format!("invalid TOML front matter: {msg}"));
                    }
                },
            },
            Format::Yaml => {
                if !split.matter.trim().is_empty() {
                    match serde_saphyr::from_str::<Value>(split.matter) {
                        Ok(Value::Object(obj)) => fields.map.extend(obj),
                        Ok(Value::Null) => {}
                        Ok(_) => fields.push_error_at(
                            1,
                            1,
                            "YAML front matter must be a mapping of `key: value` lines".into(),
                        ),
                        Err(e) => {
                            let (line, col) = e
                                .location()
                                .map_or((1, 1), |l| (l.line() as usize, l.column() as usize));
                            let msg = e.to_string();
                            let first = msg.lines().next().unwrap_or("syntax error");
                            fields.push_error_at(line, col, format!("invalid YAML front matter: {first}"));
                        }
                    }
                }
            }
        }
        fields
    }

    fn push_error_at(&mut self, line: usize, col: usize, message: String) {
        let d = Diagnostic::error(self.file, message).at(self.matter_line + line - 1, col);
        self.diagnostics.push(d);
    }

    /// The file line of `key` in the front matter (for pointing at a bad value).
    fn key_position(&self, key: &str) -> (usize, usize) {
        for (i, line) in self.matter.lines().enumerate() {
            let t = line.trim_start();
            if let Some(rest) = t.strip_prefix(key)
                && rest.trim_start().starts_with(['=', ':'])
            {
                let col = line.len() - t.len() + 1;
                return (self.matter_line + i, col);
            }
        }
        (self.matter_line, 1)
    }

    fn bad(&mut self, key: &str, message: String) {
        let (line, col) = self.key_position(key);
        self.diagnostics
            .push(Diagnostic::error(self.file, message).at(line, col));
    }

    /// The key is present, whatever its value.
    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    pub fn string(&mut self, key: &str) -> Option<String> {
        match self.map.get(key)? {
            Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
            Value::Number(n) => Some(n.to_string()),
            other => {
                let got = describe(other);
                self.bad(key, format!("`{key}` must be text, found {got}"));
                None
            }
        }
    }

    pub fn list(&mut self, key: &str) -> Vec<String> {
        match self.map.get(key) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::String(s)) => vec![s.trim().to_string()],
            Some(Value::Array(items)) => {
                let mut out = Vec::new();
                let mut bad = None;
                for item in items {
                    match item {
                        Value::String(s) if !s.trim().is_empty() => out.push(s.trim().to_string()),
                        Value::String(_) => {}
                        other => bad = Some(describe(other)),
                    }
                }
                if let Some(got) = bad {
                    self.bad(key, format!("`{key}` must be a list of text items, found {got} in it"));
                }
                out
            }
            Some(other) => {
                let got = describe(other);
                self.bad(key, format!("`{key}` must be a list like [\"a\", \"b\"], found {got}"));
                Vec::new()
            }
        }
    }

    pub fn boolean(&mut self, key: &str) -> Option<bool> {
        match self.map.get(key)? {
            Value::Bool(b) => Some(*b),
            other => {
                let got = describe(other);
                self.bad(key, format!("`{key}` must be true or false, found {got}"));
                None
            }
        }
    }

    pub fn number(&mut self, key: &str, min: f64, max: f64) -> Option<f64> {
        let v = match self.map.get(key)? {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        match v {
            Some(x) if (min..=max).contains(&x) => Some(x),
            Some(x) => {
                self.bad(
                    key,
                    format!("`{key}` = {x} is out of range; expected a number from {min} to {max}"),
                );
                None
            }
            None => {
                let got = self.map.get(key).map_or_else(String::new, describe);
                self.bad(key, format!("`{key}` must be a number, found {got}"));
                None
            }
        }
    }

    /// A date as `YYYY-MM-DD` or RFC 3339 (TOML dates arrive as text too).
    pub fn date(&mut self, key: &str) -> Option<NaiveDate> {
        let raw = self.string(key)?;
        match parse_date(&raw) {
            Ok(d) => Some(d),
            Err(why) => {
                self.bad(
                    key,
                    format!("`{key} = {raw}`: {why}; expected YYYY-MM-DD (for example 2023-10-19)"),
                );
                None
            }
        }
    }

    /// Warn about keys this kind of file does not use, suggesting the likely intended one.
    pub fn finish(mut self, known: &[&str]) -> Vec<Diagnostic> {
        let unknown: Vec<String> = self
            .map
            .keys()
            .filter(|k| !known.contains(&k.as_str()))
            .cloned()
            .collect();
        for key in unknown {
            let (line, col) = self.key_position(&key);
            let hint = match suggest(&key, known) {
                Some(s) => format!("unknown front matter key `{key}`: did you mean `{s}`?"),
                None => format!(
                    "unknown front matter key `{key}` is ignored; known keys: {}",
                    known.join(", ")
                ),
            };
            self.diagnostics
                .push(Diagnostic::warning(self.file, hint).at(line, col));
        }
        self.diagnostics
    }
}

/// The front matter nearly every article has, one `key = value` a line with the value a
/// plain `"text"` (no escapes), a `YYYY-MM-DD` date, `true`, `false` or a one-line list of
/// plain texts, read without the TOML parser (which cost more than the rest of reading an
/// article's fields). Anything else (comments, escapes, numbers, tables, a repeated key)
/// gives `None`, for the parser to read or explain.
fn simple_toml(text: &str) -> Option<BTreeMap<String, Value>> {
    const BLANK: [char; 2] = [' ', '\t'];
    let mut map = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim_matches(BLANK);
        if line.is_empty() {
            continue;
        }
        let (key, value) = line.split_once('=')?;
        let key = key.trim_end_matches(BLANK);
        let bare = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
        if key.is_empty() || !key.bytes().all(bare) {
            return None;
        }
        let value = value.trim_start_matches(BLANK);
        let value = match value {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => match value.strip_prefix('[') {
                Some(list) => {
                    let list = list.strip_suffix(']')?.trim_matches(BLANK);
                    let items = if list.is_empty() {
                        Vec::new()
                    } else {
                        // A comma inside an item leaves a piece that is not a plain text.
                        list.split(',')
                            .map(|item| simple_toml_text(item.trim_matches(BLANK)))
                            .collect::<Option<_>>()?
                    };
                    Value::Array(items)
                }
                None => simple_toml_text(value).or_else(|| simple_toml_date(value))?,
            },
        };
        if map.insert(key.to_string(), value).is_some() {
            return None;
        }
    }
    Some(map)
}

/// A TOML basic string with nothing to unescape: a quote, then no quote, backslash or control
/// character (tabs are allowed), then a quote.
fn simple_toml_text(value: &str) -> Option<Value> {
    let inner = value.strip_prefix('"')?.strip_suffix('"')?;
    let plain = |c: char| c != '"' && c != '\\' && (c == '\t' || !c.is_control());
    inner.chars().all(plain).then(|| Value::String(inner.to_string()))
}

/// A TOML local date such as `2023-10-19`, which the parser checks as a calendar date and
/// turns into the same text.
fn simple_toml_date(value: &str) -> Option<Value> {
    let b = value.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let shaped = b.len() == 10 && b[4] == b'-' && b[7] == b'-' && digits(0..4) && digits(5..7) && digits(8..10);
    if !shaped {
        return None;
    }
    let (y, m, d) = (
        value[..4].parse().ok()?,
        value[5..7].parse().ok()?,
        value[8..].parse().ok()?,
    );
    NaiveDate::from_ymd_opt(y, m, d).map(|_| Value::String(value.to_string()))
}

/// Parse TOML; when it fails on an unquoted date-like value (`date = 2023-13-45`), retry with
/// that value quoted so the date check can say exactly what is wrong with it.
fn parse_toml_lenient(text: &str) -> Result<toml::Table, toml::de::Error> {
    let first = text.parse::<toml::Table>();
    let Err(e) = &first else { return first };
    let Some(span) = e.span() else { return first };
    let (line_no, _) = line_col(text, span.start);
    let Some(line) = text.lines().nth(line_no - 1) else {
        return first;
    };
    let Some((key, value)) = line.split_once('=') else {
        return first;
    };
    let value = value.trim();
    let date_like = value.len() >= 8
        && value.as_bytes()[..4].iter().all(u8::is_ascii_digit)
        && value.as_bytes()[4] == b'-'
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | ':' | '.' | '+'));
    if !date_like {
        return first;
    }
    let fixed: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == line_no - 1 {
                format!("{} = \"{value}\"", key.trim_end())
            } else {
                l.to_string()
            }
        })
        .collect();
    fixed.join("\n").parse::<toml::Table>().or(first)
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "nothing".into(),
        Value::Bool(b) => format!("`{b}`"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the text \"{s}\""),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a table".into(),
    }
}

fn toml_to_json(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect()),
    }
}

/// Parse `YYYY-MM-DD`, or the date part of an RFC 3339 timestamp, explaining what is wrong.
pub fn parse_date(raw: &str) -> Result<NaiveDate, String> {
    let raw = raw.trim();
    let day_part = raw.get(..10).unwrap_or(raw);
    let parts: Vec<&str> = day_part.split('-').collect();
    if parts.len() != 3 || parts[0].len() != 4 || parts[1].len() != 2 || parts[2].len() != 2 {
        return Err("not a date".into());
    }
    let (Ok(y), Ok(m), Ok(d)) = (
        parts[0].parse::<i32>(),
        parts[1].parse::<u32>(),
        parts[2].parse::<u32>(),
    ) else {
        return Err("not a date".into());
    };
    if !(1..=12).contains(&m) {
        return Err(format!("month {m} is not a month"));
    }
    let rest = &raw[day_part.len()..];
    if !rest.is_empty() && chrono::DateTime::parse_from_rfc3339(raw).is_err() {
        return Err("the time after the date is not RFC 3339".into());
    }
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| format!("day {d} is not in month {m} of {y}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_explain_errors() {
        assert_eq!(
            parse_date("2023-10-19"),
            Ok(NaiveDate::from_ymd_opt(2023, 10, 19).unwrap())
        );
        assert_eq!(
            parse_date("2023-10-19T08:00:00Z"),
            Ok(NaiveDate::from_ymd_opt(2023, 10, 19).unwrap())
        );
        assert_eq!(parse_date("2023-13-45"), Err("month 13 is not a month".to_string()));
        assert_eq!(
            parse_date("2023-02-30"),
            Err("day 30 is not in month 2 of 2023".to_string())
        );
        assert!(parse_date("19/10/2023").is_err());
    }

    #[test]
    fn toml_and_yaml_read_alike() {
        let file = Path::new("a.md");
        for text in [
            "+++\ntitle = \"T\"\ndate = 2023-10-19\n+++\nBody",
            "---\ntitle: T\ndate: 2023-10-19\n---\nBody",
        ] {
            let s = split(text, file).unwrap();
            assert_eq!(s.body, "Body");
            assert_eq!(s.body_line, 5);
            let mut f = Fields::parse(&s, file);
            assert_eq!(f.string("title").as_deref(), Some("T"));
            assert_eq!(f.date("date"), NaiveDate::from_ymd_opt(2023, 10, 19));
            assert!(f.finish(&["title", "date"]).is_empty());
        }
    }

    #[test]
    fn bad_value_points_at_its_line() {
        let file = Path::new("a.md");
        let s = split("+++\ntitle = \"T\"\ndate = \"2023-13-45\"\n+++\n", file).unwrap();
        let mut f = Fields::parse(&s, file);
        assert_eq!(f.date("date"), None);
        let d = f.finish(&["title", "date"]);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].line, Some(3));
        assert!(d[0].message.contains("month 13 is not a month"), "{}", d[0].message);
    }

    #[test]
    fn simple_front_matter_reads_as_the_toml_parser_reads_it() {
        let text =
            "title = \"Kata’ib\tHezbollah\"\n  date=2024-02-29 \ntags = [\"a\", \"b-c\"]\nnone = []\ndraft = false\n\n";
        let parsed: BTreeMap<String, Value> = text
            .parse::<toml::Table>()
            .unwrap()
            .into_iter()
            .map(|(k, v)| (k, toml_to_json(v)))
            .collect();
        assert_eq!(simple_toml(text), Some(parsed));
        for other in [
            "a = 1",
            "a = \"x\" # note",
            "a = \"x\\ty\"",
            "a = \"\"\"x\"\"\"",
            "a.b = \"x\"",
            "a = \"x\"\na = \"y\"",
            "a = 2023-02-29",
            "a = [\"x, y\"]",
            "[t]",
        ] {
            assert_eq!(simple_toml(other), None, "{other}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1000))]
        #[test]
        fn simple_front_matter_is_toml(
            lines in proptest::collection::vec(
                // Mostly lines the fast path takes, some with what only the parser reads.
                "[ \t]?([a-z_\\-]{1,3}|[a-z_\\-]{1,3}|[a-z.\"]{0,2})[ \t]?=[ \t]?(\"[a-z ,é\t]{0,4}\"|\"[a-z ,é\t]{0,4}\"|\"[a-z\\\\\"#\u{1}]{0,2}\"|true|false|[0-9]{1,2}|20[0-9]{2}-[01][0-9]-[0-3][0-9]|\\[(\"[a-z,\\\"]{0,3}\",? ?){0,3}\\])[ \t]?(|||#x)[ \t]?",
                0..5,
            )
        ) {
            let text = lines.join("\n");
            if let Some(map) = simple_toml(&text) {
                let parsed = text.parse::<toml::Table>();
                proptest::prop_assert!(parsed.is_ok(), "{text:?}: {parsed:?}");
                let parsed: BTreeMap<String, Value> =
                    parsed.unwrap().into_iter().map(|(k, v)| (k, toml_to_json(v))).collect();
                proptest::prop_assert_eq!(map, parsed);
            }
        }
    }

    #[test]
    fn unclosed_fence_is_an_error() {
        assert!(split("+++\ntitle = 1\n", Path::new("a.md")).is_err());
    }
}
