-- Citizens' public pages. Keep in step with ../sqlite/0005_public.sql.

-- The query code (查询码) printed on the 代办单: 8 digits with a Damm check
-- digit (shared::public::QueryCode). Filled for older matters at start-up.
ALTER TABLE cases ADD COLUMN query_code TEXT;
CREATE INDEX cases_number_code ON cases(number, query_code);

-- A unit's office telephone, shown on the public pages (an agent's own phone
-- never is).
ALTER TABLE units ADD COLUMN office_phone TEXT;
