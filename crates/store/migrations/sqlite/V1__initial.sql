-- One row per meeting, or per occurrence of a recurring meeting ('' when it is none).
CREATE TABLE meetings (
    vendor       TEXT    NOT NULL,
    meeting_id   TEXT    NOT NULL,
    occurrence   TEXT    NOT NULL DEFAULT '',
    subject      TEXT,
    start_unix   INTEGER,
    end_unix     INTEGER,
    state        TEXT,
    host         TEXT,
    host_name    TEXT,
    participants INTEGER,
    extra        TEXT    NOT NULL DEFAULT '{}',
    PRIMARY KEY (vendor, meeting_id, occurrence)
);

-- Join sessions (the Attendee model as JSON, with the columns reports filter on).
CREATE TABLE sessions (
    vendor      TEXT    NOT NULL,
    meeting_id  TEXT    NOT NULL,
    occurrence  TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    person      TEXT    NOT NULL,
    joined_unix INTEGER,
    left_unix   INTEGER,
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
    seq        INTEGER NOT NULL,
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
    synced_unix  INTEGER NOT NULL,
    complete     INTEGER NOT NULL,
    vendor_total INTEGER,
    error        TEXT,
    PRIMARY KEY (vendor, meeting_id, occurrence)
);
