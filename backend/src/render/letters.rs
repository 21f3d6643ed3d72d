//! The printed letter (三函一约谈): the askama page on A4 with the receipt
//! (回执) to cut off and return, and dates as a letter writes them.

use askama::Template;
use chrono::{Datelike, NaiveDate};
use shared::assessment::Letter;
use shared::assessment_record::{letter_paragraphs, LetterView};

#[derive(Template)]
#[template(path = "print/letter.html")]
struct LetterPage<'a> {
    l: &'a LetterView,
    title: &'static str,
    addressee: String,
    paragraphs: Vec<String>,
    issued_on: String,
    acknowledged_on: String,
}

/// A date as a letter writes it: "2026年11月24日".
pub fn chinese_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// The letter `l` as an HTML page.
pub fn letter_page(l: &LetterView) -> Result<String, askama::Error> {
    let addressee = match l.kind {
        Letter::Interview => format!("{}属地信访工作联席会议召集人", l.unit_name),
        _ => l.unit_name.clone(),
    };
    LetterPage {
        l,
        title: l.kind.label(),
        addressee,
        paragraphs: letter_paragraphs(l),
        issued_on: chinese_date(l.issued_on),
        acknowledged_on: l.acknowledged_on.map(chinese_date).unwrap_or_default(),
    }
    .render()
}
