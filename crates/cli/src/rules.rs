//! `roster report` with attendance rules (`--expected`, `--min-minutes`, `--min-percent`,
//! `--late-after`, `--periods`): the expected list and the class periods read from CSV or
//! xlsx, people matched to the meeting's, and one row per person with a status
//! ([`roster_core::attendance`]).
//!
//! **Matching** an expected row to a person of the meeting: by user id, then phone, then
//! e-mail, then by name only when the name is unique on both sides. A row that could be
//! several people is `ambiguous` (never merged), a row that repeats an earlier one is a
//! `duplicate`; a row matched to no one is absent. People of the meeting on no row are listed
//! after the expected ones, as not expected.

use std::collections::HashMap;
use std::path::Path;

use roster_core::attendance::{Judged, MeetingWindow, Period, Rules, Status, judge};
use roster_core::{RosterEntry, normalized_phone};
use serde::Serialize;
use time::{OffsetDateTime, UtcOffset};

use crate::error::CliError;
use crate::output::Record;
use crate::xlsx::{Cell, Flag};

/// One person of an expected list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExpectedPerson {
    /// The name.
    pub name: Option<String>,
    /// The enterprise user id.
    pub user_id: Option<String>,
    /// The phone.
    pub phone: Option<String>,
    /// The e-mail.
    pub email: Option<String>,
    /// The department.
    pub department: Option<String>,
}

/// Header names recognised in an expected list, per field (compared trimmed, case-blind).
const NAME: &[&str] = &["name", "姓名", "名字", "display_name"];
const USER_ID: &[&str] = &[
    "user_id", "userid", "user id", "工号", "账号", "成员id", "id",
];
const PHONE: &[&str] = &["phone", "mobile", "手机", "手机号", "手机号码", "电话"];
const EMAIL: &[&str] = &["email", "e-mail", "mail", "邮箱", "电子邮箱"];
const DEPARTMENT: &[&str] = &["department", "dept", "部门"];
const PERIOD_NAME: &[&str] = &["name", "period", "名称", "节次", "课节"];
const START: &[&str] = &["start", "开始", "开始时间"];
const END: &[&str] = &["end", "结束", "结束时间"];

/// The rows of a table file: CSV (UTF-8, with or without a byte-order mark, or GBK as
/// Chinese-locale Excel saves it) or a workbook's first sheet; the first row is the header.
pub fn read_table(path: &Path) -> Result<Vec<Vec<String>>, CliError> {
    let bad = |e: &dyn std::fmt::Display| CliError::Usage(format!("{}: {e}", path.display()));
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if std::fs::metadata(path).map_err(|e| bad(&e))?.len() > MAX_FILE {
        return Err(bad(&"larger than 32 MiB: not a list of people"));
    }
    if matches!(ext.as_str(), "xlsx" | "xlsm") {
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> = calamine::open_workbook(path).map_err(|e| bad(&e))?;
        let first = book
            .sheet_names()
            .first()
            .cloned()
            .ok_or_else(|| bad(&"the workbook has no sheet"))?;
        // Cell by cell: a sheet's stated size is not allocated (a tiny file can claim a
        // million rows by sixteen thousand columns).
        let mut cells = book.worksheet_cells_reader(&first).map_err(|e| bad(&e))?;
        let mut rows: Vec<Vec<String>> = Vec::new();
        let mut first_row: Option<u32> = None;
        while let Some(cell) = cells.next_cell().map_err(|e| bad(&e))? {
            let (r, c) = cell.get_position();
            let top = *first_row.get_or_insert(r);
            let (r, c) = ((r - top.min(r)) as usize, c as usize);
            if r >= MAX_ROWS || c >= MAX_COLUMNS {
                return Err(bad(&format!(
                    "a list holds at most {MAX_ROWS} rows of {MAX_COLUMNS} columns"
                )));
            }
            if rows.len() <= r {
                rows.resize_with(r + 1, Vec::new);
            }
            let row = &mut rows[r];
            if row.len() <= c {
                row.resize(c + 1, String::new());
            }
            row[c] = sheet_text(&calamine::Data::from(cell.get_value().clone()));
        }
        return Ok(rows);
    }
    if matches!(ext.as_str(), "xls" | "ods") {
        return Err(bad(&"save the list as .xlsx or CSV"));
    }
    let bytes = std::fs::read(path).map_err(|e| bad(&e))?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(bad(&"larger than 32 MiB: not a list of people"));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.to_string(),
        Err(_) => {
            let (t, _, errors) = encoding_rs::GBK.decode(bytes);
            if errors {
                return Err(bad(&"neither UTF-8 nor GBK text"));
            }
            t.into_owned()
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| {
            r.map(|r| r.iter().map(|c| c.trim().to_string()).collect())
                .map_err(|e| bad(&e))
        })
        .collect()
}

/// The most rows and columns a list may have (a bigger file is a mistake, not a list).
const MAX_ROWS: usize = 100_000;
const MAX_COLUMNS: usize = 64;

/// The most bytes a list file may have.
const MAX_FILE: u64 = 32 << 20;

