//! Input checks shared by the server (authoritative) and the field app (early
//! feedback). Each failure carries a Chinese message for the user.

use crate::error::{ApiError, ErrorCode};
use crate::vocab::NewVisit;
use chrono::{Duration, NaiveDateTime};

/// Longest free-text note on a record, in characters.
pub const MAX_NOTE_CHARS: usize = 2000;

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
    crate::time::parse_local_minute(s).ok_or_else(|| invalid("走访时间格式无效，应为 年-月-日 时:分"))
}

/// Whether `text` holds a control character other than a line break or a
/// tab (NUL and the like): such text is never stored — PostgreSQL cannot
/// hold NUL at all, and nobody types these on purpose.
pub fn has_control_chars(text: &str) -> bool {
    text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

/// Whether `c` is an invisible format control that can make text read other
/// than it is: the bidirectional marks, embeddings, overrides and isolates
/// (U+200E, U+200F, U+061C, U+202A–U+202E, U+2066–U+2069) and the zero-width
/// characters (U+200B–U+200D, U+FEFF). `invoice\u{202E}gnp.exe` shows as
/// `invoiceexe.png`; nobody types these on purpose.
pub fn is_format_control(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}' | '\u{FEFF}'
    )
}

/// Free text as it is kept: the invisible format controls
/// ([`is_format_control`]) removed, everything else as typed. Every free-text
/// field goes through this on input (the server does it to every JSON body
/// and form it reads).
pub fn strip_format_controls(text: &str) -> String {
    text.chars().filter(|c| !is_format_control(*c)).collect()
}

/// Longest stored file name, in characters (extension included).
pub const MAX_FILE_NAME_CHARS: usize = 120;

/// The extension a stored file of `content_type` carries (the sniffed type,
/// never what was typed), or `None` for a type not accepted.
pub fn extension_for(content_type: &str) -> Option<&'static str> {
    match content_type {
        "image/jpeg" => Some("jpg"),
        "image/png" => Some("png"),
        "image/webp" => Some("webp"),
        "application/pdf" => Some("pdf"),
        _ => None,
    }
}

/// `name` without its last extension (`照片.html` → `照片`), and without a
/// second one that is already the type's (`照片.jpg.exe` → `照片`, not
/// `照片.jpg.jpg`).
fn stem_of<'a>(name: &'a str, ext: &str) -> &'a str {
    let drop_ext = |n: &'a str| match n.rfind('.') {
        Some(i) if i > 0 => (&n[..i], &n[i + 1..]),
        _ => (n, ""),
    };
    let (stem, _) = drop_ext(name);
    let (inner, inner_ext) = drop_ext(stem);
    let same = inner_ext.eq_ignore_ascii_case(ext) || (ext == "jpg" && inner_ext.eq_ignore_ascii_case("jpeg"));
    if same {
        inner
    } else {
        stem
    }
}

/// The characters of `name` a file name may keep on every system: control
/// and format characters removed, path separators and the characters
/// Windows refuses (`\ / : * ? " < > |`) made `_`. Also for the parts of
/// names made from other text (a unit's name in the dossier).
pub fn file_name_chars(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_control() && !is_format_control(*c))
        .map(|c| if "/\\:*?\"<>|".contains(c) { '_' } else { c })
        .collect()
}

/// The name a file of (sniffed) `content_type` is stored and exported under:
/// control and format characters removed, path separators and the
/// characters Windows refuses (`\ / : * ? " < > |`) made `_`, leading dots
/// and trailing dots and spaces trimmed, the typed extension dropped and the
/// type's own put on (`照片.html` as a JPEG is `照片.jpg`). A name with nothing
/// left, or too long, is refused.
pub fn clean_file_name(name: &str, content_type: &str) -> Result<String, ApiError> {
    let ext = extension_for(content_type).ok_or_else(|| invalid("只接受 JPEG、PNG、WebP 图片或 PDF 扫描件"))?;
    let kept = file_name_chars(name);
    let stem = stem_of(kept.trim().trim_start_matches('.'), ext).trim().trim_end_matches(['.', ' ']).trim();
    if stem.is_empty() || stem.chars().all(|c| c == '_') {
        return Err(invalid("附件文件名无效：去掉不可见字符和扩展名后没有剩下文字"));
    }
    let n = stem.chars().count() + 1 + ext.len();
    if n > MAX_FILE_NAME_CHARS {
        return Err(invalid(format!("附件文件名不能超过 {MAX_FILE_NAME_CHARS} 个字（现为 {n} 个字）")));
    }
    Ok(format!("{stem}.{ext}"))
}

