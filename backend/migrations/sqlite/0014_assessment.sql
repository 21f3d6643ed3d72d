-- The assessment of villages through the year (seed 001 附件7). Keep in
-- step with ../postgres/0014_assessment.sql.

-- What the township station or the banner centre records of a village:
-- checklist items met, write-ups, hard cases resolved, warnings, over-level
-- petitions (person-times), veto incidents. A wrong record is withdrawn
-- with a reason, never deleted: withdrawn ones stay and no longer count.
CREATE TABLE assessment_entries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id         INTEGER NOT NULL REFERENCES units(id),
    unit_path       TEXT NOT NULL,
    year            INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    item            TEXT,
    persons         INTEGER NOT NULL,
    occurred_on     TEXT NOT NULL,
    note            TEXT NOT NULL,
    case_number     TEXT,
    entered_by      INTEGER NOT NULL REFERENCES users(id),
    entered_at      TEXT NOT NULL,
    withdrawn_by    INTEGER REFERENCES users(id),
    withdrawn_at    TEXT,
    withdrawn_reason TEXT
);
-- Led by the unit path, like every hot index.
CREATE INDEX assessment_entries_unit ON assessment_entries(unit_path, year);

-- The evidence of a record: the file is on disk under data/attachments/<sha256>.
CREATE TABLE assessment_evidence (
    id           TEXT PRIMARY KEY,
    entry_id     INTEGER NOT NULL REFERENCES assessment_entries(id),
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    uploaded_by  INTEGER NOT NULL REFERENCES users(id),
    at           TEXT NOT NULL
);
CREATE INDEX assessment_evidence_entry ON assessment_evidence(entry_id);

-- 三函一约谈 as issued: numbered per issuing unit and year, and the
-- village's signed receipt (回执) once it is back.
CREATE TABLE assessment_letters (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    number          TEXT NOT NULL UNIQUE,
    unit_id         INTEGER NOT NULL REFERENCES units(id),
    unit_path       TEXT NOT NULL,
    year            INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    letter_key      TEXT NOT NULL,
    reason          TEXT NOT NULL,
    issuer_unit_id  INTEGER NOT NULL REFERENCES units(id),
    issued_by       INTEGER NOT NULL REFERENCES users(id),
    issued_on       TEXT NOT NULL,
    acknowledged_on TEXT,
    acknowledged_by TEXT,
    ack_recorded_by INTEGER REFERENCES users(id)
);
CREATE INDEX assessment_letters_unit ON assessment_letters(unit_path, year);
CREATE INDEX assessment_letters_issuer ON assessment_letters(issuer_unit_id, year);

-- shared::stats::contributions now also counts matters reported up to the
-- banner or the league (level:county, level:city): count them afresh.
DELETE FROM settings WHERE name = 'stats_built';
