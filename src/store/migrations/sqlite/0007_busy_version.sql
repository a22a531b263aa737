-- A counter per user that moves whenever anything that can make the user
-- busy changes: an attendee row of theirs is written or removed (saving an
-- event rewrites its attendee rows, so a new time, rule, EXDATE, show-as or
-- answer counts too). Caches of a user's busy time (the appointment slot
-- pages) compare it before trusting what they hold, so they stay right
-- whichever process or path wrote the change. Kept by the database itself;
-- an event's delete counts its attendees before the cascade removes them.
ALTER TABLE users ADD COLUMN busy_version INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER calendar_attendees_busy_insert AFTER INSERT ON calendar_attendees
WHEN NEW.user_id IS NOT NULL
BEGIN
  UPDATE users SET busy_version = busy_version + 1 WHERE id = NEW.user_id;
END;

CREATE TRIGGER calendar_attendees_busy_update AFTER UPDATE ON calendar_attendees
BEGIN
  UPDATE users SET busy_version = busy_version + 1 WHERE id IN (OLD.user_id, NEW.user_id);
END;

CREATE TRIGGER calendar_attendees_busy_delete AFTER DELETE ON calendar_attendees
WHEN OLD.user_id IS NOT NULL
BEGIN
  UPDATE users SET busy_version = busy_version + 1 WHERE id = OLD.user_id;
END;

CREATE TRIGGER calendar_events_busy_delete BEFORE DELETE ON calendar_events
BEGIN
  UPDATE users SET busy_version = busy_version + 1
   WHERE id IN (SELECT user_id FROM calendar_attendees WHERE event_id = OLD.id);
END;
