//! eventopenapi endpoints: `token/create` and `user/search/email` (docs/specs/quanshi.md §2.3, §9 item 4). Both
//! always require signature headers.

use serde_json::{Value, json};

use super::State;
use super::auth::{Caller, issue_token};
use super::envelope::{Payload, QsError};
use super::request::Body;

/// `POST /eventopenapi/token/create` with `{"userId": <admin>}`.
pub(crate) fn token_create(st: &State, caller: &Caller, body: &Body) -> Result<Payload, QsError> {
    let user = body
        .id("userId")?
        .ok_or_else(|| QsError::invalid("userId is required"))?;
    if user != st.config.admin_user_id {
        return Err(QsError::invalid(
            "userId must be the administrator's Quanshi user id",
        ));
    }
    let (token, now) = issue_token(st, &caller.app_key);
    let data = json!({
        "productId": null,
        "createTime": now,
        "expire": st.config.token_ttl_secs,
        "customerCode": st.config.customer_code,
        "token": token,
        "userId": st.config.admin_user_id,
    });
    Ok(Payload {
        json: data.to_string().into(),
        msg: "Successfully to create the token!",
    })
}

/// `POST /eventopenapi/user/search/email` with `{"email": "…"}` (curl example) or
/// `{"emails": ["…"]}` (parameter table): the first known address wins.
pub(crate) fn user_search_email(
    st: &State,
    _caller: &Caller,
    body: &Body,
) -> Result<Payload, QsError> {
    let mut wanted: Vec<String> = Vec::new();
    if let Some(e) = body.string("email")? {
        wanted.push(e.to_owned());
    }
    match body.get("emails") {
        None => {}
        Some(Value::Array(items)) => {
            for item in items {
                match item {
                    Value::String(s) => wanted.push(s.clone()),
                    _ => return Err(QsError::invalid("emails must be an array of strings")),
                }
            }
        }
        Some(Value::String(s)) => wanted.extend(s.split(',').map(str::to_owned)),
        Some(_) => return Err(QsError::invalid("emails must be an array of strings")),
    }
    wanted.retain(|e| !e.trim().is_empty());
    if wanted.is_empty() {
        return Err(QsError::invalid("email is required"));
    }
    let directory = [
        (
            &st.config.admin_email,
            st.config.admin_user_id,
            "管理员 Admin".to_owned(),
        ),
        (
            &st.config.host_email,
            st.config.host_user_id,
            st.store.default_host_name().to_owned(),
        ),
    ];
    for e in &wanted {
        let e = e.trim();
        if let Some((email, id, name)) = directory
            .iter()
            .find(|(addr, _, _)| addr.eq_ignore_ascii_case(e))
        {
            return Ok(Payload::value(&json!({
                "userId": id,
                "email": email,
                "userName": name,
            })));
        }
    }
    Err(QsError::not_found("no user with this e-mail"))
}