/// A sheet cell as text: an Excel time of day (08:00 is 0.333…) as `HH:MM:SS`, a date-time as
/// `YYYY-MM-DD HH:MM:SS`, a whole number without `.0`.
fn sheet_text(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::DateTime(t) => {
            let serial = t.as_f64();
            let seconds = (serial * 86_400.0).round() as i64;
            let clock = format!(
                "{:02}:{:02}:{:02}",
                seconds / 3600 % 24,
                seconds / 60 % 60,
                seconds % 60
            );
            if serial < 1.0 {
                clock
            } else {
                // Days since 1899-12-30 (Excel's day 0 in its 1900 system).
                let day =
                    time::macros::date!(1899 - 12 - 30) + time::Duration::days(seconds / 86_400);
                format!("{day} {clock}")
            }
        }
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        other => other.to_string().trim().to_string(),
    }
}

fn column(header: &[String], names: &[&str]) -> Option<usize> {
    header
        .iter()
        .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
}

fn cell_at(row: &[String], i: Option<usize>) -> Option<String> {
    i.and_then(|i| row.get(i))
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The expected list in `path`: a header with a name column and any of user id, phone,
/// e-mail, department (see the header names above).
pub fn read_expected(path: &Path) -> Result<Vec<ExpectedPerson>, CliError> {
    let rows = read_table(path)?;
    let Some((header, rows)) = rows.split_first() else {
        return Ok(Vec::new());
    };
    let cols = (
        column(header, NAME),
        column(header, USER_ID),
        column(header, PHONE),
        column(header, EMAIL),
        column(header, DEPARTMENT),
    );
    if cols.0.is_none() && cols.1.is_none() && cols.2.is_none() && cols.3.is_none() {
        return Err(CliError::Usage(format!(
            "{}: no column to match people by: its header needs one of name (姓名), user_id (工号), phone (手机), email (邮箱)",
            path.display()
        )));
    }
    Ok(rows
        .iter()
        .map(|r| ExpectedPerson {
            name: cell_at(r, cols.0),
            user_id: cell_at(r, cols.1),
            phone: cell_at(r, cols.2),
            email: cell_at(r, cols.3),
            department: cell_at(r, cols.4),
        })
        .filter(|p| {
            p.name.is_some() || p.user_id.is_some() || p.phone.is_some() || p.email.is_some()
        })
        .collect())
}

/// A time of a periods file: RFC 3339, `YYYY-MM-DD HH:MM[:SS]` at `tz`, or `HH:MM[:SS]` on
/// the day (at `tz`) of `day`.
fn period_time(text: &str, tz: UtcOffset, day: Option<OffsetDateTime>) -> Option<OffsetDateTime> {
    use time::format_description::well_known::Rfc3339;
    use time::macros::format_description;
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(t);
    }
    let full = [
        format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"),
        format_description!("[year]-[month]-[day] [hour]:[minute]"),
    ];
    for f in full {
        if let Ok(t) = time::PrimitiveDateTime::parse(text, &f) {
            return Some(t.assume_offset(tz));
        }
    }
    let clock = [
        format_description!("[hour]:[minute]:[second]"),
        format_description!("[hour]:[minute]"),
    ];
    for f in clock {
        if let Ok(t) = time::Time::parse(text, &f) {
            let date = day?.to_offset(tz).date();
            return Some(time::PrimitiveDateTime::new(date, t).assume_offset(tz));
        }
    }
    None
}

/// The class periods in `path` (name, start, end); times of day fall on the meeting's day
/// (`day`, at `tz`).
pub fn read_periods(
    path: &Path,
    tz: UtcOffset,
    day: Option<OffsetDateTime>,
) -> Result<Vec<Period>, CliError> {
    let rows = read_table(path)?;
    let Some((header, rows)) = rows.split_first() else {
        return Ok(Vec::new());
    };
    let (name, start, end) = (
        column(header, PERIOD_NAME),
        column(header, START),
        column(header, END),
    );
    let (Some(start), Some(end)) = (start, end) else {
        return Err(CliError::Usage(format!(
            "{}: the header needs start (开始) and end (结束) columns",
            path.display()
        )));
    };
    rows.iter()
        .enumerate()
        .filter(|(_, r)| r.iter().any(|c| !c.is_empty()))
        .map(|(i, r)| {
            let at = |c: usize| {
                let text = r.get(c).map(String::as_str).unwrap_or("");
                period_time(text, tz, day).ok_or_else(|| {
                    CliError::Usage(format!(
                        "{} row {}: {text:?} is not a time (use HH:MM, YYYY-MM-DD HH:MM or RFC 3339)",
                        path.display(),
                        i + 2
                    ))
                })
            };
            let (s, e) = (at(start)?, at(end)?);
            if e <= s {
                return Err(CliError::Usage(format!(
                    "{} row {}: the period ends before it starts",
                    path.display(),
                    i + 2
                )));
            }
            Ok(Period {
                name: cell_at(r, name).unwrap_or_else(|| format!("period {}", i + 1)),
                start: s,
                end: e,
            })
        })
        .collect()
}

/// How an expected row found its person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// One person, by this key.
    One(usize, &'static str),
    /// Several people could be this row.
    Ambiguous(Vec<usize>),
    /// Nobody in the meeting.
    Nobody,
    /// The same person as an earlier row (its line in the file, the header being line 1).
    Duplicate(usize),
}

