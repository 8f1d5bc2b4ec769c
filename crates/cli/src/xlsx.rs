//! Excel workbooks (`--format xlsx`), written with `rust_xlsxwriter` in its constant-memory
//! mode: each row goes to a temporary file as it is written, so a large export keeps the
//! flat memory of the text formats. Every sheet has a bold, frozen header row with a filter,
//! columns as wide as their text in the first thousand rows (Chinese characters count
//! double), times as real Excel date-times in the chosen zone, and numbers as numbers.

use std::borrow::Cow;
use std::io;

use rust_xlsxwriter::{Color, ExcelDateTime, Format as CellFormat, Workbook, XlsxError};
use serde_json::Value;
use time::{OffsetDateTime, UtcOffset};
use unicode_width::UnicodeWidthStr;

/// The widest a column gets (Excel's character units).
const MAX_WIDTH: usize = 60;

/// Rows whose text sets the column widths (widths settle long before a large export ends).
const WIDTH_ROWS: u32 = 1_000;

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    /// Nothing.
    Empty,
    /// Text.
    Text(Cow<'a, str>),
    /// A number.
    Number(f64),
    /// A boolean.
    Bool(bool),
    /// A date-time, shown in the workbook's zone.
    Time(OffsetDateTime),
    /// Text marked as a problem (shown on a coloured background).
    Flag(Cow<'a, str>, Flag),
    /// A number marked as a problem (still a number).
    FlagNumber(f64, Flag),
}

/// How a flagged cell is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    /// Red: absent.
    Bad,
    /// Orange: late, left early.
    Warn,
    /// Yellow: under the minimum.
    Low,
}

impl Cell<'static> {
    /// The cell of a JSON value: strings that are RFC 3339 times become date-times, numbers
    /// and booleans stay what they are, `null` and empty containers are empty, other objects
    /// and arrays are their JSON text.
    pub fn of_json(value: Option<&Value>) -> Cell<'static> {
        match value {
            None | Some(Value::Null) => Cell::Empty,
            Some(Value::Bool(b)) => Cell::Bool(*b),
            Some(Value::Number(n)) => n.as_f64().map_or(Cell::Empty, Cell::Number),
            Some(Value::String(s)) if looks_like_a_time(s) => {
                match OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339) {
                    Ok(t) => Cell::Time(t),
                    Err(_) => Cell::Text(Cow::Owned(s.clone())),
                }
            }
            Some(Value::String(s)) => Cell::Text(Cow::Owned(s.clone())),
            Some(Value::Array(a)) if a.is_empty() => Cell::Empty,
            Some(Value::Object(o)) if o.is_empty() => Cell::Empty,
            Some(other) => Cell::Text(Cow::Owned(other.to_string())),
        }
    }
}

/// Whether `s` could be an RFC 3339 time (`YYYY-MM-DDTHH:MM:SS…`): only those are parsed.
fn looks_like_a_time(s: &str) -> bool {
    let b = s.as_bytes();
    (20..=35).contains(&b.len())
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && (b[10] == b'T' || b[10] == b't' || b[10] == b' ')
}

struct Sheet {
    index: usize,
    columns: u16,
    /// The next row to write.
    row: u32,
    widths: Vec<usize>,
}

/// A workbook being written, sheet after sheet.
pub struct XlsxBook {
    workbook: Workbook,
    sheets: Vec<Sheet>,
    tz: UtcOffset,
    header: CellFormat,
    datetime: CellFormat,
    flags: [CellFormat; 3],
}

fn xlsx_error(e: XlsxError) -> io::Error {
    match e {
        XlsxError::IoError(e) => e,
        other => io::Error::other(other.to_string()),
    }
}

impl XlsxBook {
    /// An empty workbook whose times are shown at offset `tz`.
    pub fn new(tz: UtcOffset) -> Self {
        let flag = |rgb| CellFormat::new().set_background_color(Color::RGB(rgb));
        let mut workbook = Workbook::new();
        // Level 1 of 9: a workbook is written at about twice the speed of the default (6),
        // some 15 % larger.
        workbook.set_zip_compression_level(1);
        Self {
            workbook,
            sheets: Vec::new(),
            tz,
            header: CellFormat::new().set_bold(),
            datetime: CellFormat::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
            flags: [flag(0xF4B6B6), flag(0xF9D3A6), flag(0xFFF2A8)],
        }
    }

