//! What citizens use without an account: the query code (查询码) printed on
//! the 代办单 (and sent by SMS where a phone was left), with which a citizen
//! follows their own matter on the public pages (可查询、可跟踪、可督办、可评价).
//!
//! The code is 8 digits: 7 random and a Damm check digit. Digits are what a
//! herder reads aloud over the phone or types on any keypad, in Chinese or
//! Mongolian; the check digit catches every single wrong digit and every
//! swap of two neighbours at once, before anything is looked up; the random
//! part means numbers cannot be walked (and look-ups are throttled).

use crate::error::{ApiError, ErrorCode};

/// Digits of a query code.
pub const QUERY_CODE_DIGITS: usize = 8;

/// The Damm quasigroup of order 10 (weakly totally anti-symmetric).
const DAMM: [[u8; 10]; 10] = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
    [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
    [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
    [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
    [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
    [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
    [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
    [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
    [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

fn damm(digits: impl Iterator<Item = u8>) -> u8 {
    digits.fold(0, |interim, d| DAMM[interim as usize][d as usize])
}

/// A query code (查询码), checked.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QueryCode(String);

impl QueryCode {
    /// A new code from 32 random bits (the caller's randomness: the server's
    /// operating-system generator).
    pub fn from_random(random: u32) -> QueryCode {
        let body = format!("{:07}", random % 10_000_000);
        let check = damm(body.bytes().map(|b| b - b'0'));
        QueryCode(format!("{body}{check}"))
    }

    /// Reads a code as typed: spaces and dashes ignored, full-width digits
    /// accepted. A typo is caught here, with a message saying so.
    pub fn parse(raw: &str) -> Result<QueryCode, ApiError> {
        let digits: String = raw
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '\u{3000}'))
            .map(|c| match c {
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
                c => c,
            })
            .collect();
        let invalid = |m: &str| ApiError::new(ErrorCode::ValidationFailed, m);
        if digits.chars().count() != QUERY_CODE_DIGITS || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid("查询码应为 8 位数字"));
        }
        if damm(digits.bytes().map(|b| b - b'0')) != 0 {
            return Err(invalid("查询码有误，请核对后重新输入"));
        }
        Ok(QueryCode(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// In two groups of four, for reading aloud and printing: `1234 5678`.
    pub fn grouped(&self) -> String {
        format!("{} {}", &self.0[..4], &self.0[4..])
    }
}

/// What a citizen types to open their matter besides its number: the query
/// code, or — where they left a phone number — its last 4 digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CitizenKey {
    Code(QueryCode),
    PhoneTail(String),
}

impl CitizenKey {
    /// 4 digits are a phone's tail; anything else must be a query code.
    pub fn parse(raw: &str) -> Result<CitizenKey, ApiError> {
        let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '-' | '\u{3000}')).collect();
        if digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(CitizenKey::PhoneTail(digits));
        }
        QueryCode::parse(raw).map(CitizenKey::Code)
    }

    pub fn as_str(&self) -> &str {
        match self {
            CitizenKey::Code(c) => c.as_str(),
            CitizenKey::PhoneTail(t) => t,
        }
    }

    /// Whether this key opens a matter with this query code and phone.
    pub fn opens(&self, query_code: Option<&str>, phone: Option<&str>) -> bool {
        match self {
            CitizenKey::Code(c) => query_code == Some(c.as_str()),
            CitizenKey::PhoneTail(t) => phone.is_some_and(|p| p.len() >= 4 && p.ends_with(t.as_str())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_damm_values() {
        // The textbook example: 572 → check digit 4.
        assert_eq!(damm([5, 7, 2].into_iter()), 4);
        assert_eq!(damm([5, 7, 2, 4].into_iter()), 0);
    }

    #[test]
    fn typed_forms_are_read() {
        let code = QueryCode::from_random(1_234_567);
        assert_eq!(code.as_str().len(), 8);
        assert_eq!(QueryCode::parse(&code.grouped()).unwrap(), code);
        let full_width: String =
            code.as_str().chars().map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap()).collect();
        assert_eq!(QueryCode::parse(&full_width).unwrap(), code);
        assert_eq!(QueryCode::parse("1234").unwrap_err().message, "查询码应为 8 位数字");
    }

    #[test]
    fn a_phone_tail_or_a_code() {
        let code = QueryCode::from_random(42);
        assert_eq!(CitizenKey::parse(code.as_str()).unwrap(), CitizenKey::Code(code.clone()));
        let tail = CitizenKey::parse("2101").unwrap();
        assert!(tail.opens(None, Some("13948302101")));
        assert!(!tail.opens(Some(code.as_str()), None), "no phone on file: the tail opens nothing");
        assert!(CitizenKey::Code(code.clone()).opens(Some(code.as_str()), None));
        assert!(CitizenKey::parse("12345").is_err());
    }

    proptest! {
        #[test]
        fn every_single_digit_error_and_neighbour_swap_is_caught(random in any::<u32>(), pos in 0usize..8, delta in 1u8..10) {
            let code = QueryCode::from_random(random);
            let mut d: Vec<u8> = code.as_str().bytes().map(|b| b - b'0').collect();
            let mut typo = d.clone();
            typo[pos] = (typo[pos] + delta) % 10;
            let typo: String = typo.iter().map(|x| (b'0' + x) as char).collect();
            prop_assert!(QueryCode::parse(&typo).is_err());
            if pos < 7 && d[pos] != d[pos + 1] {
                d.swap(pos, pos + 1);
                let swapped: String = d.iter().map(|x| (b'0' + x) as char).collect();
                prop_assert!(QueryCode::parse(&swapped).is_err());
            }
        }
    }
}