fn norm(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// The ids of a person, as matching compares them: user id, phone (digits), e-mail
/// (lower case).
fn ids_of(
    user: &Option<String>,
    phone: &Option<String>,
    email: &Option<String>,
) -> [Option<String>; 3] {
    [
        norm(user),
        phone.as_deref().and_then(normalized_phone),
        norm(email).map(|m| m.to_lowercase()),
    ]
}

/// Whether two people have an id in common kind that differs (same name, other user id …):
/// then they are not the same person, whatever else matches.
fn conflict(a: &[Option<String>; 3], b: &[Option<String>; 3]) -> bool {
    a.iter()
        .zip(b)
        .any(|(x, y)| matches!((x, y), (Some(x), Some(y)) if x != y))
}

/// Matches each expected row to the meeting's people (see the [module docs](self)), in
/// passes by strength: every row's user id first, then phones, then e-mails, then names, each
/// pass among the people no earlier pass took (so no weak match of one row takes the person a
/// later row names by user id). A phone, e-mail or name match is refused when the two sides
/// carry different ids of the same kind.
pub fn match_expected(expected: &[ExpectedPerson], entries: &[RosterEntry]) -> Vec<Found> {
    let entry_ids: Vec<[Option<String>; 3]> = entries
        .iter()
        .map(|e| ids_of(&e.user_id, &e.phone, &e.email))
        .collect();
    let row_ids: Vec<[Option<String>; 3]> = expected
        .iter()
        .map(|p| ids_of(&p.user_id, &p.phone, &p.email))
        .collect();
    let mut by: [HashMap<&str, Vec<usize>>; 3] = Default::default();
    for (i, ids) in entry_ids.iter().enumerate() {
        for (k, id) in ids.iter().enumerate() {
            if let Some(id) = id {
                by[k].entry(id.as_str()).or_default().push(i);
            }
        }
    }
    let mut names: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        if let Some(n) = norm(&e.display_name) {
            names.entry(n).or_default().push(i);
        }
    }
    let mut expected_names: HashMap<String, usize> = HashMap::new();
    for p in expected {
        if let Some(n) = norm(&p.name) {
            *expected_names.entry(n).or_default() += 1;
        }
    }
    let mut found: Vec<Found> = vec![Found::Nobody; expected.len()];
    let mut taken: HashMap<usize, usize> = HashMap::new();
    const HOW: [&str; 3] = ["user_id", "phone", "email"];
    for pass in 0..4 {
        for (row, p) in expected.iter().enumerate() {
            if found[row] != Found::Nobody {
                continue;
            }
            let candidates: Vec<usize> = if pass < 3 {
                let Some(id) = &row_ids[row][pass] else {
                    continue;
                };
                by[pass].get(id.as_str()).cloned().unwrap_or_default()
            } else {
                let Some(name) = norm(&p.name) else { continue };
                let same = names.get(&name).cloned().unwrap_or_default();
                if same.len() == 1 && expected_names.get(&name) != Some(&1) {
                    // The name is on the list twice: it cannot tell them apart.
                    found[row] = Found::Ambiguous(same);
                    continue;
                }
                same
            };
            // A weaker key never joins two people whose ids of one kind differ, nor takes a
            // person a stronger key already gave another row (a repeated user id is a
            // duplicate row; a repeated name or phone just another person).
            let candidates: Vec<usize> = candidates
                .into_iter()
                .filter(|&i| {
                    pass == 0
                        || (!conflict(&row_ids[row], &entry_ids[i]) && !taken.contains_key(&i))
                })
                .collect();
            found[row] = match candidates.as_slice() {
                [] => Found::Nobody,
                [one] => match taken.get(one) {
                    Some(first) => Found::Duplicate(*first + 2),
                    None => {
                        taken.insert(*one, row);
                        Found::One(*one, if pass < 3 { HOW[pass] } else { "name" })
                    }
                },
                many => Found::Ambiguous(many.to_vec()),
            };
        }
    }
    found
}

/// One row of an attendance report.
#[derive(Debug, Clone, Serialize)]
pub struct AttendanceRow {
    /// The name (the expected list's, else the meeting's).
    pub name: Option<String>,
    /// The enterprise user id.
    pub user_id: Option<String>,
    /// The phone.
    pub phone: Option<String>,
    /// The e-mail.
    pub email: Option<String>,
    /// The department (from the expected list).
    pub department: Option<String>,
    /// On the expected list (without one: registered).
    pub expected: bool,
    /// How the expected row was matched: `user_id`, `phone`, `email`, `name`, `ambiguous`,
    /// `duplicate`, or none.
    pub matched_by: Option<String>,
    /// `present`, `late`, `left_early`, `under_minimum`, `absent`, or `unknown` (an ambiguous
    /// or duplicate row).
    pub status: String,
    /// Minutes attended (sessions merged).
    pub minutes: f64,
    /// The minimum that applied.
    pub required_minutes: f64,
    /// Minutes after the start of the first join.
    pub joined_after_minutes: Option<f64>,
    /// The first join.
    #[serde(with = "time::serde::rfc3339::option")]
    pub first_join: Option<OffsetDateTime>,
    /// The last leave.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_leave: Option<OffsetDateTime>,
    /// Join sessions.
    pub sessions: u32,
    /// Has a registration.
    pub registered: bool,
    /// Minutes per period, by name.
    pub periods: serde_json::Map<String, serde_json::Value>,
    /// What to know about the row (the candidates of an ambiguous one …).
    pub note: Option<String>,
}

