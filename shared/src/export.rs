//! Rules for what leaves the system as a file (the ledger as CSV, and soon
//! XLSX): text that a spreadsheet would run as a formula is neutralised.

/// A text cell made safe for a spreadsheet: a cell beginning with `=`, `+`,
/// `-`, `@` (or a tab or carriage return, which some programs skip before
/// reading a formula) is prefixed with an apostrophe, which spreadsheets show
/// as text and do not evaluate (OWASP "CSV injection").
pub fn spreadsheet_text(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

/// One CSV field: spreadsheet-safe, quoted, inner quotes doubled.
pub fn csv_field(text: &str) -> String {
    format!("\"{}\"", spreadsheet_text(text).replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        for bad in ["=1+1", "+86 139", "-2+3", "@SUM(A1)", "\t=1", "\r=1"] {
            assert!(spreadsheet_text(bad).starts_with('\''), "{bad:?}");
        }
        assert_eq!(spreadsheet_text("草场=边界"), "草场=边界");
        assert_eq!(spreadsheet_text(""), "");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
    }
}
