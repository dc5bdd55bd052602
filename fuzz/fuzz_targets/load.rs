//! Arbitrary bytes as an article file, read as Markdown and as plain text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fn parse(rel: &str, text: &str) -> String {
    let mut diags = Vec::new();
    let article = sitrep::load::parse_article(rel, text, &mut diags);
    format!("{article:?}\n{diags:?}")
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for rel in ["content/articles/x.md", "content/articles/x.txt"] {
        let first = parse(rel, &text);
        let second = parse(rel, &text);
        assert_eq!(first, second, "parse_article({rel}) is not deterministic");
    }
});
