//! The corp's members: `POST /cgi-bin/user/list_id` (docs/specs/discovery.md §3), with the
//! token of the address-book sync secret (通讯录同步 Secret; an app's token gets `48002`).
//! Discovery lists the meetings of these members when none are configured.

use std::collections::HashSet;

use futures::StreamExt;
use roster_core::{
    Error, ErrorKind, List, ListEndpoint, Page, PageToken, Paginator, RecordStream, Result,
};
use serde::Serialize;

use crate::attendees::next_token;
use crate::client::{Api, WeComClient};
use crate::config::ENV_CONTACTS_SECRET;
use crate::validate;
use crate::wire::{DeptUser, UserListIdBody, UserListIdResponse};

/// The largest `limit` of `user/list_id`.
pub const MAX_MEMBER_LIMIT: u32 = 10_000;

impl WeComClient {
    /// One raw `user/list_id` call, made with the address-book secret's token. Fails with a
    /// [`Config`](ErrorKind::Config) error, before any request, when the client has no
    /// address-book secret ([`crate::WeComClientBuilder::contacts_secret`]).
    pub async fn user_list_id(&self, body: &UserListIdBody) -> Result<UserListIdResponse> {
        validate::limit("member page size", body.limit, MAX_MEMBER_LIMIT)?;
        let answer = self.address_book()?.call(Api::UserListId, body).await;
        answer.map_err(|e| match e.vendor_code() {
            // Here `48002` means the secret is not the address book's (not the meeting-API list).
            Some(48002) => e.with_hint(format!(
                "{ENV_CONTACTS_SECRET} must be the Secret of 通讯录同步, not an app's Secret"
            )),
            _ => e,
        })
    }

    /// The userids of the corp's members (`user/list_id`, pages of 10,000), each once (the
    /// endpoint gives a row per department). Needs the address-book secret.
    pub fn member_ids(&self) -> Result<RecordStream<String>> {
        let pages = self.member_list().paginate()?;
        let mut seen = HashSet::new();
        let stream = pages.items().filter_map(move |row| {
            let out = match row {
                Ok(row) => row.userid.filter(|u| seen.insert(u.clone())).map(Ok),
                Err(e) => Some(Err(e)),
            };
            std::future::ready(out)
        });
        Ok(stream.boxed())
    }

    /// The `user/list_id` cursor chain.
    pub fn member_list(&self) -> MemberList {
        MemberList {
            client: self.clone(),
            query: MemberQuery {
                limit: MAX_MEMBER_LIMIT,
            },
        }
    }

    fn address_book(&self) -> Result<&WeComClient> {
        self.contacts().ok_or_else(|| {
            Error::new(
                ErrorKind::Config,
                "listing the corp's members needs the address-book sync secret",
            )
            .with_hint(format!(
                "set {ENV_CONTACTS_SECRET} to the Secret of 通讯录同步 (管理工具 → 通讯录同步)"
            ))
        })
    }
}

/// The query of a `user/list_id` chain: only its page size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberQuery {
    #[serde(skip)]
    limit: u32,
}

/// A `user/list_id` chain being built, with the client that will run it.
#[derive(Debug, Clone)]
pub struct MemberList {
    client: WeComClient,
    query: MemberQuery,
}

impl MemberList {
    /// Sets the page size (1–10,000, default 10,000).
    pub fn limit(mut self, limit: u32) -> Self {
        self.query.limit = limit;
        self
    }

    /// A paginator from the first page; fails before any request for a bad page size or a
    /// client without the address-book secret.
    pub fn paginate(self) -> Result<Paginator<List<UserListId>>> {
        self.client.address_book()?;
        Ok(List::new(self.client, self.query)?.paginate())
    }
}

/// `user/list_id`, declared once. No `has_more`: an empty or absent `next_cursor` ends it; a
/// page must carry `dept_user` (possibly empty).
#[derive(Debug)]
pub struct UserListId;

impl ListEndpoint for UserListId {
    type Client = WeComClient;
    type Query = MemberQuery;
    type Item = DeptUser;
    const NAME: &'static str = "wecom.user_list_id";

    fn page_size(query: &MemberQuery) -> u32 {
        query.limit
    }

    fn validate(query: &MemberQuery) -> Result<()> {
        validate::limit("member page size", query.limit, MAX_MEMBER_LIMIT)
    }

    async fn page(
        client: &WeComClient,
        query: &MemberQuery,
        token: Option<PageToken>,
    ) -> Result<Page<DeptUser>> {
        let cursor = PageToken::cursor(token, "WeCom member")?;
        let body = UserListIdBody {
            cursor,
            limit: query.limit,
        };
        let response = client.user_list_id(&body).await?;
        let next = next_token(response.next_cursor);
        let more = Some(next.is_some());
        Page::from_wire("user/list_id", response.dept_user, more, next)
    }
}
