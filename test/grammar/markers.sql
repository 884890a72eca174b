-- SYNTAX TEST "source.sql" "section markers and directives"

-- migrate:up
-- <-- comment.line.double-dash.sql meta.section-marker.tidemark punctuation.definition.comment.sql
-- ^^^^^^^ meta.section-marker.tidemark keyword.control.section.tidemark
--        ^ punctuation.separator.key-value.tidemark
--         ^^ entity.name.section.tidemark
CREATE TABLE IF NOT EXISTS t (id bigint);
-- <------ - meta.section-marker.tidemark

  -- migrate:down transaction:false
--   ^^^^^^^ keyword.control.section.tidemark
--           ^^^^ entity.name.section.tidemark
--                ^^^^^^^^^^^ variable.parameter.option.tidemark
--                           ^ punctuation.separator.key-value.tidemark
--                            ^^^^^ constant.language.option-value.tidemark

-- MIGRATE:VERIFY
-- ^^^^^^^ keyword.control.section.tidemark
--         ^^^^^^ entity.name.section.tidemark

-- tidemark:no-transaction
-- <-- meta.directive.tidemark punctuation.definition.comment.sql
-- ^^^^^^^^ comment.line.double-dash.sql meta.directive.tidemark keyword.control.directive.tidemark
--         ^ punctuation.separator.key-value.tidemark
--          ^^^^^^^^^^^^^^ entity.name.directive.tidemark

-- migrate:upgrade is not a marker
-- ^^^^^^^^^^^^^^^ comment.line.double-dash.sql - keyword.control.section.tidemark

-- a comment that mentions migrate:up is only a comment
--                         ^^^^^^^^^^ comment.line.double-dash.sql - keyword.control.section.tidemark

SELECT '-- migrate:up' AS not_a_marker;
--       ^^^^^^^^^^^^^ string.quoted.single.sql - meta.section-marker.tidemark

-- tidemark:blocked waiting for the billing team
-- ^^^^^^^^ meta.directive.tidemark keyword.control.directive.tidemark
--          ^^^^^^^ entity.name.directive.tidemark
--                  ^^^^^^^^^^^^^^^^^^^^^^^^^^^^ comment.line.double-dash.sql meta.directive.tidemark

-- tidemark:environments production, staging
--          ^^^^^^^^^^^^ entity.name.directive.tidemark
--                       ^^^^^^^^^^^^^^^^^^^^ comment.line.double-dash.sql meta.directive.tidemark
