-- The outbox says whose message it is (an admin sees only their company's)
-- and what it is (invitation, reminder, ...); in-app notifications say what
-- they are about, for the client to group and link them.
ALTER TABLE notification_outbox ADD COLUMN company_id UUID REFERENCES companies(id);
ALTER TABLE notification_outbox ADD COLUMN kind TEXT NOT NULL DEFAULT '';
CREATE INDEX idx_notification_outbox_company ON notification_outbox(company_id, created_at);
ALTER TABLE notifications ADD COLUMN kind TEXT NOT NULL DEFAULT '';
ALTER TABLE notifications ADD COLUMN event_id UUID;
