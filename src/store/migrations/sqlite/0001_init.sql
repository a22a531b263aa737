-- calendard schema, SQLite dialect. Instants are INTEGER seconds since the
-- epoch (UTC); ids are lowercase UUID text; booleans are 0/1; enums are
-- their wire names checked by CHECK constraints. The PostgreSQL migration
-- of the same number creates the same tables with native types.

CREATE TABLE companies (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  slug        TEXT NOT NULL UNIQUE,
  created_at  INTEGER NOT NULL
);

CREATE TABLE users (
  id             TEXT PRIMARY KEY,
  company_id     TEXT NOT NULL REFERENCES companies(id),
  name           TEXT NOT NULL,
  email          TEXT NOT NULL UNIQUE,
  timezone       TEXT NOT NULL DEFAULT 'America/Mexico_City',
  lang           TEXT NOT NULL DEFAULT 'es' CHECK (lang IN ('es','en')),
  password_hash  TEXT,
  role           TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('user','admin')),
  phone          TEXT,
  created_at     INTEGER NOT NULL
);
CREATE INDEX idx_users_company ON users(company_id);

CREATE TABLE partners (
  id          TEXT PRIMARY KEY,
  company_id  TEXT NOT NULL REFERENCES companies(id),
  name        TEXT NOT NULL,
  email       TEXT,
  phone       TEXT,
  created_at  INTEGER NOT NULL
);
CREATE INDEX idx_partners_company ON partners(company_id);

CREATE TABLE calendar_recurrences (
  id             TEXT PRIMARY KEY,
  rrule_type     TEXT CHECK (rrule_type IN ('daily','weekly','monthly','yearly')), -- NULL: only the RRULE can say it
  interval       INTEGER NOT NULL DEFAULT 1 CHECK (interval >= 1),
  end_type       TEXT NOT NULL DEFAULT 'forever' CHECK (end_type IN ('forever','count','until')),
  count          INTEGER,
  until          TEXT,                       -- a date, inclusive, in the event's zone
  weekdays       INTEGER NOT NULL DEFAULT 0, -- 1=MO 2=TU 4=WE 8=TH 16=FR 32=SA 64=SU
  month_by       TEXT DEFAULT 'date' CHECK (month_by IN ('date','day')),
  day_of_month   INTEGER CHECK (day_of_month BETWEEN 1 AND 31),
  week_of_month  INTEGER CHECK (week_of_month BETWEEN 1 AND 5), -- 5 = last
  rrule          TEXT,                       -- RFC 5545 text kept in step
  exdates        TEXT,                       -- JSON array of instants or dates
  base_event_id  TEXT,
  created_at     INTEGER NOT NULL
);

CREATE TABLE calendar_events (
  id                    TEXT PRIMARY KEY,
  company_id            TEXT NOT NULL REFERENCES companies(id),
  name                  TEXT NOT NULL,
  description           TEXT,
  location              TEXT,
  start_datetime        INTEGER NOT NULL,
  end_datetime          INTEGER NOT NULL,
  all_day               INTEGER NOT NULL DEFAULT 0,
  start_date            TEXT,              -- all-day events: the dates, exclusive end
  end_date              TEXT,
  timezone              TEXT NOT NULL DEFAULT 'America/Mexico_City',
  organizer_id          TEXT NOT NULL REFERENCES users(id),
  organizer_email       TEXT,
  privacy               TEXT NOT NULL DEFAULT 'public' CHECK (privacy IN ('public','private','confidential')),
  show_as               TEXT NOT NULL DEFAULT 'busy' CHECK (show_as IN ('free','busy','tentative')),
  recurring             INTEGER NOT NULL DEFAULT 0,
  recurrence_id         TEXT REFERENCES calendar_recurrences(id),
  recurrence_master_id  TEXT REFERENCES calendar_events(id) ON DELETE CASCADE,
  original_start        INTEGER,           -- exceptions: the occurrence they replace
  series_end            INTEGER,           -- series: end of the last occurrence, NULL = forever
  res_model             TEXT,
  res_id                TEXT,
  ical_uid              TEXT,
  sequence              INTEGER NOT NULL DEFAULT 0,
  active                INTEGER NOT NULL DEFAULT 1,
  version               INTEGER NOT NULL DEFAULT 1,
  created_at            INTEGER NOT NULL,
  updated_at            INTEGER NOT NULL,
  created_by            TEXT NOT NULL REFERENCES users(id),
  updated_by            TEXT NOT NULL REFERENCES users(id),
  CONSTRAINT valid_dates CHECK (end_datetime >= start_datetime)
);
CREATE INDEX idx_calendar_events_dates ON calendar_events(company_id, start_datetime, end_datetime);
CREATE INDEX idx_calendar_events_organizer ON calendar_events(organizer_id);
CREATE INDEX idx_calendar_events_resource ON calendar_events(res_model, res_id);
CREATE INDEX idx_calendar_events_master ON calendar_events(recurrence_master_id, original_start) WHERE recurrence_master_id IS NOT NULL;
CREATE UNIQUE INDEX idx_calendar_events_uid ON calendar_events(company_id, ical_uid) WHERE ical_uid IS NOT NULL AND recurrence_master_id IS NULL;

