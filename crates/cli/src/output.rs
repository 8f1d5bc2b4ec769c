//! Streaming writers for table, CSV, JSON Lines and JSON, and the atomic output file.
//!
//! Records are written as they arrive; nothing is collected. A `--output` file is written to a
//! temporary file in the same directory and renamed over the target only when the export
//! finished, so a failed export never leaves a file that looks complete. Targets that are not
//! regular files are respected: a FIFO or a device (`/dev/null`, `/dev/stdout`) is written
//! directly, never replaced; a symbolic link has the file it points to replaced (atomically,
//! next to that file), never the link; a directory or a socket is refused.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;
use tempfile::NamedTempFile;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::args::{CsvEncoding, Format};
use crate::xlsx::{Cell, XlsxBook};

/// Where records go: stdout, or a temporary file renamed into place on [`Sink::commit`].
pub enum Sink {
    /// Standard output.
    Stdout(BufWriter<io::Stdout>),
    /// An existing FIFO or device, written in place (nothing to rename).
    Direct(BufWriter<File>),
    /// A temporary file next to `path`; dropped without commit, it is deleted.
    File {
        /// The temporary file.
        file: BufWriter<NamedTempFile>,
        /// The final name.
        path: PathBuf,
    },
    /// An in-memory buffer (tests).
    Memory(Vec<u8>),
}

impl Sink {
    /// Standard output.
    pub fn stdout() -> Self {
        Sink::Stdout(BufWriter::with_capacity(64 * 1024, io::stdout()))
    }

    /// The sink for `--output path` (see the [module docs](self)). A directory, a socket or a
    /// path that cannot be resolved is an [`io::ErrorKind::InvalidInput`] error.
    pub fn file(path: &Path) -> io::Result<Self> {
        use std::os::unix::fs::FileTypeExt;
        let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        // `metadata` follows links: what the export would really write to.
        match std::fs::metadata(path) {
            Ok(meta) => {
                let kind = meta.file_type();
                if kind.is_fifo() || kind.is_char_device() || kind.is_block_device() {
                    let file = std::fs::OpenOptions::new().write(true).open(path)?;
                    return Ok(Sink::Direct(BufWriter::with_capacity(64 * 1024, file)));
                }
                if !kind.is_file() {
                    let what = if kind.is_dir() {
                        "directory"
                    } else {
                        "special file"
                    };
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidInput,
                        format!("{} is a {what}, not a file", path.display()),
                    ));
                }
                if is_link {
                    return Self::replace(&std::fs::canonicalize(path)?);
                }
                Self::replace(path)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound && is_link => {
                Self::replace(&resolve_link(path)?)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Self::replace(path),
            Err(e) => Err(e),
        }
    }

    /// A temporary file next to `path`, renamed over it on commit.
    fn replace(path: &Path) -> io::Result<Self> {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let mut builder = tempfile::Builder::new();
        let prefix = partial_prefix(path, std::process::id());
        builder.prefix(&prefix).suffix(".partial");
        // tempfile creates 0600; the export should get the mode a plain create gives (0666
        // less the umask), or keep the mode of the file it replaces.
        #[cfg(unix)]
        let existing = {
            use std::os::unix::fs::PermissionsExt;
            let existing = std::fs::metadata(path)
                .ok()
                .filter(|m| m.is_file())
                .map(|m| std::fs::Permissions::from_mode(m.permissions().mode() & 0o777));
            builder.permissions(
                existing
                    .clone()
                    .unwrap_or_else(|| std::fs::Permissions::from_mode(0o666)),
            );
            existing
        };
        let temp = builder.tempfile_in(&dir)?;
        // The umask applied at creation; the replaced file's mode is restored exactly.
        #[cfg(unix)]
        if let Some(permissions) = existing {
            temp.as_file().set_permissions(permissions)?;
        }
        Ok(Sink::File {
            file: BufWriter::with_capacity(64 * 1024, temp),
            path: path.to_path_buf(),
        })
    }