impl AttendanceRow {
    fn of(entry: Option<&RosterEntry>, judged: Option<&Judged>, rules: &Rules) -> Self {
        let periods = rules
            .periods
            .iter()
            .zip(judged.map(|j| j.period_minutes.clone()).unwrap_or_default())
            .map(|(p, m)| (p.name.clone(), serde_json::json!(round(m))))
            .collect();
        Self {
            name: entry.and_then(|e| e.display_name.clone()),
            user_id: entry.and_then(|e| e.user_id.clone()),
            phone: entry.and_then(|e| e.phone.clone()),
            email: entry.and_then(|e| e.email.clone()),
            department: None,
            expected: entry.is_some_and(RosterEntry::expected),
            matched_by: None,
            status: judged.map_or("absent", |j| j.status.as_str()).to_string(),
            minutes: judged.map_or(0.0, |j| round(j.minutes)),
            required_minutes: judged.map_or(0.0, |j| round(j.required_minutes)),
            joined_after_minutes: judged.and_then(|j| j.joined_after_minutes.map(round)),
            first_join: entry.and_then(|e| e.first_join),
            last_leave: entry.and_then(|e| e.last_leave),
            sessions: entry.map_or(0, |e| e.sessions),
            registered: entry.is_some_and(|e| e.registered),
            periods,
            note: None,
        }
    }
}

fn round(m: f64) -> f64 {
    (m * 10.0).round() / 10.0
}

impl Record for AttendanceRow {
    const COLUMNS: &'static [&'static str] = &[
        "name",
        "user_id",
        "phone",
        "email",
        "department",
        "expected",
        "matched_by",
        "status",
        "minutes",
        "required_minutes",
        "joined_after_minutes",
        "first_join",
        "last_leave",
        "sessions",
        "registered",
        "periods",
        "note",
    ];
    const SHEET: &'static str = "people";
    const TABLE: &'static [(&'static str, usize)] = &[
        ("name", 16),
        ("id", 14),
        ("status", 13),
        ("minutes", 7),
        ("first join", 19),
        ("note", 30),
    ];

    fn table_row(&self, tz: UtcOffset) -> Vec<String> {
        vec![
            crate::output::opt(&self.name),
            self.user_id
                .clone()
                .or_else(|| self.phone.clone())
                .unwrap_or_default(),
            self.status.clone(),
            format!("{:.0}", self.minutes),
            crate::output::table_time(self.first_join, tz),
            crate::output::opt(&self.note),
        ]
    }

    fn xlsx_flag(&self, column: &str) -> Option<Flag> {
        (column == "status").then_some(())?;
        match self.status.as_str() {
            "absent" => Some(Flag::Bad),
            "late" | "left_early" => Some(Flag::Warn),
            "under_minimum" | "unknown" => Some(Flag::Low),
            _ => None,
        }
    }
}

/// The rows of a meeting's attendance report: the expected list's people in its order (when
/// given), then everyone else of the meeting.
pub fn attendance_rows(
    entries: &[RosterEntry],
    expected: Option<&[ExpectedPerson]>,
    rules: &Rules,
    now: OffsetDateTime,
) -> Vec<AttendanceRow> {
    let window = MeetingWindow::of_entries_at(entries, now);
    let judged: Vec<Option<Judged>> = entries
        .iter()
        .map(|e| window.as_ref().map(|w| judge(e, w, rules)))
        .collect();
    let row_of = |i: usize| AttendanceRow::of(Some(&entries[i]), judged[i].as_ref(), rules);
    let Some(expected) = expected else {
        return (0..entries.len()).map(row_of).collect();
    };
    let found = match_expected(expected, entries);
    let mut listed = vec![false; entries.len()];
    let mut rows = Vec::with_capacity(expected.len() + entries.len());
    for (p, f) in expected.iter().zip(&found) {
        let mut row = match f {
            Found::One(i, how) => {
                listed[*i] = true;
                let mut row = row_of(*i);
                row.matched_by = Some((*how).to_string());
                row
            }
            Found::Nobody => AttendanceRow::of(None, None, rules),
            Found::Ambiguous(candidates) => {
                let mut row = AttendanceRow::of(None, None, rules);
                row.status = "unknown".into();
                row.matched_by = Some("ambiguous".into());
                let names: Vec<String> = candidates
                    .iter()
                    .map(|&i| {
                        let e = &entries[i];
                        format!(
                            "{} ({})",
                            e.display_name.as_deref().unwrap_or("?"),
                            e.user_id
                                .as_deref()
                                .or(e.temp_id.as_deref())
                                .unwrap_or("no id")
                        )
                    })
                    .collect();
                row.note = Some(format!("could be any of: {}", names.join(", ")));
                row
            }
            Found::Duplicate(first) => {
                let mut row = AttendanceRow::of(None, None, rules);
                row.status = "unknown".into();
                row.matched_by = Some("duplicate".into());
                row.note = Some(format!("the same person as line {first} of the list"));
                row
            }
        };
        row.expected = true;
        row.name = p.name.clone().or(row.name);
        row.user_id = p.user_id.clone().or(row.user_id);
        row.phone = p.phone.clone().or(row.phone);
        row.email = p.email.clone().or(row.email);
        row.department = p.department.clone();
        rows.push(row);
    }
    for (i, e) in entries.iter().enumerate() {
        if !listed[i] {
            let mut row = row_of(i);
            row.expected = false;
            if e.spans.is_empty() {
                // Registered, absent, and not on the list: worth a look, not an absence.
                row.note = Some("registered but not on the expected list".into());
            }
            rows.push(row);
        }
    }
    rows
}

