-- Appointments: a version for ETag/If-Match on types, the assignees'
-- order, and on bookings what their mails need (the customer's language
-- and zone), the lead they created and a fingerprint of the request that
-- an Idempotency-Key was first used with.
--
-- No double booking: two confirmed bookings of one assignee may not
-- overlap. Writers are serialized (BEGIN IMMEDIATE) and the service
-- re-checks the calendar inside the write transaction; these triggers are
-- the database's own guarantee behind that check, as PostgreSQL's
-- exclusion constraint is.
ALTER TABLE appointment_types ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
CREATE INDEX idx_appointment_types_company ON appointment_types(company_id) WHERE active = 1;
ALTER TABLE appointment_type_users ADD COLUMN position INTEGER NOT NULL DEFAULT 0;

ALTER TABLE appointment_bookings ADD COLUMN company_id TEXT REFERENCES companies(id);
ALTER TABLE appointment_bookings ADD COLUMN lead_id TEXT REFERENCES crm_leads(id) ON DELETE SET NULL;
ALTER TABLE appointment_bookings ADD COLUMN customer_lang TEXT NOT NULL DEFAULT 'es' CHECK (customer_lang IN ('es','en'));
ALTER TABLE appointment_bookings ADD COLUMN customer_timezone TEXT;
ALTER TABLE appointment_bookings ADD COLUMN request_hash TEXT;
CREATE INDEX idx_appointment_bookings_event ON appointment_bookings(event_id) WHERE event_id IS NOT NULL;

CREATE TRIGGER appointment_bookings_no_overlap_insert
BEFORE INSERT ON appointment_bookings
WHEN NEW.status = 'confirmed' AND EXISTS (
  SELECT 1 FROM appointment_bookings b
   WHERE b.assignee_id = NEW.assignee_id AND b.status = 'confirmed'
     AND b.start_datetime < NEW.end_datetime AND NEW.start_datetime < b.end_datetime)
BEGIN
  SELECT RAISE(ABORT, 'appointment_bookings_no_overlap');
END;

CREATE TRIGGER appointment_bookings_no_overlap_update
BEFORE UPDATE OF assignee_id, start_datetime, end_datetime, status ON appointment_bookings
WHEN NEW.status = 'confirmed' AND EXISTS (
  SELECT 1 FROM appointment_bookings b
   WHERE b.assignee_id = NEW.assignee_id AND b.status = 'confirmed' AND b.id <> NEW.id
     AND b.start_datetime < NEW.end_datetime AND NEW.start_datetime < b.end_datetime)
BEGIN
  SELECT RAISE(ABORT, 'appointment_bookings_no_overlap');
END;
