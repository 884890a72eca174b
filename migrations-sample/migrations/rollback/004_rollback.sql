-- Rollback of 004_audit_log.sql. The triggers and indexes go with the table.
DROP FUNCTION IF EXISTS purge_audit_log(interval, bigint);
DROP TABLE IF EXISTS audit_log;
DROP FUNCTION IF EXISTS audit_log_reject_change();
