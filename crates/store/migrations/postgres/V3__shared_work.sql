-- What several sync workers on one PostgreSQL share.

-- Access tokens (WeCom, Quanshi), one row per app and secret: `key` is the client's scope and
-- the secret's fingerprint, never the secret. Whoever can read this table can call the
-- vendor as the app until the token expires: grant it as you would the app secret.
CREATE TABLE tokens (
    key           TEXT   PRIMARY KEY,
    token         TEXT   NOT NULL,
    fetched_ms    BIGINT NOT NULL,
    expires_in_ms BIGINT NOT NULL
);

-- Which worker exports which meeting (a lease: a claim not renewed or finished by
-- `expires_at` may be taken over), and when it was done. Times are the server's.
CREATE TABLE claims (
    vendor     TEXT        NOT NULL,
    meeting_id TEXT        NOT NULL,
    occurrence TEXT        NOT NULL DEFAULT '',
    worker     TEXT        NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    done_at    TIMESTAMPTZ,
    PRIMARY KEY (vendor, meeting_id, occurrence)
);

-- Shared rate budgets (GCRA): per budget key, the theoretical arrival time of the next call,
-- in microseconds of the server's clock.
CREATE TABLE rate_budgets (
    key    TEXT   PRIMARY KEY,
    tat_us BIGINT NOT NULL
);
