-- case: ${VAR} under goose ENVSUB ON
-- +goose Up
-- +goose ENVSUB ON
CREATE SCHEMA IF NOT EXISTS "${TENANT}";
-- +goose ENVSUB OFF
