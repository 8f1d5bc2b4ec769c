//! `cargo xtask bench --callgrind [--size N]`: B1 under valgrind's callgrind. Instruction
//! counts are the yardstick of the performance work (issue 19): on a shared, noisy machine
//! seconds move by tens of percent between runs, while the instructions a run executes are
//! repeatable to a fraction of a percent. For each B1 vendor it reports the instructions per
//! attendee of the whole `roster attendees --format jsonl --output FILE` process (every thread)
//! and where they go: the functions by their own cost and by their inclusive cost.
//!
//! The export runs against the same release sandbox as B1, after one unprofiled warm-up, and
//! its output is checked against the golden hashes like every B1 run.

use super::{
    Paths, Res, SandboxProcess, VENDORS, check_golden, export_config, export_once, fs, json,
};
use std::path::Path;
use std::process::{Command, Stdio};

/// Functions listed per view.
const TOP: usize = 25;

/// One function's instruction count.
struct Cost {
    instructions: u64,
    function: String,
}

/// Profiles B1 at `size` sessions for each vendor and prints the figures; the raw callgrind
/// files stay in `target/bench/work/` for `callgrind_annotate` or KCachegrind.
pub(super) fn run(paths: &Paths, size: u64) -> Res<()> {
    let version = Command::new("valgrind")
        .arg("--version")
        .output()
        .map_err(|e| format!("--callgrind needs valgrind on PATH: {e}"))?;
    let version = String::from_utf8_lossy(&version.stdout).trim().to_string();
    let sandbox = SandboxProcess::start(paths, "callgrind", &export_config())?;
    let mut results = Vec::new();
    for vendor in VENDORS {
        // Unprofiled warm-up: the sandbox renders the meeting on its first export.
        export_once(paths, &sandbox, vendor, size)?;
        let (catalog_name, flag, name, _) = vendor;
        let meeting = sandbox.meeting(catalog_name, &format!("large-{size}"))?;
        let out = paths.work.join(format!("callgrind-{name}-{size}.out"));
        let output = paths.work.join(format!("callgrind-{name}-{size}.jsonl"));
        let errors = paths.work.join(format!("callgrind-{name}-{size}.stderr"));
        let _ = fs::remove_file(&out);
        eprintln!("xtask bench: callgrind of {name} {size} (about a minute)");
        let status = sandbox
            .command(Path::new("valgrind"), &paths.work)
            .arg("--tool=callgrind")
            .arg(format!("--callgrind-out-file={}", out.display()))
            .arg(&paths.roster)
            .args(["attendees", "--vendor", flag, "--meeting", &meeting.id])
            .args(["--format", "jsonl", "--output"])
            .arg(&output)
            .env("ROSTER_TENCENT_CALLS_PER_MINUTE", "0")
            .env("ROSTER_WECOM_CALLS_PER_MINUTE", "0")
            .stdout(Stdio::null())
            .stderr(fs::File::create(&errors).map_err(|e| e.to_string())?)
            .status()
            .map_err(|e| format!("cannot run valgrind: {e}"))?;
        if !status.success() {
            let stderr = fs::read_to_string(&errors).unwrap_or_default();
            let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
            return Err(format!(
                "roster attendees under callgrind ({name} {size}) failed: {}",
                tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
            ));
        }
        check_golden(&output, flag, size)?;
        let _ = fs::remove_file(&output);
        let (total, own) = annotate(&out, false)?;
        let (_, inclusive) = annotate(&out, true)?;
        let per = total as f64 / size as f64;
        println!();
        println!(
            "B1 {name} {size}: {total} instructions, {per:.0} per attendee ({})",
            out.display()
        );
        print_view("own cost", &own, total);
        print_view("inclusive cost", &inclusive, total);
        results.push(json!({
            "vendor": name,
            "sessions": size,
            "instructions": total,
            "instructions_per_attendee": per,
            "own": view_json(&own),
            "inclusive": view_json(&inclusive),
        }));
    }
    let text = serde_json::to_string_pretty(&json!({ "valgrind": version, "b1": results }))
        .map_err(|e| e.to_string())?;
    let path = paths.out.join("callgrind-latest.json");
    fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!();
    println!("written to {}", path.display());
    Ok(())
}

fn print_view(title: &str, costs: &[Cost], total: u64) {
    println!("  top {TOP} functions by {title}:");
    for c in costs.iter().take(TOP) {
        println!(
            "    {:>14} {:>6.2}%  {}",
            c.instructions,
            100.0 * c.instructions as f64 / total.max(1) as f64,
            shorten(&c.function, 110)
        );
    }
}

fn view_json(costs: &[Cost]) -> serde_json::Value {
    costs
        .iter()
        .take(TOP)
        .map(|c| json!({ "function": c.function, "instructions": c.instructions }))
        .collect()
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// `callgrind_annotate` of `file`: the program's total and its functions, largest first.
fn annotate(file: &Path, inclusive: bool) -> Res<(u64, Vec<Cost>)> {
    let output = Command::new("callgrind_annotate")
        .arg(format!(
            "--inclusive={}",
            if inclusive { "yes" } else { "no" }
        ))
        .args(["--show-percs=no", "--auto=no", "--threshold=99"])
        .arg(file)
        .output()
        .map_err(|e| format!("cannot run callgrind_annotate: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "callgrind_annotate {} failed: {}",
            file.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    parse_annotation(&String::from_utf8_lossy(&output.stdout))
}

/// Reads `callgrind_annotate --show-percs=no` output: `N  PROGRAM TOTALS`, then
/// `N  file:function [object]` rows.
fn parse_annotation(text: &str) -> Res<(u64, Vec<Cost>)> {
    let mut total = None;
    let mut costs = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        let Some((count, rest)) = line.split_once(char::is_whitespace) else {
            continue;
        };
        let Ok(instructions) = count.replace(',', "").parse::<u64>() else {
            continue;
        };
        let rest = rest.trim();
        if rest == "PROGRAM TOTALS" {
            total = Some(instructions);
            continue;
        }
        // Drop the object (`[/path/roster]`) and the file (`src/x.rs:`, `???:`).
        let without_object = match rest.rsplit_once(" [") {
            Some((f, _)) => f,
            None => rest,
        };
        let function = match without_object.find(".rs:") {
            Some(i) => &without_object[i + 4..],
            None => without_object
                .strip_prefix("???:")
                .unwrap_or(without_object),
        };
        costs.push(Cost {
            instructions,
            function: function.to_string(),
        });
    }
    let total = total.ok_or("callgrind_annotate printed no PROGRAM TOTALS")?;
    costs.sort_by_key(|c| std::cmp::Reverse(c.instructions));
    Ok((total, costs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_are_read_with_their_totals_and_names() {
        let text = "\
--------------------------------------------------------------------------------
Ir
--------------------------------------------------------------------------------
1,000,000  PROGRAM TOTALS

--------------------------------------------------------------------------------
Ir       file:function
--------------------------------------------------------------------------------
250,000  ???:serde_json::de::from_slice [/x/roster]
700,000  crates/core/src/wire.rs:roster_core::wire::decode [/x/roster]
   50  ???:memcpy [/lib/libc.so.6]
";
        let (total, costs) = parse_annotation(text).unwrap();
        assert_eq!(total, 1_000_000);
        assert_eq!(costs[0].function, "roster_core::wire::decode");
        assert_eq!(costs[0].instructions, 700_000);
        assert_eq!(costs[1].function, "serde_json::de::from_slice");
        assert_eq!(costs[2].function, "memcpy");
        assert!(parse_annotation("nothing").is_err());
    }
}
