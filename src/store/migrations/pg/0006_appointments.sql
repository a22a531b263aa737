-- Appointments: a version for ETag/If-Match on types, the assignees'
-- order, and on bookings what their mails need (the customer's language
-- and zone), the lead they created and a fingerprint of the request that
-- an Idempotency-Key was first used with.
--
-- No double booking, whatever the number of servers: two confirmed
-- bookings of one assignee may not overlap. The service also serializes
-- the bookings of an assignee (a row lock on the user) and re-checks the
-- calendar under it; this constraint is the database's own guarantee
-- behind that check.
CREATE EXTENSION IF NOT EXISTS btree_gist;

ALTER TABLE appointment_types ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
CREATE INDEX idx_appointment_types_company ON appointment_types(company_id) WHERE active;
ALTER TABLE appointment_type_users ADD COLUMN position INTEGER NOT NULL DEFAULT 0;

ALTER TABLE appointment_bookings ADD COLUMN company_id UUID REFERENCES companies(id);
ALTER TABLE appointment_bookings ADD COLUMN lead_id UUID REFERENCES crm_leads(id) ON DELETE SET NULL;
ALTER TABLE appointment_bookings ADD COLUMN customer_lang TEXT NOT NULL DEFAULT 'es' CHECK (customer_lang IN ('es','en'));
ALTER TABLE appointment_bookings ADD COLUMN customer_timezone TEXT;
ALTER TABLE appointment_bookings ADD COLUMN request_hash TEXT;
ALTER TABLE appointment_bookings ADD CONSTRAINT appointment_bookings_no_overlap
  EXCLUDE USING gist (assignee_id WITH =, tstzrange(start_datetime, end_datetime) WITH &&)
  WHERE (status = 'confirmed');
CREATE INDEX idx_appointment_bookings_event ON appointment_bookings(event_id) WHERE event_id IS NOT NULL;
