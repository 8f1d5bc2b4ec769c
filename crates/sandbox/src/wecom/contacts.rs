//! `POST /cgi-bin/user/list_id` (docs/specs/discovery.md §3): the corp's members and their
//! departments, one row per (member, department), for the address-book sync secret only.
//!
//! The address book: every meeting creator, every app's hidden members and the configured
//! extra members, sorted by userid; a member is in department 1, and every third one (by a
//! hash of the seed and the userid) in department 2 as well, so some members come twice.
//! Checks: field types → `limit` in `1..=10000` (absent: 10000, undocumented) → cursor
//! (`40058`). The last page's `next_cursor` is `""`.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::error::WcError;
use super::{Call, State};
use crate::data::generator;
use crate::pager;

/// The largest `limit` (documented).
const MAX_LIMIT: i64 = 10_000;

/// One row of `dept_user`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DeptUser {
    pub userid: String,
    pub department: u32,
}

/// Every row of the address book, in answer order.
pub(crate) fn rows(st: &State) -> Vec<DeptUser> {
    let mut members: BTreeSet<&str> = st.config.members.iter().map(String::as_str).collect();
    members.extend(st.store.all().iter().map(|m| m.creator.as_str()));
    for app in &st.config.apps {
        members.extend(app.hidden_userids.iter().map(String::as_str));
    }
    members.insert(st.config.creator_userid.as_str());
    let mut out = Vec::new();
    for userid in members.into_iter().filter(|u| !u.is_empty()) {
        out.push(DeptUser {
            userid: userid.to_owned(),
            department: 1,
        });
        if generator::hash64(st.shared.seed, &["wecom", "dept", userid]).is_multiple_of(3) {
            out.push(DeptUser {
                userid: userid.to_owned(),
                department: 2,
            });
        }
    }
    out
}

pub(crate) fn serve(st: &State, call: &Call) -> Result<String, WcError> {
    let b = &call.body;
    let cursor = b.string("cursor")?;
    let limit = b.uint32("limit")?.unwrap_or(MAX_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(WcError::invalid("limit must be between 1 and 10000"));
    }
    let (chain_id, offset, rows) = match cursor.filter(|c| !c.is_empty()) {
        None => {
            let rows = Arc::new(rows(st));
            (st.member_chains.start((), rows.clone()), 0, rows)
        }
        Some(c) => st
            .member_chains
            .pos_of_token(c)
            .and_then(|pos| st.member_chains.resolve(pos, &()))
            .ok_or_else(|| WcError::invalid("invalid cursor"))?,
    };
    let total = rows.len();
    let (from, to) = pager::page(offset, limit as usize, total);
    let next = if to < total {
        st.member_chains
            .token_of(st.member_chains.issue(chain_id, to))
    } else {
        String::new()
    };
    let page: Vec<serde_json::Value> = rows[from..to]
        .iter()
        .map(|r| serde_json::json!({"userid": r.userid, "department": r.department}))
        .collect();
    Ok(format!(
        "\"next_cursor\":{},\"dept_user\":{}",
        serde_json::Value::from(next),
        serde_json::Value::from(page)
    ))
}
