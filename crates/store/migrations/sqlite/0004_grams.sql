-- Every one- and two-character string any run's search_text holds (lower-cased), so free text too
-- short for the trigram index that no run holds is answered without reading the runs. Rows are added
-- as runs are recorded and never removed (a string whose runs are gone is only a missed shortcut).
CREATE TABLE likely_run_grams (
    gram TEXT PRIMARY KEY NOT NULL
) STRICT, WITHOUT ROWID;

-- The runs recorded before this migration (length and substr count characters).
WITH RECURSIVE positions (i) AS (
    SELECT 1
    UNION ALL
    SELECT i + 1 FROM positions
    WHERE i < (SELECT coalesce(max(length(search_text)), 0) FROM likely_runs)
)
INSERT OR IGNORE INTO likely_run_grams (gram)
SELECT substr(r.search_text, p.i, 1) FROM likely_runs r JOIN positions p ON p.i <= length(r.search_text)
UNION
SELECT substr(r.search_text, p.i, 2) FROM likely_runs r JOIN positions p ON p.i < length(r.search_text);
