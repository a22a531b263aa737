-- A counter per user that moves whenever anything that can make the user
-- busy changes: an attendee row of theirs is written or removed (saving an
-- event rewrites its attendee rows, so a new time, rule, EXDATE, show-as or
-- answer counts too). Caches of a user's busy time (the appointment slot
-- pages) compare it before trusting what they hold, so they stay right
-- whichever process or path wrote the change. Kept by the database itself.
ALTER TABLE users ADD COLUMN busy_version BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION calendard_busy_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' AND OLD.user_id IS NOT NULL THEN
    UPDATE users SET busy_version = busy_version + 1 WHERE id = OLD.user_id;
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.user_id IS NOT NULL
     AND (TG_OP = 'INSERT' OR NEW.user_id IS DISTINCT FROM OLD.user_id) THEN
    UPDATE users SET busy_version = busy_version + 1 WHERE id = NEW.user_id;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER calendar_attendees_busy_version
AFTER INSERT OR UPDATE OR DELETE ON calendar_attendees
FOR EACH ROW EXECUTE FUNCTION calendard_busy_bump();
