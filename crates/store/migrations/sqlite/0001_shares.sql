-- Share snapshots. One row per snapshot, kept after deletion or expiry as a tombstone whose body is
-- NULL, so a link can say what happened to it. Times are milliseconds since the Unix epoch.
CREATE TABLE likely_shares (
    id                  TEXT    PRIMARY KEY NOT NULL,
    kind                TEXT    NOT NULL,
    created_at_ms       INTEGER NOT NULL,
    expires_at_ms       INTEGER,
    size_bytes          INTEGER NOT NULL CHECK (size_bytes >= 0),
    delete_token_sha256 BLOB    NOT NULL CHECK (length(delete_token_sha256) = 32),
    deleted_at_ms       INTEGER,
    body                BLOB,
    CHECK (body IS NULL OR length(body) = size_bytes)
) STRICT;

-- purge_expired looks only at rows that still hold a body and can expire.
CREATE INDEX likely_shares_expiry ON likely_shares (expires_at_ms)
    WHERE expires_at_ms IS NOT NULL AND body IS NOT NULL;
