//! Rendering helpers the vendor stores share: the parts of a wire row that follow the same
//! rule at every vendor (raw `overrides`, the enrollment form, the media-state flags), the
//! join-sorted row lists attendee endpoints page through, the per-status enrollment index and
//! the length of a person's time in a meeting.
//!
//! Each vendor still builds its own rows (field names, encodings, which fields appear when)
//! in its `store.rs`; these helpers only take what the specs spell the same way.

use std::ops::Range;

use serde_json::{Map, Value, json};

use crate::fixture::{
    AnswerKind, EnrollSource, EnrollStatus, FixtureAnswer, FixtureEnrollment, Overrides,
    SpecialType,
};

/// Merges `overrides[vendor]` (a fixture's raw fields) over `target`; a key given there
/// replaces the rendered one.
pub(crate) fn merge_overrides(
    target: &mut Map<String, Value>,
    overrides: &Overrides,
    vendor: &str,
) {
    if let Some(o) = overrides.get(vendor) {
        for (k, v) in o {
            target.insert(k.clone(), v.clone());
        }
    }
}

/// `audio_state`, `video_state` and `screen_shared_state` of session `si` of attendee `ai`
/// (Tencent participants, WeCom attendees): fixed per session, varied across rows.
pub(crate) fn insert_media_states(o: &mut Map<String, Value>, ai: usize, si: usize) {
    let h = (ai as u64).wrapping_mul(0x9E37_79B9) ^ (si as u64).wrapping_mul(0x85EB_CA6B);
    o.insert("audio_state".into(), (h & 1 == 1).into());
    o.insert("video_state".into(), (h & 2 == 2).into());
    o.insert("screen_shared_state".into(), h.is_multiple_of(7).into());
}

/// Pre-serialized attendee rows of one list, ascending join time.
pub(crate) struct RowList {
    /// Join time of each row.
    pub joins: Vec<i64>,
    /// The rows, as JSON objects.
    pub rows: Vec<Box<str>>,
}

impl RowList {
    /// The list from `(join, row)` pairs in generation order: a stable sort, so equal join
    /// times keep that order.
    pub(crate) fn sorted(mut rows: Vec<(i64, Box<str>)>) -> Self {
        rows.sort_by_key(|(j, _)| *j);
        let (joins, rows) = rows.into_iter().unzip();
        RowList { joins, rows }
    }

    /// Rows with `start ≤ join_time ≤ end`.
    pub(crate) fn window(&self, start: i64, end: i64) -> Range<usize> {
        let lo = self.joins.partition_point(|&j| j < start);
        let hi = self.joins.partition_point(|&j| j <= end);
        lo..hi.max(lo)
    }

    /// The rows in `window` (`None`: every row).
    pub(crate) fn select(&self, window: Option<(i64, i64)>) -> Range<usize> {
        match window {
            Some((s, e)) => self.window(s, e),
            None => 0..self.rows.len(),
        }
    }
}

/// Enrollment indices for the `status` filter: 0 (all), 1 (pending), 2 (rejected),
/// 3 (approved), each in enrollment order.
#[derive(Default)]
pub(crate) struct StatusIndex([Vec<u32>; 4]);

impl StatusIndex {
    /// Adds enrollment `k` under "all" and under its status.
    pub(crate) fn push(&mut self, k: u32, status: EnrollStatus) {
        self.0[0].push(k);
        if let Some(v) = self.0.get_mut(status.code() as usize) {
            v.push(k);
        }
    }

    /// The enrollments a `status` filter selects (`None` outside `0..=3`).
    pub(crate) fn get(&self, status: i64) -> Option<&[u32]> {
        let i = usize::try_from(status).ok()?;
        self.0.get(i).map(Vec::as_slice)
    }
}

