//! What each fuzz target checks, as plain functions: libFuzzer calls them
//! from `fuzz_targets/`, and `tests/short_run.rs` feeds them a few thousand
//! seeded inputs in the normal test command. Each one must never panic on
//! any input, and asserts the properties the server relies on.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use shared::calendar::Calendar;
use shared::sync::{Change, PushRequest, RawPush};
use shared::validation::{IdNumber, PersonName, PhoneNumber};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn now() -> NaiveDateTime {
    today().and_hms_opt(10, 0, 0).unwrap()
}

/// The sync push decoder and the pure checks the server runs on each change
/// before it touches the database.
pub fn push_decoder(data: &[u8]) {
    if let Ok(raw) = serde_json::from_slice::<RawPush>(data) {
        let _ = shared::validation::check_uuid(&raw.client_id);
        for m in &raw.mutations {
            if !m.has_valid_id() {
                continue; // refused as 变更编号无效 before decoding
            }
            let decoded = serde_json::from_value::<Change>(m.change.clone());
            if let Ok(change) = decoded {
                checks(&change);
                // The digest the server stores is of the canonical JSON: it
                // must read back as the same change and write out the same.
                let canonical = serde_json::to_string(&change).expect("a change always serialises");
                let back: Change = serde_json::from_str(&canonical).expect("canonical JSON reads back");
                assert_eq!(back, change);
                assert_eq!(serde_json::to_string(&back).unwrap(), canonical, "canonical form is stable");
            }
        }
    }
    // The typed request (what the OpenAPI document and the field app use)
    // accepts no more than the raw envelope does.
    if let Ok(req) = serde_json::from_slice::<PushRequest>(data) {
        assert!(serde_json::from_slice::<RawPush>(data).is_ok(), "typed push accepted where the raw one is not");
        for m in &req.mutations {
            checks(&m.change);
        }
    }
}

fn checks(change: &Change) {
    let _ = change.check_offline();
    let _ = change.label();
    let _ = change.case_id();
    match change {
        Change::AddVisit { visit } => {
            if let Ok(v) = shared::validation::check_visit(visit, now()) {
                let _ = v;
            }
            let _ = shared::validation::check_new_visit(visit, now());
        }
        Change::Command { command, .. } | Change::CommandOnNew { command, .. } => {
            let _ = command.validate();
            let _ = command.label();
            let _ = command.kind();
        }
        Change::CreateCase { case } => {
            let _ = case.check(today());
        }
    }
}

/// The identity-card number, phone and name validators: never panic; what
/// they accept is normal (parsing it again gives the same), and the masks
/// hide the middle.
pub fn validators(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    let today = today();
    if let Ok(id) = IdNumber::parse(text, today) {
        let again = IdNumber::parse(id.as_str(), today).expect("an accepted id number parses again");
        assert_eq!(again.as_str(), id.as_str());
        assert_eq!(id.as_str().chars().count(), 18);
        assert!(id.birth_date() <= today && id.birth_date().year() >= 1900);
        let body: String = id.as_str().chars().take(17).collect();
        assert_eq!(shared::validation::id_check_char(&body), id.as_str().chars().last());
        assert_eq!(id.masked().chars().count(), 18);
    }
    if let Ok(p) = PhoneNumber::parse(text) {
        let again = PhoneNumber::parse(p.as_str()).expect("an accepted phone parses again");
        assert_eq!(again.as_str(), p.as_str());
        let _ = p.masked();
    }
    if let Ok(n) = PersonName::parse(text) {
        let again = PersonName::parse(n.as_str()).expect("an accepted name parses again");
        assert_eq!(again.as_str(), n.as_str());
        assert!(n.as_str().chars().count() <= shared::validation::MAX_NAME_CHARS);
        assert!(!shared::validation::has_control_chars(n.as_str()));
    }
    let _ = shared::validation::check_uuid(text);
    let _ = shared::validation::parse_local_datetime(text);
    let _ = shared::validation::check_text("内容", text, 200);
    let _ = shared::time::parse_ymd(text);
    let _ = shared::time::parse_local_minute(text);
    // The body of an id number: any 17 characters.
    let _ = shared::validation::id_check_char(text);
}

/// Working-day arithmetic on the official calendar (and, when the input is
/// long, on a schedule parsed from it), for dates from 1900 to 2200 and
/// periods up to 1,000 days: the identities of `shared::calendar` hold.
pub fn calendar(data: &[u8]) {
    if data.len() < 7 {
        return;
    }
    let official;
    let parsed;
    let cal: &Calendar = if data.len() > 7 {
        match Calendar::parse(&String::from_utf8_lossy(&data[7..])) {
            Ok(c) => {
                parsed = c;
                &parsed
            }
            Err(_) => Calendar::official(),
        }
    } else {
        official = Calendar::official();
        official
    };
    let origin = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap();
    let span = 300 * 365;
    let a = origin + Duration::days(i64::from(u32::from_le_bytes([data[0], data[1], data[2], 0])) % span);
    let b = a + Duration::days(i64::from(u16::from_le_bytes([data[3], data[4]])) % 2000 - 1000);
    let n = u32::from(u16::from_le_bytes([data[5], data[6]])) % 1000;

    let end = cal.add_working_days(a, n);
    assert!(end.value >= a);
    assert_eq!(cal.working_days_between(a, end.value).value, i64::from(n), "between(a, a + n) = n");
    if n > 0 {
        assert!(cal.is_working_day(end.value));
        assert!(cal.add_working_days(a, n - 1).value < end.value);
    }
    let ab = cal.working_days_between(a, b).value;
    assert_eq!(ab, -cal.working_days_between(b, a).value, "between is antisymmetric");
    assert!(ab.abs() <= (b - a).num_days().abs());

    let next = cal.next_working_day_from(a);
    assert!(next.value >= a && cal.is_working_day(next.value));
    let mut d = a;
    while d < next.value {
        assert!(!cal.is_working_day(d));
        d += Duration::days(1);
    }
    let period = cal.calendar_period_end(a, n);
    assert!(period.value >= a + Duration::days(i64::from(n)) && cal.is_working_day(period.value));
}