/// The rules as rows of a summary sheet: the minimums, the lateness, whether a list was given.
pub fn rule_cells(rules: &Rules, expected: bool) -> Vec<Vec<Cell<'static>>> {
    let minutes = |m: Option<u32>| m.map_or(Cell::Empty, |m| Cell::Number(f64::from(m)));
    vec![
        vec![
            Cell::Text("minimum minutes".into()),
            minutes(rules.min_minutes),
        ],
        vec![
            Cell::Text("minimum % of the meeting".into()),
            rules.min_percent.map_or(Cell::Empty, Cell::Number),
        ],
        vec![
            Cell::Text("late after minutes".into()),
            minutes(rules.late_after_minutes),
        ],
        vec![
            Cell::Text("expected list given".into()),
            Cell::Bool(expected),
        ],
    ]
}

/// The summary sheet of a workbook: the rules used, the meeting's actual time, the counts.
pub fn summary_cells(
    rules: &Rules,
    window: Option<&MeetingWindow>,
    rows: &[AttendanceRow],
    expected: bool,
) -> Vec<Vec<Cell<'static>>> {
    let text = |s: String| Cell::Text(s.into());
    let mut out = rule_cells(rules, expected);
    out.extend([
        vec![
            text("meeting started (first join)".into()),
            window.map_or(Cell::Empty, |w| Cell::Time(w.start)),
        ],
        vec![
            text("meeting ended (last leave)".into()),
            window.map_or(Cell::Empty, |w| Cell::Time(w.end)),
        ],
    ]);
    for p in &rules.periods {
        out.push(vec![
            text(format!("period {}", p.name)),
            text(format!(
                "{} – {}",
                roster_core::format_time(p.start),
                roster_core::format_time(p.end)
            )),
        ]);
    }
    for status in [
        Status::Present,
        Status::Late,
        Status::LeftEarly,
        Status::UnderMinimum,
        Status::Absent,
    ] {
        let n = rows.iter().filter(|r| r.status == status.as_str()).count();
        out.push(vec![text(status.as_str().into()), Cell::Number(n as f64)]);
    }
    let unknown = rows.iter().filter(|r| r.status == "unknown").count();
    out.push(vec![
        text("unknown (ambiguous or duplicate rows)".into()),
        Cell::Number(unknown as f64),
    ]);
    out
}

/// One person across the meetings of a range (`report --db` with rules).
#[derive(Debug, Clone, Serialize)]
pub struct RangeRow {
    /// The name (the expected list's, else the latest seen).
    pub name: Option<String>,
    /// The enterprise user id.
    pub user_id: Option<String>,
    /// The phone.
    pub phone: Option<String>,
    /// The e-mail.
    pub email: Option<String>,
    /// The department (from the expected list).
    pub department: Option<String>,
    /// Meetings the person was expected at: every meeting of the range for the expected
    /// list's people; without a list, those they registered for.
    pub meetings_expected: u64,
    /// Meetings attended (the minimum met; without one, any session), expected or not.
    pub meetings_attended: u64,
    /// Attended ÷ expected of the expected meetings, in percent (none when none was expected).
    pub attendance_rate: Option<f64>,
    /// Minutes in all meetings of the range (training hours × 60).
    pub total_minutes: f64,
    /// Meetings joined late.
    pub late: u64,
    /// The first attended meeting's first join.
    #[serde(with = "time::serde::rfc3339::option")]
    pub first_attended: Option<OffsetDateTime>,
    /// The last attended meeting's last leave.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_attended: Option<OffsetDateTime>,
    /// What to know (rows ambiguous in some meetings …).
    pub note: Option<String>,
}

