-- `presence` again, with who a pushed join or leave names as the vendor gave it (user id;
-- Tencent ms_open_id or WeCom tmp_openid: a reconciliation matches it with the pulled
-- sessions), and only indexes that grow at their end: rows in arrival order (the delivery's
-- key in `push_events` already makes them unique) and an index by meeting. Keys of random
-- trace ids put each new row on a different page, and every page a commit touches is written
-- whole: the receiver wrote three such pages per event, now one (B8).
CREATE TABLE presence_appended (
    vendor       TEXT    NOT NULL,
    app          TEXT    NOT NULL,
    delivery     TEXT    NOT NULL,
    item         INTEGER NOT NULL,
    meeting_id   TEXT    NOT NULL,
    person       TEXT    NOT NULL,
    instance     TEXT    NOT NULL DEFAULT '',
    joined       BOOLEAN NOT NULL,
    at_us        BIGINT,
    display_name TEXT,
    user_id      TEXT,
    temp_id      TEXT
);
INSERT INTO presence_appended (vendor, app, delivery, item, meeting_id, person, instance, joined, at_us, display_name)
    SELECT vendor, app, delivery, item, meeting_id, person, instance, joined, at_us, display_name
    FROM presence ORDER BY vendor, app, delivery, item;
DROP TABLE presence;
ALTER TABLE presence_appended RENAME TO presence;
CREATE INDEX presence_by_meeting ON presence (vendor, meeting_id);

-- The meetings pushes were received for, and where each stands: its last push, when its end
-- was noticed (the vendor's end event, or no push for the quiet period), when it was
-- reconciled with the pulled list (the truth), and the last failure to do so.
CREATE TABLE live_meetings (
    vendor         TEXT    NOT NULL,
    meeting_id     TEXT    NOT NULL,
    app            TEXT    NOT NULL,
    subject        TEXT,
    start_unix     INTEGER,
    end_unix       INTEGER,
    last_push_us   BIGINT  NOT NULL,
    ended_us       BIGINT,
    ended_by_event BOOLEAN NOT NULL DEFAULT FALSE,
    reconciled_us  BIGINT,
    error          TEXT,
    retry_after_us BIGINT,
    PRIMARY KEY (vendor, meeting_id)
);