/// A stored file name as it is shown or exported (a download, the dossier
/// ZIP, a claim's materials): [`clean_file_name`] again, so names kept before
/// that rule come out safe too; one with nothing left is `文件.<ext>`.
pub fn shown_file_name(stored: &str, content_type: &str) -> String {
    clean_file_name(stored, content_type).unwrap_or_else(|_| match extension_for(content_type) {
        Some(ext) => format!("文件.{ext}"),
        None => "文件".to_string(),
    })
}

/// Any text from outside (a search term, a file name, a sign-in name): no
/// control characters.
pub fn check_plain(field_label: &str, text: &str) -> Result<(), ApiError> {
    if has_control_chars(text) {
        return Err(invalid(format!("{field_label}含有不允许的控制字符")));
    }
    Ok(())
}

/// A required free-text field: not blank, at most `max` characters, no
/// control characters.
pub fn check_text(field_label: &str, text: &str, max: usize) -> Result<(), ApiError> {
    if text.trim().is_empty() {
        return Err(invalid(format!("{field_label}不能为空")));
    }
    check_plain(field_label, text)?;
    let n = text.chars().count();
    if n > max {
        return Err(invalid(format!("{field_label}不能超过 {max} 个字（现为 {n} 个字）")));
    }
    Ok(())
}

/// A checked visit record: the workflow accepts only this.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedVisit {
    /// A device-made UUID (checked).
    pub id: String,
    pub case_id: i64,
    /// China local time.
    pub visited_at: NaiveDateTime,
    pub method: crate::vocab::VisitMethod,
    pub note: String,
    pub position: Option<crate::vocab::GeoPoint>,
    /// The record as it came, for the audit log.
    pub wire: NewVisit,
}

/// Checks a visit record. `now` is the local time of whoever checks it; a
/// visit may not be dated more than a day ahead of it (clock skew allowance)
/// nor before 2000.
pub fn check_visit(v: &NewVisit, now: NaiveDateTime) -> Result<CheckedVisit, ApiError> {
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
    if let Some(p) = v.position {
        if !(-90_000_000..=90_000_000).contains(&p.lat_e6)
            || !(-180_000_000..=180_000_000).contains(&p.lng_e6)
            || !(0..=100_000).contains(&p.accuracy_m)
        {
            return Err(invalid("定位数据无效"));
        }
    }
    check_text("走访情况", &v.note, MAX_NOTE_CHARS)?;
    Ok(CheckedVisit {
        id: v.id.clone(),
        case_id: v.case_id,
        visited_at: at,
        method: v.method,
        note: v.note.clone(),
        position: v.position,
        wire: v.clone(),
    })
}

/// [`check_visit`] when only the verdict is wanted (the phone's form).
pub fn check_new_visit(v: &NewVisit, now: NaiveDateTime) -> Result<(), ApiError> {
    check_visit(v, now).map(|_| ())
}

/// Weights of the 17 body digits of an ID number (GB 11643-1999).
const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character for `sum mod 11`.
const ID_CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
/// Province-level codes that start a valid ID number.
const PROVINCES: [u32; 34] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63,
    64, 65, 71, 81, 82,
];

