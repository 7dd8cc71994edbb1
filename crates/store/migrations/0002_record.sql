-- SQLite and PostgreSQL both run this text; {int}, {float}, {bytes}, {strict}: src/migrations.rs.
-- The team's record: every finished evaluation kept as a run, and held-out sets kept for the team.
-- Times are milliseconds since the Unix epoch. A run's document is the JSON the server made of it
-- (models, parameters, figures, comparisons); the store does not read it.
CREATE TABLE likely_runs (
    id                  TEXT    PRIMARY KEY NOT NULL,
    created_at_ms       {int}   NOT NULL,
    author              TEXT,
    dataset_fingerprint TEXT    NOT NULL,
    dataset_name        TEXT,
    baseline            TEXT    NOT NULL,
    search_text         TEXT    NOT NULL,  -- lower-cased names, author, set name: the free-text filter
    document            TEXT    NOT NULL,
    snapshot_kind       TEXT,
    snapshot            {bytes},            -- NULL with --record off
    delete_token_sha256 {bytes} NOT NULL CHECK (length(delete_token_sha256) = 32)
){strict};

-- Newest first, 50 at a time: the keyset (created_at_ms, id) with and without the filters.
-- search_text rides along so the free-text filter reads the index, not the rows and their snapshots.
CREATE INDEX likely_runs_newest ON likely_runs (created_at_ms DESC, id DESC, search_text);
CREATE INDEX likely_runs_by_dataset ON likely_runs (dataset_fingerprint, created_at_ms DESC, id DESC);
CREATE INDEX likely_runs_by_author ON likely_runs (author, created_at_ms DESC, id DESC)
    WHERE author IS NOT NULL;
-- Retention deletes the oldest.
CREATE INDEX likely_runs_oldest ON likely_runs (created_at_ms);

-- One row per model of a run: the model filter and the held-out set's leaderboard read these.
CREATE TABLE likely_run_models (
    run_id              TEXT    NOT NULL REFERENCES likely_runs (id) ON DELETE CASCADE,
    model               TEXT    NOT NULL,
    position            {int}   NOT NULL,  -- 0: the baseline
    created_at_ms       {int}   NOT NULL,
    dataset_fingerprint TEXT    NOT NULL,
    avg_loglik          {float},
    loss                {float},
    loss_low            {float},
    loss_high           {float},
    PRIMARY KEY (run_id, position)
){strict};

CREATE INDEX likely_run_models_by_model ON likely_run_models (model, created_at_ms DESC, run_id DESC);
CREATE INDEX likely_run_models_by_dataset ON likely_run_models (dataset_fingerprint, created_at_ms);

-- Held-out sets kept for the team, one per fingerprint (the same set uploaded twice is one set).
CREATE TABLE likely_datasets (
    fingerprint   TEXT    PRIMARY KEY NOT NULL,
    name          TEXT    NOT NULL,
    description   TEXT,
    snippet_count {int}   NOT NULL CHECK (snippet_count >= 0),
    size_bytes    {int}   NOT NULL CHECK (size_bytes >= 0),
    snippets      TEXT    NOT NULL,        -- the snippets as JSON
    created_at_ms {int}   NOT NULL
){strict};

CREATE INDEX likely_datasets_newest ON likely_datasets (created_at_ms DESC, fingerprint);