    /// The sink of an export to `path` that continues `saved` (the records of an interrupted
    /// export): a temporary file next to `path`, starting with the first `bytes` of `saved`
    /// (copied, so that `saved` stays usable until this export commits or saves again).
    pub fn resumed_file(path: &Path, saved: &Path, bytes: u64) -> io::Result<Self> {
        let mut sink = Self::replace(path)?;
        if let Sink::File { file, .. } = &mut sink {
            let mut from = File::open(saved)?.take(bytes);
            let copied = io::copy(&mut from, file)?;
            if copied != bytes {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("{} is shorter than its checkpoint says", saved.display()),
                ));
            }
        }
        Ok(sink)
    }

    /// Whether records can be saved for a later resume: a file renamed into place on commit.
    pub fn is_file(&self) -> bool {
        matches!(self, Sink::File { .. })
    }

    /// Keeps the first `bytes` of what was written as `saved` (an interrupted export's records,
    /// for a later resume), instead of deleting them.
    pub fn keep(self, bytes: u64, saved: &Path) -> io::Result<()> {
        if let Sink::File { file, .. } = self {
            let temp = file.into_inner().map_err(|e| e.into_error())?;
            temp.as_file().set_len(bytes)?;
            temp.persist(saved).map_err(|e| e.error)?;
        }
        Ok(())
    }

    /// Flushes; for a file, syncs it and renames it over the target.
    pub fn commit(self) -> io::Result<Option<Vec<u8>>> {
        match self {
            Sink::Stdout(mut w) => {
                w.flush()?;
                Ok(None)
            }
            Sink::Direct(mut w) => {
                w.flush()?;
                Ok(None)
            }
            Sink::File { file, path } => {
                let temp = file.into_inner().map_err(|e| e.into_error())?;
                temp.as_file().sync_all()?;
                temp.persist(&path).map_err(|e| e.error)?;
                Ok(None)
            }
            Sink::Memory(buf) => Ok(Some(buf)),
        }
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Sink::Stdout(w) => w.write(buf),
            Sink::Direct(w) => w.write(buf),
            Sink::File { file, .. } => file.write(buf),
            Sink::Memory(v) => v.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Stdout(w) => w.flush(),
            Sink::Direct(w) => w.flush(),
            Sink::File { file, .. } => file.flush(),
            Sink::Memory(v) => v.flush(),
        }
    }
}

/// Whether standard output was closed when the process started (`roster … >&-`). Rust's
/// runtime reopens a closed descriptor 0–2 on `/dev/null` *read-write* before `main`, so that
/// writes to it vanish without an error; a shell's `> /dev/null` opens it write-only. Linux's
/// `/proc` tells the two apart; elsewhere (no `/proc`) this says `false`.
pub fn stdout_was_closed() -> bool {
    if std::fs::read_link("/proc/self/fd/1").ok().as_deref() != Some(Path::new("/dev/null")) {
        return false;
    }
    std::fs::read_to_string("/proc/self/fdinfo/1")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("flags:"))
                .and_then(|f| u32::from_str_radix(f.trim(), 8).ok())
        })
        .is_some_and(|flags| flags & 0o3 == 0o2)
}

/// The name start of the temporary file of an export to `target` by process `pid`:
/// `.roster-<file name>.<pid>.` (the file name cut to 100 characters), so that a partial left
/// by a killed process can be recognised, and matched to its target, by the next run.
fn partial_prefix(target: &Path, pid: u32) -> String {
    let name: String = target
        .file_name()
        .map(|n| n.to_string_lossy().chars().take(100).collect())
        .unwrap_or_default();
    format!(".roster-{name}.{pid}.")
}

/// Partial files that roster processes no longer running left in `target`'s directory (after a
/// SIGKILL or a power cut): those of `target` itself are removed (returned first), those of
/// other targets only reported (second). A partial whose process is alive, or whose process
/// cannot be checked (no `/proc`), is left alone.
pub fn stale_partials(target: &Path) -> io::Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let own = partial_prefix(target, 0);
    let own = own.trim_end_matches("0.");
    let (mut removed, mut others) = (Vec::new(), Vec::new());
    if !Path::new("/proc/self").exists() {
        return Ok((removed, others));
    }
    for entry in std::fs::read_dir(&dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name
            .strip_prefix(".roster-")
            .and_then(|r| r.strip_suffix(".partial"))
        else {
            continue;
        };
        // `<target name>.<pid>.<random>`: the pid is the second field from the end.
        let mut fields = rest.rsplitn(3, '.');
        let (_random, pid) = (fields.next(), fields.next());
        let Some(pid) = pid.and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if Path::new("/proc").join(pid.to_string()).exists() {
            continue;
        }
        if name.starts_with(own) && name[own.len()..].starts_with(&format!("{pid}.")) {
            std::fs::remove_file(entry.path())?;
            removed.push(entry.path());
        } else {
            others.push(entry.path());
        }
    }
    Ok((removed, others))
}

