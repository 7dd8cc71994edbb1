-- The free-text filter's index: a trigram GIN index (pg_trgm) on search_text, which serves
-- `search_text LIKE '%text%'` for text of three characters or more without reading every run (the
-- planner still walks the time index when the text is common; PostgreSQL rechecks every candidate, so
-- what matches is exactly what matched before). pg_trgm ships with PostgreSQL (Debian's postgresql
-- package); creating it needs the CREATE privilege on the database. Where it cannot be created the
-- migration still completes, with a warning in the server's log, and the filter reads the runs as
-- before; running this block again later (as a role that may) adds the index.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX IF NOT EXISTS likely_runs_search ON likely_runs USING gin (search_text gin_trgm_ops);
EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'likely: no trigram index for the free-text filter (%)', SQLERRM;
END
$$;
