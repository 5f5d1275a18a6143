-- PostgreSQL only (see 0016 and 0017): raises client.portal_rev on every write to what
-- the portal shows of a client.
CREATE FUNCTION client_portal_rev_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE client SET portal_rev = portal_rev + 1 WHERE id = OLD.client_id;
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.client_id <> OLD.client_id) THEN
        UPDATE client SET portal_rev = portal_rev + 1 WHERE id = NEW.client_id;
    END IF;
    RETURN NULL;
END $$;

-- A visit belongs to a client through its job.
CREATE FUNCTION visit_portal_rev_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE client SET portal_rev = portal_rev + 1 WHERE id = (SELECT client_id FROM job WHERE id = OLD.job_id);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.job_id <> OLD.job_id) THEN
        UPDATE client SET portal_rev = portal_rev + 1 WHERE id = (SELECT client_id FROM job WHERE id = NEW.job_id);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER invoice_portal_rev AFTER INSERT OR UPDATE OR DELETE ON invoice
    FOR EACH ROW EXECUTE FUNCTION client_portal_rev_bump();
CREATE TRIGGER quote_portal_rev AFTER INSERT OR UPDATE OR DELETE ON quote
    FOR EACH ROW EXECUTE FUNCTION client_portal_rev_bump();
CREATE TRIGGER job_portal_rev AFTER INSERT OR UPDATE OR DELETE ON job
    FOR EACH ROW EXECUTE FUNCTION client_portal_rev_bump();
CREATE TRIGGER task_portal_rev AFTER INSERT OR UPDATE OR DELETE ON task
    FOR EACH ROW EXECUTE FUNCTION client_portal_rev_bump();
CREATE TRIGGER visit_portal_rev AFTER INSERT OR UPDATE OR DELETE ON visit
    FOR EACH ROW EXECUTE FUNCTION visit_portal_rev_bump();
