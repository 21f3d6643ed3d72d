-- The citizen's own evaluation from the public page (可评价), once per
-- matter. Keep in step with ../postgres/0007_citizen_opinions.sql.
CREATE TABLE citizen_opinions (
    case_id INTEGER PRIMARY KEY REFERENCES cases(id),
    opinion TEXT NOT NULL,
    at      TEXT NOT NULL
);
