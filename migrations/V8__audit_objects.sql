-- The audit log names the object of each entry (its stream: a user, a site, the company), so
-- the audit page can link to it and filter by it; entries written before are filled from the
-- log. Pages of a company's entries, newest first, by kind of action.
ALTER TABLE audit_log ADD COLUMN stream text;
UPDATE audit_log a SET stream = e.stream FROM events e WHERE e.event_id = a.event_id;
ALTER TABLE audit_log ALTER COLUMN stream SET NOT NULL;
CREATE INDEX audit_by_company_and_type ON audit_log (company_id, event_type, tx, seq);
CREATE INDEX audit_by_company_and_stream ON audit_log (company_id, stream, tx, seq);
