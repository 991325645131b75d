-- Business hours per site (projection `sites`): the weekly schedule in the company's time
-- zone, `{"enabled": false}` (always open) for every site until an administrator sets them.
ALTER TABLE sites ADD COLUMN hours jsonb NOT NULL DEFAULT '{"enabled": false}';