/// Where a dangling symbolic link (through every link on the way) would have the file created.
fn resolve_link(link: &Path) -> io::Result<PathBuf> {
    let mut path = link.to_path_buf();
    for _ in 0..40 {
        let next = std::fs::read_link(&path)?;
        path = match path.parent() {
            Some(dir) if next.is_relative() => dir.join(next),
            _ => next,
        };
        if !std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Ok(path);
        }
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("{} is a loop of symbolic links", link.display()),
    ))
}

/// A record type the CLI can print.
pub trait Record: Serialize {
    /// CSV columns: the JSON keys, in order.
    const COLUMNS: &'static [&'static str];
    /// The name of its sheet in a workbook (`--format xlsx`).
    const SHEET: &'static str = "records";
    /// Its cells for a workbook, in [`Record::COLUMNS`] order, taken from the fields directly
    /// (none: from its JSON, which costs a map per record: worth avoiding for the records of
    /// large exports).
    fn xlsx_cells(&self) -> Option<Vec<crate::xlsx::Cell<'_>>> {
        None
    }

    /// A cell of `column` to colour in a workbook (a status that needs attention).
    fn xlsx_flag(&self, column: &str) -> Option<crate::xlsx::Flag> {
        let _ = column;
        None
    }
    /// Table columns: header and display width.
    const TABLE: &'static [(&'static str, usize)];
    /// The table cells, in [`Record::TABLE`] order.
    fn table_row(&self, tz: UtcOffset) -> Vec<String>;
}

/// Counts the bytes written through it.
pub struct Counting {
    sink: Sink,
    bytes: u64,
}

impl Write for Counting {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.sink.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.sink.flush()
    }
}

/// The buffer one record's JSON is written into. serde_json writes a record in many small
/// pieces, most of them one byte (quotes, colons, commas); a `Vec`'s own `write_all` copies
/// each with a `memcpy` call, which was a tenth of a large export's instructions. One byte is
/// pushed instead; longer pieces are copied as before.
struct Scratch<'a>(&'a mut Vec<u8>);

impl Write for Scratch<'_> {
    #[inline]
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    #[inline]
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match buf {
            [byte] => self.0.push(*byte),
            _ => self.0.extend_from_slice(buf),
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes records of one type in one format.
pub struct RecordWriter<R: Record> {
    inner: Inner,
    tz: UtcOffset,
    count: u64,
    /// One record's JSON, written to the sink in one call (serde_json writes in many small
    /// pieces, each of which would otherwise go through the sink).
    scratch: Vec<u8>,
    _record: PhantomData<fn(&R)>,
}

enum Inner {
    Jsonl(Counting),
    Json(Counting),
    Csv(Box<CsvOut>),
    Table(Counting),
    Xlsx(Box<XlsxOut>),
}

/// CSV: each record formatted by the `csv` crate into a buffer, then encoded whole into the
/// sink (so that an encoding error names its record and no character is ever cut in two).
struct CsvOut {
    csv: csv::Writer<LineBuf>,
    line: LineBuf,
    out: Counting,
    options: CsvOptions,
    encoder: Option<encoding_rs::Encoder>,
    encoded: Vec<u8>,
}

/// A workbook and the sink it is saved into at the end.
struct XlsxOut {
    book: XlsxBook,
    sheet: usize,
    sink: Sink,
}

/// How CSV is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CsvOptions {
    /// The character encoding.
    pub encoding: CsvEncoding,
    /// Replace a character the encoding cannot hold with `?` (else it is an error).
    pub lossy: bool,
}

impl CsvOut {
    fn new(out: Counting, options: CsvOptions) -> Self {
        let line = LineBuf::default();
        Self {
            csv: csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(line.clone()),
            line,
            out,
            options,
            encoder: (options.encoding == CsvEncoding::Gbk).then(|| encoding_rs::GBK.new_encoder()),
            encoded: Vec::with_capacity(1024),
        }
    }

