-- Where the phone was when a visit was recorded (microdegrees, metres).
ALTER TABLE visits ADD COLUMN lat_e6 INTEGER;
ALTER TABLE visits ADD COLUMN lng_e6 INTEGER;
ALTER TABLE visits ADD COLUMN accuracy_m INTEGER;
