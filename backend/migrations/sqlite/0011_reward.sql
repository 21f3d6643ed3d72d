-- The reward fund (奖补资金, seed 000). Keep in step with ../postgres/0011_reward.sql.
-- Money is exact decimal text (yuan, at most two decimals), summed in Rust.

-- What a matter's petition record says (第八条): the category follows from it.
CREATE TABLE petition_histories (
    case_id           INTEGER PRIMARY KEY REFERENCES cases(id),
    unit_path         TEXT NOT NULL,
    record_year       INTEGER NOT NULL,
    first_year        INTEGER NOT NULL,
    beijing_visits    INTEGER NOT NULL,
    beijing_this_year INTEGER NOT NULL,
    region_visits     INTEGER NOT NULL,
    region_this_year  INTEGER NOT NULL,
    league_visits     INTEGER NOT NULL,
    league_petitions  INTEGER NOT NULL,
    key_matter        INTEGER NOT NULL,
    appeal            INTEGER NOT NULL,
    recorded_by       INTEGER NOT NULL REFERENCES users(id),
    recorded_at       TEXT NOT NULL
);

-- The year's fund (第七条: spent within the year).
CREATE TABLE reward_funds (
    year       INTEGER PRIMARY KEY,
    budget     TEXT NOT NULL,
    set_by     INTEGER NOT NULL REFERENCES users(id),
    set_at     TEXT NOT NULL
);

-- One township's quarterly batch (第十二条、第十三条).
CREATE TABLE reward_batches (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id         INTEGER NOT NULL REFERENCES units(id),
    unit_path       TEXT NOT NULL,
    year            INTEGER NOT NULL,
    quarter         INTEGER NOT NULL,
    stage           TEXT NOT NULL,
    notice_published TEXT,
    notice_ends     TEXT,
    paid_on         TEXT,
    treasury_ref    TEXT,
    created_by      INTEGER NOT NULL REFERENCES users(id),
    created_at      TEXT NOT NULL,
    UNIQUE (unit_id, year, quarter)
);
CREATE INDEX reward_batches_path ON reward_batches(unit_path, year, quarter);

-- 一事一补: one claim per matter, ever — the UNIQUE constraint holds it even
-- against two concurrent claims. A stopped claim still counts.
CREATE TABLE reward_claims (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id           INTEGER NOT NULL UNIQUE REFERENCES cases(id),
    unit_path         TEXT NOT NULL,
    township_id       INTEGER NOT NULL REFERENCES units(id),
    agent_id          INTEGER NOT NULL REFERENCES users(id),
    claimed_by        INTEGER NOT NULL REFERENCES users(id),
    kind              TEXT NOT NULL,
    category          TEXT,
    proposed_category TEXT,
    category_reason   TEXT NOT NULL,
    justification     TEXT NOT NULL,
    amount            TEXT NOT NULL,
    league_approval   TEXT,
    account_name      TEXT NOT NULL,
    account_number    TEXT NOT NULL,
    status            TEXT NOT NULL,
    batch_id          INTEGER REFERENCES reward_batches(id),
    stopped_reason    TEXT,
    created_at        TEXT NOT NULL
);
CREATE INDEX reward_claims_path ON reward_claims(unit_path, status);
CREATE INDEX reward_claims_batch ON reward_claims(batch_id);

-- The dossier's materials (第十一条) as typed attachments of the matter.
CREATE TABLE reward_claim_materials (
    claim_id      INTEGER NOT NULL REFERENCES reward_claims(id),
    material      TEXT NOT NULL,
    attachment_id TEXT NOT NULL REFERENCES attachments(id),
    PRIMARY KEY (claim_id, material, attachment_id)
);

-- Each step of a batch with its opinion, by whom and when.
CREATE TABLE reward_batch_steps (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id  INTEGER NOT NULL REFERENCES reward_batches(id),
    step      TEXT NOT NULL,
    claim_id  INTEGER REFERENCES reward_claims(id),
    opinion   TEXT NOT NULL,
    actor_id  INTEGER NOT NULL REFERENCES users(id),
    on_date   TEXT NOT NULL,
    at        TEXT NOT NULL
);
CREATE INDEX reward_batch_steps_batch ON reward_batch_steps(batch_id, id);

-- Refused second claims on a matter (一事多补 attempts), for the league's flags.
CREATE TABLE reward_duplicate_attempts (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id           INTEGER NOT NULL REFERENCES cases(id),
    existing_claim_id INTEGER NOT NULL REFERENCES reward_claims(id),
    claimant_id       INTEGER NOT NULL REFERENCES users(id),
    at                TEXT NOT NULL
);

-- Referrals of findings to discipline inspection (第十七条).
CREATE TABLE reward_referrals (
    flag_key    TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    evidence    TEXT NOT NULL,
    note        TEXT NOT NULL,
    referred_by INTEGER NOT NULL REFERENCES users(id),
    at          TEXT NOT NULL
);
