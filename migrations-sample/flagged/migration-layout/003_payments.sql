-- Copied from the goose service: dbmate reads these markers as plain comments, so the down
-- would run right after the up, in the same section.
-- +goose Up
CREATE TABLE IF NOT EXISTS payments (id bigint PRIMARY KEY);

-- +goose Down
DROP TABLE IF EXISTS payments;
