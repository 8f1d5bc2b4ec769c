//! Meeting detail: `GET /v1/meetings/{meeting_id}` (docs/specs/tencent-meeting.md §4.2).

use roster_core::Result;

use crate::client::TencentMeetingClient;
use crate::config::INSTANCE_ID;
use crate::target::{QueryString, validate_id};
use crate::wire::{MeetingDetailResponse, MeetingInfo};

impl TencentMeetingClient {
    /// The raw meeting-detail response.
    ///
    /// Query: `operator_id=<operator>&operator_id_type=1&instanceid=1`, or with
    /// [`crate::TencentMeetingClientBuilder::legacy_userid_param`] the older `userid=<operator>&instanceid=1`.
    pub async fn meeting_detail_raw(&self, meeting_id: &str) -> Result<MeetingDetailResponse> {
        validate_id("meeting id", meeting_id)?;
        let mut q = QueryString::new();
        if self.inner.config.legacy_userid_param {
            q.push("userid", &self.inner.operator_id)
                .push("instanceid", INSTANCE_ID.to_string());
        } else {
            q.push("operator_id", &self.inner.operator_id)
                .push("operator_id_type", "1")
                .push("instanceid", INSTANCE_ID.to_string());
        }
        self.get_json("meeting_detail", &["v1", "meetings", meeting_id], &q)
            .await
    }

    /// The meeting's detail, or `None` when the vendor no longer returns it.
    ///
    /// Tencent stops returning one-off meetings one hour after their end and other meetings 30
    /// days after; `{"meeting_number":0,"meeting_info_list":[]}` is therefore a normal answer
    /// ("detail unavailable"), not an error. Attendance is still readable for such meetings.
    pub async fn meeting_detail(&self, meeting_id: &str) -> Result<Option<MeetingInfo>> {
        Ok(self
            .meeting_detail_raw(meeting_id)
            .await?
            .meeting_info_list
            .into_iter()
            .next())
    }
}
