-- Every one- and two-character string any run's search_text holds (lower-cased), so free text too
-- short for the trigram index that no run holds is answered without reading the runs. Rows are added
-- as runs are recorded and never removed (a string whose runs are gone is only a missed shortcut).
CREATE TABLE likely_run_grams (
    gram TEXT PRIMARY KEY
);

-- The runs recorded before this migration (length and substr count characters).
INSERT INTO likely_run_grams (gram)
SELECT DISTINCT substr(r.search_text, i, w.n)
FROM likely_runs r
CROSS JOIN LATERAL generate_series(1, length(r.search_text)) AS i
CROSS JOIN (VALUES (1), (2)) AS w (n)
WHERE i + w.n - 1 <= length(r.search_text)
ON CONFLICT (gram) DO NOTHING;
