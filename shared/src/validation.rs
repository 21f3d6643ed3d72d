//! Input checks shared by the server (authoritative) and the field app (early
//! feedback). Each failure carries a Chinese message for the user.

use crate::case::NewVisit;
use crate::error::{ApiError, ErrorCode};
use chrono::{Duration, NaiveDateTime};

/// Longest free-text note on a record, in characters.
pub const MAX_NOTE_CHARS: usize = 2000;

/// The format of local timestamps entered on the device.
pub const LOCAL_DATETIME_FORMAT: &str = "%Y-%m-%dT%H:%M";

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::ValidationFailed, message)
}

/// A device-made id: a UUID in its canonical 36-character text form.
pub fn check_uuid(id: &str) -> Result<(), ApiError> {
    let ok = id.len() == 36
        && id.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        });
    if ok {
        Ok(())
    } else {
        Err(invalid("记录编号格式无效"))
    }
}

/// Parses a local date-time `YYYY-MM-DDTHH:MM` (seconds allowed).
pub fn parse_local_datetime(s: &str) -> Result<NaiveDateTime, ApiError> {
    NaiveDateTime::parse_from_str(s, LOCAL_DATETIME_FORMAT)
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| invalid("走访时间格式无效，应为 年-月-日 时:分"))
}

/// A required free-text field: not blank, at most `max` characters.
pub fn check_text(field_label: &str, text: &str, max: usize) -> Result<(), ApiError> {
    if text.trim().is_empty() {
        return Err(invalid(format!("{field_label}不能为空")));
    }
    let n = text.chars().count();
    if n > max {
        return Err(invalid(format!(
            "{field_label}不能超过 {max} 个字（现为 {n} 个字）"
        )));
    }
    Ok(())
}

/// Checks a visit record. `now` is the local time of whoever checks it; a
/// visit may not be dated more than a day ahead of it (clock skew allowance)
/// nor before 2000.
pub fn check_new_visit(v: &NewVisit, now: NaiveDateTime) -> Result<(), ApiError> {
    check_uuid(&v.id)?;
    if v.case_id <= 0 {
        return Err(invalid("事项编号无效"));
    }
    let at = parse_local_datetime(&v.visited_at)?;
    if at > now + Duration::days(1) {
        return Err(invalid("走访时间不能晚于当前时间"));
    }
    if at.and_utc().timestamp() < 946_684_800 {
        return Err(invalid("走访时间过早"));
    }
    check_text("走访情况", &v.note, MAX_NOTE_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::VisitMethod;

    fn visit() -> NewVisit {
        NewVisit {
            id: "0f8fad5b-d9cb-469f-a165-70867728950e".into(),
            case_id: 1,
            visited_at: "2026-11-20T09:30".into(),
            method: VisitMethod::Phone,
            note: "电话告知办理进度".into(),
        }
    }

    fn now() -> NaiveDateTime {
        parse_local_datetime("2026-11-22T12:00").unwrap()
    }

    #[test]
    fn accepts_a_good_visit() {
        assert_eq!(check_new_visit(&visit(), now()), Ok(()));
    }

    #[test]
    fn refuses_bad_visits_with_chinese_messages() {
        let cases: Vec<(NewVisit, &str)> = vec![
            (
                NewVisit {
                    id: "nope".into(),
                    ..visit()
                },
                "记录编号格式无效",
            ),
            (
                NewVisit {
                    note: "   ".into(),
                    ..visit()
                },
                "走访情况不能为空",
            ),
            (
                NewVisit {
                    note: "字".repeat(2001),
                    ..visit()
                },
                "走访情况不能超过 2000 个字（现为 2001 个字）",
            ),
            (
                NewVisit {
                    visited_at: "昨天".into(),
                    ..visit()
                },
                "走访时间格式无效，应为 年-月-日 时:分",
            ),
            (
                NewVisit {
                    visited_at: "2026-11-25T09:00".into(),
                    ..visit()
                },
                "走访时间不能晚于当前时间",
            ),
            (
                NewVisit {
                    case_id: 0,
                    ..visit()
                },
                "事项编号无效",
            ),
        ];
        for (v, msg) in cases {
            let e = check_new_visit(&v, now()).unwrap_err();
            assert_eq!(e.code, ErrorCode::ValidationFailed);
            assert_eq!(e.message, msg);
        }
    }

    #[test]
    fn note_limit_counts_characters_not_bytes() {
        assert!(check_text("走访情况", &"字".repeat(2000), MAX_NOTE_CHARS).is_ok());
    }
}
