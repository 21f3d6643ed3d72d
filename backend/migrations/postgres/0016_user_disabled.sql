-- An account an administrator has switched off (停用): NULL while it may sign in.
-- Not the agent registry flag `registered`.
ALTER TABLE users ADD COLUMN disabled_at TEXT;