    /// Writes one line; `line` is its number for an error (0 the header).
    fn write<I, T>(&mut self, fields: I, line: u64) -> io::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        if self.out.bytes == 0 && self.options.encoding == CsvEncoding::Utf8Bom {
            self.out.write_all(b"\xEF\xBB\xBF")?;
        }
        self.csv.write_record(fields).map_err(csv_error)?;
        self.csv.flush()?;
        let text = self.line.take();
        let Some(encoder) = self.encoder.as_mut() else {
            self.out.write_all(&text)?;
            self.line.give_back(text);
            return Ok(());
        };
        let utf8 = std::str::from_utf8(&text).map_err(io::Error::other)?;
        self.encoded.clear();
        let mut rest = utf8;
        loop {
            self.encoded.reserve(rest.len() * 2 + 8);
            let (result, read) =
                encoder.encode_from_utf8_to_vec_without_replacement(rest, &mut self.encoded, false);
            rest = &rest[read..];
            match result {
                encoding_rs::EncoderResult::InputEmpty => break,
                encoding_rs::EncoderResult::OutputFull => continue,
                encoding_rs::EncoderResult::Unmappable(c) if self.options.lossy => {
                    let _ = c;
                    self.encoded.push(b'?');
                }
                encoding_rs::EncoderResult::Unmappable(c) => {
                    let what = if line == 0 {
                        "the header".to_string()
                    } else {
                        format!("record {line}")
                    };
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!(
                            "{what}: {c:?} (U+{:04X}) cannot be written in GBK: give --lossy to write '?' for it, or --csv-encoding utf8-bom",
                            c as u32
                        ),
                    ));
                }
            }
        }
        self.out.write_all(&self.encoded)?;
        self.line.give_back(text);
        Ok(())
    }
}

