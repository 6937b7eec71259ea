-- A group's approval policy may make every member's exit wait for approval (SQLite).
ALTER TABLE approval_policies ADD COLUMN exits INTEGER NOT NULL DEFAULT 0 CHECK (exits IN (0, 1));
