-- A group's approval policy may make every member's exit wait for approval (PostgreSQL).
ALTER TABLE approval_policies ADD COLUMN exits BOOLEAN NOT NULL DEFAULT FALSE;
