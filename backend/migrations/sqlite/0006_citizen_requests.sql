-- What citizens do on the public pages. Keep in step with
-- ../postgres/0006_citizen_requests.sql.

-- 催办 from the public page: at most once a day per matter.
CREATE TABLE public_urges (
    case_id INTEGER NOT NULL REFERENCES cases(id),
    on_date TEXT NOT NULL,
    PRIMARY KEY (case_id, on_date)
);

-- Complaints about the agency service: answered within 15 working days
-- (shared::deadline::complaint_reply_due); the reply is shown to the citizen.
CREATE TABLE complaints (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id    INTEGER NOT NULL REFERENCES cases(id),
    text       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    due_on     TEXT NOT NULL,
    reply      TEXT,
    replied_at TEXT,
    replied_by INTEGER REFERENCES users(id)
);
CREATE INDEX complaints_case ON complaints(case_id);
