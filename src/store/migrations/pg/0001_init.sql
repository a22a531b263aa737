-- calendard schema, PostgreSQL 15 dialect: the same tables, columns,
-- constraints and indexes as migrations/sqlite/0001_init.sql, with native
-- types. Ids are UUID; every instant is TIMESTAMPTZ (the SQLite epoch
-- integers); calendar dates are DATE; flags are BOOLEAN; JSON documents are
-- JSONB; enums are TEXT with CHECK constraints, like SQLite, because a CHECK
-- is easier to widen in a later migration than an enum type. The runner
-- wraps this file in a transaction, so it has no BEGIN/COMMIT of its own.

CREATE TABLE companies (
  id          UUID PRIMARY KEY,
  name        TEXT NOT NULL,
  slug        TEXT NOT NULL UNIQUE,
  created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE users (
  id             UUID PRIMARY KEY,
  company_id     UUID NOT NULL REFERENCES companies(id),
  name           TEXT NOT NULL,
  email          TEXT NOT NULL UNIQUE,
  timezone       TEXT NOT NULL DEFAULT 'America/Mexico_City',
  lang           TEXT NOT NULL DEFAULT 'es' CHECK (lang IN ('es','en')),
  password_hash  TEXT,
  role           TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('user','admin')),
  phone          TEXT,
  created_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX idx_users_company ON users(company_id);

CREATE TABLE partners (
  id          UUID PRIMARY KEY,
  company_id  UUID NOT NULL REFERENCES companies(id),
  name        TEXT NOT NULL,
  email       TEXT,
  phone       TEXT,
  created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX idx_partners_company ON partners(company_id);

CREATE TABLE calendar_recurrences (
  id             UUID PRIMARY KEY,
  rrule_type     TEXT CHECK (rrule_type IN ('daily','weekly','monthly','yearly')), -- NULL: only the RRULE can say it
  interval       INTEGER NOT NULL DEFAULT 1 CHECK (interval >= 1),
  end_type       TEXT NOT NULL DEFAULT 'forever' CHECK (end_type IN ('forever','count','until')),
  count          INTEGER,
  until          DATE,                       -- inclusive, in the event's zone
  weekdays       INTEGER NOT NULL DEFAULT 0, -- 1=MO 2=TU 4=WE 8=TH 16=FR 32=SA 64=SU
  month_by       TEXT DEFAULT 'date' CHECK (month_by IN ('date','day')),
  day_of_month   INTEGER CHECK (day_of_month BETWEEN 1 AND 31),
  week_of_month  INTEGER CHECK (week_of_month BETWEEN 1 AND 5), -- 5 = last
  rrule          TEXT,                       -- RFC 5545 text kept in step
  exdates        JSONB,                      -- array of instants or dates
  base_event_id  UUID,
  created_at     TIMESTAMPTZ NOT NULL
);

CREATE TABLE calendar_events (
  id                    UUID PRIMARY KEY,
  company_id            UUID NOT NULL REFERENCES companies(id),
  name                  TEXT NOT NULL,
  description           TEXT,
  location              TEXT,
  start_datetime        TIMESTAMPTZ NOT NULL,
  end_datetime          TIMESTAMPTZ NOT NULL,
  all_day               BOOLEAN NOT NULL DEFAULT false,
  start_date            DATE,              -- all-day events: the dates, exclusive end
  end_date              DATE,
  timezone              TEXT NOT NULL DEFAULT 'America/Mexico_City',
  organizer_id          UUID NOT NULL REFERENCES users(id),
  organizer_email       TEXT,
  privacy               TEXT NOT NULL DEFAULT 'public' CHECK (privacy IN ('public','private','confidential')),
  show_as               TEXT NOT NULL DEFAULT 'busy' CHECK (show_as IN ('free','busy','tentative')),
  recurring             BOOLEAN NOT NULL DEFAULT false,
  recurrence_id         UUID REFERENCES calendar_recurrences(id),
  recurrence_master_id  UUID REFERENCES calendar_events(id) ON DELETE CASCADE,
  original_start        TIMESTAMPTZ,       -- exceptions: the occurrence they replace
  series_end            TIMESTAMPTZ,       -- series: end of the last occurrence, NULL = forever
  res_model             TEXT,
  res_id                TEXT,
  ical_uid              TEXT,
  sequence              INTEGER NOT NULL DEFAULT 0,
  active                BOOLEAN NOT NULL DEFAULT true,
  version               BIGINT NOT NULL DEFAULT 1,
  created_at            TIMESTAMPTZ NOT NULL,
  updated_at            TIMESTAMPTZ NOT NULL,
  created_by            UUID NOT NULL REFERENCES users(id),
  updated_by            UUID NOT NULL REFERENCES users(id),
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
-- (PostgreSQL: both user indexes also INCLUDE the rest of the span, so the
-- window query filters on event_end / event_start in the index alone
-- instead of fetching one heap page per candidate row. Same keys as SQLite.)
CREATE TABLE calendar_attendees (
  id                  UUID PRIMARY KEY,
  event_id            UUID NOT NULL REFERENCES calendar_events(id) ON DELETE CASCADE,
  partner_id          UUID REFERENCES partners(id),
  user_id             UUID REFERENCES users(id),
  email               TEXT NOT NULL,
  display_name        TEXT,
  state               TEXT NOT NULL DEFAULT 'needs_action' CHECK (state IN ('needs_action','tentative','accepted','declined')),
  role                TEXT NOT NULL DEFAULT 'req_participant' CHECK (role IN ('req_participant','opt_participant','chair')),
  position            INTEGER NOT NULL DEFAULT 0,
  invitation_sent     BOOLEAN NOT NULL DEFAULT false,
  invitation_sent_at  TIMESTAMPTZ,
  event_start         TIMESTAMPTZ NOT NULL,
  event_end           TIMESTAMPTZ NOT NULL,
  long_span           BOOLEAN NOT NULL DEFAULT false,
  created_at          TIMESTAMPTZ NOT NULL,
  UNIQUE (event_id, email)
);
CREATE INDEX idx_calendar_attendees_event ON calendar_attendees(event_id);
CREATE INDEX idx_calendar_attendees_user_span ON calendar_attendees(user_id, event_start, event_id) INCLUDE (event_end) WHERE user_id IS NOT NULL;
CREATE INDEX idx_calendar_attendees_user_long ON calendar_attendees(user_id, event_end) INCLUDE (event_start, event_id) WHERE user_id IS NOT NULL AND long_span;

CREATE TABLE calendar_alarms (
  id               UUID PRIMARY KEY,
  event_id         UUID NOT NULL REFERENCES calendar_events(id) ON DELETE CASCADE,
  alarm_type       TEXT NOT NULL DEFAULT 'notification' CHECK (alarm_type IN ('notification','email','sms')),
  interval_value   INTEGER NOT NULL DEFAULT 30 CHECK (interval_value >= 0),
  interval_unit    TEXT NOT NULL DEFAULT 'minutes' CHECK (interval_unit IN ('minutes','hours','days','weeks')),
  position         INTEGER NOT NULL DEFAULT 0,
  next_trigger_at  TIMESTAMPTZ,             -- the next due time; NULL when none is left
  triggered        BOOLEAN NOT NULL DEFAULT false,
  triggered_at     TIMESTAMPTZ,
  created_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX idx_calendar_alarms_event ON calendar_alarms(event_id);
CREATE INDEX idx_calendar_alarms_due ON calendar_alarms(next_trigger_at) WHERE next_trigger_at IS NOT NULL;

-- One row per (event, user, provider): the same event synced by three users
-- to Google has three external ids.
CREATE TABLE calendar_event_sync (
  id              UUID PRIMARY KEY,
  event_id        UUID REFERENCES calendar_events(id) ON DELETE SET NULL,
  user_id         UUID NOT NULL REFERENCES users(id),
  provider        TEXT NOT NULL CHECK (provider IN ('google','microsoft','ical')),
  external_id     TEXT NOT NULL,
  etag            TEXT,
  content_hash    TEXT,
  deleted         BOOLEAN NOT NULL DEFAULT false, -- tombstone until the delete is pushed
  last_synced_at  TIMESTAMPTZ,
  created_at      TIMESTAMPTZ NOT NULL,
  updated_at      TIMESTAMPTZ NOT NULL,
  UNIQUE (user_id, provider, external_id)
);
CREATE INDEX idx_calendar_event_sync_event ON calendar_event_sync(event_id);

CREATE TABLE calendar_sync_tokens (
  id                 UUID PRIMARY KEY,
  user_id            UUID NOT NULL REFERENCES users(id),
  provider           TEXT NOT NULL CHECK (provider IN ('google','microsoft','ical')),
  access_token       TEXT NOT NULL,          -- encrypted (XChaCha20-Poly1305)
  refresh_token      TEXT,                   -- encrypted
  token_type         TEXT DEFAULT 'Bearer',
  expires_at         TIMESTAMPTZ,
  sync_token         TEXT,
  delta_link         TEXT,
  channel_id         TEXT,
  channel_token      TEXT,
  channel_resource_id TEXT,
  channel_expires_at TIMESTAMPTZ,
  last_sync_at       TIMESTAMPTZ,
  sync_status        TEXT DEFAULT 'active' CHECK (sync_status IN ('active','paused','error','disconnected')),
  sync_enabled       BOOLEAN NOT NULL DEFAULT true,
  sync_direction     TEXT NOT NULL DEFAULT 'both' CHECK (sync_direction IN ('import','export','both')),
  created_at         TIMESTAMPTZ NOT NULL,
  updated_at         TIMESTAMPTZ NOT NULL,
  UNIQUE (user_id, provider)
);
CREATE INDEX idx_calendar_sync_tokens_channel ON calendar_sync_tokens(channel_id) WHERE channel_id IS NOT NULL;

CREATE TABLE appointment_types (
  id                     UUID PRIMARY KEY,
  company_id             UUID NOT NULL REFERENCES companies(id),
  name                   TEXT NOT NULL,
  description            TEXT,
  duration_minutes       INTEGER NOT NULL DEFAULT 30 CHECK (duration_minutes > 0),
  schedule_range_days    INTEGER DEFAULT 30,
  min_booking_hours      INTEGER DEFAULT 24,
  availability           JSONB NOT NULL DEFAULT '{}',
  timezone               TEXT NOT NULL DEFAULT 'America/Mexico_City',
  assignment_mode        TEXT NOT NULL DEFAULT 'auto' CHECK (assignment_mode IN ('auto','choice')),
  allow_reschedule       BOOLEAN NOT NULL DEFAULT true,
  allow_cancel           BOOLEAN NOT NULL DEFAULT true,
  cancel_hours_before    INTEGER DEFAULT 24,
  confirmation_email     BOOLEAN NOT NULL DEFAULT true,
  reminder_email         BOOLEAN NOT NULL DEFAULT true,
  reminder_hours_before  INTEGER DEFAULT 24,
  create_opportunity     BOOLEAN NOT NULL DEFAULT false,
  is_published           BOOLEAN NOT NULL DEFAULT false,
  slug                   TEXT,
  buffer_before_minutes  INTEGER NOT NULL DEFAULT 0,
  buffer_after_minutes   INTEGER NOT NULL DEFAULT 0,
  slot_interval_minutes  INTEGER,
  max_bookings_per_day   INTEGER,
  location               TEXT,
  active                 BOOLEAN NOT NULL DEFAULT true,
  created_at             TIMESTAMPTZ NOT NULL,
  updated_at             TIMESTAMPTZ NOT NULL,
  UNIQUE (company_id, slug)
);

CREATE TABLE appointment_type_users (
  appointment_type_id  UUID NOT NULL REFERENCES appointment_types(id) ON DELETE CASCADE,
  user_id              UUID NOT NULL REFERENCES users(id),
  PRIMARY KEY (appointment_type_id, user_id)
);

CREATE TABLE appointment_bookings (
  id                   UUID PRIMARY KEY,
  appointment_type_id  UUID NOT NULL REFERENCES appointment_types(id),
  event_id             UUID REFERENCES calendar_events(id) ON DELETE SET NULL,
  assignee_id          UUID NOT NULL REFERENCES users(id),
  start_datetime       TIMESTAMPTZ NOT NULL,
  end_datetime         TIMESTAMPTZ NOT NULL,
  customer_name        TEXT NOT NULL,
  customer_email       TEXT NOT NULL,
  customer_phone       TEXT,
  notes                TEXT,
  status               TEXT NOT NULL DEFAULT 'confirmed' CHECK (status IN ('confirmed','cancelled')),
  manage_token_hash    TEXT NOT NULL UNIQUE,
  idempotency_key      TEXT,
  created_at           TIMESTAMPTZ NOT NULL,
  updated_at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX idx_appointment_bookings_assignee ON appointment_bookings(assignee_id, start_datetime);
CREATE UNIQUE INDEX idx_appointment_bookings_idem ON appointment_bookings(appointment_type_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

CREATE TABLE activities (
  id                 UUID PRIMARY KEY,
  company_id         UUID NOT NULL REFERENCES companies(id),
  res_model          TEXT NOT NULL,
  res_id             TEXT NOT NULL,
  activity_type      TEXT NOT NULL CHECK (activity_type IN ('call','meeting','email','todo')),
  summary            TEXT NOT NULL,
  note               TEXT,
  due_date           DATE NOT NULL,
  user_id            UUID NOT NULL REFERENCES users(id),
  state              TEXT NOT NULL DEFAULT 'planned' CHECK (state IN ('planned','done')),
  calendar_event_id  UUID REFERENCES calendar_events(id) ON DELETE SET NULL,
  done_at            TIMESTAMPTZ,
  created_at         TIMESTAMPTZ NOT NULL,
  updated_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX idx_activities_record ON activities(res_model, res_id);
CREATE INDEX idx_activities_user ON activities(user_id, due_date);

-- payload stays TEXT: the outbox delivers it byte for byte, and JSONB would
-- reorder keys and drop duplicate ones.
CREATE TABLE notification_outbox (
  id               UUID PRIMARY KEY,
  channel          TEXT NOT NULL CHECK (channel IN ('email','sms','in_app')),
  recipient        TEXT NOT NULL,
  payload          TEXT NOT NULL,
  status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sending','sent','failed')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  TIMESTAMPTZ NOT NULL,
  lease_until      TIMESTAMPTZ,
  idempotency_key  TEXT NOT NULL UNIQUE,
  last_error       TEXT,
  created_at       TIMESTAMPTZ NOT NULL,
  sent_at          TIMESTAMPTZ
);
CREATE INDEX idx_notification_outbox_due ON notification_outbox(next_attempt_at) WHERE status IN ('pending','sending');

CREATE TABLE notifications (
  id          UUID PRIMARY KEY,
  user_id     UUID NOT NULL REFERENCES users(id),
  title       TEXT NOT NULL,
  body        TEXT,
  link        TEXT,
  read        BOOLEAN NOT NULL DEFAULT false,
  created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX idx_notifications_user ON notifications(user_id, created_at);

CREATE TABLE crm_leads (
  id                 UUID PRIMARY KEY,
  company_id         UUID NOT NULL REFERENCES companies(id),
  name               TEXT NOT NULL,
  contact_name       TEXT,
  email              TEXT,
  phone              TEXT,
  source             TEXT NOT NULL DEFAULT 'appointment',
  calendar_event_id  UUID REFERENCES calendar_events(id) ON DELETE SET NULL,
  created_at         TIMESTAMPTZ NOT NULL
);