impl Record for RangeRow {
    const COLUMNS: &'static [&'static str] = &[
        "name",
        "user_id",
        "phone",
        "email",
        "department",
        "meetings_expected",
        "meetings_attended",
        "attendance_rate",
        "total_minutes",
        "late",
        "first_attended",
        "last_attended",
        "note",
    ];
    const SHEET: &'static str = "people";
    const TABLE: &'static [(&'static str, usize)] = &[
        ("name", 16),
        ("id", 14),
        ("expected", 8),
        ("attended", 8),
        ("rate", 6),
        ("minutes", 8),
        ("note", 24),
    ];

    fn table_row(&self, _tz: UtcOffset) -> Vec<String> {
        vec![
            crate::output::opt(&self.name),
            self.user_id
                .clone()
                .or_else(|| self.phone.clone())
                .unwrap_or_default(),
            self.meetings_expected.to_string(),
            self.meetings_attended.to_string(),
            self.attendance_rate
                .map(|r| format!("{r:.0}%"))
                .unwrap_or_default(),
            format!("{:.0}", self.total_minutes),
            crate::output::opt(&self.note),
        ]
    }

    fn xlsx_flag(&self, column: &str) -> Option<Flag> {
        (column == "attendance_rate").then_some(())?;
        match self.attendance_rate? {
            r if r <= 0.0 => Some(Flag::Bad),
            r if r < 100.0 => Some(Flag::Low),
            _ => None,
        }
    }
}

#[derive(Default)]
struct Tally {
    row: Option<RangeRow>,
    ambiguous: u64,
}

impl Tally {
    fn row(&mut self) -> &mut RangeRow {
        self.row.get_or_insert(RangeRow {
            name: None,
            user_id: None,
            phone: None,
            email: None,
            department: None,
            meetings_expected: 0,
            meetings_attended: 0,
            attendance_rate: None,
            total_minutes: 0.0,
            late: 0,
            first_attended: None,
            last_attended: None,
            note: None,
        })
    }

    /// Counts one meeting of this person: expected or not, and what the rules found.
    fn add(&mut self, expected: bool, entry: Option<&RosterEntry>, judged: Option<&Judged>) {
        let row = self.row();
        if expected {
            row.meetings_expected += 1;
        }
        let (Some(entry), Some(j)) = (entry, judged) else {
            return;
        };
        if entry.spans.is_empty() {
            return;
        }
        row.total_minutes = round(row.total_minutes + j.minutes);
        if j.status == Status::Late {
            row.late += 1;
        }
        // Every meeting attended counts here; the rate counts the expected ones only.
        let met = j.minutes + 1e-9 >= j.required_minutes;
        if met {
            row.meetings_attended += 1;
            row.first_attended = row.first_attended.into_iter().chain(entry.first_join).min();
            row.last_attended = row.last_attended.into_iter().chain(entry.last_leave).max();
        }
        if row.name.is_none() {
            row.name = entry.display_name.clone();
        }
        row.user_id = row.user_id.take().or_else(|| entry.user_id.clone());
        row.phone = row.phone.take().or_else(|| entry.phone.clone());
        row.email = row.email.take().or_else(|| entry.email.clone());
    }
}