/// A seeded generator for the short run (SplitMix64).
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// An input: random bytes, or a seed mutated the way libFuzzer does
    /// (flips, inserts, deletes, splices, interesting bytes).
    pub fn input(&mut self, seeds: &[&[u8]]) -> Vec<u8> {
        if seeds.is_empty() || self.below(8) == 0 {
            let len = self.below(64);
            return (0..len).map(|_| self.next_u64() as u8).collect();
        }
        let mut v = seeds[self.below(seeds.len())].to_vec();
        for _ in 0..=self.below(4) {
            let at = self.below(v.len() + 1);
            match self.below(6) {
                0 if !v.is_empty() => {
                    let i = at.min(v.len() - 1);
                    v[i] ^= 1 << self.below(8);
                }
                1 => {
                    let b = *b"\"{}[],:0123456789-X\\ \t\n\x00\xff\xe4\xb8\x80".get(self.below(27)).unwrap();
                    v.insert(at, b);
                }
                2 if !v.is_empty() => {
                    let end = (at + self.below(8)).min(v.len());
                    v.drain(at.min(end)..end);
                }
                3 => {
                    let other = seeds[self.below(seeds.len())];
                    let from = self.below(other.len() + 1);
                    let to = (from + self.below(32)).min(other.len());
                    v.splice(at..at, other[from..to].iter().copied());
                }
                4 if !v.is_empty() => {
                    let i = at.min(v.len() - 1);
                    v[i] = [0u8, 0x7f, 0x80, 0xff, b'9', b'"'][self.below(6)];
                }
                _ => v.truncate(at),
            }
        }
        v
    }
}

/// Seed inputs (also in `corpus/<target>/` for cargo fuzz).
pub mod seeds {
    pub const PUSH: &[&[u8]] = &[
        r#"{"client_id":"0b0e5f6c-1d2e-4f3a-8b4c-5d6e7f8a9b0c","mutations":[{"id":1,"change":{"kind":"add_visit","visit":{"id":"1b0e5f6c-1d2e-4f3a-8b4c-5d6e7f8a9b0c","case_id":7,"visited_at":"2026-11-20T09:30","method":"in_person","note":"入户走访"}}}]}"#.as_bytes(),
        r#"{"client_id":"0b0e5f6c-1d2e-4f3a-8b4c-5d6e7f8a9b0c","mutations":[{"id":2,"change":{"kind":"command","case_id":7,"command":{"kind":"contact","method":"phone","note":"电话沟通"}}},{"id":3,"change":{"kind":"command","case_id":7,"command":{"kind":"close","method":"in_person","notice":"oral","opinion":"satisfied","result":"已办结"}}}]}"#.as_bytes(),
        r#"{"client_id":"0b0e5f6c-1d2e-4f3a-8b4c-5d6e7f8a9b0c","mutations":[{"id":4,"change":{"kind":"create_case","case":{"client_ref":"2b0e5f6c-1d2e-4f3a-8b4c-5d6e7f8a9b0c","unit_id":3,"citizen_name":"格日勒·图雅","id_number":"11010519491231002X","phone":"13948302101","address":"乌兰布和嘎查三组","summary":"草场边界纠纷","brief":"草场","channel":"visit","source":"screening","level":"village","category":"herding","received_on":"2026-11-20"}}},{"id":5,"change":{"kind":"command_on_new","client_ref":"2b0e5f6c-1d2e-4f3a-8b4c-5d6e7f8a9b0c","command":{"kind":"screen","outcome":{"kind":"accept_agency","agent_chosen_by_citizen":false},"agent_id":2,"note":"同意代办"}}}]}"#.as_bytes(),
        r#"{"client_id":"x","mutations":[{"id":0,"change":{"kind":"drop_table"}},{"id":18446744073709551615,"change":null}]}"#.as_bytes(),
    ];
    pub const VALIDATORS: &[&[u8]] = &[
        b"11010519491231002X",
        b"110105194912310021",
        b"13948302101",
        b"0483-8221234",
        "格日勒·图雅".as_bytes(),
        "ᠪᠠᠲᠤ".as_bytes(),
        b"Zhang San",
        b"0b0e5f6c-1d2e-4f3a-8b4c-5d6e7f8a9b0c",
        b"2026-11-20T09:30",
        b"2026-02-29",
    ];
    pub const CALENDAR: &[&[u8]] = &[
        &[0x10, 0x2a, 0x01, 0x20, 0x10, 0x0f, 0x00],
        &[0xff, 0xff, 0x00, 0xa0, 0x0f, 0x87, 0x13],
        b"\x00\x90\x01\x00\x00\x05\x00year\t2030\n2030-10-01\toff\t\xe5\x9b\xbd\xe5\xba\x86\n2030-10-12\twork\tx\n",
    ];
}
