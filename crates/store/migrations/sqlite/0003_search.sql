-- The free-text filter's index: every run's search_text (lower-cased names, author, set name) in an
-- FTS5 table with the trigram tokenizer, which finds a substring of three characters or more without
-- reading every run. External content: the table holds the index only, keyed by the run's rowid, and
-- the triggers keep it in step with likely_runs. The listing still checks `instr` on the run itself,
-- so what matches is exactly what matched before; shorter text walks the runs by time (runs/search.rs).
CREATE VIRTUAL TABLE likely_runs_search USING fts5 (
    search_text,
    content = 'likely_runs',
    tokenize = 'trigram'
);

CREATE TRIGGER likely_runs_search_insert AFTER INSERT ON likely_runs BEGIN
    INSERT INTO likely_runs_search (rowid, search_text) VALUES (new.rowid, new.search_text);
END;

CREATE TRIGGER likely_runs_search_delete AFTER DELETE ON likely_runs BEGIN
    INSERT INTO likely_runs_search (likely_runs_search, rowid, search_text)
        VALUES ('delete', old.rowid, old.search_text);
END;

CREATE TRIGGER likely_runs_search_update AFTER UPDATE OF search_text ON likely_runs BEGIN
    INSERT INTO likely_runs_search (likely_runs_search, rowid, search_text)
        VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO likely_runs_search (rowid, search_text) VALUES (new.rowid, new.search_text);
END;

-- The runs recorded before this migration.
INSERT INTO likely_runs_search (likely_runs_search) VALUES ('rebuild');
