//! Date expressions: the first bytes choose a publication date (or none), the rest is the sentence.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;

/// A publication date as the front matter can give one: years -999 to 9999 (four characters).
fn pub_date(head: &[u8; 5]) -> Option<NaiveDate> {
    if head[0].is_multiple_of(4) {
        return None;
    }
    let year = i32::from(u16::from_le_bytes([head[1], head[2]]) % 11_000) - 999;
    let month = u32::from(head[3] % 12) + 1;
    let day = u32::from(head[4] % 31) + 1;
    NaiveDate::from_ymd_opt(year, month, day).or_else(|| NaiveDate::from_ymd_opt(year, month, 28))
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 5 {
        return;
    }
    let date = pub_date(data[..5].try_into().unwrap());
    let text = String::from_utf8_lossy(&data[5..]);
    let found = sitrep::dates::find_dates(&text, date);
    for d in &found {
        assert!(
            d.start <= d.end && d.end <= text.len(),
            "range {}..{} out of bounds",
            d.start,
            d.end
        );
        assert_eq!(d.phrase, &text[d.start..d.end], "phrase is not the text at its range");
    }
    let again = sitrep::dates::find_dates(&text, date);
    assert_eq!(found, again, "find_dates is not deterministic");
});
