-- SQLite and PostgreSQL both run this text; {int}, {float}, {bytes}, {strict}: src/migrations.rs.
-- Share snapshots. One row per snapshot, kept after deletion or expiry as a tombstone whose body is
-- NULL, so a link can say what happened to it. Times are milliseconds since the Unix epoch.
CREATE TABLE likely_shares (
    id                  TEXT    PRIMARY KEY NOT NULL,
    kind                TEXT    NOT NULL,
    created_at_ms       {int}   NOT NULL,
    expires_at_ms       {int},
    size_bytes          {int}   NOT NULL CHECK (size_bytes >= 0),
    delete_token_sha256 {bytes} NOT NULL CHECK (length(delete_token_sha256) = 32),
    deleted_at_ms       {int},
    body                {bytes},
    CHECK (body IS NULL OR length(body) = size_bytes)
){strict};

-- purge_expired looks only at rows that still hold a body and can expire.
CREATE INDEX likely_shares_expiry ON likely_shares (expires_at_ms)
    WHERE expires_at_ms IS NOT NULL AND body IS NOT NULL;