/// The rows of a range: per person across `meetings` (each the reconciled entries of one
/// meeting), the expected list's people in its order when given (expected at every meeting),
/// else everyone by the store's person key (expected where registered).
pub fn range_rows(
    meetings: &[Vec<RosterEntry>],
    expected: Option<&[ExpectedPerson]>,
    rules: &Rules,
) -> Vec<RangeRow> {
    let mut tallies: Vec<Tally> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    let mut expected_rate: Vec<(u64, u64)> = Vec::new();
    if let Some(list) = expected {
        tallies.resize_with(list.len(), Tally::default);
        expected_rate.resize(list.len(), (0, 0));
        for (t, p) in tallies.iter_mut().zip(list) {
            let row = t.row();
            row.name = p.name.clone();
            row.user_id = p.user_id.clone();
            row.phone = p.phone.clone();
            row.email = p.email.clone();
            row.department = p.department.clone();
        }
    }
    for entries in meetings {
        let window = MeetingWindow::of_entries(entries);
        let judged: Vec<Option<Judged>> = entries
            .iter()
            .map(|e| window.as_ref().map(|w| judge(e, w, rules)))
            .collect();
        match expected {
            Some(list) => {
                let found = match_expected(list, entries);
                for (i, f) in found.iter().enumerate() {
                    match f {
                        Found::One(e, _) => {
                            tallies[i].add(true, Some(&entries[*e]), judged[*e].as_ref());
                            let attended = judged[*e].as_ref().is_some_and(|j| {
                                !entries[*e].spans.is_empty()
                                    && j.minutes + 1e-9 >= j.required_minutes
                            });
                            expected_rate[i].0 += 1;
                            expected_rate[i].1 += u64::from(attended);
                        }
                        Found::Ambiguous(_) | Found::Duplicate(_) => {
                            tallies[i].ambiguous += 1;
                            tallies[i].add(true, None, None);
                            expected_rate[i].0 += 1;
                        }
                        Found::Nobody => {
                            tallies[i].add(true, None, None);
                            expected_rate[i].0 += 1;
                        }
                    }
                }
            }
            None => {
                for (e, j) in entries.iter().zip(&judged) {
                    let key = roster_store::person_key(
                        e.vendor,
                        &e.meeting_id,
                        e.user_id.as_deref(),
                        e.phone.as_deref(),
                        e.email.as_deref(),
                        e.temp_id.as_deref().or(e.display_name.as_deref()),
                    );
                    let t = *by_key.entry(key).or_insert_with(|| {
                        tallies.push(Tally::default());
                        expected_rate.push((0, 0));
                        tallies.len() - 1
                    });
                    let registered = e.expected();
                    tallies[t].add(registered, Some(e), j.as_ref());
                    if registered {
                        let attended = j.as_ref().is_some_and(|j| {
                            !e.spans.is_empty() && j.minutes + 1e-9 >= j.required_minutes
                        });
                        expected_rate[t].0 += 1;
                        expected_rate[t].1 += u64::from(attended);
                    }
                }
            }
        }
    }
    tallies
        .into_iter()
        .zip(expected_rate)
        .map(|(mut t, (exp, att))| {
            let ambiguous = t.ambiguous;
            let mut row = t.row().clone();
            row.attendance_rate = (exp > 0).then(|| round(att as f64 / exp as f64 * 100.0));
            if ambiguous > 0 {
                row.note = Some(format!(
                    "ambiguous or repeated on the list in {ambiguous} meetings (not counted as attended)"
                ));
            }
            row
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_core::{Attendee, Vendor, reconcile};

    fn session(user: Option<&str>, name: &str, phone: Option<&str>, tid: &str) -> Attendee {
        let mut a = Attendee::new(Vendor::WeCom, "m");
        a.user_id = user.map(Into::into);
        a.temp_id = Some(tid.into());
        a.display_name = Some(name.into());
        a.phone = phone.map(Into::into);
        a.joined_at = time::OffsetDateTime::from_unix_timestamp(1_000).ok();
        a.left_at = time::OffsetDateTime::from_unix_timestamp(4_000).ok();
        a
    }

    fn person(name: &str, user: Option<&str>, phone: Option<&str>) -> ExpectedPerson {
        ExpectedPerson {
            name: Some(name.into()),
            user_id: user.map(Into::into),
            phone: phone.map(Into::into),
            ..ExpectedPerson::default()
        }
    }

    #[test]
    fn ids_then_phone_then_unique_names_and_never_a_silent_merge() {
        let entries = reconcile(
            vec![],
            vec![
                session(Some("u1"), "张三", None, "t1"),
                session(None, "李四", Some("+86 138-0013-8000"), "t2"),
                session(None, "王五", None, "t3"),
                session(None, "王五", None, "t4"),
                session(None, "赵六", None, "t5"),
            ],
        );
        let expected = vec![
            person("张三丰", Some("u1"), None),
            person("李四", None, Some("13800138000")),
            person("王五", None, None),
            person("赵六", None, None),
            person("赵六", None, None),
            person("钱七", None, None),
            person("张三", Some("u1"), None),
        ];
        let found = match_expected(&expected, &entries);
        let idx = |name: &str| {
            entries
                .iter()
                .position(|e| e.display_name.as_deref() == Some(name))
                .unwrap()
        };
        assert_eq!(found[0], Found::One(idx("张三"), "user_id"));
        assert_eq!(found[1], Found::One(idx("李四"), "phone"));
        // Two 王五 in the meeting: ambiguous, not merged.
        assert!(matches!(&found[2], Found::Ambiguous(c) if c.len() == 2));
        // 赵六 twice on the list: the name is not unique on the list's side.
        assert!(matches!(found[3], Found::Ambiguous(_)));
        assert_eq!(found[5], Found::Nobody);
        // u1 again: the same person as row 1.
        assert_eq!(found[6], Found::Duplicate(2));

        let rows = attendance_rows(
            &entries,
            Some(&expected),
            &Rules::default(),
            time::OffsetDateTime::UNIX_EPOCH,
        );
        assert_eq!(
            rows.len(),
            expected.len() + 3,
            "the 王五s and 赵六 listed after"
        );
        assert_eq!(rows[0].status, "present");
        assert_eq!(rows[0].name.as_deref(), Some("张三丰"), "the list's name");
        assert_eq!(rows[2].status, "unknown");
        assert!(rows[2].note.as_deref().unwrap().contains("王五"));
        assert_eq!(rows[5].status, "absent");
        assert!(rows[7..].iter().all(|r| !r.expected));
    }

    #[test]
    fn a_range_counts_meetings_expected_attended_and_minutes() {
        // Two meetings of 60 minutes; u1 attends both fully, u2 the first for 20 minutes only.
        let at = |m: &str, user: &str, from: i64, to: i64| {
            let mut a = Attendee::new(Vendor::WeCom, m);
            a.user_id = Some(user.into());
            a.display_name = Some(user.to_uppercase());
            a.joined_at = time::OffsetDateTime::from_unix_timestamp(from * 60).ok();
            a.left_at = time::OffsetDateTime::from_unix_timestamp(to * 60).ok();
            a
        };
        let meetings = vec![
            reconcile(vec![], vec![at("m1", "u1", 0, 60), at("m1", "u2", 0, 20)]),
            reconcile(vec![], vec![at("m2", "u1", 100, 160)]),
        ];
        let list = vec![
            person("一", Some("u1"), None),
            person("二", Some("u2"), None),
            person("三", Some("u3"), None),
        ];
        let rules = Rules {
            min_percent: Some(50.0),
            ..Rules::default()
        };
        let rows = range_rows(&meetings, Some(&list), &rules);
        let shape: Vec<_> = rows
            .iter()
            .map(|r| {
                (
                    r.name.clone().unwrap(),
                    r.meetings_expected,
                    r.meetings_attended,
                    r.attendance_rate,
                    r.total_minutes,
                )
            })
            .collect();
        assert_eq!(
            shape,
            vec![
                ("一".to_string(), 2, 2, Some(100.0), 120.0),
                // 20 of the 60 minutes: under the 50 %, not attended; the minutes still count.
                ("二".to_string(), 2, 0, Some(0.0), 20.0),
                ("三".to_string(), 2, 0, Some(0.0), 0.0),
            ]
        );
        assert_eq!(
            rows[0].first_attended,
            time::OffsetDateTime::from_unix_timestamp(0).ok()
        );
        // Without a list: by person, attended everywhere they came; no registrations, no rate.
        let rows = range_rows(&meetings, None, &Rules::default());
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].meetings_attended, rows[0].attendance_rate),
            (2, None)
        );
    }

    #[test]
    fn a_name_never_joins_people_whose_ids_differ_and_ids_go_first() {
        let entries = reconcile(
            vec![],
            vec![
                session(Some("u7"), "张伟", None, "t1"),
                session(Some("u8"), "李娜", None, "t2"),
            ],
        );
        let idx = |u: &str| {
            entries
                .iter()
                .position(|e| e.user_id.as_deref() == Some(u))
                .unwrap()
        };
        let expected = vec![
            // Another 张伟 (u5), not in the meeting: not u7's attendance.
            person("张伟", Some("u5"), None),
            // 李娜 by name only, listed before the row that names u8 by id: the id wins.
            person("李娜", None, None),
            person("Li Na", Some("u8"), None),
        ];
        let found = match_expected(&expected, &entries);
        assert_eq!(found[0], Found::Nobody);
        assert_eq!(found[1], Found::Nobody, "u8 is the third row's by user id");
        assert_eq!(found[2], Found::One(idx("u8"), "user_id"));
    }

    #[test]
    fn periods_files_take_times_of_day_on_the_meetings_day() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.csv");
        std::fs::write(
            &path,
            "节次,开始,结束\n第一节,23:30,23:59\n第二节,2026-03-03 00:05,2026-03-03 00:40\n",
        )
        .unwrap();
        let tz = UtcOffset::from_hms(8, 0, 0).unwrap();
        let day = time::macros::datetime!(2026-03-02 15:20 UTC); // 23:20 at UTC+8
        let periods = read_periods(&path, tz, Some(day)).unwrap();
        assert_eq!(periods[0].name, "第一节");
        assert_eq!(
            periods[0].start,
            time::macros::datetime!(2026-03-02 23:30 +8)
        );
        assert_eq!(periods[1].end, time::macros::datetime!(2026-03-03 00:40 +8));
        std::fs::write(&path, "name,start,end\nx,09:00,08:00\n").unwrap();
        assert!(read_periods(&path, tz, Some(day)).is_err());
    }

    #[test]
    fn workbooks_as_people_type_them_times_of_day_and_numbers() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.xlsx");
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        let time = Format::new().set_num_format("hh:mm");
        for (c, h) in ["节次", "开始", "结束", "工号"].iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        sheet.write_string(1, 0, "第一节").unwrap();
        let t = |h, m| ExcelDateTime::from_hms(h, m, 0).unwrap();
        sheet
            .write_datetime_with_format(1, 1, t(8, 0), &time)
            .unwrap();
        sheet
            .write_datetime_with_format(1, 2, t(8, 45), &time)
            .unwrap();
        // A user id typed as a number.
        sheet.write_number(1, 3, 10086).unwrap();
        book.save(&path).unwrap();
        let tz = UtcOffset::from_hms(8, 0, 0).unwrap();
        let day = time::macros::datetime!(2026-03-02 01:00 UTC);
        let periods = read_periods(&path, tz, Some(day)).unwrap();
        assert_eq!(
            periods[0].start,
            time::macros::datetime!(2026-03-02 08:00 +8)
        );
        assert_eq!(periods[0].end, time::macros::datetime!(2026-03-02 08:45 +8));
        let rows = read_table(&path).unwrap();
        assert_eq!(rows[1][3], "10086");

        // A tiny file claiming the whole sheet (A1 and XFD1048576): refused, not allocated.
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "姓名").unwrap();
        sheet.write_string(1_048_575, 16_383, "x").unwrap();
        book.save(&path).unwrap();
        assert!(std::fs::metadata(&path).unwrap().len() < 10_000);
        let e = read_table(&path).unwrap_err();
        assert!(e.to_string().contains("at most"), "{e}");
    }

    #[test]
    fn expected_lists_in_gbk_with_chinese_headers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("e.csv");
        let (gbk, _, _) = encoding_rs::GBK.encode("姓名,工号,部门\n张三,u1,研发\n李四,,销售\n");
        std::fs::write(&path, gbk).unwrap();
        let list = read_expected(&path).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].user_id.as_deref(), Some("u1"));
        assert_eq!(list[1].department.as_deref(), Some("销售"));
        std::fs::write(&path, "部门\n研发\n").unwrap();
        assert!(read_expected(&path).is_err());
    }
}
