-- SQLite only (see 0016): raises client.portal_rev on every write to what the portal
-- shows of a client. The store runs the files named *_sqlite on SQLite and *_postgres
-- on PostgreSQL.
CREATE TRIGGER invoice_portal_rev_insert AFTER INSERT ON invoice BEGIN
    UPDATE client SET portal_rev = portal_rev + 1 WHERE id = NEW.client_id;
END;
CREATE TRIGGER invoice_portal_rev_update AFTER UPDATE ON invoice BEGIN
    UPDATE client SET portal_rev = portal_rev + 1 WHERE id IN (OLD.client_id, NEW.client_id);
END;
CREATE TRIGGER invoice_portal_rev_delete AFTER DELETE ON invoice BEGIN
    UPDATE client SET portal_rev = portal_rev + 1 WHERE id = OLD.client_id;
END;
CREATE TRIGGER quote_portal_rev_insert AFTER INSERT ON quote BEGIN
    UPDATE client SET portal_rev = portal_rev + 1 WHERE id = NEW.client_id;
END;
CREATE TRIGGER quote_portal_rev_update AFTER UPDATE ON quote BEGIN
    UPDATE client SET portal_rev = portal_rev + 1 WHERE id IN (OLD.client_id, NEW.client_id);
END;
CREATE TRIGGER quote_portal_rev_delete AFTER DELETE ON quote BEGIN
    UPDATE client SET portal_rev = portal_rev + 1 WHERE id = OLD.client_id;
END;
CREATE TRIGGER job_portal_rev_insert AFTER INSERT ON job BEGIN
    UPDATE client SET portal_rev = portal_rev + 1 WHERE id = NEW.client_id;
END;
CREATE TRIGGER job_portal_rev_update AFTER UPDATE ON job BEGIN
    UPDATE client SET portal_rev = portal_rev + 1 WHERE id IN (OLD.client_id, NEW.client_id);
END;
CREATE TRIGGER job_portal_rev_delete AFTER DELETE ON job BEGIN
    UPDATE client SET portal_rev = portal_rev + 1 WHERE id = OLD.client_id;
END;
CREATE TRIGGER task_portal_rev_insert AFTER INSERT ON task BEGIN
    UPDATE client SET portal_rev = portal_rev + 1 WHERE id = NEW.client_id;
END;
CREATE TRIGGER task_portal_rev_update AFTER UPDATE ON task BEGIN
    UPDATE client SET portal_rev = portal_rev + 1 WHERE id IN (OLD.client_id, NEW.client_id);
END;
CREATE TRIGGER task_portal_rev_delete AFTER DELETE ON task BEGIN
    UPDATE client SET portal_rev = portal_rev + 1 WHERE id = OLD.client_id;
END;
-- A visit belongs to a client through its job.
CREATE TRIGGER visit_portal_rev_insert AFTER INSERT ON visit BEGIN
    UPDATE client SET portal_rev = portal_rev + 1 WHERE id = (SELECT client_id FROM job WHERE id = NEW.job_id);
END;
CREATE TRIGGER visit_portal_rev_update AFTER UPDATE ON visit BEGIN
    UPDATE client SET portal_rev = portal_rev + 1
    WHERE id IN (SELECT client_id FROM job WHERE id IN (OLD.job_id, NEW.job_id));
END;
CREATE TRIGGER visit_portal_rev_delete AFTER DELETE ON visit BEGIN
    UPDATE client SET portal_rev = portal_rev + 1 WHERE id = (SELECT client_id FROM job WHERE id = OLD.job_id);
END;