-- A user's calendar is read through this table: each row carries a copy of
-- its event's span (event_start, event_end, long_span) so that one user's
-- window is one index range. Events longer than the store's LONG_SPAN
-- threshold (and whole series) are flagged and found through a second,
-- small index instead, so no window query scans a user's history.
CREATE TABLE calendar_attendees (
  id                  TEXT PRIMARY KEY,
  event_id            TEXT NOT NULL REFERENCES calendar_events(id) ON DELETE CASCADE,
  partner_id          TEXT REFERENCES partners(id),
  user_id             TEXT REFERENCES users(id),
  email               TEXT NOT NULL,
  display_name        TEXT,
  state               TEXT NOT NULL DEFAULT 'needs_action' CHECK (state IN ('needs_action','tentative','accepted','declined')),
  role                TEXT NOT NULL DEFAULT 'req_participant' CHECK (role IN ('req_participant','opt_participant','chair')),
  position            INTEGER NOT NULL DEFAULT 0,
  invitation_sent     INTEGER NOT NULL DEFAULT 0,
  invitation_sent_at  INTEGER,
  event_start         INTEGER NOT NULL,
  event_end           INTEGER NOT NULL,
  long_span           INTEGER NOT NULL DEFAULT 0,
  created_at          INTEGER NOT NULL,
  UNIQUE (event_id, email)
);
CREATE INDEX idx_calendar_attendees_event ON calendar_attendees(event_id);
CREATE INDEX idx_calendar_attendees_user_span ON calendar_attendees(user_id, event_start, event_end, event_id) WHERE user_id IS NOT NULL;
CREATE INDEX idx_calendar_attendees_user_long ON calendar_attendees(user_id, event_end) WHERE user_id IS NOT NULL AND long_span = 1;

CREATE TABLE calendar_alarms (
  id               TEXT PRIMARY KEY,
  event_id         TEXT NOT NULL REFERENCES calendar_events(id) ON DELETE CASCADE,
  alarm_type       TEXT NOT NULL DEFAULT 'notification' CHECK (alarm_type IN ('notification','email','sms')),
  interval_value   INTEGER NOT NULL DEFAULT 30 CHECK (interval_value >= 0),
  interval_unit    TEXT NOT NULL DEFAULT 'minutes' CHECK (interval_unit IN ('minutes','hours','days','weeks')),
  position         INTEGER NOT NULL DEFAULT 0,
  next_trigger_at  INTEGER,                 -- the next due time; NULL when none is left
  triggered        INTEGER NOT NULL DEFAULT 0,
  triggered_at     INTEGER,
  created_at       INTEGER NOT NULL
);
CREATE INDEX idx_calendar_alarms_event ON calendar_alarms(event_id);
CREATE INDEX idx_calendar_alarms_due ON calendar_alarms(next_trigger_at) WHERE next_trigger_at IS NOT NULL;

