-- Who a pushed join or leave names, as the vendor gave it (user id; Tencent ms_open_id or
-- WeCom tmp_openid), so that a reconciliation can match it with the pulled sessions; and only
-- indexes that grow at their end (as on SQLite: the delivery's key in `push_events` already
-- makes the rows unique, and keys of random trace ids cost a page per new row).
ALTER TABLE presence ADD COLUMN user_id TEXT;
ALTER TABLE presence ADD COLUMN temp_id TEXT;
ALTER TABLE presence DROP CONSTRAINT presence_pkey;
DROP INDEX presence_by_meeting;
CREATE INDEX presence_by_meeting ON presence (vendor, meeting_id);

-- The meetings pushes were received for, and where each stands: its last push, when its end
-- was noticed (the vendor's end event, or no push for the quiet period), when it was
-- reconciled with the pulled list (the truth), and the last failure to do so.
CREATE TABLE live_meetings (
    vendor         TEXT    NOT NULL,
    meeting_id     TEXT    NOT NULL,
    app            TEXT    NOT NULL,
    subject        TEXT,
    start_unix     BIGINT,
    end_unix       BIGINT,
    last_push_us   BIGINT  NOT NULL,
    ended_us       BIGINT,
    ended_by_event BOOLEAN NOT NULL DEFAULT FALSE,
    reconciled_us  BIGINT,
    error          TEXT,
    retry_after_us BIGINT,
    PRIMARY KEY (vendor, meeting_id)
);
