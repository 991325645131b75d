-- How the console tells each agent about new conversations and messages (both on by default).
ALTER TABLE users ADD COLUMN notify_sound boolean NOT NULL DEFAULT true;
ALTER TABLE users ADD COLUMN notify_desktop boolean NOT NULL DEFAULT true;