-- One row per (event, user, provider): the same event synced by three users
-- to Google has three external ids.
CREATE TABLE calendar_event_sync (
  id              TEXT PRIMARY KEY,
  event_id        TEXT REFERENCES calendar_events(id) ON DELETE SET NULL,
  user_id         TEXT NOT NULL REFERENCES users(id),
  provider        TEXT NOT NULL CHECK (provider IN ('google','microsoft','ical')),
  external_id     TEXT NOT NULL,
  etag            TEXT,
  content_hash    TEXT,
  deleted         INTEGER NOT NULL DEFAULT 0, -- tombstone until the delete is pushed
  last_synced_at  INTEGER,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  UNIQUE (user_id, provider, external_id)
);
CREATE INDEX idx_calendar_event_sync_event ON calendar_event_sync(event_id);

CREATE TABLE calendar_sync_tokens (
  id                 TEXT PRIMARY KEY,
  user_id            TEXT NOT NULL REFERENCES users(id),
  provider           TEXT NOT NULL CHECK (provider IN ('google','microsoft','ical')),
  access_token       TEXT NOT NULL,          -- encrypted (XChaCha20-Poly1305)
  refresh_token      TEXT,                   -- encrypted
  token_type         TEXT DEFAULT 'Bearer',
  expires_at         INTEGER,
  sync_token         TEXT,
  delta_link         TEXT,
  channel_id         TEXT,
  channel_token      TEXT,
  channel_resource_id TEXT,
  channel_expires_at INTEGER,
  last_sync_at       INTEGER,
  sync_status        TEXT DEFAULT 'active' CHECK (sync_status IN ('active','paused','error','disconnected')),
  sync_enabled       INTEGER NOT NULL DEFAULT 1,
  sync_direction     TEXT NOT NULL DEFAULT 'both' CHECK (sync_direction IN ('import','export','both')),
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL,
  UNIQUE (user_id, provider)
);
CREATE INDEX idx_calendar_sync_tokens_channel ON calendar_sync_tokens(channel_id) WHERE channel_id IS NOT NULL;

CREATE TABLE appointment_types (
  id                     TEXT PRIMARY KEY,
  company_id             TEXT NOT NULL REFERENCES companies(id),
  name                   TEXT NOT NULL,
  description            TEXT,
  duration_minutes       INTEGER NOT NULL DEFAULT 30 CHECK (duration_minutes > 0),
  schedule_range_days    INTEGER DEFAULT 30,
  min_booking_hours      INTEGER DEFAULT 24,
  availability           TEXT NOT NULL DEFAULT '{}',   -- JSON
  timezone               TEXT NOT NULL DEFAULT 'America/Mexico_City',
  assignment_mode        TEXT NOT NULL DEFAULT 'auto' CHECK (assignment_mode IN ('auto','choice')),
  allow_reschedule       INTEGER NOT NULL DEFAULT 1,
  allow_cancel           INTEGER NOT NULL DEFAULT 1,
  cancel_hours_before    INTEGER DEFAULT 24,
  confirmation_email     INTEGER NOT NULL DEFAULT 1,
  reminder_email         INTEGER NOT NULL DEFAULT 1,
  reminder_hours_before  INTEGER DEFAULT 24,
  create_opportunity     INTEGER NOT NULL DEFAULT 0,
  is_published           INTEGER NOT NULL DEFAULT 0,
  slug                   TEXT,
  buffer_before_minutes  INTEGER NOT NULL DEFAULT 0,
  buffer_after_minutes   INTEGER NOT NULL DEFAULT 0,
  slot_interval_minutes  INTEGER,
  max_bookings_per_day   INTEGER,
  location               TEXT,
  active                 INTEGER NOT NULL DEFAULT 1,
  created_at             INTEGER NOT NULL,
  updated_at             INTEGER NOT NULL,
  UNIQUE (company_id, slug)
);

