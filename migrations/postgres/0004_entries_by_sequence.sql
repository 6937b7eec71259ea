-- Entries by group and sequence: listing the journal a page at a time and verifying the chain
-- read a group's entries in sequence order.
CREATE INDEX entries_by_group_sequence ON entries (group_id, sequence, line);

-- Recorded events and members can no more be truncated than the journal.
CREATE TRIGGER member_events_no_truncate BEFORE TRUNCATE ON member_events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('recorded events are immutable');
CREATE TRIGGER members_no_truncate BEFORE TRUNCATE ON members
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('members are never deleted');
