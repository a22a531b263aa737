-- Activities: who created one (with the assignee and the company's admins,
-- the creator may change it) and a version for ETag/If-Match. A record's
-- activities are listed by due date; a calendar event finds its meeting
-- activities when it moves or goes.
ALTER TABLE activities ADD COLUMN created_by TEXT REFERENCES users(id);
ALTER TABLE activities ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
DROP INDEX IF EXISTS idx_activities_record;
CREATE INDEX idx_activities_record ON activities(res_model, res_id, due_date);
CREATE INDEX idx_activities_event ON activities(calendar_event_id) WHERE calendar_event_id IS NOT NULL;
