-- Private subscription feeds: one secret per user, kept only as a hash so
-- a copy of the database does not hand out readable calendars.
CREATE TABLE calendar_feeds (
  user_id     TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  token_hash  TEXT NOT NULL UNIQUE,
  created_at  INTEGER NOT NULL
);