/// The buffer the `csv` crate writes one line into, shared with [`CsvOut`], which takes the
/// line out whole.
#[derive(Clone, Default)]
struct LineBuf(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl LineBuf {
    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn give_back(&self, mut buf: Vec<u8>) {
        buf.clear();
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = buf;
    }
}

impl Write for LineBuf {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<R: Record> RecordWriter<R> {
    /// A writer of `format` into `sink`; `tz` is the offset for table times.
    pub fn new(format: Format, sink: Sink, tz: UtcOffset) -> Self {
        Self::resumed(format, sink, tz, 0, 0)
    }

    /// A writer continuing a document of `count` records in `bytes` bytes that `sink` already
    /// holds (no header or opening bracket again). A workbook cannot be continued: `count`
    /// and `bytes` are then 0.
    pub fn resumed(format: Format, sink: Sink, tz: UtcOffset, count: u64, bytes: u64) -> Self {
        let counting = Counting { sink, bytes };
        let inner = match format {
            Format::Jsonl => Inner::Jsonl(counting),
            Format::Json => Inner::Json(counting),
            Format::Csv => Inner::Csv(Box::new(CsvOut::new(counting, CsvOptions::default()))),
            Format::Table => Inner::Table(counting),
            Format::Xlsx => Inner::Xlsx(Box::new(XlsxOut {
                book: XlsxBook::new(tz),
                sheet: usize::MAX,
                sink: counting.sink,
            })),
        };
        Self {
            inner,
            tz,
            count,
            scratch: Vec::with_capacity(1024),
            _record: PhantomData,
        }
    }

    /// How CSV is written (encoding, lossy); other formats ignore it.
    pub fn csv_options(mut self, options: CsvOptions) -> Self {
        if let Inner::Csv(w) = &mut self.inner {
            let out = std::mem::replace(
                &mut w.out,
                Counting {
                    sink: Sink::Memory(Vec::new()),
                    bytes: 0,
                },
            );
            **w = CsvOut::new(out, options);
        }
        self
    }

    /// Bytes of the document so far (everything buffered handed to the sink first; 0 for a
    /// workbook, which is written only at the end).
    pub fn bytes(&mut self) -> io::Result<u64> {
        Ok(match &mut self.inner {
            Inner::Csv(w) => w.out.bytes,
            Inner::Jsonl(w) | Inner::Json(w) | Inner::Table(w) => w.bytes,
            Inner::Xlsx(_) => 0,
        })
    }

    /// The sink, without ending the document (an interrupted export).
    pub fn into_sink(self) -> io::Result<Sink> {
        match self.inner {
            Inner::Csv(w) => Ok(w.out.sink),
            Inner::Jsonl(w) | Inner::Json(w) | Inner::Table(w) => Ok(w.sink),
            Inner::Xlsx(w) => Ok(w.sink),
        }
    }

    /// Records written so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Writes one record.
    pub fn write(&mut self, record: &R) -> io::Result<()> {
        let first = self.count == 0;
        match &mut self.inner {
            Inner::Jsonl(w) => {
                self.scratch.clear();
                serde_json::to_writer(Scratch(&mut self.scratch), record)?;
                self.scratch.push(b'\n');
                w.write_all(&self.scratch)?;
            }
            Inner::Json(w) => {
                self.scratch.clear();
                self.scratch
                    .extend_from_slice(if first { b"[\n" } else { b",\n" });
                serde_json::to_writer(Scratch(&mut self.scratch), record)?;
                w.write_all(&self.scratch)?;
            }
            Inner::Csv(w) => {
                if first && w.out.bytes == 0 {
                    w.write(R::COLUMNS, 0)?;
                }
                let value = serde_json::to_value(record)?;
                w.write(
                    R::COLUMNS.iter().map(|k| cell(value.get(*k))),
                    self.count + 1,
                )?;
            }
            Inner::Xlsx(w) => {
                if first {
                    w.sheet = w.book.add_sheet(R::SHEET, R::COLUMNS)?;
                }
                match record.xlsx_cells() {
                    Some(cells) => w.book.write_row(w.sheet, &cells)?,
                    None => w.book.write_row(w.sheet, &cells_of(record)?)?,
                }
            }
            Inner::Table(w) => {
                if first {
                    write_table_header::<R>(w)?;
                }
                write_table_line(w, R::TABLE, &record.table_row(self.tz))?;
            }
        }
        self.count += 1;
        Ok(())
    }

    /// Adds a sheet of `rows` under `columns` after the records' (a workbook only; the other
    /// formats have no place for it and ignore it).
    pub fn extra_sheet(
        &mut self,
        name: &str,
        columns: &[&str],
        rows: &[Vec<Cell<'_>>],
    ) -> io::Result<()> {
        if let Inner::Xlsx(w) = &mut self.inner {
            if w.sheet == usize::MAX {
                w.sheet = w.book.add_sheet(R::SHEET, R::COLUMNS)?;
            }
            let sheet = w.book.add_sheet(name, columns)?;
            for row in rows {
                w.book.write_row(sheet, row)?;
            }
        }
        Ok(())
    }

    /// Ends the document (closing bracket, header of an empty CSV) and returns the sink.
    pub fn finish(self) -> io::Result<Sink> {
        let empty = self.count == 0;
        match self.inner {
            Inner::Jsonl(w) => Ok(w.sink),
            Inner::Json(mut w) => {
                w.write_all(if empty { b"[]\n" } else { b"\n]\n" })?;
                Ok(w.sink)
            }
            Inner::Csv(mut w) => {
                if empty && w.out.bytes == 0 {
                    w.write(R::COLUMNS, 0)?;
                }
                Ok(w.out.sink)
            }
            Inner::Xlsx(w) => {
                let XlsxOut {
                    mut book,
                    sheet,
                    mut sink,
                } = *w;
                if sheet == usize::MAX {
                    book.add_sheet(R::SHEET, R::COLUMNS)?;
                }
                book.finish(&mut sink)?;
                Ok(sink)
            }
            Inner::Table(mut w) => {
                if empty {
                    write_table_header::<R>(&mut w)?;
                    w.write_all(b"(no records)\n")?;
                }
                Ok(w.sink)
            }
        }
    }
}

/// A record's cells for a workbook, in [`Record::COLUMNS`] order.
pub fn cells_of<R: Record>(record: &R) -> io::Result<Vec<Cell<'static>>> {
    let value = serde_json::to_value(record)?;
    Ok(R::COLUMNS
        .iter()
        .map(|k| match (record.xlsx_flag(k), value.get(*k)) {
            (Some(flag), Some(Value::Number(n))) => n
                .as_f64()
                .map_or(Cell::Empty, |n| Cell::FlagNumber(n, flag)),
            (Some(flag), v) => Cell::Flag(cell(v).into(), flag),
            (None, v) => Cell::of_json(v),
        })
        .collect())
}

fn csv_error(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// A CSV cell from a JSON value: strings as is, `null` empty, numbers and booleans printed,
/// objects and arrays as JSON text.
pub fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(other) => other.to_string(),
    }
}

fn write_table_header<R: Record>(w: &mut impl Write) -> io::Result<()> {
    let headers: Vec<String> = R::TABLE.iter().map(|(h, _)| h.to_string()).collect();
    write_table_line(w, R::TABLE, &headers)?;
    let rule: Vec<String> = R::TABLE
        .iter()
        .map(|(_, width)| "─".repeat(*width))
        .collect();
    write_table_line(w, R::TABLE, &rule)
}

fn write_table_line(
    w: &mut impl Write,
    columns: &[(&str, usize)],
    cells: &[String],
) -> io::Result<()> {
    let mut line = String::new();
    for (i, (_, width)) in columns.iter().enumerate() {
        let text = cells.get(i).map(String::as_str).unwrap_or("");
        let last = i + 1 == columns.len();
        line.push_str(&fit(text, *width, !last));
        if !last {
            line.push_str("  ");
        }
    }
    w.write_all(line.trim_end().as_bytes())?;
    w.write_all(b"\n")
}

/// Fits `text` into `width` terminal columns: control characters shown as spaces, too-long text
/// cut with `…`, short text padded when `pad` (wide CJK characters count as two columns).
pub fn fit(text: &str, width: usize, pad: bool) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut out = String::new();
    let mut used = 0;
    if clean.width() <= width {
        out = clean;
        used = out.width();
    } else {
        for c in clean.chars() {
            let w = c.width().unwrap_or(0);
            if used + w + 1 > width {
                break;
            }
            out.push(c);
            used += w;
        }
        out.push('…');
        used += 1;
    }
    if pad {
        out.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
    }
    out
}

