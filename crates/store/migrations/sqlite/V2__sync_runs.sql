-- Each finished sync of a vendor: the range it covered (meetings starting in [from, to)).
CREATE TABLE sync_runs (
    vendor        TEXT    NOT NULL,
    from_unix     INTEGER NOT NULL,
    to_unix       INTEGER NOT NULL,
    finished_unix INTEGER NOT NULL
);
CREATE INDEX sync_runs_by_vendor ON sync_runs (vendor, to_unix);