    /// Adds a sheet named `name` (at most 31 characters, as Excel allows) with a header row
    /// of `columns`; returns its number for [`XlsxBook::write_row`].
    pub fn add_sheet(&mut self, name: &str, columns: &[&str]) -> io::Result<usize> {
        let sheet = self
            .workbook
            .add_worksheet_with_constant_memory()
            .map_err(xlsx_error)?;
        let name: String = name.chars().take(31).collect();
        sheet.set_name(name).map_err(xlsx_error)?;
        for (c, column) in columns.iter().enumerate() {
            let c = u16::try_from(c).map_err(|_| io::Error::other("too many columns"))?;
            sheet
                .write_string_with_format(0, c, *column, &self.header)
                .map_err(xlsx_error)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
        let index = self.sheets.len();
        self.sheets.push(Sheet {
            index,
            columns: u16::try_from(columns.len()).unwrap_or(u16::MAX),
            row: 1,
            widths: columns.iter().map(|c| c.width() + 2).collect(),
        });
        Ok(index)
    }

    /// Writes the next row of sheet `sheet`.
    pub fn write_row(&mut self, sheet: usize, cells: &[Cell<'_>]) -> io::Result<()> {
        let state = self
            .sheets
            .get_mut(sheet)
            .ok_or_else(|| io::Error::other("no such sheet"))?;
        let row = state.row;
        if row >= MAX_ROWS {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "more than {} records: an Excel sheet holds no more; use --format csv or jsonl",
                    MAX_ROWS - 1
                ),
            ));
        }
        let ws = self
            .workbook
            .worksheet_from_index(state.index)
            .map_err(xlsx_error)?;
        let measure = row <= WIDTH_ROWS;
        for (c, cell) in cells.iter().enumerate().take(usize::from(state.columns)) {
            let col = c as u16;
            let width = match cell {
                Cell::Empty => 0,
                Cell::Text(t) => {
                    let t = excel_text(t);
                    ws.write_string(row, col, t.as_ref()).map_err(xlsx_error)?;
                    if measure { t.width() } else { 0 }
                }
                Cell::Flag(t, flag) => {
                    let format = &self.flags[*flag as usize];
                    let t = excel_text(t);
                    ws.write_string_with_format(row, col, t.as_ref(), format)
                        .map_err(xlsx_error)?;
                    if measure { t.width() } else { 0 }
                }
                Cell::Number(n) => {
                    ws.write_number(row, col, *n).map_err(xlsx_error)?;
                    if measure { format_number(*n).len() } else { 0 }
                }
                Cell::FlagNumber(n, flag) => {
                    let format = &self.flags[*flag as usize];
                    ws.write_number_with_format(row, col, *n, format)
                        .map_err(xlsx_error)?;
                    if measure { format_number(*n).len() } else { 0 }
                }
                Cell::Bool(b) => {
                    ws.write_boolean(row, col, *b).map_err(xlsx_error)?;
                    5
                }
                Cell::Time(t) => match t.checked_to_offset(self.tz).and_then(excel_time) {
                    Some(dt) => {
                        ws.write_datetime_with_format(row, col, &dt, &self.datetime)
                            .map_err(xlsx_error)?;
                        19
                    }
                    // Outside what Excel can show (before 1900, after 9999): as text.
                    None => {
                        let text = roster_core::format_time(*t);
                        ws.write_string(row, col, &text).map_err(xlsx_error)?;
                        text.len()
                    }
                },
            };
            if let Some(w) = state.widths.get_mut(c) {
                *w = (*w).max(width + 2).min(MAX_WIDTH);
            }
        }
        state.row += 1;
        Ok(())
    }

    /// Whether sheet `sheet` can take another row (Excel holds 1,048,576 rows, the header
    /// included).
    pub fn has_room(&self, sheet: usize) -> bool {
        self.sheets.get(sheet).is_some_and(|s| s.row < MAX_ROWS)
    }

    /// Rows written to sheet `sheet` so far, the header not counted.
    pub fn rows(&self, sheet: usize) -> u32 {
        self.sheets.get(sheet).map_or(0, |s| s.row - 1)
    }

    /// Sets the widths and filters and writes the workbook into `out`.
    pub fn finish(mut self, out: &mut (impl io::Write + Send)) -> io::Result<()> {
        for state in &self.sheets {
            let ws = self
                .workbook
                .worksheet_from_index(state.index)
                .map_err(xlsx_error)?;
            for (c, w) in state.widths.iter().enumerate() {
                ws.set_column_width(c as u16, *w as f64)
                    .map_err(xlsx_error)?;
            }
            if state.columns > 0 {
                ws.autofilter(0, 0, state.row - 1, state.columns - 1)
                    .map_err(xlsx_error)?;
            }
        }
        self.workbook.save_to_writer(out).map_err(xlsx_error)
    }
}

