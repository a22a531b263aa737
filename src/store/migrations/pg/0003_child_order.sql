-- An event's attendees and alarms are always read in their position order:
-- index them that way so no read sorts.
DROP INDEX IF EXISTS idx_calendar_attendees_event;
CREATE INDEX idx_calendar_attendees_event ON calendar_attendees(event_id, position);
DROP INDEX IF EXISTS idx_calendar_alarms_event;
CREATE INDEX idx_calendar_alarms_event ON calendar_alarms(event_id, position);
