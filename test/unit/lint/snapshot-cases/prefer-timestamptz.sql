-- case: timestamp without time zone
CREATE TABLE events (id bigint, happened_at timestamp NOT NULL, seen TIMESTAMP(3) WITHOUT TIME ZONE);