/// Rows a sheet holds, the header included.
const MAX_ROWS: u32 = 1_048_576;

/// The most characters (UTF-16 units) a cell holds.
const MAX_CELL: usize = 32_767;

/// `t` as Excel's date-time, to the millisecond; none outside the years 1900–9999.
fn excel_time(t: OffsetDateTime) -> Option<ExcelDateTime> {
    let year = u16::try_from(t.year())
        .ok()
        .filter(|y| (1900..=9999).contains(y))?;
    ExcelDateTime::from_ymd(year, t.month() as u8, t.day())
        .ok()?
        .and_hms_milli(u16::from(t.hour()), t.minute(), t.second(), t.millisecond())
        .ok()
}

/// Text as a cell holds it: cut, with a marker, where it would pass Excel's 32,767
/// characters (a long `extra` or answer).
fn excel_text<'a>(t: &'a Cow<'a, str>) -> Cow<'a, str> {
    if t.len() <= MAX_CELL || t.encode_utf16().count() <= MAX_CELL {
        return Cow::Borrowed(t.as_ref());
    }
    const MARK: &str = "… (cut: longer than an Excel cell holds)";
    let room = MAX_CELL - MARK.encode_utf16().count();
    let mut units = 0;
    let end = t
        .char_indices()
        .find(|(_, c)| {
            units += c.len_utf16();
            units > room
        })
        .map_or(t.len(), |(i, _)| i);
    Cow::Owned(format!("{}{MARK}", &t[..end]))
}

fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{n:.0}")
    } else {
        format!("{n:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// Flagged cells carry a style with a solid fill of their colour; others none.
    #[test]
    fn flagged_cells_are_filled_with_their_colour() {
        let mut book = XlsxBook::new(UtcOffset::UTC);
        let sheet = book.add_sheet("people", &["name", "status"]).unwrap();
        book.write_row(
            sheet,
            &[
                Cell::Text("甲".into()),
                Cell::Flag("absent".into(), Flag::Bad),
            ],
        )
        .unwrap();
        book.write_row(
            sheet,
            &[Cell::Text("乙".into()), Cell::Text("present".into())],
        )
        .unwrap();
        let mut bytes = Vec::new();
        book.finish(&mut bytes).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut read = |name: &str| {
            let mut text = String::new();
            zip.by_name(name)
                .unwrap()
                .read_to_string(&mut text)
                .unwrap();
            text
        };
        let styles = read("xl/styles.xml");
        assert!(styles.contains("FFF4B6B6"), "the red fill: {styles}");
        let sheet = read("xl/worksheets/sheet1.xml");
        // B2 (absent) has a style; B3 (present) has none.
        let cell = |r: &str| {
            let start = sheet.find(&format!("<c r=\"{r}\"")).unwrap();
            sheet[start..start + sheet[start..].find('>').unwrap()].to_string()
        };
        assert!(cell("B2").contains(" s=\""), "{}", cell("B2"));
        assert!(!cell("B3").contains(" s=\""), "{}", cell("B3"));
        assert!(sheet.contains("state=\"frozen\""));
    }
}

#[cfg(test)]
mod limits {
    use super::*;

    #[test]
    fn times_excel_cannot_show_and_overlong_text_are_written_not_refused() {
        let mut book = XlsxBook::new(UtcOffset::from_hms(8, 0, 0).unwrap());
        let sheet = book.add_sheet("s", &["t", "x"]).unwrap();
        let long = "长".repeat(40_000);
        for t in [
            time::macros::datetime!(1800-01-01 0:00 UTC),
            time::macros::datetime!(9999-12-31 23:00 UTC),
            time::macros::datetime!(2026-03-02 09:00:59.9996 UTC),
        ] {
            book.write_row(sheet, &[Cell::Time(t), Cell::Text(long.as_str().into())])
                .unwrap();
        }
        let mut bytes = Vec::new();
        book.finish(&mut bytes).unwrap();
        let cut = excel_text(&Cow::Borrowed(long.as_str())).into_owned();
        assert_eq!(cut.encode_utf16().count(), MAX_CELL);
        assert!(cut.ends_with("Excel cell holds)"));
    }
}
