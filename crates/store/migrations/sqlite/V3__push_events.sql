-- Push events (webhooks) as verified and decoded, written before the vendor is acknowledged:
-- one row per delivery (a redelivery finds its row and changes nothing).
CREATE TABLE push_events (
    vendor      TEXT   NOT NULL,
    app         TEXT   NOT NULL,
    delivery    TEXT   NOT NULL,
    received_us BIGINT NOT NULL,
    body        TEXT   NOT NULL,
    PRIMARY KEY (vendor, app, delivery)
);

-- The joins and leaves those events carry, one row each: live sessions are folded from them
-- in time order, whatever order they arrived in.
CREATE TABLE presence (
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
    PRIMARY KEY (vendor, app, delivery, item)
);
CREATE INDEX presence_by_meeting ON presence (vendor, meeting_id, person, at_us);
