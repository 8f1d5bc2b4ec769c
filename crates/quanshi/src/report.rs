//! Attendance reports: `getReportDatas` v1 (one row per person, docs/specs/quanshi.md §4.3) and v2 (one row
//! per join session plus the meeting's runs, §4.4). Neither is paginated.

use roster_core::{Attendee, Result, malformed_page};
use serde_json::{Map, Value, json};

use crate::client::{Call, QuanshiClient, endpoint};
use crate::config::Family;
use crate::wire::{FromObject, ReportV1Row, ReportV2, carries_list, json_type, records_from};

impl QuanshiClient {
    /// The v1 report of `event_id`: one aggregated row per person. `host_user_id` is the
    /// meeting host's user id (required by the endpoint).
    pub async fn report_v1(&self, event_id: u64, host_user_id: u64) -> Result<Vec<ReportV1Row>> {
        let mut body = Map::new();
        body.insert("eventId".into(), json!(event_id));
        body.insert("userId".into(), json!(host_user_id));
        let answer = self
            .call(Call {
                family: Family::Conference,
                endpoint: endpoint::REPORT_V1,
                path: self.config().paths.report_v1.clone(),
                body,
                secret_answer: false,
            })
            .await?;
        answer.decode(records_from)
    }

    /// The v1 report as attendees (one per person; first join and last leave), with the
    /// configured `watchDuration` reading.
    pub async fn report_v1_attendees(
        &self,
        event_id: u64,
        host_user_id: u64,
    ) -> Result<Vec<Attendee>> {
        let unit = self.config().watch_duration;
        Ok(self
            .report_v1(event_id, host_user_id)
            .await?
            .into_iter()
            .map(|row| row.into_attendee(event_id, unit))
            .collect())
    }

    /// The v2 report of `event_id`: every join session and the meeting's runs.
    pub async fn report_v2(&self, event_id: u64) -> Result<ReportV2> {
        let mut body = Map::new();
        body.insert("eventId".into(), json!(event_id));
        let answer = self
            .call(Call {
                family: Family::Conference,
                endpoint: endpoint::REPORT_V2,
                path: self.config().paths.report_v2.clone(),
                body,
                secret_answer: false,
            })
            .await?;
        if !carries_list(&answer.payload, "interaction") {
            return Err(malformed_page(
                "getReportDatas/v2",
                "its session array (`result.interaction`)",
            ));
        }
        answer.decode(read_v2)
    }

    /// The v2 report as attendees, one per join session, in report order.
    pub async fn report_v2_attendees(&self, event_id: u64) -> Result<Vec<Attendee>> {
        let id = event_id.to_string();
        Ok(self
            .report_v2(event_id)
            .await?
            .sessions
            .into_iter()
            .map(|s| s.into_attendee(id.clone()))
            .collect())
    }
}

/// v2 `result`: an object. (An answer without the session array, a bare array included, is no
/// report: [`QuanshiClient::report_v2`] refuses it before this.)
fn read_v2(value: Value) -> std::result::Result<ReportV2, String> {
    match value {
        Value::Object(map) => {
            let report = ReportV2::from_object(map);
            // Rows that could not be read stay in `extra`: never report them as "no sessions".
            match report.extra.get("interaction") {
                Some(bad) => Err(format!(
                    "`interaction` is {}, expected an array of objects",
                    json_type(bad)
                )),
                None => Ok(report),
            }
        }
        other => Err(format!("expected an object, got {}", json_type(&other))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v2_shapes() {
        assert!(read_v2(Value::Null).is_err());
        assert!(carries_list(&json!({"interaction": null}), "interaction"));
        assert!(!carries_list(&json!([]), "interaction"));
        assert!(!carries_list(
            &json!({"tempConfenceList": []}),
            "interaction"
        ));
        assert!(!carries_list(&Value::Null, "interaction"));
        assert!(
            read_v2(json!([{"name": "a"}])).is_err(),
            "another endpoint's shape"
        );
        assert!(read_v2(json!("x")).is_err());
        assert!(read_v2(json!({"interaction": [1]})).is_err());
        assert!(read_v2(json!({"interaction": "x"})).is_err());
        let odd_runs = read_v2(json!({"interaction": [], "tempConfenceList": 5})).unwrap();
        assert_eq!(odd_runs.extra["tempConfenceList"], 5);
    }
}
