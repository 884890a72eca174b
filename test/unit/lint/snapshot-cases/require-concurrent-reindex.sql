-- case: REINDEX without CONCURRENTLY
REINDEX INDEX users_email_idx;
REINDEX TABLE orders;
