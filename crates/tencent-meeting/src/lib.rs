//! Tencent Meeting (腾讯会议) REST API client (work in progress).
