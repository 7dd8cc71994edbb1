-- The free-text filter's index. A narrow copy of each run's search_text (its row is a few dozen
-- bytes, where a run's row holds its document and snapshot) with a trigram GIN index (pg_trgm) that
-- serves `search_text LIKE '%text%'` for text of three characters or more without reading every run,
-- and a time index for text so common that walking the newest runs fills a page sooner. PostgreSQL
-- rechecks every candidate the trigram index names on these narrow rows, so what matches is exactly
-- what matched before. The copy goes with its run (ON DELETE CASCADE).
CREATE TABLE likely_run_search (
    run_id        TEXT   PRIMARY KEY REFERENCES likely_runs (id) ON DELETE CASCADE,
    created_at_ms BIGINT NOT NULL,
    search_text   TEXT   NOT NULL
);

CREATE INDEX likely_run_search_newest ON likely_run_search (created_at_ms DESC, run_id DESC)
    INCLUDE (search_text);

-- The runs recorded before this migration.
INSERT INTO likely_run_search (run_id, created_at_ms, search_text)
    SELECT id, created_at_ms, search_text FROM likely_runs;

-- pg_trgm ships with PostgreSQL (Debian's postgresql package); creating it needs the CREATE
-- privilege on the database. Where it cannot be created the migration still completes, with a
-- warning in the server's log, and the filter walks the narrow rows instead; running this block
-- again later (as a role that may) adds the index.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX IF NOT EXISTS likely_run_search_trigrams ON likely_run_search
        USING gin (search_text gin_trgm_ops);
EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'likely: no trigram index for the free-text filter (%)', SQLERRM;
END
$$;

-- Statistics for the planner now, not at autovacuum's next pass: with none it cannot tell a rare
-- text from a common one.
ANALYZE likely_run_search;
