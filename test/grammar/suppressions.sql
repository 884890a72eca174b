-- SYNTAX TEST "source.sql" "suppressions and expectations"

-- tidemark-ignore ban-drop-column, require-lock-timeout
-- <-- meta.suppression.tidemark punctuation.definition.comment.sql
-- ^^^^^^^^^^^^^^^ comment.line.double-dash.sql meta.suppression.tidemark keyword.control.suppression.tidemark
--                 ^^^^^^^^^^^^^^^ entity.name.rule.tidemark
--                                ^ punctuation.separator.comma.tidemark
--                                 ^ - entity.name.rule.tidemark
--                                  ^^^^^^^^^^^^^^^^^^^^ entity.name.rule.tidemark
ALTER TABLE t DROP COLUMN IF EXISTS c;
-- <----- - meta.suppression.tidemark

-- tidemark-ignore-file prefer-text-field
-- ^^^^^^^^^^^^^^^^^^^^ keyword.control.suppression.tidemark
--                      ^^^^^^^^^^^^^^^^^ entity.name.rule.tidemark

ALTER TABLE t ADD COLUMN IF NOT EXISTS d text; -- tidemark-ignore require-lock-timeout
--                                                ^^^^^^^^^^^^^^^ keyword.control.suppression.tidemark
--                                                                ^^^^^^^^^^^^^^^^^^^^ entity.name.rule.tidemark

-- tidemark-ignored is just a comment
-- ^^^^^^^^^^^^^^^^ comment.line.double-dash.sql - keyword.control.suppression.tidemark

-- expect: 0
-- <-- meta.expectation.tidemark punctuation.definition.comment.sql
-- ^^^^^^ comment.line.double-dash.sql meta.expectation.tidemark keyword.control.expect.tidemark
--       ^ punctuation.separator.key-value.tidemark
--         ^ string.unquoted.expected-value.tidemark
SELECT count(*) FROM t WHERE d IS NULL;

-- expect: viewer,member,admin,owner
--         ^^^^^^^^^^^^^^^^^^^^^^^^^^ string.unquoted.expected-value.tidemark

-- Expect: two words  
--         ^^^^^^^^^ string.unquoted.expected-value.tidemark
--                  ^^ - string.unquoted.expected-value.tidemark

-- we expect: nothing here, this is prose
--    ^^^^^^ - keyword.control.expect.tidemark