/// The GB 11643-1999 check character of the 17 body digits, or `None` if
/// `body` is not 17 ASCII digits.
pub fn id_check_char(body: &str) -> Option<char> {
    if body.len() != 17 || !body.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = body.bytes().zip(ID_WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    Some(ID_CHECK[(sum % 11) as usize])
}

/// A checked 18-digit resident ID number (身份证号), upper-case `X`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "String", into = "String")]
pub struct IdNumber(String);

impl IdNumber {
    /// Checks an ID number: 18 characters, a province code, a real birth
    /// date not after `today`, and the GB 11643 check character.
    pub fn parse(raw: &str, today: chrono::NaiveDate) -> Result<IdNumber, ApiError> {
        let s: String = raw.trim().to_ascii_uppercase();
        let chars: Vec<char> = s.chars().collect();
        if chars.len() != 18 {
            return Err(invalid(format!("身份证号应为 18 位（现为 {} 位）", chars.len())));
        }
        if !chars[..17].iter().all(char::is_ascii_digit) || !(chars[17].is_ascii_digit() || chars[17] == 'X') {
            return Err(invalid("身份证号只能由数字组成，最后一位可以是 X"));
        }
        let digit = |i: usize| chars[i].to_digit(10).unwrap_or(0);
        if !PROVINCES.contains(&(digit(0) * 10 + digit(1))) {
            return Err(invalid("身份证号的地区码无效"));
        }
        let birth = crate::time::parse_compact_ymd(&s[6..14]).ok_or_else(|| invalid("身份证号中的出生日期无效"))?;
        if birth > today || chrono::Datelike::year(&birth) < 1900 {
            return Err(invalid("身份证号中的出生日期无效"));
        }
        if id_check_char(&s[..17]) != Some(chars[17]) {
            return Err(invalid("身份证号校验位不正确，请核对"));
        }
        Ok(IdNumber(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The birth date encoded in the number.
    pub fn birth_date(&self) -> chrono::NaiveDate {
        crate::time::parse_compact_ymd(&self.0[6..14]).expect("checked at parse")
    }

    /// Shown to those who may not see it whole: first 3 and last 4 kept.
    pub fn masked(&self) -> String {
        format!("{}***********{}", &self.0[..3], &self.0[14..])
    }
}

impl TryFrom<String> for IdNumber {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        // Deserialising trusts no clock: only dates up to 9999 are refused by parse.
        IdNumber::parse(&s, chrono::NaiveDate::MAX).map_err(|e| e.message)
    }
}

impl From<IdNumber> for String {
    fn from(id: IdNumber) -> String {
        id.0
    }
}

/// A checked phone number: a mainland mobile number (11 digits starting 13–19)
/// or a landline with its area code (e.g. `0483-8221234`, extension allowed).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(raw: &str) -> Result<PhoneNumber, ApiError> {
        let s: String = raw.trim().chars().filter(|c| *c != ' ').collect();
        let s = s.strip_prefix("+86").or_else(|| s.strip_prefix("86-")).unwrap_or(&s).to_string();
        let digits_only = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit());
        // Mobile
        if s.len() == 11 && digits_only(&s) && s.starts_with('1') && matches!(s.as_bytes()[1], b'3'..=b'9') {
            return Ok(PhoneNumber(s));
        }
        // Landline: 0 + 2–3 digit area code, 7–8 digit number, optional -extension.
        let (main, ext) = match s.split_once(['-', '转']) {
            Some((a, rest)) if a.starts_with('0') && a.len() <= 4 => {
                let (num, ext) = rest.split_once(['-', '转']).map_or((rest, None), |(n, e)| (n, Some(e)));
                (format!("{a}-{num}"), ext)
            }
            _ => (s.clone(), None),
        };
        let ok_ext = ext.is_none_or(|e| digits_only(e) && e.len() <= 6);
        if let Some((area, num)) = main.split_once('-') {
            if area.starts_with('0')
                && (3..=4).contains(&area.len())
                && digits_only(area)
                && (7..=8).contains(&num.len())
                && digits_only(num)
                && !num.starts_with('0')
                && ok_ext
            {
                return Ok(PhoneNumber(match ext {
                    Some(e) => format!("{main}-{e}"),
                    None => main,
                }));
            }
        }
        if s.starts_with('1') && digits_only(&s) {
            return Err(invalid("手机号码应为以 13–19 开头的 11 位数字"));
        }
        Err(invalid("电话号码格式不正确：手机号 11 位，固定电话请带区号，如 0483-8221234"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Shown to those who may not see it whole: `139****2101`.
    pub fn masked(&self) -> String {
        let n = self.0.chars().count();
        if n <= 7 {
            return "****".to_string();
        }
        let chars: Vec<char> = self.0.chars().collect();
        let head: String = chars[..3].iter().collect();
        let tail: String = chars[n - 4..].iter().collect();
        format!("{head}****{tail}")
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        PhoneNumber::parse(&s).map_err(|e| e.message)
    }
}

impl From<PhoneNumber> for String {
    fn from(p: PhoneNumber) -> String {
        p.0
    }
}

/// Longest 编号 prefix, in characters.
pub const MAX_NUMBER_PREFIX_CHARS: usize = 10;

/// A 编号 prefix (e.g. 阿左代): 1–10 Chinese characters or Latin letters,
/// nothing else (no digits, spaces, brackets or control characters, so a
/// number always reads prefix〔year〕sequence号). Returns it trimmed.
pub fn check_number_prefix(raw: &str) -> Result<String, ApiError> {
    let p = raw.trim();
    check_plain("编号前缀", p)?;
    let n = p.chars().count();
    if n == 0 || n > MAX_NUMBER_PREFIX_CHARS {
        return Err(invalid(format!("编号前缀应为 1–{MAX_NUMBER_PREFIX_CHARS} 个汉字或字母")));
    }
    if !p.chars().all(|c| is_cjk(c) || c.is_ascii_alphabetic()) {
        return Err(invalid("编号前缀只能包含汉字或字母"));
    }
    Ok(p.to_string())
}

/// Longest personal name accepted, in characters (long transliterated
/// Mongolian names such as 额尔德尼·宝音图·巴特尔 fit well within it).
pub const MAX_NAME_CHARS: usize = 30;

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3134F}')
}

fn is_mongolian(c: char) -> bool {
    matches!(c, '\u{1800}'..='\u{18AF}')
}

/// A checked personal name. Chinese characters, or traditional Mongolian
/// script; transliterated Mongolian names joined by the middle dot `·`
/// (variants `•`, `．`, `・` and `.` are normalised to `·`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(raw: &str) -> Result<PersonName, ApiError> {
        let s: String = raw
            .trim()
            .chars()
            .map(|c| if matches!(c, '•' | '．' | '・' | '.' | '\u{2027}') { '·' } else { c })
            .collect();
        if s.is_empty() {
            return Err(invalid("姓名不能为空"));
        }
        let n = s.chars().count();
        if n > MAX_NAME_CHARS {
            return Err(invalid(format!("姓名不能超过 {MAX_NAME_CHARS} 个字")));
        }
        if s.starts_with('·') || s.ends_with('·') || s.contains("··") {
            return Err(invalid("姓名中的间隔号“·”只能用在两个字之间"));
        }
        if s.chars().all(|c| is_mongolian(c) || c == ' ' || c == '\u{202F}' || c == '\u{180E}') {
            return Ok(PersonName(s));
        }
        if let Some(bad) = s.chars().find(|c| !is_cjk(*c) && *c != '·') {
            return Err(invalid(format!("姓名中不能含有“{bad}”，请用汉字填写，蒙古族姓名可用“·”分隔")));
        }
        if n < 2 {
            return Err(invalid("姓名至少 2 个字"));
        }
        Ok(PersonName(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PersonName {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        PersonName::parse(&s).map_err(|e| e.message)
    }
}

impl From<PersonName> for String {
    fn from(p: PersonName) -> String {
        p.0
    }
}

#[cfg(test)]
mod identity_tests {
    use super::*;
    use chrono::NaiveDate;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    /// Completes 17 digits with their check character.
    fn with_check(body: &str) -> String {
        let sum: u32 = body.chars().zip(ID_WEIGHTS).map(|(c, w)| c.to_digit(10).unwrap() * w).sum();
        format!("{body}{}", ID_CHECK[(sum % 11) as usize])
    }

    #[test]
    fn id_numbers() {
        // The textbook example of GB 11643: 11010519491231002X.
        let id = IdNumber::parse("11010519491231002x", today()).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.birth_date(), NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
        assert_eq!(id.masked(), "110***********002X");
        let alxa = with_check("15292119850612301");
        assert!(IdNumber::parse(&alxa, today()).is_ok());

        let err = |s: &str| IdNumber::parse(s, today()).unwrap_err().message;
        assert_eq!(err("1101051949123100"), "身份证号应为 18 位（现为 16 位）");
        assert_eq!(err("11010519491231002Y"), "身份证号只能由数字组成，最后一位可以是 X");
        assert_eq!(err("110105194912310021"), "身份证号校验位不正确，请核对");
        assert_eq!(err(&with_check("99010519491231002")), "身份证号的地区码无效");
        assert_eq!(err(&with_check("15292119850231301")), "身份证号中的出生日期无效", "Feb 31st");
        assert_eq!(err(&with_check("15292120301231301")), "身份证号中的出生日期无效", "born in the future");
        assert!(serde_json::from_str::<IdNumber>("\"110105194912310021\"").is_err());
    }

    #[test]
    fn phone_numbers() {
        assert_eq!(PhoneNumber::parse("139 4830 2101").unwrap().as_str(), "13948302101");
        assert_eq!(PhoneNumber::parse("+8613948302101").unwrap().as_str(), "13948302101");
        assert_eq!(PhoneNumber::parse("0483-8221234").unwrap().as_str(), "0483-8221234");
        assert_eq!(PhoneNumber::parse("010-62345678-802").unwrap().as_str(), "010-62345678-802");
        assert_eq!(PhoneNumber::parse("13948302101").unwrap().masked(), "139****2101");
        assert_eq!(PhoneNumber::parse("12948302101").unwrap_err().message, "手机号码应为以 13–19 开头的 11 位数字");
        assert_eq!(PhoneNumber::parse("1394830210").unwrap_err().message, "手机号码应为以 13–19 开头的 11 位数字");
        assert!(PhoneNumber::parse("8221234").is_err(), "a landline needs its area code");
        assert!(PhoneNumber::parse("0483-0221234").is_err());
        assert!(PhoneNumber::parse("电话").is_err());
    }

    #[test]
    fn names() {
        assert_eq!(PersonName::parse(" 王建国 ").unwrap().as_str(), "王建国");
        assert_eq!(PersonName::parse("额尔敦•巴雅尔").unwrap().as_str(), "额尔敦·巴雅尔");
        assert!(PersonName::parse("额尔德尼·宝音图·巴特尔·图门吉日嘎拉").is_ok());
        assert!(PersonName::parse("ᠪᠠᠲᠤ").is_ok(), "traditional Mongolian script");
        assert_eq!(PersonName::parse("").unwrap_err().message, "姓名不能为空");
        assert_eq!(PersonName::parse("·巴特尔").unwrap_err().message, "姓名中的间隔号“·”只能用在两个字之间");
        assert_eq!(PersonName::parse("王").unwrap_err().message, "姓名至少 2 个字");
        assert_eq!(
            PersonName::parse("Bater").unwrap_err().message,
            "姓名中不能含有“B”，请用汉字填写，蒙古族姓名可用“·”分隔"
        );
        assert!(PersonName::parse(&"巴".repeat(31)).is_err());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::VisitMethod;

    fn visit() -> NewVisit {
        NewVisit {
            id: "0f8fad5b-d9cb-469f-a165-70867728950e".into(),
            case_id: 1,
            visited_at: "2026-11-20T09:30".into(),
            method: VisitMethod::Phone,
            note: "电话告知办理进度".into(),
            position: None,
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
            (NewVisit { id: "nope".into(), ..visit() }, "记录编号格式无效"),
            (NewVisit { note: "   ".into(), ..visit() }, "走访情况不能为空"),
            (NewVisit { note: "字".repeat(2001), ..visit() }, "走访情况不能超过 2000 个字（现为 2001 个字）"),
            (NewVisit { visited_at: "昨天".into(), ..visit() }, "走访时间格式无效，应为 年-月-日 时:分"),
            (NewVisit { visited_at: "2026-11-25T09:00".into(), ..visit() }, "走访时间不能晚于当前时间"),
            (NewVisit { case_id: 0, ..visit() }, "事项编号无效"),
            (
                NewVisit {
                    position: Some(crate::vocab::GeoPoint { lat_e6: 91_000_000, lng_e6: 0, accuracy_m: 5 }),
                    ..visit()
                },
                "定位数据无效",
            ),
        ];
        for (v, msg) in cases {
            let e = check_new_visit(&v, now()).unwrap_err();
            assert_eq!(e.code, ErrorCode::ValidationFailed);
            assert_eq!(e.message, msg);
        }
    }

    #[test]
    fn number_prefixes() {
        assert_eq!(check_number_prefix(" 阿左代 ").unwrap(), "阿左代");
        assert_eq!(check_number_prefix("EJN").unwrap(), "EJN");
        for bad in ["", "  ", "阿左代〔", "阿左 代", "阿左代1", "一二三四五六七八九十一", "阿\u{0}"]
        {
            assert!(check_number_prefix(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn control_characters_are_refused() {
        assert_eq!(check_text("走访情况", "入户\u{0}了解", 100).unwrap_err().message, "走访情况含有不允许的控制字符");
        assert!(check_text("走访情况", "第一行\n第二行\t完", 100).is_ok());
        assert!(check_plain("查询内容", "\u{7}").is_err());
        assert!(PersonName::parse("巴特\u{0}尔").is_err());
    }

    #[test]
    fn note_limit_counts_characters_not_bytes() {
        assert!(check_text("走访情况", &"字".repeat(2000), MAX_NOTE_CHARS).is_ok());
    }
}

#[cfg(test)]
mod name_tests {
    use super::*;

    #[test]
    fn file_names_carry_the_sniffed_type() {
        assert_eq!(clean_file_name("照片.html", "image/jpeg").unwrap(), "照片.jpg");
        assert_eq!(clean_file_name("照片.hta", "image/jpeg").unwrap(), "照片.jpg");
        assert_eq!(clean_file_name("照片.bat", "image/png").unwrap(), "照片.png");
        assert_eq!(clean_file_name("照片", "image/webp").unwrap(), "照片.webp");
        assert_eq!(clean_file_name("扫描件.JPG", "application/pdf").unwrap(), "扫描件.pdf");
        assert_eq!(clean_file_name("照片.jpg.exe", "image/jpeg").unwrap(), "照片.jpg");
        assert_eq!(clean_file_name("  户口本 第1页.jpeg ", "image/jpeg").unwrap(), "户口本 第1页.jpg");
        assert_eq!(clean_file_name(".bashrc", "image/png").unwrap(), "bashrc.png");
        assert_eq!(clean_file_name("a/b\\c:d*e?f\"g<h>i|j.exe", "image/png").unwrap(), "a_b_c_d_e_f_g_h_i_j.png");
    }

    #[test]
    fn right_to_left_override_and_zero_width_go() {
        let n = clean_file_name("invoice\u{202E}gnp.exe", "image/png").unwrap();
        assert_eq!(n, "invoicegnp.png");
        assert_eq!(clean_file_name("照\u{200B}片\u{FEFF}\u{2066}.jpg", "image/jpeg").unwrap(), "照片.jpg");
        assert_eq!(clean_file_name("照片\u{0}\u{85}\u{7}.jpg", "image/jpeg").unwrap(), "照片.jpg");
        for c in ['\u{200E}', '\u{200F}', '\u{061C}', '\u{202A}', '\u{202D}', '\u{2069}', '\u{200D}'] {
            assert!(is_format_control(c), "{c:?}");
            assert!(!clean_file_name(&format!("a{c}b.png"), "image/png").unwrap().contains(c));
        }
    }

    #[test]
    fn a_name_of_nothing_visible_is_refused() {
        for bad in ["\u{202E}\u{200B}\u{FEFF}", "", "  ", ".", "\u{202E}", "\u{1}\u{2}", "...", "//"] {
            let e = clean_file_name(bad, "image/jpeg").unwrap_err();
            assert_eq!(e.code, ErrorCode::ValidationFailed, "{bad:?}");
            assert!(e.message.starts_with("附件文件名"), "{bad:?}: {}", e.message);
        }
        assert!(clean_file_name(&"字".repeat(116), "image/jpeg").is_ok());
        assert!(clean_file_name(&"字".repeat(117), "image/jpeg").is_err());
        assert!(clean_file_name("照片.jpg", "text/html").is_err());
    }

    #[test]
    fn stored_names_come_out_clean() {
        assert_eq!(shown_file_name("invoice\u{202E}gnp.exe", "image/png"), "invoicegnp.png");
        assert_eq!(shown_file_name("照片.jpg", "image/jpeg"), "照片.jpg");
        assert_eq!(shown_file_name("\u{202E}", "image/jpeg"), "文件.jpg");
        assert_eq!(shown_file_name("x", "text/html"), "文件");
    }

    #[test]
    fn free_text_loses_only_the_format_controls() {
        assert_eq!(strip_format_controls("申请\u{202E}人住址\u{200B}"), "申请人住址");
        assert_eq!(strip_format_controls("第一行\n第二行\t完 ᠪᠠᠲᠤ\u{202F}"), "第一行\n第二行\t完 ᠪᠠᠲᠤ\u{202F}");
        assert_eq!(strip_format_controls("额尔敦·巴雅尔"), "额尔敦·巴雅尔");
        assert!(!is_format_control('\u{180E}'), "Mongolian vowel separator is part of the script");
    }
}