/// An enrollment row: `enroll_id`, `enroll_time`, `enroll_source_type`, `nick_name` (the phone
/// for an import without a nickname), `status`, then the vendor's `identity` fields, then
/// `enroll_code` and `answer_list`.
pub(crate) fn enroll_row(
    e: &FixtureEnrollment,
    id: Value,
    time: String,
    code: &str,
    identity: impl FnOnce(&mut Map<String, Value>),
) -> String {
    let nick = if e.name.is_empty() {
        e.phone.clone().unwrap_or_default()
    } else {
        e.name.clone()
    };
    let mut o = Map::new();
    o.insert("enroll_id".into(), id);
    o.insert("enroll_time".into(), time.into());
    o.insert(
        "enroll_source_type".into(),
        match e.source {
            EnrollSource::SelfService => 1,
            EnrollSource::Import => 2,
        }
        .into(),
    );
    o.insert("nick_name".into(), nick.into());
    o.insert("status".into(), e.status.code().into());
    identity(&mut o);
    o.insert("enroll_code".into(), code.into());
    o.insert("answer_list".into(), answer_list(&e.answers).into());
    Value::Object(o).to_string()
}

/// `answer_list`: the enrollment form's answers, numbered from 1.
fn answer_list(answers: &[FixtureAnswer]) -> Vec<Value> {
    answers
        .iter()
        .enumerate()
        .map(|(i, a)| {
            json!({
                "answer_content": a.content,
                "is_required": if a.required { 2 } else { 1 },
                "question_num": i + 1,
                "question_title": a.title,
                "question_type": match a.kind {
                    AnswerKind::Single => 1,
                    AnswerKind::Multiple => 2,
                    AnswerKind::Text => 3,
                },
                "special_type": match a.special {
                    SpecialType::None => 1,
                    SpecialType::Phone => 2,
                    SpecialType::Email => 3,
                    SpecialType::Name => 4,
                    SpecialType::Company => 5,
                },
            })
        })
        .collect()
}

/// Total length of the union of closed intervals (overlapping sessions counted once),
/// saturating.
pub(crate) fn union_length(mut spans: Vec<(i64, i64)>) -> i64 {
    spans.sort_unstable();
    let mut total = 0i64;
    let mut cur: Option<(i64, i64)> = None;
    for (s, e) in spans {
        match cur {
            Some((cs, ce)) if s <= ce => cur = Some((cs, ce.max(e))),
            Some((cs, ce)) => {
                total = total.saturating_add(ce.saturating_sub(cs));
                cur = Some((s, e));
            }
            None => cur = Some((s, e)),
        }
    }
    if let Some((cs, ce)) = cur {
        total = total.saturating_add(ce.saturating_sub(cs));
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_inclusive() {
        let l = RowList::sorted(vec![
            (20, "b".into()),
            (10, "a".into()),
            (30, "d".into()),
            (20, "c".into()),
        ]);
        assert_eq!(
            l.rows,
            ["a", "b", "c", "d"].map(Box::from),
            "stable by join"
        );
        assert_eq!(l.window(20, 20), 1..3);
        assert_eq!(l.window(0, 100), 0..4);
        assert_eq!(l.window(31, 100), 4..4);
        assert_eq!(l.window(50, 40), 4..4);
        assert_eq!(l.select(Some((20, 20))), 1..3);
        assert_eq!(l.select(None), 0..4);
    }

    #[test]
    fn union_of_sessions() {
        assert_eq!(union_length(vec![]), 0);
        assert_eq!(union_length(vec![(0, 10), (5, 15), (20, 25)]), 20);
        assert_eq!(union_length(vec![(20, 25), (0, 10)]), 15);
        assert_eq!(union_length(vec![(0, 10), (2, 3)]), 10);
        assert_eq!(union_length(vec![(i64::MIN, 0), (1, i64::MAX)]), i64::MAX);
    }

    #[test]
    fn status_index() {
        let mut ix = StatusIndex::default();
        ix.push(0, EnrollStatus::Approved);
        ix.push(1, EnrollStatus::Pending);
        assert_eq!(ix.get(0), Some(&[0, 1][..]));
        assert_eq!(ix.get(3), Some(&[0][..]));
        assert_eq!(ix.get(2), Some(&[][..]));
        assert_eq!(ix.get(4), None);
        assert_eq!(ix.get(-1), None);
    }
}
