//! Sheet helpers shared by the workbooks: the cell formats and a table of
//! text rows under bold column heads, amounts as summable numbers.

use rust_xlsxwriter::{Color, Format, FormatBorder, Worksheet, XlsxError};
use shared::export::spreadsheet_text;

/// The formats of a head, a text cell and an amount (two decimals).
pub fn formats() -> (Format, Format, Format) {
    let head = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color(Color::RGB(0xD9E1F2))
        .set_text_wrap();
    let cell = Format::new().set_border(FormatBorder::Thin).set_text_wrap();
    let money = Format::new().set_border(FormatBorder::Thin).set_num_format("0.00");
    (head, cell, money)
}

/// Writes `heads` (title, column width) at row `top` and `rows` below it;
/// column `money_col`, where it parses, as an amount.
pub fn table(
    ws: &mut Worksheet,
    top: u32,
    heads: &[(&str, f64)],
    rows: &[Vec<String>],
    money_col: Option<usize>,
) -> Result<(), XlsxError> {
    let (head, cell, money) = formats();
    for (c, (title, width)) in heads.iter().enumerate() {
        ws.write_string_with_format(top, c as u16, *title, &head)?;
        ws.set_column_width(c as u16, *width)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (rr, cc) = (top + 1 + r as u32, c as u16);
            // Amounts as numbers with two decimals (summable in Excel); the
            // text is exact to the fen, so the f64 of it is too.
            match (Some(c) == money_col, v.parse::<f64>()) {
                (true, Ok(n)) => ws.write_number_with_format(rr, cc, n, &money)?,
                _ => ws.write_string_with_format(rr, cc, spreadsheet_text(v), &cell)?,
            };
        }
    }
    Ok(())
}