CREATE TABLE appointment_type_users (
  appointment_type_id  TEXT NOT NULL REFERENCES appointment_types(id) ON DELETE CASCADE,
  user_id              TEXT NOT NULL REFERENCES users(id),
  PRIMARY KEY (appointment_type_id, user_id)
);

CREATE TABLE appointment_bookings (
  id                   TEXT PRIMARY KEY,
  appointment_type_id  TEXT NOT NULL REFERENCES appointment_types(id),
  event_id             TEXT REFERENCES calendar_events(id) ON DELETE SET NULL,
  assignee_id          TEXT NOT NULL REFERENCES users(id),
  start_datetime       INTEGER NOT NULL,
  end_datetime         INTEGER NOT NULL,
  customer_name        TEXT NOT NULL,
  customer_email       TEXT NOT NULL,
  customer_phone       TEXT,
  notes                TEXT,
  status               TEXT NOT NULL DEFAULT 'confirmed' CHECK (status IN ('confirmed','cancelled')),
  manage_token_hash    TEXT NOT NULL UNIQUE,
  idempotency_key      TEXT,
  created_at           INTEGER NOT NULL,
  updated_at           INTEGER NOT NULL
);
CREATE INDEX idx_appointment_bookings_assignee ON appointment_bookings(assignee_id, start_datetime);
CREATE UNIQUE INDEX idx_appointment_bookings_idem ON appointment_bookings(appointment_type_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

CREATE TABLE activities (
  id                 TEXT PRIMARY KEY,
  company_id         TEXT NOT NULL REFERENCES companies(id),
  res_model          TEXT NOT NULL,
  res_id             TEXT NOT NULL,
  activity_type      TEXT NOT NULL CHECK (activity_type IN ('call','meeting','email','todo')),
  summary            TEXT NOT NULL,
  note               TEXT,
  due_date           TEXT NOT NULL,
  user_id            TEXT NOT NULL REFERENCES users(id),
  state              TEXT NOT NULL DEFAULT 'planned' CHECK (state IN ('planned','done')),
  calendar_event_id  TEXT REFERENCES calendar_events(id) ON DELETE SET NULL,
  done_at            INTEGER,
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL
);
CREATE INDEX idx_activities_record ON activities(res_model, res_id);
CREATE INDEX idx_activities_user ON activities(user_id, due_date);

CREATE TABLE notification_outbox (
  id               TEXT PRIMARY KEY,
  channel          TEXT NOT NULL CHECK (channel IN ('email','sms','in_app')),
  recipient        TEXT NOT NULL,
  payload          TEXT NOT NULL,
  status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sending','sent','failed')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER NOT NULL,
  lease_until      INTEGER,
  idempotency_key  TEXT NOT NULL UNIQUE,
  last_error       TEXT,
  created_at       INTEGER NOT NULL,
  sent_at          INTEGER
);
CREATE INDEX idx_notification_outbox_due ON notification_outbox(next_attempt_at) WHERE status IN ('pending','sending');

CREATE TABLE notifications (
  id          TEXT PRIMARY KEY,
  user_id     TEXT NOT NULL REFERENCES users(id),
  title       TEXT NOT NULL,
  body        TEXT,
  link        TEXT,
  read        INTEGER NOT NULL DEFAULT 0,
  created_at  INTEGER NOT NULL
);
CREATE INDEX idx_notifications_user ON notifications(user_id, created_at);

CREATE TABLE crm_leads (
  id                 TEXT PRIMARY KEY,
  company_id         TEXT NOT NULL REFERENCES companies(id),
  name               TEXT NOT NULL,
  contact_name       TEXT,
  email              TEXT,
  phone              TEXT,
  source             TEXT NOT NULL DEFAULT 'appointment',
  calendar_event_id  TEXT REFERENCES calendar_events(id) ON DELETE SET NULL,
  created_at         INTEGER NOT NULL
);
