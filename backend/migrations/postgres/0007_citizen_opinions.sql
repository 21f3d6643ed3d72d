-- The citizen's own evaluation from the public page (可评价), once per
-- matter. Keep in step with ../sqlite/0007_citizen_opinions.sql.
CREATE TABLE citizen_opinions (
    case_id BIGINT PRIMARY KEY REFERENCES cases(id),
    opinion TEXT NOT NULL,
    at      TEXT NOT NULL
);
