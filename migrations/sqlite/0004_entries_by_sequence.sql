-- Entries by group and sequence: listing the journal a page at a time and verifying the chain
-- read a group's entries in sequence order.
CREATE INDEX entries_by_group_sequence ON entries (group_id, sequence, line);