/// A time for a table cell, in `tz`.
pub fn table_time(t: Option<OffsetDateTime>, tz: UtcOffset) -> String {
    let format = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    t.and_then(|t| t.to_offset(tz).format(format).ok())
        .unwrap_or_default()
}

/// An optional value for a table cell.
pub fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Serialize)]
    struct Row {
        name: String,
        n: Option<i64>,
        extra: Value,
    }

    impl Record for Row {
        const COLUMNS: &'static [&'static str] = &["name", "n", "extra"];
        const TABLE: &'static [(&'static str, usize)] = &[("name", 6), ("n", 3)];
        fn table_row(&self, _tz: UtcOffset) -> Vec<String> {
            vec![self.name.clone(), opt(&self.n)]
        }
    }

    fn rows() -> Vec<Row> {
        vec![
            Row {
                name: "张三, \"Zhang\"".into(),
                n: Some(1),
                extra: json!({"k": "v,1"}),
            },
            Row {
                name: "line\nbreak".into(),
                n: None,
                extra: json!({}),
            },
        ]
    }

    fn render(format: Format, rows: &[Row]) -> String {
        let mut w = RecordWriter::<Row>::new(format, Sink::Memory(Vec::new()), UtcOffset::UTC);
        for r in rows {
            w.write(r).unwrap();
        }
        let bytes = w.finish().unwrap().commit().unwrap().unwrap();
        String::from_utf8(bytes).unwrap()
    }

    fn render_csv(rows: &[Row], encoding: CsvEncoding, lossy: bool) -> io::Result<Vec<u8>> {
        let mut w = RecordWriter::<Row>::new(Format::Csv, Sink::Memory(Vec::new()), UtcOffset::UTC)
            .csv_options(CsvOptions { encoding, lossy });
        for r in rows {
            w.write(r)?;
        }
        Ok(w.finish()?.commit()?.unwrap())
    }

    #[test]
    fn gbk_names_the_record_it_cannot_encode_unless_lossy() {
        let mut all = rows();
        all.push(Row {
            name: "王五 🎉".into(),
            n: Some(3),
            extra: json!({}),
        });
        let plain = render(Format::Csv, &all);
        let e = render_csv(&all, CsvEncoding::Gbk, false).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert!(e.to_string().starts_with("record 3: '🎉'"), "{e}");
        let lossy = render_csv(&all, CsvEncoding::Gbk, true).unwrap();
        let (decoded, _, errors) = encoding_rs::GBK.decode(&lossy);
        assert!(!errors);
        assert_eq!(decoded, plain.replace('🎉', "?"));
        // Without the emoji: GBK bytes (张 is two bytes), the same text decoded.
        let gbk = render_csv(&rows(), CsvEncoding::Gbk, false).unwrap();
        assert!(gbk.len() < render(Format::Csv, &rows()).len());
        assert_eq!(
            encoding_rs::GBK.decode(&gbk).0,
            render(Format::Csv, &rows())
        );
        // A BOM once, before the header, also for an empty export.
        let bom = render_csv(&[], CsvEncoding::Utf8Bom, false).unwrap();
        assert_eq!(bom, b"\xEF\xBB\xBFname,n,extra\r\n");
    }

    #[test]
    fn csv_quotes_per_rfc4180_and_parses_back() {
        let text = render(Format::Csv, &rows());
        let mut r = csv::Reader::from_reader(text.as_bytes());
        assert_eq!(r.headers().unwrap(), vec!["name", "n", "extra"]);
        let back: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
        assert_eq!(&back[0][0], "张三, \"Zhang\"");
        assert_eq!(&back[0][1], "1");
        assert_eq!(
            serde_json::from_str::<Value>(&back[0][2]).unwrap(),
            json!({"k": "v,1"})
        );
        assert_eq!(&back[1][0], "line\nbreak");
        assert_eq!(&back[1][1], "");
        assert!(text.contains("\r\n"));
    }

    #[test]
    fn json_and_jsonl() {
        let jsonl = render(Format::Jsonl, &rows());
        assert_eq!(jsonl.lines().count(), 2);
        for line in jsonl.lines() {
            serde_json::from_str::<Value>(line).unwrap();
        }
        let json: Value = serde_json::from_str(&render(Format::Json, &rows())).unwrap();
        assert_eq!(json.as_array().unwrap().len(), 2);
        let empty: Value = serde_json::from_str(&render(Format::Json, &[])).unwrap();
        assert_eq!(empty, json!([]));
        assert_eq!(render(Format::Csv, &[]).trim(), "name,n,extra");
    }

    #[test]
    fn table_cells_fit_their_width_in_terminal_columns() {
        assert_eq!(fit("abc", 5, true), "abc  ");
        assert_eq!(fit("张三丰", 6, true), "张三丰");
        assert_eq!(fit("张三丰", 5, true), "张三…");
        assert_eq!(fit("张三丰", 4, true), "张… ");
        for width in 1..12 {
            for text in ["张三丰", "abc", "a张b三c丰", "😀😀x", ""] {
                assert_eq!(
                    fit(text, width, true).width(),
                    width.max(text.width().min(width)),
                    "{text} {width}"
                );
            }
        }
        assert_eq!(fit("张三丰", 5, true).width(), 5);
        assert_eq!(fit("a\tb", 5, false), "a b");
        let table = render(Format::Table, &rows());
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 4, "header, rule, two rows: {table}");
        assert!(lines[2].starts_with("张三,…  1"), "{table}");
        assert!(!table.contains("line\nbreak"));
    }

    #[test]
    fn a_file_appears_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        {
            let mut sink = Sink::file(&path).unwrap();
            sink.write_all(b"partial").unwrap();
            // Dropped without commit: a failed export.
        }
        assert!(!path.exists());
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "no temp left"
        );
        let mut sink = Sink::file(&path).unwrap();
        sink.write_all(b"done\n").unwrap();
        sink.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "done\n");
    }

    #[cfg(unix)]
    #[test]
    fn a_file_gets_the_mode_of_a_plain_create_or_keeps_the_replaced_mode() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let dir = tempfile::tempdir().unwrap();
        // What a plain create gives here: 0666 less this process's umask.
        let plain = dir.path().join("plain");
        std::fs::File::create(&plain).unwrap();

        let path = dir.path().join("new.csv");
        let mut sink = Sink::file(&path).unwrap();
        sink.write_all(b"x\n").unwrap();
        sink.commit().unwrap();
        assert_eq!(mode(&path), mode(&plain), "new file: {:o}", mode(&path));

        for kept in [0o640, 0o666, 0o604] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(kept)).unwrap();
            let mut sink = Sink::file(&path).unwrap();
            sink.write_all(b"y\n").unwrap();
            sink.commit().unwrap();
            assert_eq!(mode(&path), kept, "replaced file: {:o}", mode(&path));
            assert_eq!(std::fs::read_to_string(&path).unwrap(), "y\n");
        }
    }
}
