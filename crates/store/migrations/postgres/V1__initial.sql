-- One row per meeting, or per occurrence of a recurring meeting ('' when it is none).
CREATE TABLE meetings (
    vendor       TEXT    NOT NULL,
    meeting_id   TEXT    NOT NULL,
    occurrence   TEXT    NOT NULL DEFAULT '',
    subject      TEXT,
    start_unix   BIGINT,
    end_unix     BIGINT,
    state        TEXT,
    host         TEXT,
    host_name    TEXT,
    participants BIGINT,
    extra        TEXT    NOT NULL DEFAULT '{}',
    PRIMARY KEY (vendor, meeting_id, occurrence)
);

-- Join sessions (the Attendee model as JSON, with the columns reports filter on).
CREATE TABLE sessions (
    vendor      TEXT    NOT NULL,
    meeting_id  TEXT    NOT NULL,
    occurrence  TEXT    NOT NULL,
    seq         BIGINT NOT NULL,
    person      TEXT    NOT NULL,
    joined_unix BIGINT,
    left_unix   BIGINT,
    record      TEXT    NOT NULL,
    PRIMARY KEY (vendor, meeting_id, occurrence, seq),
    FOREIGN KEY (vendor, meeting_id, occurrence)
        REFERENCES meetings (vendor, meeting_id, occurrence) ON DELETE CASCADE
);
CREATE INDEX sessions_by_person ON sessions (person, joined_unix);

-- Enrollments and invitations (the Registration model as JSON, answers included).
CREATE TABLE registrations (
    vendor     TEXT    NOT NULL,
    meeting_id TEXT    NOT NULL,
    occurrence TEXT    NOT NULL,
    seq        BIGINT NOT NULL,
    person     TEXT    NOT NULL,
    record     TEXT    NOT NULL,
    PRIMARY KEY (vendor, meeting_id, occurrence, seq),
    FOREIGN KEY (vendor, meeting_id, occurrence)
        REFERENCES meetings (vendor, meeting_id, occurrence) ON DELETE CASCADE
);

-- People by their stable key, with the latest name seen.
CREATE TABLE people (
    person       TEXT PRIMARY KEY,
    display_name TEXT
);

-- What the last sync of each meeting did.
CREATE TABLE sync_state (
    vendor       TEXT    NOT NULL,
    meeting_id   TEXT    NOT NULL,
    occurrence   TEXT    NOT NULL DEFAULT '',
    synced_unix  BIGINT NOT NULL,
    complete     BOOLEAN NOT NULL,
    vendor_total BIGINT,
    error        TEXT,
    PRIMARY KEY (vendor, meeting_id, occurrence)
);
